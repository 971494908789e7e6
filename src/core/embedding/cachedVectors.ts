/**
 * A session whose every item is already in the embedding cache needs no embedder: its vectors come
 * straight from the file, and the model (seconds to load: a transformers.js runtime, ONNX weights)
 * is not touched. Only new or changed rows need the model, and then the usual path loads it.
 */
import type { DatasetItem, Matrix } from '../types';
import type { EmbeddingCache } from './cache';
import { poolMatrix, putPoolRow } from './int8Matrix';

/**
 * Every item's vector, when `cache` holds vectors of exactly `expected` (id and fingerprint; see
 * `identityWithoutLoading`) for all of them; undefined when any item is missing or the cache is
 * another embedder's, so the caller embeds as usual.
 */
export function vectorsFromCache(items: readonly DatasetItem[], cache: EmbeddingCache, expected: { readonly id: string; readonly fingerprint: string }): Matrix | undefined {
  const identity = cache.currentIdentity;
  if (identity === null || identity.model !== expected.id || identity.fingerprint !== expected.fingerprint) return undefined;
  if (items.length === 0 || cache.size === 0) return undefined;
  // Kept as the cache keeps them (int8 for a model's vectors: see int8Matrix.ts), its bytes copied.
  const matrix = poolMatrix(cache.dtype, items.length, identity.dimensions);
  for (let i = 0; i < items.length; i++) {
    if (!putPoolRow(matrix, i, { cache, textHash: (items[i] as DatasetItem).textHash })) return undefined;
  }
  return matrix;
}
