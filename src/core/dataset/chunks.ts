import { createReadStream } from 'node:fs';
import { throwIfCancelled } from '../errors';

/** Options every reader shares. */
export interface ReadOptions {
  /** A record (line, CSV row) longer than this many bytes is reported and skipped, never loaded. */
  readonly maxRecordBytes: number;
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  readonly signal?: AbortSignal;
  /**
   * Bytes per read; default 1 MiB. Tests pass tiny sizes so that every line ending, quote and
   * multi-byte character lands on a chunk boundary somewhere.
   */
  readonly chunkBytes?: number;
  /** Every chunk read, raw and in order (the bytes a snapshot is keyed on: cachedLoad.ts). */
  readonly onBytes?: (chunk: Buffer) => void;
}

export const defaultMaxRecordBytes = 16 * 1024 * 1024;

/** 1 MiB reads: large enough that per-chunk overhead vanishes, small enough to stream any file. */
const defaultChunkBytes = 1024 * 1024;

/**
 * Streams the file as raw byte chunks (never one string), reporting progress and honouring
 * cancellation between chunks. Breaking out of the loop closes the file. Call `inspectFile` first:
 * it refuses FIFOs and devices, which a read stream would wait on for ever.
 */
export async function* readChunks(file: string, size: number, options: ReadOptions): AsyncGenerator<Buffer> {
  throwIfCancelled(options.signal);
  const stream = createReadStream(file, { highWaterMark: options.chunkBytes ?? defaultChunkBytes });
  let bytesRead = 0;
  try {
    for await (const chunk of stream) {
      throwIfCancelled(options.signal);
      const buf = chunk as Buffer;
      bytesRead += buf.length;
      options.onBytes?.(buf);
      options.onProgress?.(bytesRead, Math.max(size, bytesRead));
      yield buf;
    }
  } finally {
    stream.destroy();
  }
}
