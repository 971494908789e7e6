/**
 * Where the embedding cache's vectors live, by key (cache.ts decides what is saved when): rows read
 * from the file, rows replayed from its journal (both still encoded as the file stores them), rows
 * set this run in memory (encoded in the cache's dtype, as the file will hold them), and, once the
 * memory share is used, a spill file beside the cache file. A key is in at most one of them.
 */
import type { CacheRecord } from './cacheFormat';
import type { VectorDtype } from './quantize';
import type { RowLocation } from './rowLocation';
import { SpillFile } from './spillFile';
import { StoredRows } from './storedRows';

export class CacheRows {
  /** Vectors set this run, up to the memory share. */
  private fresh: StoredRows | undefined;
  /** Vectors read from the file. */
  private stored: StoredRows | undefined;
  /** Vectors replayed from the journal at open. */
  private journaled: StoredRows | undefined;
  /** Vectors set after the memory share was used (see CACHE_MEMORY_BYTES). */
  private spill: SpillFile | undefined;
  private spillFailed = false;

  constructor(
    private readonly file: string,
    private readonly dtype: VectorDtype,
    private readonly memoryBytes: number,
  ) {}

  /** The rows of the file, as decoded (their storage is kept). */
  adoptFile(rows: StoredRows): void {
    this.stored = rows;
  }

  /** A store for the journal's rows, encoded as the file stores them; `replayRow` fills it. */
  startReplay(dtype: VectorDtype, dims: number): void {
    this.journaled = new StoredRows(dtype, dims);
  }

  /** One row of a journal record (`records[at ..]`, already encoded), over the file's. */
  replayRow(key: string, records: Uint8Array, at: number): void {
    this.stored?.delete(key);
    this.journaled?.appendEncoded(key, records, at);
  }

  get size(): number {
    return (this.fresh?.size ?? 0) + (this.journaled?.size ?? 0) + (this.stored?.size ?? 0) + (this.spill?.size ?? 0);
  }

  has(key: string): boolean {
    return this.fresh?.has(key) === true || this.journaled?.has(key) === true || this.stored?.has(key) === true || this.spill?.has(key) === true;
  }

  get(key: string): Float32Array | undefined {
    return this.fresh?.get(key) ?? this.journaled?.get(key) ?? this.stored?.get(key) ?? this.spill?.get(key);
  }

  readInto(key: string, out: Float32Array, at: number): boolean {
    if (this.fresh?.readInto(key, out, at) === true || this.journaled?.readInto(key, out, at) === true || this.stored?.readInto(key, out, at) === true) return true;
    const spilled = this.spill?.get(key);
    if (spilled === undefined) return false;
    out.set(spilled, at);
    return true;
  }

  /**
   * The row of `key` as stored, the dtype it is stored in, and whether `bytes` is a view of memory
   * the cache keeps (`shared`) or a copy (a spilled row). A kept row's bytes are never written again:
   * a row set again goes to a new slot, and dropping rows only drops references. So an Int8Matrix
   * may point at them instead of copying them (int8Matrix.ts), and keep them alive after the cache.
   */
  encoded(key: string): { readonly dtype: VectorDtype; readonly bytes: Uint8Array; readonly shared: boolean } | undefined {
    // Layer by layer without a list per call: this runs for every row of a re-opened pool.
    const fresh = this.fresh?.encoded(key);
    if (fresh !== undefined) return { dtype: (this.fresh as StoredRows).dtype, bytes: fresh, shared: true };
    const journaled = this.journaled?.encoded(key);
    if (journaled !== undefined) return { dtype: (this.journaled as StoredRows).dtype, bytes: journaled, shared: true };
    const stored = this.stored?.encoded(key);
    if (stored !== undefined) return { dtype: (this.stored as StoredRows).dtype, bytes: stored, shared: true };
    const spilled = this.spill?.encoded(key);
    return spilled === undefined ? undefined : { dtype: this.dtype, bytes: spilled, shared: false };
  }

