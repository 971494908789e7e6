/**
 * Where a dataset's labels live: `<workspace>/.activelabel/<key>/labels.jsonl`, inside the workspace
 * so they can be committed beside the data. The key is readable (the file's name) and unique (a short
 * hash of the path relative to the workspace, with '/' separators so it is the same on every OS).
 */
import { createHash } from 'node:crypto';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
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
 * The label logs are append-only, so git's built-in union merge driver merges two branches that both
 * appended to one log without a conflict: it keeps the lines of both sides (and a line both sides
 * added once or twice, which replay reads once, by eventId). Each line carries its own checksum and
 * eventId, so a union-merged log replays with every event of both branches.
 */
export const STORE_GITATTRIBUTES_LINE = `${LOG_FILE_NAME} merge=union`;
export const STORE_GITATTRIBUTES = [
  '# Written by Active Label. Label logs are append-only: union merge keeps the events that both',
  "# branches added, so merging two annotators' branches never conflicts on labels.jsonl.",
  STORE_GITATTRIBUTES_LINE,
  '',
].join('\n');

/**
 * Creates `<workspace>/.activelabel/` with its `.gitignore` and `.gitattributes`, unless they exist:
 * a user's own edits to those files win. A `.gitattributes` that says nothing about merging
 * labels.jsonl (e.g. one written before union merge was shipped) gets the line appended. Call before
 * writing anything into a dataset's store directory.
 */
export async function ensureStoreRoot(workspaceRoot: string): Promise<string> {
  const dir = join(resolve(workspaceRoot), STORE_DIR_NAME);
  await mkdirDurable(dir);
  await writeNew(join(dir, '.gitignore'), STORE_GITIGNORE);
  const attributes = join(dir, '.gitattributes');
  if (!(await writeNew(attributes, STORE_GITATTRIBUTES))) {
    const text = await readFile(attributes, 'utf8');
    if (!setsLogMerge(text)) {
      const separator = text === '' || text.endsWith('\n') ? '' : '\n';
      await appendFile(attributes, `${separator}${STORE_GITATTRIBUTES_LINE}\n`);
    }
  }
  return dir;
}

/** Writes `text` to a new file; false (and nothing written) when the file already exists. */
async function writeNew(file: string, text: string): Promise<boolean> {
  try {
    await writeFile(file, text, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Whether a line of the file decides how labels.jsonl merges: its pattern's last path segment matches
 * the log's name (`labels.jsonl`, `*.jsonl`, `some/dir/labels.jsonl`...) and it sets, unsets or resets
 * `merge`. A user's own `-merge` or `merge=<driver>` is respected.
 */
function setsLogMerge(text: string): boolean {
  return text.split(/\r?\n/).some((line) => {
    const [pattern, ...attributes] = line.trim().split(/\s+/);
    if (pattern === undefined || pattern === '' || pattern.startsWith('#')) return false;
    const last = pattern.split('/').pop() ?? '';
    return globMatches(last, LOG_FILE_NAME) && attributes.some((a) => /^[-!]?merge(=|$)/.test(a));
  });
}

/** A gitattributes glob segment (`*`, `?`, `[...]`) against one file name. */
function globMatches(glob: string, name: string): boolean {
  const source = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*+/g, '[^/]*').replace(/\?/g, '[^/]');
  try {
    return new RegExp(`^${source}$`).test(name);
  } catch {
    return false;
  }
}
