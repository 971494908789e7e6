import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before } from 'node:test';

/** A temp folder per test file, removed afterwards; `write` puts real files in it. */
export function useTempDir(): { write: (name: string, content: string | Buffer) => Promise<string>; dir: () => string } {
  let dir = '';
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'active-label-dataset-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    write: async (name, content) => {
      const file = path.join(dir, name);
      await fs.writeFile(file, content);
      return file;
    },
  };
}

/** The shared real datasets live beside the repository (../shared), as in CI. */
export const headlinesDir = path.resolve(__dirname, '../../../..', 'shared/datasets/disaster-headlines');
