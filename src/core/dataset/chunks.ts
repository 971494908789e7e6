import { createReadStream, promises as fsp } from 'node:fs';
import { throwIfCancelled } from '../errors';
import { DatasetError } from './errors';

/** Options every reader shares. */
export interface ReadOptions {
  /** A record (line, CSV row) longer than this many bytes is reported and skipped, never loaded. */
  readonly maxRecordBytes: number;
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  readonly signal?: AbortSignal;
}

export const defaultMaxRecordBytes = 16 * 1024 * 1024;

/** 1 MiB reads: large enough that per-chunk overhead vanishes, small enough to stream any file. */
const chunkBytes = 1024 * 1024;
/** How much of the head we inspect for NUL bytes, as git and grep do. */
const sniffBytes = 8192;

export interface FileFacts {
  readonly size: number;
  readonly hasBom: boolean;
}

/**
 * Checks the file before any reader starts: it exists, is a regular file, and is text.
 * A NUL byte in the first 8 KB means binary (or UTF-16), which no reader can make sense of; refusing
 * with one clear error is kinder than reporting every "line" of it as a bad row.
 */
export async function inspectFile(file: string): Promise<FileFacts> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the file does not exist' : code === 'EACCES' ? 'permission denied' : String(err);
    throw new DatasetError(`Cannot read ${file}: ${why}.`, file, { cause: err });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new DatasetError(`Cannot read ${file}: it is not a regular file.`, file);
    const head = Buffer.alloc(Math.min(sniffBytes, stat.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    const nul = bytes.indexOf(0);
    if (nul !== -1) {
      throw new DatasetError(
        `Refusing to load ${file}: it looks like a binary file (a NUL byte at offset ${nul}), not text. ` +
          'Choose a .jsonl, .csv, .tsv or .txt file; if it is UTF-16 text, re-save it as UTF-8.',
        file,
      );
    }
    const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return { size: stat.size, hasBom };
  } finally {
    await handle.close();
  }
}

/**
 * Streams the file as raw byte chunks (never one string), reporting progress and honouring
 * cancellation between chunks. Breaking out of the loop closes the file.
 */
export async function* readChunks(file: string, size: number, options: ReadOptions): AsyncGenerator<Buffer> {
  throwIfCancelled(options.signal);
  const stream = createReadStream(file, { highWaterMark: chunkBytes });
  let bytesRead = 0;
  try {
    for await (const chunk of stream) {
      throwIfCancelled(options.signal);
      const buf = chunk as Buffer;
      bytesRead += buf.length;
      options.onProgress?.(bytesRead, Math.max(size, bytesRead));
      yield buf;
    }
  } finally {
    stream.destroy();
  }
}
