/**
 * The embedding cache: one binary file per (dataset, model), keyed by the item's text hash, so an
 * edited item is re-embedded and unchanged items are not. A file that fails any check (magic,
 * version, lengths, checksum, model, dimensions, non-finite values) is reported and rebuilt, never
 * trusted. The format is in `cacheFormat.ts`, the file I/O in `cacheFile.ts`.
 *
 * The same file keeps the embedder's fitted corpus statistics (the lexical idf table), keyed by a
 * hash of the corpus, so a second run over unchanged data neither re-embeds nor re-fits.
 *
 * The cache is an optimisation, so it never stops the work: when the path is not a regular file (a
 * folder, FIFO, device, socket, or a symlink to one) or cannot be written, the cache still serves
 * this run from memory, is not saved, and says why in `warnings`.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { type CacheRecord, FORMAT_VERSION, KEY_BYTES, encodeChunks, hasNonFinite } from './cacheFormat';
import { describeWriteError, readCacheFile, writeBlockedReason, writeCacheFile } from './cacheFile';
import { DEFAULT_VECTOR_DTYPE, type VectorDtype, canEncode } from './quantize';
import { SpillFile } from './spillFile';
import { StoredRows } from './storedRows';

const FIX = 'Fix: remove it or point the cache elsewhere.';

/**
 * Vectors set in memory up to this many bytes; the rest go to a spill file beside the cache file
 * (spillFile.ts), so memory stays bounded however large the dataset. Reads and saves are the same.
 */
