/**
 * Embedding a pool in two stages, so labeling starts long before a large dataset is embedded: the
 * cached rows and the first sample (see embedOrder.ts) are embedded before `start` resolves; the
 * rest is embedded by `background()`, one chunk at a time, and each chunk it yields is a set of
 * rows whose vectors are now in `matrix`. Rows not yet embedded hold zeros and `embedded[row]` is 0:
 * the session must not read them (see LabelingSession.addEmbedded).
 *
 * The cache is saved after every chunk while the background runs: a checkpoint appends only that
 * chunk's rows to the cache's journal (one checksummed, fsynced record; see cacheJournal.ts), so it
 * costs the same at any pool size, and a crash loses at most the chunk in flight; a restart embeds
 * only the rest. A save that must rewrite the whole file (a new cache, another model, a dtype
 * change) is spaced out instead: at most every `flushEveryMs`, and never more than about a tenth
 * of the time. The end of the background writes the whole file once and removes the journal.
 */
import { CancelledError, throwIfCancelled } from '../errors';
import type { DatasetItem, Matrix } from '../types';
import type { EmbeddingCache } from './cache';
import { fitCorpus } from './embedDataset';
import type { Embedder } from './embedder';
import type { EmbedOrder } from './embedOrder';
import { byLength, embedRows } from './embedRows';
import { poolMatrix, putLocatedRow, putPoolRow } from './int8Matrix';
import { cacheDtypeFor } from './quantize';
import { RowLocation } from './rowLocation';

export interface StagedEmbeddingOptions {
  batchSize: number;
  /** Rows the background embeds between two session updates. */
  chunkRows: number;
  /**
   * Saves that rewrite the whole cache file come at most this often while the background runs (0:
   * after every chunk); saves that append to the journal come after every chunk regardless.
   */
  flushEveryMs: number;
  /** Progress of the first stage: rows with vectors so far, of the cached rows plus the first sample. */
  onProgress?: (p: { readonly done: number; readonly total: number; readonly itemsPerSecond: number; readonly etaSeconds: number | null }) => void;
  onWarning?: (message: string) => void;
}

export const defaultStagedOptions: Readonly<StagedEmbeddingOptions> = { batchSize: 32, chunkRows: 2048, flushEveryMs: 5000 };

/** Rewriting the cache file may cost at most this share of the background's time. */
const SAVE_SHARE = 0.1;

export class StagedEmbedding {
  /**
   * Row i is items[i]'s vector once `embedded[i]` is 1; zeros before. Kept as the cache keeps the
   * embedder's vectors (int8 for a model's, see int8Matrix.ts), with the cache's own bytes.
   */
  readonly matrix: Matrix;
  readonly embedded: Uint8Array;
  /** Rows that came from the cache. */
  readonly fromCache: number;
  private embeddedRows = 0;
  /** Rows computed by the embedder in this run (both stages). */
  computed = 0;
  /** Rows for the background, in the order it embeds them; those before `restAt` are done. */
  private rest: number[];
  private restAt = 0;
  private warned = 0;
  private lastSave = performance.now();
  private lastSaveMs = 0;
  /** Set by `fromCacheRows`: the items hit every record the cache held (nothing for `retainOnly` to drop). */
  private cacheHeldOnlyItems = false;

  private constructor(
    private readonly items: readonly DatasetItem[],
    private readonly embedder: Embedder,
    private readonly cache: EmbeddingCache | undefined,
    private readonly options: StagedEmbeddingOptions,
  ) {
    const dims = embedder.dimensions;
    this.matrix = poolMatrix(cacheDtypeFor(embedder), items.length, dims);
    this.embedded = new Uint8Array(items.length);
    this.rest = [];
    this.fromCache = 0;
  }

