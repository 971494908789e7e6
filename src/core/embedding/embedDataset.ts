/**
 * The embedding loop shared by the engine worker and the CLI: serve what the cache has, embed the
 * rest in batches, report progress, stop promptly when cancelled. Pure of any UI; the worker turns
 * `onProgress` into messages.
 */
import { CancelledError, throwIfCancelled } from '../errors';
import type { DatasetItem, Matrix } from '../types';
import { corpusKey, type EmbeddingCache } from './cache';
import type { Embedder } from './embedder';
import { byLength, embedRows } from './embedRows';
import { poolMatrix, putPoolRow } from './int8Matrix';
import type { VectorDtype } from './quantize';

export interface EmbedProgress {
  readonly done: number;
  readonly total: number;
  readonly fromCache: number;
  /** Items computed per second so far (cache hits excluded); 0 before the first batch. */
  readonly itemsPerSecond: number;
  /** Seconds left at the current rate; null before there is a rate. */
  readonly etaSeconds: number | null;
}

export interface EmbedDatasetOptions {
  batchSize: number;
  signal?: AbortSignal;
  onProgress?: (progress: EmbedProgress) => void;
  /**
   * Called with each of the cache's warnings as it arises (see `EmbeddingCache.warnings`): those
   * found when the cache was opened come before any embedding, a failed save comes at the end. The
   * run goes on either way; only the caching is lost.
   */
  onWarning?: (message: string) => void;
  /**
   * How `embedDataset` keeps the matrix (default float32): `int8` holds each row as the cache
   * stores a model's vectors (int8Matrix.ts), a quarter of the memory, for a session's pool.
   */
  storage?: VectorDtype;
}

export interface EmbedDatasetResult {
  /** Row i is the vector of items[i]. */
  readonly matrix: Matrix;
  readonly fromCache: number;
  readonly computed: number;
  readonly seconds: number;
  /**
   * The embedder's corpus statistics (the lexical idf): 'cached' when restored from the cache file
   * for this exact corpus, 'computed' when fitted on this run, 'none' when the embedder has none.
   */
  readonly fit: 'cached' | 'computed' | 'none';
  /** Why the cache file could not be used, if it could not (it was rebuilt). */
  readonly cacheProblem?: string;
  /** Why this run's vectors were not (all) saved to the cache, if they were not; also sent to `onWarning`. */
  readonly cacheWarnings?: readonly string[];
}

export const defaultEmbedDatasetOptions: Readonly<EmbedDatasetOptions> = { batchSize: 32 };

/** What `embedToCache` reports: everything `embedDataset` does but the matrix. */
export type EmbedToCacheResult = Omit<EmbedDatasetResult, 'matrix'>;

/** Embeds every item; row i of the result's matrix is the vector of items[i]. */
export async function embedDataset(
  items: readonly DatasetItem[],
  embedder: Embedder,
  cache: EmbeddingCache | undefined,
  options: Partial<EmbedDatasetOptions> = {},
): Promise<EmbedDatasetResult> {
  if (cache === undefined && embedder.vectorsFor !== undefined) {
    // Vectors the embedder already holds (a vector file's, in the dtype its loader chose).
    const started = performance.now();
    throwIfCancelled(options.signal);
    const matrix = embedder.vectorsFor(items);
    options.onProgress?.({ done: items.length, total: items.length, fromCache: 0, itemsPerSecond: 0, etaSeconds: 0 });
    return { matrix, fromCache: 0, computed: items.length, seconds: (performance.now() - started) / 1000, fit: 'none' };
  }
  const matrix = poolMatrix(options.storage ?? 'float32', items.length, embedder.dimensions);
  const result = await runEmbedding(items, embedder, cache, options, (i, vector) => {
    // What the cache kept of the row (quantized, see quantize.ts), so this run's vectors are the next
    // run's and an int8 matrix holds exactly the cache's bytes; the vector itself when it kept none.
    if (cache !== undefined && putPoolRow(matrix, i, { cache, textHash: (items[i] as DatasetItem).textHash })) return;
    if (vector === undefined) throw new Error(`the cache lost the vector of item ${i} while embedding`);
    putPoolRow(matrix, i, vector);
  });
  return { matrix, ...result };
}