  /**
   * `encoded` without allocating: fills `into` with where the row of `key` lies. Records are numbered
   * across the layers (the file's slots, then the journal's, this run's, the spill file's), so each
   * key's row has its own number below `recordSlots` until the next row is set.
   */
  locate(key: string, into: RowLocation): boolean {
    const stored = this.stored?.slotCount ?? 0;
    const journaled = stored + (this.journaled?.slotCount ?? 0);
    const fresh = journaled + (this.fresh?.slotCount ?? 0);
    return (
      this.fresh?.locateKey(key, into, journaled) === true ||
      this.journaled?.locateKey(key, into, stored) === true ||
      this.stored?.locateKey(key, into, 0) === true ||
      this.spill?.locateKey(key, into, fresh) === true
    );
  }

  /** How many record numbers `locate` may give: every one is below this. */
  get recordSlots(): number {
    return (this.stored?.slotCount ?? 0) + (this.journaled?.slotCount ?? 0) + (this.fresh?.slotCount ?? 0) + (this.spill?.recordCount ?? 0);
  }

  /** Drops the row of `key` from the file's and the journal's rows; true when there was one. */
  takeFromFile(key: string): boolean {
    return this.stored?.delete(key) === true || this.journaled?.delete(key) === true;
  }

  /** Drops the row of `key` set this run; true when there was one. */
  deleteSet(key: string): boolean {
    return this.fresh?.delete(key) === true || this.spill?.delete(key) === true;
  }

  /** Stores `vector` (dims floats the dtype can hold) under `key`; spills once memory holds its share, when `mayWrite`. */
  put(key: string, vector: Float32Array, dims: number, mayWrite: boolean): void {
    if (this.fresh?.has(key) !== true) {
      const spill = this.spill ?? this.openSpill(dims, mayWrite);
      if (spill !== undefined) {
        spill.append(key, vector);
        return;
      }
    }
    this.fresh ??= new StoredRows(this.dtype, dims);
    this.fresh.append(key, vector);
  }

  /** The row of a key set this run, encoded in the cache's dtype. */
  encodedSet(key: string): Uint8Array | undefined {
    return this.fresh?.encoded(key) ?? this.spill?.encoded(key);
  }

  /** Forgets every row (the file was another model's). */
  clear(): void {
    this.fresh = undefined;
    this.stored = undefined;
    this.journaled = undefined;
    this.spill?.dispose();
    this.spill = undefined;
  }

  /** Drops every key not in `keep`; returns the dropped keys. */
  retainOnly(keep: ReadonlySet<string>): string[] {
    const dropped: string[] = [];
    for (const rows of [this.fresh, this.journaled, this.stored, this.spill]) {
      for (const key of rows?.keys() ?? []) {
        if (!keep.has(key)) {
          rows?.delete(key);
          dropped.push(key);
        }
      }
    }
    return dropped;
  }

  /** Every vector: those read from the file in its order, then its journal's, then memory, then the spill file in the order the vectors were set. */
  *records(): Generator<CacheRecord> {
    for (const read of [this.stored, this.journaled]) {
      if (read === undefined) continue;
      // Rows already in this dtype are copied as bytes; others (an older file) are re-encoded.
      if (read.dtype === this.dtype) yield* read.records();
      else for (const key of read.keys()) yield [key, read.get(key) as Float32Array];
    }
    if (this.fresh) yield* this.fresh.records();
    if (this.spill) yield* this.spill.records();
  }

  /** The spill file, once memory holds its share of vectors and the cache can write beside its file. */
  private openSpill(dims: number, mayWrite: boolean): SpillFile | undefined {
    if (this.spillFailed || !mayWrite || (this.fresh?.bytes ?? 0) < this.memoryBytes) return undefined;
    this.spill = SpillFile.create(`${this.file}.${process.pid}.${Date.now().toString(36)}.spill`, dims, this.dtype);
    // Cannot create it (folder missing or full): keep vectors in memory, as before there was a spill.
    if (this.spill === undefined) this.spillFailed = true;
    return this.spill;
  }
}
