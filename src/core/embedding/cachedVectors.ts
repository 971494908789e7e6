/**
 * A session whose every item is already in the embedding cache needs no embedder: its vectors come
 * straight from the file, and the model (seconds to load: a transformers.js runtime, ONNX weights)
 * is not touched. Only new or changed rows need the model, and then the usual path loads it.
 */
import type { DatasetItem, Matrix } from '../types';
import type { EmbeddingCache } from './cache';

/**
 * Every item's vector, when `cache` holds vectors of exactly `expected` (id and fingerprint; see
 * `identityWithoutLoading`) for all of them; undefined when any item is missing or the cache is
 * another embedder's, so the caller embeds as usual.
 */
export function vectorsFromCache(items: readonly DatasetItem[], cache: EmbeddingCache, expected: { readonly id: string; readonly fingerprint: string }): Matrix | undefined {
  const identity = cache.currentIdentity;
  if (identity === null || identity.model !== expected.id || identity.fingerprint !== expected.fingerprint) return undefined;
  if (items.length === 0 || cache.size === 0) return undefined;
  const dims = identity.dimensions;
  const data = new Float32Array(items.length * dims);
  for (let i = 0; i < items.length; i++) {
    if (!cache.readInto((items[i] as DatasetItem).textHash, data, i * dims)) return undefined;
  }
  return { data, rows: items.length, cols: dims };
}
