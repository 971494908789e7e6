/**
 * The embedding cache's on-disk format: encoding, and decoding that trusts nothing. Pure of the
 * file system: `cacheFile.ts` reads and writes the bytes, `cache.ts` holds them in memory.
 *
 * Layout (little endian):
 *   "ALEMBED1"  8 bytes magic
 *   u32 format version, u32 dims, u32 count, u32 metaLength
 *   meta        metaLength bytes of UTF-8 JSON: { model, fingerprint, dtype, fit?: { corpus, model, length } }
 *   count x (16-byte key, one row in `dtype`: dims x f32, dims x f16, or an f32 scale + dims x i8;
 *            see quantize.ts)
 *   fit.length x f32 (version 2 on; absent when meta has no fit)
 *   u32 crc32 of every byte before it
 * Version 3 added `dtype`; version 1 (no fit section) and 2 files hold float32 rows and are still read.
 *
 * Decoding checks, in order: magic, version, that the header's declared length equals the file's
 * actual length (before anything is allocated), the checksum, then that every row decodes to finite
 * numbers. `CacheDecoder` does it one chunk of records at a time, so no file is ever one buffer.
 */
import { crc32 } from 'node:zlib';
import { DEFAULT_VECTOR_DTYPE, type VectorDtype, decodeRowCopy, encodeRow, isVectorDtype, rowBytes, rowIsFinite } from './quantize';
import { KEY_BYTES, keyedChunks } from './keyedChunks';
import { StoredRows } from './storedRows';

const MAGIC = Buffer.from('ALEMBED1', 'latin1');
export const FORMAT_VERSION = 3;
const READABLE_VERSIONS = [1, 2, 3];
export { KEY_BYTES };
/** Magic plus the four u32 fields: enough to know how long the metadata is. */
export const FIXED_HEADER = MAGIC.length + 16;
export const CHECKSUM_BYTES = 4;

/** The file's contents cannot be trusted; the message says which check failed. */
export class CorruptCacheError extends Error {
  override readonly name = 'CorruptCacheError';
}

export interface StoredIdentity {
  readonly model: string;
  readonly dimensions: number;
  readonly fingerprint: string;
}

export interface StoredFit {
  readonly corpus: string;
  readonly model: string;
  readonly state: Float32Array;
}

export interface Decoded {
  readonly version: number;
  readonly identity: StoredIdentity;
  /** The rows as stored (encoded in the file's dtype), decoded on `get`. */
  readonly rows: StoredRows;
  readonly fit: StoredFit | undefined;
}

/** What the fixed header declares; validated against nothing but itself. */
export interface FixedHeader {
  readonly version: number;
  readonly dims: number;
  readonly count: number;
  readonly metaLength: number;
}

interface StoredMeta {
  readonly model?: unknown;
  readonly fingerprint?: unknown;
  readonly dtype?: unknown;
  readonly fit?: { readonly corpus?: unknown; readonly model?: unknown; readonly length?: unknown };
}

/**
 * One record's parts: its 16-byte key as hex and its vector, or the row already encoded in the
 * dtype being written (rowBytes(dtype, dims) bytes, as StoredRows and the spill file keep them).
 */
export type CacheRecord = readonly [key: string, vector: Float32Array | Uint8Array];

/** Records are gathered into writes of about this many bytes. */
const ENCODE_CHUNK_BYTES = 4 * 1024 * 1024;

/** The whole file as one buffer (small caches and tests); `encodeChunks` is the same bytes, streamed. */
export function encode(identity: StoredIdentity, vectors: ReadonlyMap<string, Float32Array>, fit: StoredFit | undefined, dtype: VectorDtype = DEFAULT_VECTOR_DTYPE): Buffer {
  return Buffer.concat([...encodeChunks(identity, vectors.size, vectors.entries(), fit, dtype)]);
}

/**
 * The file's bytes in chunks of a few MiB, checksummed as they go, so a cache of any size is written
 * without ever being one buffer. `records` must yield exactly `count` records of `dims` floats (or
 * rows already encoded in `dtype`). A vector with NaN or infinity (or, in float16, beyond ±65504)
 * is a RangeError.
 */
