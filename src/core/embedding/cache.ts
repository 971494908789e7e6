/**
 * The embedding cache: one binary file per (dataset, model), keyed by the item's text hash, so an
 * edited item is re-embedded and unchanged items are not. A file that fails any check (magic,
 * version, lengths, checksum, model, dimensions, non-finite values) is reported and rebuilt, never
 * trusted. The format is in `cacheFormat.ts`, the file I/O in `cacheFile.ts`.
 *
 * Saves come in two kinds. `checkpoint` (the background's save after every chunk) appends only the
 * rows set since the last save to a journal beside the file (`cacheJournal.ts`): one checksummed
 * record, fsynced, whatever the cache's size. `save` (the end of embedding, or a checkpoint once the
 * journal outgrows its share of the file) rewrites the file atomically and removes the journal.
 * Opening reads the file, then replays the journal's records up to the first torn or bad one.
 *
 * The same file keeps the embedder's fitted corpus statistics (the lexical idf table), keyed by a
 * hash of the corpus, so a second run over unchanged data neither re-embeds nor re-fits.
 *
 * The cache is an optimisation, so it never stops the work: when the path is not a regular file (a
 * folder, FIFO, device, socket, or a symlink to one) or cannot be written, the cache still serves
 * this run from memory, is not saved, and says why in `warnings`.
 */
import { FORMAT_VERSION, KEY_BYTES, encodeChunks, hasNonFinite } from './cacheFormat';
import { describeWriteError, readCacheFile, writeBlockedReason, writeCacheFile } from './cacheFile';
import { CacheJournal, type JournalBinding } from './cacheJournal';
import { keyOf } from './cacheKeys';
import { DEFAULT_VECTOR_DTYPE, type VectorDtype, canEncode, rowBytes } from './quantize';
import { CacheRows } from './cacheRows';
import type { RowLocation } from './rowLocation';

const FIX = 'Fix: remove it or point the cache elsewhere.';

/**
 * Vectors set in memory up to this many bytes; the rest go to a spill file beside the cache file
 * (spillFile.ts), so memory stays bounded however large the dataset. Reads and saves are the same.
 */
export const CACHE_MEMORY_BYTES = 256 * 1024 * 1024;

/**
 * The journal may grow to this share of the cache file (or JOURNAL_MIN_BYTES, whichever is more)
 * before a checkpoint rewrites the file instead: rewrites then come at sizes growing by half each
 * time, so all of them together write about three times the final file.
 */
const JOURNAL_SHARE = 0.5;
export const JOURNAL_MIN_BYTES = 32 * 1024 * 1024;

export { cacheFileFor, corpusKey } from './cacheKeys';

export interface CacheIdentity {
  readonly model: string;
  readonly dimensions: number;
  /** Embedder.fingerprint() when it has one; '' otherwise. */
  readonly fingerprint: string;
}

export interface CachedFit {
  /** `corpusKey` of the texts it was fitted on. */
  readonly corpus: string;
  /** The embedder id that fitted it. */
  readonly model: string;
  readonly state: Float32Array;
}

export class EmbeddingCache {
  /** The vectors, by key: the file's, its journal's, this run's. */
  private readonly rows: CacheRows;
  private fit: CachedFit | undefined;
  private identity: CacheIdentity | null;
  /** The next save must rewrite the file: something besides new rows changed (identity, fit, dtype, a deletion). */
  private structural = false;
  /** Keys set since the last save (each in `fresh` or `spill`): what a checkpoint appends. */
  private readonly pending = new Set<string>();
  /** Length and checksum of the file on disk as read or last written; undefined when there is none to extend. */
  private base: JournalBinding['base'] | undefined;
  private readonly journal: CacheJournal;
  /** Why nothing will be written (said once, in `warnings`, when there is something to write). */
  private writeBlocked: string | undefined;
  private readonly messages: string[] = [];
  private notCached = 0;
  /** Why the file on disk was not used, if it was not (for the UI/CLI to report). */
  problem: string | undefined;

