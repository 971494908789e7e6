import { meanRow, normalizeRows, rowDot, rowRange } from '../math/matrix';
import type { Rng } from '../random';
import type { Matrix, RankedItem } from '../types';
import { fmt, topIndices } from './rank';

function unit(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  return v.map((x) => x * inv);
}

/** Pool rows normalized at a time (the pool may be int8 and a million rows: see math/matrix.ts rowRange). */
const CHUNK_ROWS = 4096;

/** Calls `visit` with each chunk of `pool`'s rows scaled to unit length (as normalizeRows scales them) and its first row. */
function forEachUnitChunk(pool: Matrix, visit: (unitRows: Matrix, first: number) => void): void {
  const scratch = new Float32Array(Math.min(pool.rows, CHUNK_ROWS) * pool.cols);
  for (let from = 0; from < pool.rows; from += CHUNK_ROWS) visit(normalizeRows(rowRange(pool, from, Math.min(pool.rows, from + CHUNK_ROWS), scratch)), from);
}

/**
 * Representative sampling: score = cos(item, unlabeled pool) - cos(item, labeled set), as the
 * reference, with each set summarised by its mean direction. On unit-normalized embeddings that is
 * one dot product per item (O(n d)) instead of the reference's pairwise comparison. The pool is read
 * in chunks, twice (its mean direction, then the scores), never normalized whole.
 */
export function representativeSampling(pool: Matrix, labeled: Matrix, batchSize: number, rng: Rng): RankedItem[] {
  if (pool.rows === 0 || batchSize <= 0) return [];
  // The mean of the unit rows, summed row by row in order as meanRow does.
  const sum = new Float64Array(pool.cols);
  forEachUnitChunk(pool, (p) => {
    for (let i = 0; i < p.rows; i++) for (let j = 0; j < p.cols; j++) sum[j] = (sum[j] as number) + (p.data[i * p.cols + j] as number);
  });
  const poolDir = unit(sum.map((v) => v / pool.rows));
  const labeledDir = labeled.rows > 0 ? unit(meanRow(normalizeRows(labeled))) : new Float64Array(pool.cols);
  const scores = new Float32Array(pool.rows);
  forEachUnitChunk(pool, (p, first) => {
    for (let i = 0; i < p.rows; i++) scores[first + i] = rowDot(p, i, poolDir) - rowDot(p, i, labeledDir);
  });
  return topIndices(scores, batchSize, rng).map((index) => ({
    index,
    reason: {
      strategy: 'representative',
      score: scores[index],
      detail: `Representative: like the unlabeled pool, unlike the labeled set (${fmt(scores[index])})`,
    },
  }));
}
