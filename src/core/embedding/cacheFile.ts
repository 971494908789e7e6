/**
 * The embedding cache's file I/O: what is at the cache path, a read bounded by both the header's
 * declared size and the file's actual size (and decoded a few MiB at a time, so a cache of any size
 * is never one buffer), and an atomic write. Nothing here allocates more than
 * the file holds, blocks on a FIFO, or follows a device: only regular files (or symlinks to them)
 * are ever opened.
 */
import { constants as bufferConstants } from 'node:buffer';
import { constants as fsConstants, type Stats, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CHECKSUM_BYTES, CacheDecoder, CorruptCacheError, type Decoded, FIXED_HEADER, checkDeclaredLength, parseFixedHeader, parseMeta } from './cacheFormat';

export type CacheRead =
  /** Nothing at the path: an empty cache. */
  | { readonly kind: 'absent' }
  /** A regular file that passed every check (lengths, checksum, finite rows), decoded. */
  | { readonly kind: 'decoded'; readonly decoded: Decoded; readonly bytes: number; readonly checksum: number }
  /** A regular file that fails a check; rebuilding it is safe. */
  | { readonly kind: 'corrupt'; readonly reason: string }
  /** A regular file that could not be read (permissions, I/O); rebuilding may still work. */
  | { readonly kind: 'unreadable'; readonly reason: string }
  /** Not a regular file (a folder, FIFO, device, socket, or a symlink to one): never read nor replaced. */
  | { readonly kind: 'unusable'; readonly reason: string };

/** Larger than any cache a Buffer can hold: refused before reading. */
const MAX_FILE_BYTES = bufferConstants.MAX_LENGTH;
/** One read call at most (the OS caps single reads near 2 GiB). */
const READ_CHUNK = 64 * 1024 * 1024;
/**
 * Records are read (and kept, see StoredRows, and shared by a session's pool, see int8Matrix.ts) in
 * buffers of about this many bytes. Large on purpose: V8 runs a full collection for about every
 * 64 MiB of new buffers, and reading a million rows in 8 MiB buffers beside a dataset's heap cost
 * 5-6 of them (0.3-0.5 s each). The header accounts for the file's length before any is allocated.
 */
const RECORD_CHUNK_BYTES = 256 * 1024 * 1024;

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'an unknown kind of file';
}

/** "a folder", or "a symlink to /dev/zero, which is a character device". */
async function describe(file: string, stats: Stats): Promise<string> {
  const link = await fs.readlink(file).catch(() => undefined);
  return link === undefined ? kindOf(stats) : `a symlink to ${link}, which is ${kindOf(stats)}`;
}

/** The nearest ancestor of `dir` (itself included) that exists, with its stats. */
async function nearestExisting(dir: string): Promise<{ dir: string; stats: Stats } | { dir: string; error: unknown }> {
  for (let at = dir; ; at = path.dirname(at)) {
    try {
      return { dir: at, stats: await fs.stat(at) };
    } catch (error) {
      if ((codeOf(error) !== 'ENOENT' && codeOf(error) !== 'ENOTDIR') || path.dirname(at) === at) return { dir: at, error };
    }
  }
}

/** Why the cache cannot be written, and what the user can do about it. */
export interface WriteBlocked {
  readonly reason: string;
  readonly fix: string;
}

/**
 * Why a file could not be written at `file`, checked before any work: its nearest existing folder
 * must be a folder we may write into. Undefined when writing should work (it may still fail: a full
 * disk is only found by writing, and root passes every permission check).
 */
export async function writeBlockedReason(file: string): Promise<WriteBlocked | undefined> {
  const elsewhere = 'point the cache elsewhere';
  const found = await nearestExisting(path.dirname(file));
  if ('error' in found) return { reason: `cannot inspect ${found.dir} (${(found.error as Error).message})`, fix: elsewhere };
  if (!found.stats.isDirectory()) return { reason: `${found.dir} is ${kindOf(found.stats)}, not a folder`, fix: `remove it or ${elsewhere}` };
  try {
    await fs.access(found.dir, fsConstants.W_OK | fsConstants.X_OK);
    return undefined;
  } catch (error) {
    return { reason: `the folder ${found.dir} is not writable (${codeOf(error) ?? (error as Error).message})`, fix: `make it writable or ${elsewhere}` };
  }
}

