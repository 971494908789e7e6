/**
 * The dataset snapshot on disk: hashing the dataset file, reading a snapshot back (only when it is
 * intact and made from these very bytes), and writing one atomically. The format is snapshot.ts;
 * when to read and write is cachedLoad.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Dataset } from '../types';
import { CancelledError, throwIfCancelled } from '../errors';
import { mkdirDurable, syncDirectory } from '../labels/atomicWrite';
import { keyText, peekKey, readSnapshot, type SnapshotKey, type SnapshotSink } from './snapshot';

/** Reads of 8 MiB: sha256 runs at over 1 GB/s, so fewer, larger reads keep it busy. */
const HASH_CHUNK_BYTES = 8 * 1024 * 1024;
const HEAD_BYTES = 64 * 1024;
/** A larger file cannot be read into one Buffer; no dataset that fits in memory makes one. */
const MAX_SNAPSHOT_BYTES = 2 ** 31 - 1;
/** A snapshot larger than this many times its dataset file, plus the slack, is refused unread. */
const MAX_SNAPSHOT_RATIO = 64;
const SNAPSHOT_SLACK_BYTES = 1024 * 1024;
const STALE_TEMP_MS = 10 * 60 * 1000;

export interface FileHash {
  readonly sha256: string;
  /** Bytes hashed: the file's size when it did not change meanwhile. */
  readonly size: number;
}

/**
 * sha256 of the file's bytes, streamed in large reads through one reused buffer. Opened without
 * blocking and refused unless it is a regular file, so a FIFO swapped in never hangs the read.
 */
export async function hashFile(file: string, options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<FileHash> {
  const handle = await fsp.open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error(`${file} is not a regular file`);
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
    let size = 0;
    for (;;) {
      throwIfCancelled(options.signal);
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      size += bytesRead;
      options.onProgress?.(size, Math.max(size, stat.size));
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * The dataset in `snapshotFile`, when it is a whole, intact snapshot for `key` once `key.sha256`
 * is the dataset file's hash; else undefined (no file, unreadable, another key, torn, corrupt).
 * The head is checked first, so a snapshot of another file or version costs no hashing. Then the
 * file is hashed (by `hash`) while the rest of the snapshot is read, in one read into one Buffer.
 */
export async function readSnapshotFile(snapshotFile: string, key: Omit<SnapshotKey, 'sha256'>, hash: () => Promise<FileHash>, signal?: AbortSignal): Promise<Dataset | undefined> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(snapshotFile, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  let bytes: Buffer;
  let fileHash: FileHash;
  try {
    const stat = await handle.stat();
    // Bounded by the dataset too: a real snapshot is about the file's size (texts, ids, 32-byte
    // hashes, problem messages); anything far larger is not one and is not read.
    if (!stat.isFile() || stat.size > Math.min(MAX_SNAPSHOT_BYTES, MAX_SNAPSHOT_RATIO * key.size + SNAPSHOT_SLACK_BYTES)) return undefined;
    // Allocated unpooled, so its u32 arrays are aligned views and nothing else shares the memory.
    bytes = Buffer.allocUnsafeSlow(stat.size);
    const head = await readFully(handle, bytes, 0, Math.min(HEAD_BYTES, stat.size));
    const stored = peekKey(bytes.subarray(0, head));
    if (stored === undefined || stored.text !== keyText({ ...key, sha256: stored.sha256 })) return undefined;
    const [hashed, read] = await Promise.all([hash(), readFully(handle, bytes, head, stat.size - head)]);
    if (head + read !== stat.size) return undefined;
    fileHash = hashed;
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
  if (fileHash.size !== key.size) return undefined;
  return readSnapshot(bytes, { ...key, sha256: fileHash.sha256 }, signal);
}

/** Reads up to `length` bytes at `position` into `buf` at the same offset; the count read (less at EOF). */
async function readFully(handle: fsp.FileHandle, buf: Buffer, position: number, length: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, position + done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/**
 * Writes a snapshot so that a reader sees the old file or the whole new one, never a half: a temp
 * file beside it, fsynced, renamed over it, the folder fsynced (as `writeFileAtomic` does for text,
 * which this binary, chunked writer cannot reuse). Temp files left by a process that died while
 * writing are removed first. Resolves to the snapshot's size; on any failure the temp file is gone.
 */
export async function writeSnapshotFile(snapshotFile: string, write: (sink: SnapshotSink) => Promise<number>): Promise<number> {
  const dir = dirname(snapshotFile);
  await mkdirDurable(dir);
  await removeStaleTemps(dir, basename(snapshotFile));
  const temp = join(dir, `.${basename(snapshotFile)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fsp.open(temp, 'wx');
  let committed = false;
  try {
    let position = 0;
    const sink: SnapshotSink = {
      append: async (bytes) => {
        await writeAll(handle, bytes, position);
        position += bytes.length;
      },
      patch: (bytes, at) => writeAll(handle, bytes, at),
    };
    const size = await write(sink);
    await handle.sync();
    await handle.close();
    await fsp.rename(temp, snapshotFile);
    committed = true;
    await syncDirectory(dir);
    return size;
  } finally {
    if (!committed) {
      await handle.close().catch(() => undefined);
      await fsp.rm(temp, { force: true });
    }
  }
}

async function writeAll(handle: fsp.FileHandle, bytes: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Removes the temp files of writes that died (a killed worker, a crash): those untouched for a few
 * minutes. A live write touches its temp file every 8 MiB, so another window's write is left alone.
 */
async function removeStaleTemps(dir: string, name: string): Promise<void> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const prefix = `.${name}.`;
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith('.tmp')) continue;
    const file = join(dir, n);
    const stat = await fsp.stat(file).catch(() => undefined);
    if (stat !== undefined && Date.now() - stat.mtimeMs > STALE_TEMP_MS) await fsp.rm(file, { force: true }).catch(() => undefined);
  }
}

/** Removes a snapshot that no longer applies (the dataset became small); a missing one is fine. */
export async function removeSnapshotFile(snapshotFile: string): Promise<void> {
  await fsp.rm(snapshotFile, { force: true });
}
