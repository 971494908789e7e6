/**
 * The embedding cache journal's format (see cacheJournal.ts for the layout and its file I/O): the
 * header that binds a journal to one cache file, and records of rows. Pure of the file system.
 */
import { crc32 } from 'node:zlib';
import { KEY_BYTES, keyedChunks } from './keyedChunks';
import type { VectorDtype } from './quantize';

export const MAGIC = Buffer.from('ALJRNL01', 'latin1');
export const RECORD_MAGIC = Buffer.from('ALJR', 'latin1');
export const VERSION = 1;
export { KEY_BYTES };
export const FIXED_HEADER = MAGIC.length + 12;
/** Record magic, header crc, count. */
export const RECORD_HEAD = RECORD_MAGIC.length + 8;
export const CRC_BYTES = 4;
/** Rows are gathered into writes of about this many bytes. */
const WRITE_CHUNK_BYTES = 4 * 1024 * 1024;

/** What a journal must match to be applied: the cache file it extends, as read or last written. */
export interface JournalBinding {
  readonly model: string;
  readonly dimensions: number;
  readonly fingerprint: string;
  readonly dtype: VectorDtype;
  /** The corpus key of the cache file's fitted statistics; null without any. */
  readonly fit: string | null;
  /** The cache file's length and stored checksum. */
  readonly base: { readonly bytes: number; readonly checksum: number };
}

/** The journal's header bytes (its last four are its id, the crc32 every record repeats). */
export function encodeJournalHeader(binding: JournalBinding): Buffer {
  const meta = Buffer.from(
    JSON.stringify({ model: binding.model, fingerprint: binding.fingerprint, dtype: binding.dtype, fit: binding.fit, base: binding.base }),
    'utf8',
  );
  const out = Buffer.alloc(FIXED_HEADER + meta.length + CRC_BYTES);
  MAGIC.copy(out, 0);
  let at = out.writeUInt32LE(VERSION, MAGIC.length);
  at = out.writeUInt32LE(binding.dimensions, at);
  at = out.writeUInt32LE(meta.length, at);
  meta.copy(out, at);
  out.writeUInt32LE(crc32(out.subarray(0, out.length - CRC_BYTES)) >>> 0, out.length - CRC_BYTES);
  return out;
}

export function journalIdOf(header: Buffer): number {
  return header.readUInt32LE(header.length - CRC_BYTES);
}

/**
 * One record's bytes in chunks of a few MiB: `rows` must yield exactly `count` rows, each a key (32
 * hex chars) and the row already encoded in the journal's dtype (`rowLength` bytes).
 */
export function* encodeJournalRecord(id: number, count: number, rowLength: number, rows: Iterable<readonly [string, Uint8Array]>): Generator<Buffer> {
  const head = Buffer.alloc(RECORD_HEAD);
  RECORD_MAGIC.copy(head, 0);
  head.writeUInt32LE(id >>> 0, RECORD_MAGIC.length);
  head.writeUInt32LE(count, RECORD_MAGIC.length + 4);
  let crc = crc32(head);
  yield head;
  crc = yield* keyedChunks({ count, rowBytes: rowLength, chunkBytes: WRITE_CHUNK_BYTES, noun: 'journal rows', crc }, rows, (row, chunk, at) => {
    if (row.byteLength !== rowLength) throw new RangeError(`journal row has ${row.byteLength} bytes, expected ${rowLength}`);
    chunk.set(row, at);
  });
  const tail = Buffer.alloc(CRC_BYTES);
  tail.writeUInt32LE(crc >>> 0, 0);
  yield tail;
}

/** Why the journal's header does not bind it to `binding`, or undefined when it does. */
export function bindingMismatch(dims: number, meta: Record<string, unknown>, binding: JournalBinding): string | undefined {
  if (meta.model !== binding.model) return `it was written for the model ${String(meta.model)}, the cache holds ${binding.model}`;
  if (dims !== binding.dimensions) return `it holds ${dims}-dimension rows, the cache ${binding.dimensions}`;
  if (meta.fingerprint !== binding.fingerprint || (meta.fit ?? null) !== binding.fit) return 'it was written for other corpus statistics';
  if (meta.dtype !== binding.dtype) return `it holds ${String(meta.dtype)} rows, the cache ${binding.dtype}`;
  const base = meta.base as { bytes?: unknown; checksum?: unknown } | undefined;
  if (base?.bytes !== binding.base.bytes || base?.checksum !== binding.base.checksum) {
    return 'it extends another version of the cache file (one replaced since, by a full save or another process)';
  }
  return undefined;
}

