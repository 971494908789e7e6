/**
 * The dataset's vectors for a starting session. A resume whose every item is in the embedding cache
 * of the configured model takes them from the cache and loads no model at all (loading the
 * transformers.js runtime and its ONNX weights was most of a resume). Otherwise the embedder is
 * chosen and loaded (with its fallbacks) and only the rows the cache lacks, new or changed, are
 * embedded.
 */
import { rm } from 'node:fs/promises';
import { CancelledError } from '../core/errors';
import { journalFileFor } from '../core/embedding/cacheJournal';
import { EmbeddingCache, StagedEmbedding, cacheDtypeFor, cacheFileFor, embedDataset, findSidecarVectors, identityWithoutLoading, sampleFirstOrder, vectorsFromCache, type Embedder } from '../core/embedding';
import type { Dataset, Matrix } from '../core/types';
import type { ProgressSnapshot } from '../shared/protocol/domain';
import type { SessionInit } from '../shared/protocol/sessionInit';
import { chooseEmbedder, type ChosenEmbedder } from './chooseEmbedder';
import { InitError } from './initError';

export interface EmbeddedItems {
  readonly matrix: Matrix;
  /** The embedder as the panel names it, e.g. `use-lite (fallback)`. */
  readonly label: string;
  readonly fallback?: ChosenEmbedder['fallback'];
  /** Things the user should know that did not stop the session. */
  readonly warnings: readonly string[];
  /** True when every vector came from the cache and no embedder was loaded. */
  readonly fromCacheOnly: boolean;
  /** Set when the rest of the pool embeds in the background (src/worker/poolEmbedder.ts), which then owns the embedder. */
  readonly pending?: PendingEmbedding;
}

/** The pool's rows still to embed: `staged.embedded` flags the rows that have their vectors. */
export interface PendingEmbedding {
  readonly staged: StagedEmbedding;
  /** Disposed by whoever runs the background (it is still embedding). */
  readonly embedder: Embedder;
  /** As the panel names it. */
  readonly label: string;
  /**
   * Where the background's warnings go (a cache save that failed, a row not kept): until this is
   * called they join the start's `warnings`, which the start reports once.
   */
  relayWarnings(to: (message: string) => void): void;
}

/**
 * Staged (a starting session): the cached rows and a seeded first sample, with `first` (the labeled
 * rows) among them, are embedded before this resolves; the rest is left `pending`. Without it (a
 * reload) every row is embedded before it resolves.
 */
export interface Staging {
  readonly first: Iterable<number>;
}

type Progress = Omit<ProgressSnapshot, 'phase'> & { phase: 'loading-model' | 'embedding' };

/** Vectors for `dataset`'s items; a model that cannot be chosen or loaded is an `InitError` of kind `model-load`. */
export async function embedItems(init: SessionInit, dataset: Dataset, storeDir: string, signal: AbortSignal, progress: (p: Progress) => void, staging?: Staging): Promise<EmbeddedItems> {
  const cached = await fromCacheOnly(init, dataset, storeDir);
  if (cached !== undefined) {
    const n = dataset.items.length;
    progress({ phase: 'embedding', done: n, total: n, itemsPerSecond: 0, etaSeconds: 0 });
    return cached;
  }
  const warnings: string[] = [];
  let relay: ((message: string) => void) | undefined;
  let created: ChosenEmbedder;
  progress({ phase: 'loading-model', done: 0, total: 0, itemsPerSecond: 0, etaSeconds: -1 });
  try {
    created = await chooseEmbedder(init, dataset, signal);
  } catch (error) {
    if (error instanceof InitError || error instanceof CancelledError) throw error;
    throw new InitError(error instanceof Error ? error.message : String(error), 'model-load');
  }
  warnings.push(...created.notes);
  const embedder = created.embedder;
  let handedOver = false;
  try {
    if (embedder.vectorsFor !== undefined) {
      // A vector file is already a store of every row: no cache, nothing to embed in the background.
      // Earlier versions cached it all the same (float32, 1.5 GB at 1M x 384): that copy goes.
      const stale = cacheFileFor(storeDir, embedder.id);
      await Promise.all([rm(stale, { force: true }), rm(journalFileFor(stale), { force: true })]).catch(() => undefined);
      progress({ phase: 'embedding', done: dataset.items.length, total: dataset.items.length, itemsPerSecond: 0, etaSeconds: 0 });
      return { matrix: embedder.vectorsFor(dataset.items), label: created.label, warnings, fromCacheOnly: false };
    }
    const cache = await EmbeddingCache.open(cacheFileFor(storeDir, embedder.id), { dtype: cacheDtypeFor(embedder) });
    const common = {
      // A server embeds `callSize` texts per call (its batch size times the requests in flight).
      ...(embedder.callSize !== undefined ? { batchSize: embedder.callSize } : {}),
      signal,
      onWarning: (message: string) => (relay !== undefined ? relay(message) : void warnings.push(message)),
      onProgress: (p: { done: number; total: number; itemsPerSecond: number; etaSeconds: number | null }) =>
        progress({ phase: 'embedding', done: p.done, total: p.total, itemsPerSecond: p.itemsPerSecond, etaSeconds: p.etaSeconds ?? -1 }),
    };
    const named = { label: created.label, ...(created.fallback ? { fallback: created.fallback } : {}), warnings, fromCacheOnly: false };
    if (staging === undefined) {
      const result = await embedDataset(dataset.items, embedder, cache, { ...common, storage: cacheDtypeFor(embedder) });
      return { matrix: result.matrix, ...named };
    }
    const s = init.staging;
    const order = sampleFirstOrder(dataset.items.length, init.seed, { first: staging.first, ...(s?.firstSample !== undefined ? { sampleSize: s.firstSample } : {}) });
    const staged = await StagedEmbedding.start(dataset.items, embedder, cache, order, {
      ...common,
      ...(s?.chunkRows !== undefined ? { chunkRows: s.chunkRows } : {}),
      ...(s?.flushEveryMs !== undefined ? { flushEveryMs: s.flushEveryMs } : {}),
    });
    if (staged.remaining === 0) return { matrix: staged.matrix, ...named };
    handedOver = true;
    const relayWarnings = (to: (message: string) => void): void => {
      relay = to;
    };
    return { matrix: staged.matrix, ...named, pending: { staged, embedder, label: created.label, relayWarnings } };
  } finally {
    if (!handedOver) await embedder.dispose().catch(() => undefined);
  }
}

/**
 * The vectors straight from the configured model's cache, when it holds every item; undefined when
 * vectors come from a file (the `vectors` setting or a sidecar), when only loading tells the
 * embedder's identity (lexical, a server), or when any row is new or changed.
 */
async function fromCacheOnly(init: SessionInit, dataset: Dataset, storeDir: string): Promise<EmbeddedItems | undefined> {
  if (init.vectors !== undefined) return undefined;
  const expected = identityWithoutLoading({ model: init.model });
  if (expected === undefined) return undefined;
  if ((await findSidecarVectors(init.datasetFile)) !== undefined) return undefined;
  const cache = await EmbeddingCache.open(cacheFileFor(storeDir, expected.id));
  const matrix = vectorsFromCache(dataset.items, cache, expected);
  if (matrix === undefined) return undefined;
  return { matrix, label: expected.id, warnings: [], fromCacheOnly: true };
}