  /** Fits, reads the cache, embeds the first stage; the rest waits for `background()`. */
  static async start(items: readonly DatasetItem[], embedder: Embedder, cache: EmbeddingCache | undefined, order: EmbedOrder, options: Partial<StagedEmbeddingOptions> & { signal?: AbortSignal } = {}): Promise<StagedEmbedding> {
    const resolved = { ...defaultStagedOptions, ...options };
    if (!Number.isInteger(resolved.batchSize) || resolved.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${resolved.batchSize}`);
    if (order.order.length !== items.length) throw new RangeError(`the order has ${order.order.length} rows, the pool ${items.length}`);
    throwIfCancelled(options.signal);
    const staged = new StagedEmbedding(items, embedder, cache, resolved);
    staged.flushWarnings();
    await staged.first(order, options.signal);
    return staged;
  }

  /** Rows with their vector so far. */
  get embeddedCount(): number {
    return this.embeddedRows;
  }

  /** Rows the background has yet to embed. */
  get remaining(): number {
    return this.rest.length - this.restAt;
  }

  private async first(order: EmbedOrder, signal: AbortSignal | undefined): Promise<void> {
    const { items, embedder, cache } = this;
    // Corpus statistics first: they are part of what the cache must match.
    fitCorpus(items, embedder, cache);
    cache?.bind({ model: embedder.id, dimensions: embedder.dimensions, fingerprint: embedder.fingerprint?.() ?? '' });
    if (cache !== undefined) this.fromCacheRows(cache);
    const sample: number[] = [];
    for (let i = 0; i < order.order.length; i++) {
      const row = order.order[i] as number;
      if (this.embedded[row] === 1) continue;
      if (i < order.sampleSize) sample.push(row);
      else this.rest.push(row);
    }
    (this as { fromCache: number }).fromCache = this.embeddedRows;
    // What must have vectors before labeling starts.
    const total = this.embeddedRows + sample.length;
    const started = performance.now();
    let computed = 0;
    const report = (): void => {
      const seconds = (performance.now() - started) / 1000;
      const rate = computed > 0 && seconds > 0 ? computed / seconds : 0;
      const left = sample.length - computed;
      this.options.onProgress?.({ done: this.embeddedRows, total, itemsPerSecond: rate, etaSeconds: left === 0 ? 0 : rate > 0 ? left / rate : null });
    };
    report();
    // In chunks, saved as the background saves: a crash while the sample embeds loses one chunk.
    const sorted = byLength(items, sample);
    const chunkRows = this.options.chunkRows;
    await this.guarded(signal, async () => {
      for (let at = 0; at < sorted.length; at += chunkRows) {
        await embedRows(items, sorted.slice(at, at + chunkRows), embedder, cache, {
          batchSize: this.options.batchSize,
          signal,
          sink: (row, vector) => this.put(row, vector),
          onBatch: (n) => {
            computed += n;
            this.computed += n;
            report();
          },
        });
        if (at + chunkRows < sorted.length && (this.cache?.checkpointIsCheap === true || this.flushDue())) await this.checkpoint();
      }
    });
    if (this.rest.length === 0) await this.finish();
    // The sample is kept before labeling starts on it.
    else if (computed > 0) await this.checkpoint();
  }

  /**
   * Every row the cache holds, put into the matrix (the cache's bytes, no vector allocated per row),
   * in row order: which rows are cached does not depend on the order, and the items are then read
   * where they lie one after another. Counts the distinct records hit on the way, for `finish`.
   */
  private fromCacheRows(cache: EmbeddingCache): void {
    const items = this.items;
    const hit = new Uint8Array(cache.recordSlots);
    const at = new RowLocation();
    let distinct = 0;
    for (let row = 0; row < items.length; row++) {
      if (!cache.locate((items[row] as DatasetItem).textHash, at)) continue;
      putLocatedRow(this.matrix, row, cache, at);
      this.mark(row);
      if (hit[at.record] === 0) {
        hit[at.record] = 1;
        distinct++;
      }
    }
    this.cacheHeldOnlyItems = distinct === cache.size;
  }

  /**
   * Embeds the rest, one chunk at a time; yields the rows of each chunk once their vectors are in
   * `matrix`. Stops with a CancelledError when `signal` aborts (the cache keeps what was done).
   */
  async *background(signal?: AbortSignal): AsyncGenerator<readonly number[], void> {
    const { items, embedder, cache } = this;
    while (this.restAt < this.rest.length) {
      const chunk = this.rest.slice(this.restAt, this.restAt + this.options.chunkRows);
      await this.guarded(signal, () =>
        embedRows(items, byLength(items, chunk), embedder, cache, {
          batchSize: this.options.batchSize,
          signal,
          sink: (row, vector) => this.put(row, vector),
          onBatch: (n) => {
            this.computed += n;
          },
        }),
      );
      this.restAt += chunk.length;
      if (this.restAt < this.rest.length && (this.cache?.checkpointIsCheap === true || this.flushDue())) await this.checkpoint();
      yield chunk;
    }
    await this.finish();
  }

  /** `vector` was just computed: the cache's copy of it when it kept one (the bytes the next run reads), else the vector. */
  private put(row: number, vector: Float32Array): void {
    const cache = this.cache;
    if (cache === undefined || !putPoolRow(this.matrix, row, { cache, textHash: (this.items[row] as DatasetItem).textHash })) putPoolRow(this.matrix, row, vector);
    this.mark(row);
  }

  private mark(row: number): void {
    if (this.embedded[row] === 0) this.embeddedRows++;
    this.embedded[row] = 1;
  }

  /** Runs a stage; on failure keeps what was embedded (the next run resumes from the cache). */
  private async guarded(signal: AbortSignal | undefined, stage: () => Promise<void>): Promise<void> {
    try {
      await stage();
    } catch (error) {
      await this.checkpoint();
      if (signal?.aborted && !(error instanceof CancelledError)) throw new CancelledError();
      throw error;
    }
  }

  private flushDue(): boolean {
    if (this.options.flushEveryMs === 0) return true;
    const since = performance.now() - this.lastSave;
    return since >= Math.max(this.options.flushEveryMs, this.lastSaveMs / SAVE_SHARE);
  }

  /** Saves what was embedded: appended to the journal when it can be, else the file rewritten. */
  private async checkpoint(): Promise<void> {
    await this.timed(() => this.cache?.checkpoint());
  }

  private async save(): Promise<void> {
    await this.timed(() => this.cache?.save());
  }

  private async timed(saving: () => Promise<boolean> | undefined): Promise<void> {
    if (this.cache === undefined) return;
    const started = performance.now();
    await saving()?.catch(() => undefined);
    this.lastSave = performance.now();
    this.lastSaveMs = this.lastSave - started;
    this.flushWarnings();
  }

  /**
   * Everything is embedded: the file keeps only this dataset's texts. `retainOnly` (seconds at a
   * million rows) is skipped when it would drop nothing: every record the cache held at the start
   * was some item's, and every row set since is an item's too (the rows this run computed).
   */
  private async finish(): Promise<void> {
    if (this.cache !== undefined && !this.cacheHeldOnlyItems) this.cache.retainOnly(this.items.map((item) => item.textHash));
    await this.save();
  }

  private flushWarnings(): void {
    const warnings = this.cache?.warnings ?? [];
    for (; this.warned < warnings.length; this.warned++) this.options.onWarning?.(warnings[this.warned] as string);
  }
}
