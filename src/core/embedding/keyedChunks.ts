/**
 * The body both binary formats write (the cache file, cacheFormat.ts, and a journal record,
 * journalFormat.ts): `count` records of a 16-byte key (32 hex characters) and a fixed-size row,
 * packed into chunks of a few MiB so that no write holds the whole body, with a running CRC-32.
 */
import { crc32 } from 'node:zlib';

/** Bytes of a record's key (a text hash as 32 hex characters). */
export const KEY_BYTES = 16;

export interface KeyedChunks {
  /** Records declared; exactly this many must come. */
  readonly count: number;
  /** Bytes of a row after its key. */
  readonly rowBytes: number;
  /** Most bytes per chunk (at least one record). */
  readonly chunkBytes: number;
  /** What a record is called in errors, plural ("cache records"). */
  readonly noun: string;
  /** The CRC-32 of what came before the body. */
  readonly crc: number;
}

/**
 * Yields the chunks; `put` writes a record's row at `at` (after checking it, throwing a RangeError
 * when it does not fit). Returns the CRC-32 over what came before and every chunk.
 */
export function* keyedChunks<T>(spec: KeyedChunks, records: Iterable<readonly [string, T]>, put: (row: T, chunk: Buffer, at: number) => void): Generator<Buffer, number> {
  const { count, noun } = spec;
  const recordBytes = KEY_BYTES + spec.rowBytes;
  const perChunk = Math.max(1, Math.floor(spec.chunkBytes / recordBytes));
  let crc = spec.crc;
  let chunk = Buffer.alloc(Math.min(count, perChunk) * recordBytes);
  let filled = 0;
  let written = 0;
  for (const [key, row] of records) {
    if (written === count) throw new RangeError(`more ${noun} than the ${count} declared`);
    const at = filled * recordBytes;
    chunk.write(key, at, KEY_BYTES, 'hex');
    put(row, chunk, at + KEY_BYTES);
    filled++;
    written++;
    if (filled === perChunk) {
      crc = crc32(chunk, crc);
      yield chunk;
      chunk = Buffer.alloc(Math.min(count - written, perChunk) * recordBytes);
      filled = 0;
    }
  }
  if (written !== count) throw new RangeError(`${written} ${noun}, but ${count} declared`);
  if (filled > 0) {
    crc = crc32(chunk, crc);
    yield chunk;
  }
  return crc;
}