/** Reads exactly `length` bytes at `position`, in chunks; a short read means the file shrank. */
async function readExactly(handle: fs.FileHandle, length: number, position: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, Math.min(READ_CHUNK, length - done), position + done);
    if (bytesRead === 0) throw new CorruptCacheError(`file shrank while being read (${position + done} of ${position + length} bytes)`);
    done += bytesRead;
  }
  return out;
}

/** Reads the cache file, refusing anything that is not a regular file and anything its header does not account for. */
export async function readCacheFile(file: string): Promise<CacheRead> {
  let stats: Stats;
  try {
    stats = await fs.stat(file);
  } catch (error) {
    const code = codeOf(error);
    // ENOTDIR: part of the path is a file, so nothing can be there to read; writeBlockedReason names it.
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'absent' };
    if (code === 'ELOOP') return { kind: 'unusable', reason: 'it is a symlink loop' };
    return { kind: 'unreadable', reason: (error as Error).message };
  }
  if (!stats.isFile()) return { kind: 'unusable', reason: `it is ${await describe(file, stats)}, not a regular file` };
  if (stats.size > MAX_FILE_BYTES) return { kind: 'corrupt', reason: `file is ${stats.size} bytes, more than a cache can be` };

  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: should the path be swapped for a FIFO since the stat, opening it cannot hang.
    handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (error) {
    return { kind: 'unreadable', reason: (error as Error).message };
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) return { kind: 'unusable', reason: `it is ${kindOf(opened)}, not a regular file` };
    const size = opened.size;
    // The header first: nothing larger is read until it accounts for the file's exact length.
    const fixed = await readExactly(handle, Math.min(FIXED_HEADER, size), 0);
    const header = parseFixedHeader(fixed, size);
    const metaBytes = await readExactly(handle, header.metaLength, FIXED_HEADER);
    const meta = parseMeta(metaBytes);
    checkDeclaredLength(header, meta, size);
    const decoder = new CacheDecoder(header, meta, Buffer.concat([fixed, metaBytes]));
    const perRead = Math.max(1, Math.floor(RECORD_CHUNK_BYTES / decoder.recordBytes));
    let at = FIXED_HEADER + header.metaLength;
    while (decoder.remaining > 0) {
      const n = Math.min(perRead, decoder.remaining);
      decoder.records(await readExactly(handle, n * decoder.recordBytes, at));
      at += n * decoder.recordBytes;
    }
    const tail = await readExactly(handle, size - at, at);
    const checksum = tail.readUInt32LE(tail.length - CHECKSUM_BYTES);
    const decoded = decoder.finish(tail.subarray(0, tail.length - CHECKSUM_BYTES), checksum);
    return { kind: 'decoded', decoded, bytes: size, checksum };
  } catch (error) {
    if (error instanceof CorruptCacheError) return { kind: 'corrupt', reason: error.message };
    return { kind: 'unreadable', reason: (error as Error).message };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Writes atomically (temp file beside it, fsync, rename); the temp file never outlives a failure.
 * `bytes` may be chunks (see `encodeChunks`), written one at a time so the file is never one buffer.
 * Resolves to the file's length and its last four bytes (a cache file's stored checksum).
 */
export async function writeCacheFile(file: string, bytes: Buffer | Iterable<Buffer>): Promise<{ readonly bytes: number; readonly checksum: number }> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    const handle = await fs.open(tmp, 'wx');
    let length = 0;
    let last = Buffer.alloc(0);
    try {
      for (const chunk of Buffer.isBuffer(bytes) ? [bytes] : bytes) {
        for (let done = 0; done < chunk.length; ) done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
        length += chunk.length;
        last = Buffer.from(Buffer.concat([last, chunk.subarray(-CHECKSUM_BYTES)]).subarray(-CHECKSUM_BYTES));
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
    return { bytes: length, checksum: last.length === CHECKSUM_BYTES ? last.readUInt32LE(0) : 0 };
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** A failed write in words: the errno, what it usually means, and the system's message. */
export function describeWriteError(error: unknown): string {
  const code = codeOf(error);
  const meaning =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? 'the folder is not writable'
      : code === 'ENOSPC' || code === 'EDQUOT'
        ? 'the disk is full'
        : code === 'EISDIR'
          ? 'a folder is in the way'
          : code === 'ENOTDIR'
            ? 'part of the path is a file, not a folder'
            : undefined;
  const message = (error as Error | undefined)?.message ?? String(error);
  return meaning ? `${meaning} (${message})` : message;
}
