/**
 * Where the embedding cache keeps one row, filled in place by `EmbeddingCache.locate` so that a
 * lookup per row of a million-row pool allocates nothing (no view, no result object): the row is
 * `bytes[at ..]`, encoded in `dtype` (quantize.ts). `shared` rows lie in memory the cache keeps and
 * never rewrites (see CacheRows.encoded), so a matrix may point at them; a spilled row is a copy.
 * `record` numbers the cache's records (see EmbeddingCache.recordSlots): two keys never share one,
 * so counting the distinct records a pool hit tells whether the cache holds anything else.
 */
import type { VectorDtype } from './quantize';

export class RowLocation {
  dtype: VectorDtype = 'float32';
  bytes: Uint8Array = new Uint8Array(0);
  at = 0;
  shared = false;
  record = 0;

  /** Fills every field; returns true (a found row), so a layer's lookup can end with it. */
  set(dtype: VectorDtype, bytes: Uint8Array, at: number, shared: boolean, record: number): true {
    this.dtype = dtype;
    this.bytes = bytes;
    this.at = at;
    this.shared = shared;
    this.record = record;
    return true;
  }
}
