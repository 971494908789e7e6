/**
 * Where a dataset's labels live: `<workspace>/.activelabel/<key>/labels.jsonl`, inside the workspace
 * so they can be committed beside the data. The key is readable (the file's name) and unique (a short
 * hash of the path relative to the workspace, with '/' separators so it is the same on every OS).
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { mkdirDurable } from './atomicWrite';

export const STORE_DIR_NAME = '.activelabel';
export const LOG_FILE_NAME = 'labels.jsonl';

const MAX_NAME_LENGTH = 48;

/** `<workspaceRoot>/.activelabel/<sanitized basename>-<8 hex chars>` for the dataset file. */
export function datasetStoreDir(workspaceRoot: string, datasetFile: string): string {
  const root = resolve(workspaceRoot);
  const rel = relative(root, resolve(root, datasetFile)).split(sep).join('/');
  const hash = createHash('sha256').update(rel, 'utf8').digest('hex').slice(0, 8);
  return join(root, STORE_DIR_NAME, `${sanitizeName(basename(datasetFile))}-${hash}`);
}

/** The label log of a dataset: `datasetStoreDir(...)/labels.jsonl`. */
export function labelLogPath(workspaceRoot: string, datasetFile: string): string {
  return join(datasetStoreDir(workspaceRoot, datasetFile), LOG_FILE_NAME);
}

/** Keeps letters, digits, '.', '_' and '-'; never empty, never hidden, never too long. */
function sanitizeName(name: string): string {
  const safe = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[-._]+/, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/[-._]+$/, '');
  return safe === '' ? 'dataset' : safe;
}

/** What `.activelabel/.gitignore` keeps out of git: the embedding caches, which are large and derived. */
export const STORE_GITIGNORE = [
  '# Written by Active Label. Label logs (labels.jsonl) and setup.json belong in git;',
  '# embedding caches are large and can be rebuilt from the data.',
  '*.bin',
  '*.tmp',
  '',
].join('\n');

/**
 * Creates `<workspace>/.activelabel/` with its `.gitignore`, unless one exists: a user's own edits to
 * that file win. Call before writing anything into a dataset's store directory.
 */
export async function ensureStoreRoot(workspaceRoot: string): Promise<string> {
  const dir = join(resolve(workspaceRoot), STORE_DIR_NAME);
  await mkdirDurable(dir);
  await writeFile(join(dir, '.gitignore'), STORE_GITIGNORE, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return dir;
}
