/**
 * The batch loop under every embedding run: embed some rows of a dataset in batches of similar
 * lengths, hand each vector to a sink and to the cache, and let queued work run between batches.
 * `embedDataset` (the CLI and a reload) and `StagedEmbedding` (a starting session) both use it.
 */
import { throwIfCancelled } from '../errors';
import type { DatasetItem } from '../types';
import type { EmbeddingCache } from './cache';
import type { Embedder } from './embedder';

export interface EmbedRowsOptions {
  readonly batchSize: number;
  readonly signal?: AbortSignal | undefined;
  /**
   * Receives each computed vector as the embedder gave it (a view: copy it to keep it). The cache,
   * when there is one, has already stored it: a sink that wants what the cache keeps (quantized)
   * reads it there (int8Matrix.ts `putPoolRow`).
   */
  readonly sink?: ((itemIndex: number, vector: Float32Array) => void) | undefined;
  /** After each batch, with the number of rows it embedded. */
  readonly onBatch?: ((rows: number) => void) | undefined;
}

/** Rows sorted so that similar lengths share a batch (little compute goes to padding); stable for equal lengths. */
export function byLength(items: readonly DatasetItem[], rows: readonly number[]): number[] {
  return [...rows].sort((a, b) => (items[a] as DatasetItem).text.length - (items[b] as DatasetItem).text.length || a - b);
}

/** Embeds `rows` (in this order, `batchSize` at a time) into `sink` and `cache`. */
export async function embedRows(items: readonly DatasetItem[], rows: readonly number[], embedder: Embedder, cache: EmbeddingCache | undefined, options: EmbedRowsOptions): Promise<void> {
  const { batchSize, signal, sink, onBatch } = options;
  const dims = embedder.dimensions;
  for (let start = 0; start < rows.length; start += batchSize) {
    // Let queued messages (a cancel request, labels in a worker) run between batches.
    await new Promise<void>((resolve) => setImmediate(resolve));
    throwIfCancelled(signal);
    const indices = rows.slice(start, start + batchSize);
    const batch = await embedder.embed(
      indices.map((i) => (items[i] as DatasetItem).text),
      signal,
    );
    if (batch.rows !== indices.length || batch.cols !== dims) {
      throw new Error(`embedder returned ${batch.rows}x${batch.cols}, expected ${indices.length}x${dims}`);
    }
    indices.forEach((itemIndex, row) => {
      const vector = batch.data.subarray(row * dims, (row + 1) * dims);
      const hash = (items[itemIndex] as DatasetItem).textHash;
      cache?.set(hash, vector);
      sink?.(itemIndex, vector);
    });
    onBatch?.(indices.length);
  }
}
