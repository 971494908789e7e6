/**
 * The default annotator name, when `activeLabel.annotator` is empty: git `user.name`
 * (asynchronously, so activation never waits on a slow git), else the OS user name, else "annotator".
 */
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';

export function defaultAnnotator(cwd?: string): Promise<string> {
  const osUser = (): string => {
    try {
      return userInfo().username || 'annotator';
    } catch {
      return 'annotator';
    }
  };
  return new Promise((resolve) => {
    execFile('git', ['config', 'user.name'], { cwd, timeout: 3000, windowsHide: true }, (error, stdout) => {
      const name = typeof stdout === 'string' ? stdout.trim() : '';
      resolve(!error && name ? name : osUser());
    });
  });
}