export function* encodeChunks(
  identity: StoredIdentity,
  count: number,
  records: Iterable<CacheRecord>,
  fit: StoredFit | undefined,
  dtype: VectorDtype = DEFAULT_VECTOR_DTYPE,
): Generator<Buffer> {
  const metaJson = { model: identity.model, fingerprint: identity.fingerprint, dtype, ...(fit ? { fit: { corpus: fit.corpus, model: fit.model, length: fit.state.length } } : {}) };
  const meta = Buffer.from(JSON.stringify(metaJson), 'utf8');
  const dims = identity.dimensions;
  const row = rowBytes(dtype, dims);
  let crc = 0;
  const head = Buffer.alloc(FIXED_HEADER + meta.length);
  MAGIC.copy(head, 0);
  let at = MAGIC.length;
  at = head.writeUInt32LE(FORMAT_VERSION, at);
  at = head.writeUInt32LE(dims, at);
  at = head.writeUInt32LE(count, at);
  at = head.writeUInt32LE(meta.length, at);
  meta.copy(head, at);
  crc = crc32(head, crc);
  yield head;
  crc = yield* keyedChunks({ count, rowBytes: row, chunkBytes: ENCODE_CHUNK_BYTES, noun: 'cache records', crc }, records, (vector, chunk, at) => {
    const encoded = vector instanceof Uint8Array;
    if (encoded ? vector.byteLength !== row : vector.length !== dims) {
      throw new RangeError(`cache record has ${encoded ? `${vector.byteLength} bytes of ${dtype} row, expected ${row}` : `${vector.length} floats, expected ${dims}`}`);
    }
    if (encoded) chunk.set(vector, at);
    else encodeRow(dtype, vector, chunk, at);
  });
  if (fit) {
    const bytes = Buffer.from(fit.state.buffer, fit.state.byteOffset, fit.state.byteLength);
    crc = crc32(bytes, crc);
    yield bytes;
  }
  const tail = Buffer.alloc(CHECKSUM_BYTES);
  tail.writeUInt32LE(crc >>> 0, 0);
  yield tail;
}

/** Reads the first FIXED_HEADER bytes; `fileSize` only bounds the metadata length. */
export function parseFixedHeader(bytes: Buffer, fileSize: number): FixedHeader {
  if (fileSize < FIXED_HEADER + CHECKSUM_BYTES || bytes.length < FIXED_HEADER) throw new CorruptCacheError(`file too short (${fileSize} bytes)`);
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new CorruptCacheError('not an embedding cache (bad magic)');
  let at = MAGIC.length;
  const version = bytes.readUInt32LE(at);
  if (!READABLE_VERSIONS.includes(version)) throw new CorruptCacheError(`format version ${version}, expected ${FORMAT_VERSION}`);
  const dims = bytes.readUInt32LE((at += 4));
  const count = bytes.readUInt32LE((at += 4));
  const metaLength = bytes.readUInt32LE((at += 4));
  if (dims === 0) throw new CorruptCacheError('header declares 0 dimensions');
  if (FIXED_HEADER + metaLength + CHECKSUM_BYTES > fileSize) {
    throw new CorruptCacheError(`length ${fileSize} does not match header: too short for its ${metaLength} bytes of metadata`);
  }
  return { version, dims, count, metaLength };
}

/** The metadata JSON that follows the fixed header (`bytes` holds exactly `metaLength` bytes). */
export function parseMeta(bytes: Buffer): StoredMeta {
  let meta: unknown;
  try {
    meta = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new CorruptCacheError('metadata is not JSON');
  }
  if (typeof meta !== 'object' || meta === null) throw new CorruptCacheError('metadata is not an object');
  return meta as StoredMeta;
}

/** The fit section's float count from the metadata, validated; 0 without one (or in version 1). */
function fitLengthOf(header: FixedHeader, meta: StoredMeta): number {
  if (header.version < 2 || meta.fit === undefined) return 0;
  const fit = meta.fit;
  if (typeof fit !== 'object' || fit === null || typeof fit.corpus !== 'string' || typeof fit.model !== 'string') {
    throw new CorruptCacheError('header has a malformed fit section');
  }
  const length = fit.length;
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) throw new CorruptCacheError('header has a malformed fit section');
  return length;
}

/**
 * The exact file length the header and metadata declare. Computed in doubles: a claim of 2^32 rows
 * of 2^32 dimensions is ~7e19, not an overflowed small number, so it can only fail to match.
 */
export function declaredLength(header: FixedHeader, meta: StoredMeta): number {
  return FIXED_HEADER + header.metaLength + header.count * recordBytesOf(header, meta) + fitLengthOf(header, meta) * 4 + CHECKSUM_BYTES;
}

/** The rows' storage type: float32 before version 3, else the metadata's `dtype`, validated. */
export function dtypeOf(header: FixedHeader, meta: StoredMeta): VectorDtype {
  if (header.version < 3) return 'float32';
  if (!isVectorDtype(meta.dtype)) throw new CorruptCacheError(`header has no valid dtype (${JSON.stringify(meta.dtype) ?? 'none'})`);
  return meta.dtype;
}

/** Bytes per record: the 16-byte key and one row. */
export function recordBytesOf(header: FixedHeader, meta: StoredMeta): number {
  return KEY_BYTES + rowBytes(dtypeOf(header, meta), header.dims);
}

/** Throws CorruptCacheError unless the header's declared length is the file's actual length. */
export function checkDeclaredLength(header: FixedHeader, meta: StoredMeta, fileSize: number): void {
  const declared = declaredLength(header, meta);
  if (declared === fileSize) return;
  const which = declared > fileSize ? 'shorter than' : 'longer than';
  throw new CorruptCacheError(`length ${fileSize} does not match header: ${which} the ${declared} bytes it declares (${header.count} x ${header.dims} dims)`);
}