export const CACHE_MEMORY_BYTES = 256 * 1024 * 1024;

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
  /**
   * Vectors set this run, encoded in `dtype` as the file will hold them (so `get` gives what a
   * reopened cache gives), up to the memory share.
   */
  private fresh: StoredRows | undefined;
  /** Vectors read from the file, still encoded as the file stores them; never the same keys as `fresh` or `spill`. */
  private stored: StoredRows | undefined;
  /** Vectors set after the memory share was used (see CACHE_MEMORY_BYTES); never the same keys as `fresh`. */
  private spill: SpillFile | undefined;
  private spillFailed = false;
  private fit: CachedFit | undefined;
  private identity: CacheIdentity | null;
  private dirty = false;
  /** Why nothing will be written (said once, in `warnings`, when there is something to write). */
  private writeBlocked: string | undefined;
  private readonly messages: string[] = [];
  private notCached = 0;
  /** Why the file on disk was not used, if it was not (for the UI/CLI to report). */
  problem: string | undefined;

  private constructor(
    readonly file: string,
    identity: CacheIdentity | null,
    private readonly memoryBytes: number,
    /** How the file (and the spill file) stores rows from the next save on. */
    readonly dtype: VectorDtype,
  ) {
    this.identity = identity;
  }

  /**
   * Why this run's vectors are not (all) being saved: the path is not a regular file, its folder
   * cannot be written, a write failed, or the embedder produced non-finite values. For the UI/CLI to
   * show; the cache keeps working from memory meanwhile.
   */
  get warnings(): readonly string[] {
    return this.messages;
  }

  /** False when this cache cannot write its file this run (found at open or by a failed save; see `warnings`). */
  get persistent(): boolean {
    return this.writeBlocked === undefined;
  }

  /**
   * `memoryBytes` (default CACHE_MEMORY_BYTES) is how many bytes of vectors `set` keeps in memory
   * before it spills the rest to disk. `dtype` (default DEFAULT_VECTOR_DTYPE) is how rows are
   * stored when the file is next written; a file in another dtype (or an older format) is read
   * as it is and rewritten in `dtype` at the next save.
   *
   * Checks what is at `file`, then reads and verifies it. Never throws and never blocks: a missing
   * file is an empty cache, a bad one is reported (`problem`) and empty, and a path that cannot hold
   * a cache (not a regular file, unwritable folder) gives an in-memory cache and a warning.
   */
  static async open(file: string, options: { readonly memoryBytes?: number; readonly dtype?: VectorDtype } = {}): Promise<EmbeddingCache> {
    const read = await readCacheFile(file);
    const cache = new EmbeddingCache(file, null, options.memoryBytes ?? CACHE_MEMORY_BYTES, options.dtype ?? DEFAULT_VECTOR_DTYPE);
    if (read.kind === 'unusable') {
      cache.blockWrites(`the embedding cache ${file} cannot be used: ${read.reason}. Embedding goes on without the cache (nothing is saved). ${FIX}`);
      return cache;
    }
    if (read.kind === 'decoded') {
      const decoded = read.decoded;
      cache.identity = decoded.identity;
      cache.stored = decoded.rows;
      cache.fit = decoded.fit;
      // An older format, or rows in another dtype, are rewritten as this cache writes at the next save.
      if (decoded.version !== FORMAT_VERSION || decoded.rows.dtype !== cache.dtype) cache.dirty = true;
    } else if (read.kind === 'corrupt') {
      cache.rebuild(`embedding cache ${file} is corrupt (${read.reason}); rebuilding`);
    } else if (read.kind === 'unreadable') {
      cache.rebuild(`cannot read ${file}: ${read.reason}; rebuilding`);
    }
    const blocked = await writeBlockedReason(file);
    if (blocked !== undefined) {
      const reason = `cannot write the embedding cache ${file}: ${blocked.reason}. Embedding goes on without saving the cache, so the next run embeds again. Fix: ${blocked.fix}.`;
      // Said now when every vector will have to be computed and lost; otherwise only if a save is needed.
      if (cache.size === 0) cache.blockWrites(reason);
      else cache.writeBlocked = reason;
    }
    return cache;
  }

  private rebuild(problem: string): void {
    this.problem = problem;
    this.dirty = true;
  }

  private warn(message: string): void {
    if (!this.messages.includes(message)) this.messages.push(message);
  }

  private blockWrites(reason: string): void {
    this.writeBlocked = reason;
    this.warn(reason);
  }

  /**
   * Binds the cache to the embedder about to use it. Vectors made by another model, with other
   * dimensions or other corpus statistics are dropped (and the reason kept in `problem`).
   */
  bind(expected: CacheIdentity): void {
    const current = this.identity;
    if (current && this.size > 0) {
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
        this.fresh = undefined;
        this.stored = undefined;
        this.spill?.dispose();
        this.spill = undefined;
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

  /** Stores the fitted state for `corpus`, replacing any other; written at the next save. A state with NaN or infinity is not kept. */
  setFit(corpus: string, model: string, state: Float32Array): void {
    if (this.fit?.corpus === corpus && this.fit.model === model && sameFloats(this.fit.state, state)) return;
    if (hasNonFinite(state)) {
      this.warn(`the fitted corpus statistics of ${model} hold NaN or infinite values, so they are not cached`);
      if (this.fit !== undefined) this.dirty = true;
      this.fit = undefined;
      return;
    }
    this.fit = { corpus, model, state: state.slice() };
    this.dirty = true;
  }

  /** Whose vectors these are: as read from the file until `bind` (null for a new or rebuilt cache). */
  get currentIdentity(): CacheIdentity | null {
    return this.identity;
  }

  get size(): number {
    return (this.fresh?.size ?? 0) + (this.stored?.size ?? 0) + (this.spill?.size ?? 0);
  }

  /** The vector of `textHash` as the file holds it (decoded from the cache's dtype), as a new array. */
  get(textHash: string): Float32Array | undefined {
    const key = keyOf(textHash);
    return this.fresh?.get(key) ?? this.stored?.get(key) ?? this.spill?.get(key);
  }

  /** `get` without the allocation: decodes the vector of `textHash` into `out[at ..]`; false when the cache has none. */
  readInto(textHash: string, out: Float32Array, at: number): boolean {
    const key = keyOf(textHash);
    if (this.fresh?.readInto(key, out, at) === true || this.stored?.readInto(key, out, at) === true) return true;
    const spilled = this.spill?.get(key);
    if (spilled === undefined) return false;
    out.set(spilled, at);
    return true;
  }

  /**
   * Stores a vector, written at the next save. A vector with NaN or infinity, or one the cache's
   * dtype cannot hold (float16 beyond ±65504), is not kept (counted in `warnings` at save).
   */
  set(textHash: string, vector: Float32Array): void {
    const dims = this.identity?.dimensions;
    if (dims === undefined) throw new Error('EmbeddingCache.bind() must be called before set()');
    if (vector.length !== dims) throw new RangeError(`vector has ${vector.length} dimensions, cache has ${dims}`);
    const key = keyOf(textHash);
    const readFromFile = this.stored?.delete(key) === true;
    if (!canEncode(this.dtype, vector)) {
      this.notCached++;
      if (this.fresh?.delete(key) === true || this.spill?.delete(key) === true || readFromFile) this.dirty = true;
      return;
    }
    this.dirty = true;
    if (this.fresh?.has(key) !== true) {
      const spill = this.spill ?? this.openSpill();
      if (spill !== undefined) {
        spill.append(key, vector);
        return;
      }
    }
    this.fresh ??= new StoredRows(this.dtype, dims);
    this.fresh.append(key, vector);
  }

  /** The spill file, once memory holds CACHE_MEMORY_BYTES of vectors and the cache can write beside its file. */
  private openSpill(): SpillFile | undefined {
    const dims = this.identity?.dimensions ?? 0;
    if (this.spillFailed || this.writeBlocked !== undefined || (this.fresh?.bytes ?? 0) < this.memoryBytes) return undefined;
    this.spill = SpillFile.create(`${this.file}.${process.pid}.${Date.now().toString(36)}.spill`, dims, this.dtype);
    // Cannot create it (folder missing or full): keep vectors in memory, as before there was a spill.
    if (this.spill === undefined) this.spillFailed = true;
    return this.spill;
  }

  /** Every vector: those read from the file in its order, then memory, then the spill file in the order the vectors were set. */
  private *records(): Generator<CacheRecord> {
    const stored = this.stored;
    if (stored !== undefined) {
      // Rows already in this dtype are copied as bytes; others (an older file) are re-encoded.
      if (stored.dtype === this.dtype) yield* stored.records();
      else for (const key of stored.keys()) yield [key, stored.get(key) as Float32Array];
    }
    if (this.fresh) yield* this.fresh.records();
    if (this.spill) yield* this.spill.records();
  }

  /** Drops vectors of texts no longer in the dataset, so the file does not grow forever. */
  retainOnly(textHashes: Iterable<string>): void {
    const keep = new Set<string>();
    for (const hash of textHashes) keep.add(keyOf(hash));
    for (const rows of [this.fresh, this.stored]) {
      for (const key of rows?.keys() ?? []) {
        if (!keep.has(key)) {
          rows?.delete(key);
          this.dirty = true;
        }
      }
    }
    for (const key of this.spill?.keys() ?? []) {
      if (!keep.has(key)) {
        this.spill?.delete(key);
        this.dirty = true;
      }
    }
  }

  /**
   * Writes atomically (temp file, fsync, rename) when anything changed since open. Never throws: a
   * failed write (read-only folder, full disk, a folder in the way) becomes a warning and the cache
   * stops trying. Resolves to true when the file on disk now holds what the cache holds.
   */
  async save(): Promise<boolean> {
    if (this.notCached > 0) {
      const why = this.dtype === 'float16' ? 'NaN, infinite values or values beyond float16 (±65504)' : 'NaN or infinite values';
      this.warn(`${this.notCached} vector(s) from ${this.identity?.model ?? 'the embedder'} held ${why} and were not cached`);
      this.notCached = 0;
    }
    if (!this.dirty || !this.identity) return true;
    if (this.writeBlocked !== undefined) {
      this.warn(this.writeBlocked);
      return false;
    }
    try {
      await writeCacheFile(this.file, encodeChunks(this.identity, this.size, this.records(), this.fit, this.dtype));
    } catch (error) {
      this.blockWrites(
        `could not write the embedding cache ${this.file}: ${describeWriteError(error)}. Embedding goes on without saving the cache, so the next run embeds again. ` +
          'Fix: free some space or make the folder writable, or point the cache elsewhere.',
      );
      return false;
    }
    this.dirty = false;
    return true;
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