  private constructor(
    readonly file: string,
    identity: CacheIdentity | null,
    memoryBytes: number,
    /** How the file (and the spill file) stores rows from the next save on. */
    readonly dtype: VectorDtype,
    private readonly journalMinBytes: number,
  ) {
    this.identity = identity;
    this.journal = new CacheJournal(file);
    this.rows = new CacheRows(file, dtype, memoryBytes);
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
  static async open(
    file: string,
    options: { readonly memoryBytes?: number; readonly dtype?: VectorDtype; /** See JOURNAL_MIN_BYTES. */ readonly journalMinBytes?: number } = {},
  ): Promise<EmbeddingCache> {
    const read = await readCacheFile(file);
    const cache = new EmbeddingCache(file, null, options.memoryBytes ?? CACHE_MEMORY_BYTES, options.dtype ?? DEFAULT_VECTOR_DTYPE, options.journalMinBytes ?? JOURNAL_MIN_BYTES);
    if (read.kind === 'unusable') {
      cache.blockWrites(`the embedding cache ${file} cannot be used: ${read.reason}. Embedding goes on without the cache (nothing is saved). ${FIX}`);
      return cache;
    }
    if (read.kind === 'decoded') {
      const decoded = read.decoded;
      cache.identity = decoded.identity;
      cache.rows.adoptFile(decoded.rows);
      cache.fit = decoded.fit;
      // An older format, or rows in another dtype, are rewritten as this cache writes at the next save.
      if (decoded.version !== FORMAT_VERSION || decoded.rows.dtype !== cache.dtype) cache.structural = true;
      cache.base = { bytes: read.bytes, checksum: read.checksum };
      await cache.replay({ ...decoded.identity, dtype: decoded.rows.dtype, fit: decoded.fit?.corpus ?? null, base: cache.base });
    } else {
      if (read.kind === 'corrupt') cache.rebuild(`embedding cache ${file} is corrupt (${read.reason}); rebuilding`);
      else if (read.kind === 'unreadable') cache.rebuild(`cannot read ${file}: ${read.reason}; rebuilding`);
      // No file to extend: a journal beside it cannot be applied.
      await cache.replay(undefined);
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
    this.structural = true;
  }

  /** Applies the journal's valid records over the rows read from the file (`binding` undefined: there is no file). */
  private async replay(binding: JournalBinding | undefined): Promise<void> {
    if (binding !== undefined) this.rows.startReplay(binding.dtype, binding.dimensions);
    const warning = await this.journal.replay(binding, (key, records, at) => this.rows.replayRow(key, records, at));
    if (warning !== undefined) this.warn(warning);
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
        this.rows.clear();
        this.pending.clear();
        this.structural = true;
      }
    }
    if (!current || !sameIdentity(current, expected)) this.structural = true;
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
      if (this.fit !== undefined) this.structural = true;
      this.fit = undefined;
      return;
    }
    this.fit = { corpus, model, state: state.slice() };
    this.structural = true;
  }

  /** Whose vectors these are: as read from the file until `bind` (null for a new or rebuilt cache). */
  get currentIdentity(): CacheIdentity | null {
    return this.identity;
  }

  get size(): number {
    return this.rows.size;
  }

  has(textHash: string): boolean {
    return this.rows.has(keyOf(textHash));
  }

  /** The vector of `textHash` as the file holds it (decoded from the cache's dtype), as a new array. */
  get(textHash: string): Float32Array | undefined {
    return this.rows.get(keyOf(textHash));
  }

  /** `get` without the allocation: decodes the vector of `textHash` into `out[at ..]`; false when the cache has none. */
  readInto(textHash: string, out: Float32Array, at: number): boolean {
    return this.rows.readInto(keyOf(textHash), out, at);
  }

  /** The row of `textHash` as stored, with its dtype, or undefined: see CacheRows.encoded (`shared` rows are never rewritten). */
  encoded(textHash: string): { readonly dtype: VectorDtype; readonly bytes: Uint8Array; readonly shared: boolean } | undefined {
    return this.rows.encoded(keyOf(textHash));
  }

  /**
   * `encoded` without allocating (a re-opened pool asks once per row): fills `into` with where the
   * row of `textHash` lies, and its record number (see RowLocation); false when the cache has none.
   */
  locate(textHash: string, into: RowLocation): boolean {
    // Tried as it is first: a text hash is most often a key already, and then `keyOf` is itself,
    // while a string that is no key finds nothing (no layer holds one), so only a miss asks `keyOf`.
    if (this.rows.locate(textHash, into)) return true;
    const key = keyOf(textHash);
    return key !== textHash && this.rows.locate(key, into);
  }

  /** Every record number `locate` gives is below this, until the next `set`. */
  get recordSlots(): number {
    return this.rows.recordSlots;
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
    const readFromFile = this.rows.takeFromFile(key);
    if (!canEncode(this.dtype, vector)) {
      this.notCached++;
      this.pending.delete(key);
      // A row to take out of the file: only a rewrite does that.
      if (this.rows.deleteSet(key) || readFromFile) this.structural = true;
      return;
    }
    this.track(key);
    this.rows.put(key, vector, dims, this.writeBlocked === undefined);
  }

  /** Remembers `key` for the next checkpoint, unless that will rewrite the file anyway. */
  private track(key: string): void {
    if (this.structural) return;
    this.pending.add(key);
    // More rows than a journal may hold: the next save rewrites the file, and memory stays bounded.
    if (this.pending.size * this.recordBytes() > this.journalBudget()) {
      this.structural = true;
      this.pending.clear();
    }
  }

  private recordBytes(): number {
    return KEY_BYTES + rowBytes(this.dtype, this.identity?.dimensions ?? 0);
  }

  /** How long the journal may grow before a checkpoint rewrites the file instead. */
  private journalBudget(): number {
    return Math.max(this.journalMinBytes, JOURNAL_SHARE * (this.base?.bytes ?? 0));
  }

  /** Drops vectors of texts no longer in the dataset, so the file does not grow forever. */
  retainOnly(textHashes: Iterable<string>): void {
    const keep = new Set<string>();
    for (const hash of textHashes) keep.add(keyOf(hash));
    const dropped = this.rows.retainOnly(keep);
    for (const key of dropped) this.pending.delete(key);
    if (dropped.length > 0) this.structural = true;
  }

  /** Anything to write: rows set since the last save, or a change only a rewrite saves. */
  private get dirty(): boolean {
    return this.structural || this.pending.size > 0;
  }

  /**
   * True when the next `checkpoint` costs about the new rows, not a large file: it appends them to
   * the journal (or rewrites the file because the journal outgrew its share, a cost spread over
   * the many appends before it), rewrites a file no larger than a journal may grow, or has nothing
   * to write.
   */
  get checkpointIsCheap(): boolean {
    if (!this.dirty || this.writeBlocked !== undefined || (!this.structural && this.base !== undefined)) return true;
    return this.size * this.recordBytes() <= this.journalMinBytes;
  }

  /**
   * The background's save: appends the rows set since the last save to the journal as one
   * checksummed, fsynced record. Falls back to `save` (a rewrite) when the file cannot be extended
   * (none yet, or something besides new rows changed), when the journal would outgrow its share of
   * the file, or when the append fails. Never throws; resolves as `save` does.
   */
  async checkpoint(): Promise<boolean> {
    if (this.structural || this.base === undefined || this.identity === null) return this.save();
    this.reportNotCached();
    if (this.pending.size === 0) return true;
    if (this.writeBlocked !== undefined) {
      this.warn(this.writeBlocked);
      return false;
    }
    const keys = [...this.pending];
    const rowLength = rowBytes(this.dtype, this.identity.dimensions);
    if (this.journal.bytes + keys.length * (KEY_BYTES + rowLength) > this.journalBudget()) return this.save();
    const rows = keys.map((key): readonly [string, Uint8Array] => {
      const row = this.rows.encodedSet(key);
      if (row === undefined) throw new Error(`EmbeddingCache: the row of ${key} to journal is missing`);
      return [key, row];
    });
    try {
      await this.journal.append({ ...this.identity, dtype: this.dtype, fit: this.fit?.corpus ?? null, base: this.base }, keys.length, rows);
    } catch {
      // The journal cannot take it (a folder in the way, the disk full): a rewrite saves it all, or says why not.
      return this.save();
    }
    for (const key of keys) this.pending.delete(key);
    return true;
  }

  private reportNotCached(): void {
    if (this.notCached === 0) return;
    const why = this.dtype === 'float16' ? 'NaN, infinite values or values beyond float16 (±65504)' : 'NaN or infinite values';
    this.warn(`${this.notCached} vector(s) from ${this.identity?.model ?? 'the embedder'} held ${why} and were not cached`);
    this.notCached = 0;
  }

  /**
   * The full save: writes the whole file atomically (temp file, fsync, rename) when anything changed
   * since open or a journal was replayed, then removes the journal. Never throws: a failed write
   * (read-only folder, full disk, a folder in the way) becomes a warning and the cache stops
   * trying. Resolves to true when the files on disk now hold what the cache holds.
   */
  async save(): Promise<boolean> {
    this.reportNotCached();
    if (!this.identity) return true;
    if (!this.dirty && (this.journal.bytes === 0 || this.writeBlocked !== undefined)) {
      // A journal that was not applied holds nothing the file lacks.
      if (this.journal.stale && this.writeBlocked === undefined) await this.journal.remove();
      return true;
    }
    if (this.writeBlocked !== undefined) {
      this.warn(this.writeBlocked);
      return false;
    }
    let written: JournalBinding['base'];
    try {
      written = await writeCacheFile(this.file, encodeChunks(this.identity, this.size, this.rows.records(), this.fit, this.dtype));
    } catch (error) {
      this.blockWrites(
        `could not write the embedding cache ${this.file}: ${describeWriteError(error)}. Embedding goes on without saving the cache, so the next run embeds again. ` +
          'Fix: free some space or make the folder writable, or point the cache elsewhere.',
      );
      return false;
    }
    this.base = written;
    this.structural = false;
    this.pending.clear();
    // The file holds the journal's rows now; a journal left by a failed removal no longer matches it.
    await this.journal.remove();
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