/**
 * Embeds every item into the cache without keeping a matrix (the `embed` command): memory stays
 * bounded by the cache's share (see CACHE_MEMORY_BYTES), not rows x dimensions.
 */
export async function embedToCache(
  items: readonly DatasetItem[],
  embedder: Embedder,
  cache: EmbeddingCache,
  options: Partial<EmbedDatasetOptions> = {},
): Promise<EmbedToCacheResult> {
  return runEmbedding(items, embedder, cache, options, undefined);
}

/**
 * The loop; `sink` hears of each item once it has a vector: `vector` is the computed one, or
 * undefined when the cache already held the row (the sink reads it there).
 */
async function runEmbedding(
  items: readonly DatasetItem[],
  embedder: Embedder,
  cache: EmbeddingCache | undefined,
  options: Partial<EmbedDatasetOptions>,
  sink: ((itemIndex: number, vector?: Float32Array) => void) | undefined,
): Promise<EmbedToCacheResult> {
  const { batchSize, signal, onProgress, onWarning } = { ...defaultEmbedDatasetOptions, ...options };
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const started = performance.now();
  throwIfCancelled(signal);
  let warned = 0;
  const flushWarnings = (): void => {
    const warnings = cache?.warnings ?? [];
    for (; warned < warnings.length; warned++) onWarning?.(warnings[warned]);
  };
  flushWarnings();

  // Corpus statistics first: they are part of what the cache must match.
  const fit = fitCorpus(items, embedder, cache);
  const dims = embedder.dimensions;
  cache?.bind({ model: embedder.id, dimensions: dims, fingerprint: embedder.fingerprint?.() ?? '' });

  const total = items.length;
  const unsorted: number[] = [];
  items.forEach((item, i) => {
    if (cache?.has(item.textHash) === true) sink?.(i);
    else unsorted.push(i);
  });
  const fromCache = total - unsorted.length;
  const missing = byLength(items, unsorted);

  let computed = 0;
  const computeStart = performance.now();
  const report = (): void => {
    const elapsed = (performance.now() - computeStart) / 1000;
    const itemsPerSecond = computed > 0 && elapsed > 0 ? computed / elapsed : 0;
    const left = missing.length - computed;
    onProgress?.({
      done: fromCache + computed,
      total,
      fromCache,
      itemsPerSecond,
      etaSeconds: left === 0 ? 0 : itemsPerSecond > 0 ? left / itemsPerSecond : null,
    });
  };
  report();

  try {
    await embedRows(items, missing, embedder, cache, {
      batchSize,
      signal,
      sink,
      onBatch: (rows) => {
        computed += rows;
        report();
      },
    });
  } catch (error) {
    // Keep the work done so far (appended to the journal when it can be): the next run resumes instead of starting over.
    await cache?.checkpoint().catch(() => undefined);
    flushWarnings();
    if (signal?.aborted && !(error instanceof CancelledError)) throw new CancelledError();
    throw error;
  }

  if (cache) {
    cache.retainOnly(items.map((item) => item.textHash));
    await cache.save();
    flushWarnings();
  }
  return {
    fromCache,
    computed,
    seconds: (performance.now() - started) / 1000,
    fit,
    ...(cache?.problem ? { cacheProblem: cache.problem } : {}),
    ...(cache && cache.warnings.length > 0 ? { cacheWarnings: [...cache.warnings] } : {}),
  };
}

/**
 * Fits the embedder's corpus statistics, or restores them from the cache when they were fitted on
 * exactly this corpus (same multiset of text hashes): fitting tokenizes every text, which would
 * otherwise dominate a run whose vectors all come from the cache.
 */
export function fitCorpus(items: readonly DatasetItem[], embedder: Embedder, cache: EmbeddingCache | undefined): EmbedDatasetResult['fit'] {
  if (!embedder.fit) return 'none';
  const key = cache && embedder.fitState && embedder.restoreFit ? corpusKey(items.map((item) => item.textHash)) : undefined;
  const stored = key !== undefined ? cache?.fitFor(key, embedder.id) : undefined;
  if (stored !== undefined && embedder.restoreFit?.(stored) === true) return 'cached';
  embedder.fit(items.map((item) => item.text));
  const state = embedder.fitState?.();
  if (key !== undefined && state !== undefined) cache?.setFit(key, embedder.id, state);
  return 'computed';
}
