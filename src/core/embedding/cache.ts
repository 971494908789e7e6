/**
 * The embedding cache: one binary file per (dataset, model), keyed by the item's text hash, so an
 * edited item is re-embedded and unchanged items are not. A file that fails any check (magic,
 * version, lengths, checksum, model, dimensions) is reported and rebuilt, never trusted.
 *
 * The same file keeps the embedder's fitted corpus statistics (the lexical idf table), keyed by a
 * hash of the corpus, so a second run over unchanged data neither re-embeds nor re-fits.
 *
 * Layout (little endian):
 *   "ALEMBED1"  8 bytes magic
 *   u32 format version, u32 dims, u32 count, u32 metaLength
 *   meta        metaLength bytes of UTF-8 JSON: { model, fingerprint, fit?: { corpus, length } }
 *   count x (16-byte key, dims x f32)
 *   fit.length x f32 (version 2; absent when meta has no fit)
 *   u32 crc32 of every byte before it
 * Version 1 files (no fit section) are still read.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from('ALEMBED1', 'latin1');
const FORMAT_VERSION = 2;
const READABLE_VERSIONS = [1, 2];
const KEY_BYTES = 16;
const FIXED_HEADER = MAGIC.length + 16;

export interface CacheIdentity {
  readonly model: string;
  readonly dimensions: number;
  /** Embedder.fingerprint() when it has one; '' otherwise. */
  readonly fingerprint: string;
}

/** `<storeDir>/embeddings-<readable model>-<hash>.bin`: a safe file name for any id or path. */
export function cacheFileFor(storeDir: string, model: string): string {
  const readable = model.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-48);
  const digest = createHash('sha256').update(model).digest('hex').slice(0, 8);
  return path.join(storeDir, `embeddings-${readable}-${digest}.bin`);
}

/** An embedder's fitted state for one corpus (see Embedder.fitState). */
export interface CachedFit {
  /** `corpusKey` of the texts it was fitted on. */
  readonly corpus: string;
  /** The embedder id that fitted it. */
  readonly model: string;
  readonly state: Float32Array;
}

/**
 * Identifies a corpus for fitted statistics, whatever the order of its items: the text hashes (with
 * repeats) summed as 128-bit numbers in four 32-bit lanes, then hashed with the count. Text hashes
 * are already sha256 digests, so the sum is a sound multiset hash for non-adversarial data, and it
 * costs a tenth of sorting 50,000 strings. Any added, removed or edited text changes it.
 */
export function corpusKey(textHashes: readonly string[]): string {
  const lanes = new Uint32Array(4);
  for (const h of textHashes) {
    const key = keyOf(h);
    for (let lane = 0; lane < 4; lane++) lanes[lane] += parseInt(key.slice(lane * 8, lane * 8 + 8), 16);
  }
  const digest = createHash('sha256').update(lanes).update(String(textHashes.length)).digest('hex');
  return `${textHashes.length}:${digest.slice(0, 32)}`;
}

export class EmbeddingCache {
  private vectors = new Map<string, Float32Array>();
  private fit: CachedFit | undefined;
  private identity: CacheIdentity | null;
  private dirty = false;
  /** Why the file on disk was not used, if it was not (for the UI/CLI to report). */
  problem: string | undefined;

  private constructor(
    readonly file: string,
    identity: CacheIdentity | null,
  ) {
    this.identity = identity;
  }

