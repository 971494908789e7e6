/**
 * The label log's file handle: opening it for appending (creating the file and its folders durably)
 * and telling whether the handle is still the file at the path. Editors that save atomically, `git
 * pull`/`checkout`/`stash` and `rm -r` all give the path a new inode (or none) while we hold the old
 * one open; an append to the old one would succeed and be lost.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mkdirDurable, syncDirectory } from './atomicWrite';

const NEWLINE = 0x0a;

/** What happened to the file at the path since we opened it. */
export type LogChange = 'replaced' | 'removed';

export interface OpenedLogFile {
  readonly handle: FileHandle;
  /** The file ends in a fragment (or an event without its newline): start the next write with '\n'. */
  readonly needsNewline: boolean;
}

/** Opens `file` for appending, creating it and any missing folders so that they survive power loss. */
export async function openLogFile(file: string): Promise<OpenedLogFile> {
  const dir = dirname(file);
  await mkdirDurable(dir);
  let handle: FileHandle;
  let created = false;
  try {
    // 'ax+' fails when the file exists, which tells us whether its directory entry is new.
    handle = await open(file, 'ax+');
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // a+ = O_APPEND | O_CREAT | O_RDWR: read access lets us check the last byte for a torn tail.
    handle = await open(file, 'a+');
  }
  try {
    if (created) await syncDirectory(dir);
    return { handle, needsNewline: !(await endsWithNewline(handle)) };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Whether the open handle is still the file at the path: undefined when it is, 'removed' when the
 * path no longer exists (or our inode has no links left), 'replaced' when the path is another file.
 */
export async function changeOf(handle: FileHandle, file: string): Promise<LogChange | undefined> {
  const own = await handle.stat({ bigint: true });
  let atPath;
  try {
    atPath = await stat(file, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return 'removed';
    }
    throw error;
  }
  if (atPath.dev !== own.dev || atPath.ino !== own.ino) return 'replaced';
  return own.nlink === 0n ? 'removed' : undefined;
}

async function endsWithNewline(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === NEWLINE;
}
