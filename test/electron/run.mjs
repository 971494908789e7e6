// `npm run test:electron`: a small integration suite in desktop VS Code, downloaded by
// @vscode/test-electron. It needs internet access (update.code.visualstudio.com), so it is NOT part
// of `npm test`; the offline end-to-end test (test/e2e, code-server) covers the same ground and more.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const workspace = mkdtempSync(join(tmpdir(), 'active-label-electron-'));
try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'test', 'electron', 'suite.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
} catch (error) {
  console.error(`test:electron failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error('This suite downloads desktop VS Code and cannot run offline; `npm test` runs the offline E2E test instead.');
  process.exitCode = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