  /** Reads and verifies the file. A missing file is an empty cache; a bad one is reported and empty. */
  static async open(file: string): Promise<EmbeddingCache> {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new EmbeddingCache(file, null);
      const cache = new EmbeddingCache(file, null);
      cache.problem = `cannot read ${file}: ${(error as Error).message}; rebuilding`;
      return cache;
    }
    try {
      const { identity, vectors, fit } = decode(bytes);
      const cache = new EmbeddingCache(file, identity);
      cache.vectors = vectors;
      cache.fit = fit;
      // A version 1 file is rewritten in the current format at the next save.
      if (bytes.readUInt32LE(MAGIC.length) !== FORMAT_VERSION) cache.dirty = true;
      return cache;
    } catch (error) {
      const cache = new EmbeddingCache(file, null);
      cache.problem = `embedding cache ${file} is corrupt (${(error as Error).message}); rebuilding`;
      cache.dirty = true;
      return cache;
    }
  }

  /**
   * Binds the cache to the embedder about to use it. Vectors made by another model, with other
   * dimensions or other corpus statistics are dropped (and the reason kept in `problem`).
   */
  bind(expected: CacheIdentity): void {
    const current = this.identity;
    if (current && this.vectors.size > 0) {
      const mismatch =
        current.model !== expected.model
          ? `model ${current.model}`
          : current.dimensions !== expected.dimensions
            ? `${current.dimensions} dimensions`
            : current.fingerprint !== expected.fingerprint
              ? 'different corpus statistics'
              : null;
      if (mismatch) {
        this.problem ??= `embedding cache ${this.file} was made with ${mismatch}; rebuilding`;
        this.vectors.clear();
        this.dirty = true;
      }
    }
    if (!current || !sameIdentity(current, expected)) this.dirty = true;
    this.identity = expected;
  }

  /** The fitted state stored for `corpus` (a `corpusKey`), if the file has one for exactly it. */
  fitFor(corpus: string, model: string): Float32Array | undefined {
    return this.fit?.corpus === corpus && this.fit.model === model ? this.fit.state : undefined;
  }

  /** Stores the fitted state for `corpus`, replacing any other; written at the next save. */
  setFit(corpus: string, model: string, state: Float32Array): void {
    if (this.fit?.corpus === corpus && this.fit.model === model && sameFloats(this.fit.state, state)) return;
    this.fit = { corpus, model, state: state.slice() };
    this.dirty = true;
  }

  get size(): number {
    return this.vectors.size;
  }

  get(textHash: string): Float32Array | undefined {
    return this.vectors.get(keyOf(textHash));
  }

  set(textHash: string, vector: Float32Array): void {
    const dims = this.identity?.dimensions;
    if (dims === undefined) throw new Error('EmbeddingCache.bind() must be called before set()');
    if (vector.length !== dims) throw new RangeError(`vector has ${vector.length} dimensions, cache has ${dims}`);
    this.vectors.set(keyOf(textHash), vector.slice());
    this.dirty = true;
  }

  /** Drops vectors of texts no longer in the dataset, so the file does not grow forever. */
  retainOnly(textHashes: Iterable<string>): void {
    const keep = new Set<string>();
    for (const hash of textHashes) keep.add(keyOf(hash));
    for (const key of this.vectors.keys()) {
      if (!keep.has(key)) {
        this.vectors.delete(key);
        this.dirty = true;
      }
    }
  }

  /** Writes atomically (temp file, fsync, rename) when anything changed since open. */
  async save(): Promise<void> {
    if (!this.dirty || !this.identity) return;
    const bytes = encode(this.identity, this.vectors, this.fit);
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${Date.now().toString(36)}.tmp`;
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(tmp, this.file);
    } catch (error) {
      await fs.rm(tmp, { force: true });
      throw error;
    }
    this.dirty = false;
  }
}

function sameFloats(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

function sameIdentity(a: CacheIdentity, b: CacheIdentity): boolean {
  return a.model === b.model && a.dimensions === b.dimensions && a.fingerprint === b.fingerprint;
}

/** Text hashes are 32 hex chars (16 bytes); anything else is hashed down to 16 bytes. */
function keyOf(textHash: string): string {
  return /^[0-9a-f]{32}$/.test(textHash)
    ? textHash
    : createHash('sha256').update(textHash).digest('hex').slice(0, KEY_BYTES * 2);
}

function encode(identity: CacheIdentity, vectors: Map<string, Float32Array>, fit: CachedFit | undefined): Buffer {
  const metaJson = { model: identity.model, fingerprint: identity.fingerprint, ...(fit ? { fit: { corpus: fit.corpus, model: fit.model, length: fit.state.length } } : {}) };
  const meta = Buffer.from(JSON.stringify(metaJson), 'utf8');
  const dims = identity.dimensions;
  const recordBytes = KEY_BYTES + dims * 4;
  const fitBytes = fit ? fit.state.byteLength : 0;
  const total = FIXED_HEADER + meta.length + vectors.size * recordBytes + fitBytes + 4;
  const out = Buffer.alloc(total);
  MAGIC.copy(out, 0);
  let at = MAGIC.length;
  at = out.writeUInt32LE(FORMAT_VERSION, at);
  at = out.writeUInt32LE(dims, at);
  at = out.writeUInt32LE(vectors.size, at);
  at = out.writeUInt32LE(meta.length, at);
  at += meta.copy(out, at);
  for (const [key, vector] of vectors) {
    at += out.write(key, at, KEY_BYTES, 'hex');
    const floats = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
    at += floats.copy(out, at);
  }
  if (fit) at += Buffer.from(fit.state.buffer, fit.state.byteOffset, fit.state.byteLength).copy(out, at);
  out.writeUInt32LE(crc32(out.subarray(0, at)), at);
  return out;
}

interface StoredMeta {
  readonly model?: unknown;
  readonly fingerprint?: unknown;
  readonly fit?: { readonly corpus?: unknown; readonly model?: unknown; readonly length?: unknown };
}

/** The fit section's float count from the header, validated; 0 without one. */
function fitLengthOf(meta: StoredMeta): number {
  if (meta.fit === undefined) return 0;
  const length = meta.fit.length;
  if (typeof meta.fit.corpus !== 'string' || typeof meta.fit.model !== 'string' || typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    throw new Error('header has a malformed fit section');
  }
  return length;
}

function decode(bytes: Buffer): { identity: CacheIdentity; vectors: Map<string, Float32Array>; fit: CachedFit | undefined } {
  if (bytes.length < FIXED_HEADER + 4) throw new Error(`file too short (${bytes.length} bytes)`);
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not an embedding cache (bad magic)');
  let at = MAGIC.length;
  const version = bytes.readUInt32LE(at);
  if (!READABLE_VERSIONS.includes(version)) throw new Error(`format version ${version}, expected ${FORMAT_VERSION}`);
  const dims = bytes.readUInt32LE((at += 4));
  const count = bytes.readUInt32LE((at += 4));
  const metaLength = bytes.readUInt32LE((at += 4));
  at += 4;
  if (bytes.length < FIXED_HEADER + metaLength + 4) throw new Error(`length ${bytes.length} does not match header (metadata of ${metaLength} bytes)`);
  // The metadata holds the fit section's length; the checksum below then vouches for all of it.
  const meta = JSON.parse(bytes.toString('utf8', at, at + metaLength)) as StoredMeta;
  const fitLength = version >= 2 ? fitLengthOf(meta) : 0;
  const expected = FIXED_HEADER + metaLength + count * (KEY_BYTES + dims * 4) + fitLength * 4 + 4;
  if (dims === 0 || bytes.length !== expected) {
    throw new Error(`length ${bytes.length} does not match header (${count} x ${dims} dims => ${expected})`);
  }
  const stored = bytes.readUInt32LE(bytes.length - 4);
  if (crc32(bytes.subarray(0, bytes.length - 4)) !== stored) throw new Error('checksum mismatch');
  if (typeof meta.model !== 'string') throw new Error('header has no model id');
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
  let fit: CachedFit | undefined;
  if (fitLength > 0 && typeof meta.fit?.corpus === 'string' && typeof meta.fit.model === 'string') {
    const state = new Float32Array(fitLength);
    new Uint8Array(state.buffer).set(bytes.subarray(at, at + fitLength * 4));
    fit = { corpus: meta.fit.corpus, model: meta.fit.model, state };
  }
  return {
    identity: { model: meta.model, dimensions: dims, fingerprint: typeof meta.fingerprint === 'string' ? meta.fingerprint : '' },
    vectors,
    fit,
  };
}
