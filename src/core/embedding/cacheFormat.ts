/**
 * The embedding cache's on-disk format: encoding, and decoding that trusts nothing. Pure of the
 * file system: `cacheFile.ts` reads and writes the bytes, `cache.ts` holds them in memory.
 *
 * Layout (little endian):
 *   "ALEMBED1"  8 bytes magic
 *   u32 format version, u32 dims, u32 count, u32 metaLength
 *   meta        metaLength bytes of UTF-8 JSON: { model, fingerprint, fit?: { corpus, model, length } }
 *   count x (16-byte key, dims x f32)
 *   fit.length x f32 (version 2; absent when meta has no fit)
 *   u32 crc32 of every byte before it
 * Version 1 files (no fit section) are still read.
 *
 * Decoding checks, in order: magic, version, that the header's declared length equals the file's
 * actual length (before anything is allocated), the checksum, then that every float is finite.
 */
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from('ALEMBED1', 'latin1');
export const FORMAT_VERSION = 2;
const READABLE_VERSIONS = [1, 2];
export const KEY_BYTES = 16;
/** Magic plus the four u32 fields: enough to know how long the metadata is. */
export const FIXED_HEADER = MAGIC.length + 16;
const CHECKSUM_BYTES = 4;

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
  readonly vectors: Map<string, Float32Array>;
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
  readonly fit?: { readonly corpus?: unknown; readonly model?: unknown; readonly length?: unknown };
}

/** One record's parts: its 16-byte key as hex and its vector (or the vector's raw little-endian bytes). */
export type CacheRecord = readonly [key: string, vector: Float32Array | Uint8Array];

/** Records are gathered into writes of about this many bytes. */
const ENCODE_CHUNK_BYTES = 4 * 1024 * 1024;

/** The whole file as one buffer (small caches and tests); `encodeChunks` is the same bytes, streamed. */
export function encode(identity: StoredIdentity, vectors: ReadonlyMap<string, Float32Array>, fit: StoredFit | undefined): Buffer {
  return Buffer.concat([...encodeChunks(identity, vectors.size, vectors.entries(), fit)]);
}

/**
 * The file's bytes in chunks of a few MiB, checksummed as they go, so a cache of any size is written
 * without ever being one buffer. `records` must yield exactly `count` records of `dims` floats.
 */
export function* encodeChunks(identity: StoredIdentity, count: number, records: Iterable<CacheRecord>, fit: StoredFit | undefined): Generator<Buffer> {
  const metaJson = { model: identity.model, fingerprint: identity.fingerprint, ...(fit ? { fit: { corpus: fit.corpus, model: fit.model, length: fit.state.length } } : {}) };
  const meta = Buffer.from(JSON.stringify(metaJson), 'utf8');
  const dims = identity.dimensions;
  const recordBytes = KEY_BYTES + dims * 4;
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
  const perChunk = Math.max(1, Math.floor(ENCODE_CHUNK_BYTES / recordBytes));
  let chunk = Buffer.alloc(Math.min(count, perChunk) * recordBytes);
  let filled = 0;
  let written = 0;
  for (const [key, vector] of records) {
    if (vector.byteLength !== dims * 4) throw new RangeError(`cache record has ${vector.byteLength} bytes of vector, expected ${dims * 4}`);
    if (written === count) throw new RangeError(`more cache records than the ${count} declared`);
    at = filled * recordBytes;
    chunk.write(key, at, KEY_BYTES, 'hex');
    chunk.set(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength), at + KEY_BYTES);
    filled++;
    written++;
    if (filled === perChunk) {
      crc = crc32(chunk, crc);
      yield chunk;
      chunk = Buffer.alloc(Math.min(count - written, perChunk) * recordBytes);
      filled = 0;
    }
  }
  if (written !== count) throw new RangeError(`${written} cache records, but ${count} declared`);
  if (filled > 0) {
    crc = crc32(chunk, crc);
    yield chunk;
  }
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
  return FIXED_HEADER + header.metaLength + header.count * (KEY_BYTES + header.dims * 4) + fitLengthOf(header, meta) * 4 + CHECKSUM_BYTES;
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

/** Decodes a whole file, verifying everything; throws CorruptCacheError on any failed check. */
export function decode(bytes: Buffer): Decoded {
  const header = parseFixedHeader(bytes, bytes.length);
  const { version, dims, count, metaLength } = header;
  let at = FIXED_HEADER;
  const meta = parseMeta(bytes.subarray(at, at + metaLength));
  checkDeclaredLength(header, meta, bytes.length);
  const stored = bytes.readUInt32LE(bytes.length - CHECKSUM_BYTES);
  if (crc32(bytes.subarray(0, bytes.length - CHECKSUM_BYTES)) !== stored) throw new CorruptCacheError('checksum mismatch');
  if (typeof meta.model !== 'string') throw new CorruptCacheError('header has no model id');
  const fitLength = fitLengthOf(header, meta);
  at += metaLength;
  // One aligned copy of all floats; each vector is a view into it.
  const vectors = new Map<string, Float32Array>();
  const floats = new Float32Array(count * dims);
  for (let i = 0; i < count; i++) {
    const key = bytes.toString('hex', at, at + KEY_BYTES);
    at += KEY_BYTES;
    const row = floats.subarray(i * dims, (i + 1) * dims);
    new Uint8Array(row.buffer, row.byteOffset, row.byteLength).set(bytes.subarray(at, at + dims * 4));
    at += dims * 4;
    vectors.set(key, row);
  }
  const bad = firstNonFinite(floats);
  if (bad !== -1) throw new CorruptCacheError(`vector ${Math.floor(bad / dims)} holds ${floats[bad]}, not a finite number`);
  let fit: StoredFit | undefined;
  if (fitLength > 0 && meta.fit && typeof meta.fit.corpus === 'string' && typeof meta.fit.model === 'string') {
    const state = new Float32Array(fitLength);
    new Uint8Array(state.buffer).set(bytes.subarray(at, at + fitLength * 4));
    const badFit = firstNonFinite(state);
    if (badFit !== -1) throw new CorruptCacheError(`fitted statistics hold ${state[badFit]} at ${badFit}, not a finite number`);
    fit = { corpus: meta.fit.corpus, model: meta.fit.model, state };
  }
  return {
    version,
    identity: { model: meta.model, dimensions: dims, fingerprint: typeof meta.fingerprint === 'string' ? meta.fingerprint : '' },
    vectors,
    fit,
  };
}