/** Index of the first NaN or infinity, or -1. */
function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

export function hasNonFinite(values: Float32Array): boolean {
  return firstNonFinite(values) !== -1;
}

/**
 * Decodes a file fed in order: `start` with the header and metadata bytes, then `records` with
 * buffers of whole records (kept, not copied: they become the rows' storage), then `finish` with the
 * fit section and the stored checksum. Every check of `decode` is made; the first failure is a
 * CorruptCacheError, and the checksum is judged before the contents.
 */
export class CacheDecoder {
  readonly dtype: VectorDtype;
  readonly recordBytes: number;
  readonly fitLength: number;
  private crc: number;
  private seen = 0;
  private readonly rows: StoredRows;
  /** The first row (record number) that is not finite and its first bad value, reported only once the checksum holds. */
  private firstBad = -1;
  private badValue = NaN;

  constructor(
    readonly header: FixedHeader,
    private readonly meta: StoredMeta,
    headAndMeta: Buffer,
  ) {
    if (typeof meta.model !== 'string') throw new CorruptCacheError('header has no model id');
    this.dtype = dtypeOf(header, meta);
    this.recordBytes = recordBytesOf(header, meta);
    this.fitLength = fitLengthOf(header, meta);
    this.rows = new StoredRows(this.dtype, header.dims);
    this.crc = crc32(headAndMeta);
  }

  /** Records still expected. */
  get remaining(): number {
    return this.header.count - this.seen;
  }

  records(chunk: Buffer): void {
    const n = chunk.length / this.recordBytes;
    if (!Number.isInteger(n) || n > this.remaining) throw new CorruptCacheError('more records than the header declares');
    this.crc = crc32(chunk, this.crc);
    // The header's count is within the file's length (checked before any record is read).
    if (this.seen === 0) this.rows.reserve(this.header.count);
    if (this.firstBad === -1) {
      for (let r = 0; r < n; r++) {
        if (!rowIsFinite(this.dtype, chunk, r * this.recordBytes + KEY_BYTES, this.header.dims)) {
          this.firstBad = this.seen + r;
          const row = decodeRowCopy(this.dtype, chunk, r * this.recordBytes + KEY_BYTES, this.header.dims);
          this.badValue = row[firstNonFinite(row)] ?? NaN;
          break;
        }
      }
    }
    this.rows.adopt(chunk);
    this.seen += n;
  }

  finish(fitBytes: Buffer, storedChecksum: number): Decoded {
    if (this.remaining !== 0) throw new CorruptCacheError(`${this.seen} records, but the header declares ${this.header.count}`);
    if (crc32(fitBytes, this.crc) >>> 0 !== storedChecksum >>> 0) throw new CorruptCacheError('checksum mismatch');
    if (this.firstBad !== -1) throw new CorruptCacheError(`vector ${this.firstBad} holds ${this.badValue}, not a finite number`);
    const meta = this.meta;
    let fit: StoredFit | undefined;
    if (this.fitLength > 0 && meta.fit && typeof meta.fit.corpus === 'string' && typeof meta.fit.model === 'string') {
      const state = new Float32Array(this.fitLength);
      new Uint8Array(state.buffer).set(fitBytes.subarray(0, this.fitLength * 4));
      const badFit = firstNonFinite(state);
      if (badFit !== -1) throw new CorruptCacheError(`fitted statistics hold ${state[badFit]} at ${badFit}, not a finite number`);
      fit = { corpus: meta.fit.corpus, model: meta.fit.model, state };
    }
    return {
      version: this.header.version,
      identity: { model: meta.model as string, dimensions: this.header.dims, fingerprint: typeof meta.fingerprint === 'string' ? meta.fingerprint : '' },
      rows: this.rows,
      fit,
    };
  }
}

/** Decodes a whole file held in memory (small caches, tests), verifying everything; throws CorruptCacheError on any failed check. */
export function decode(bytes: Buffer): Decoded {
  const header = parseFixedHeader(bytes, bytes.length);
  const meta = parseMeta(bytes.subarray(FIXED_HEADER, FIXED_HEADER + header.metaLength));
  checkDeclaredLength(header, meta, bytes.length);
  const bodyAt = FIXED_HEADER + header.metaLength;
  const decoder = new CacheDecoder(header, meta, bytes.subarray(0, bodyAt));
  const fitAt = bodyAt + header.count * decoder.recordBytes;
  // A copy, so the rows do not pin the caller's buffer.
  decoder.records(Buffer.from(bytes.subarray(bodyAt, fitAt)));
  return decoder.finish(bytes.subarray(fitAt, bytes.length - CHECKSUM_BYTES), bytes.readUInt32LE(bytes.length - CHECKSUM_BYTES));
}
