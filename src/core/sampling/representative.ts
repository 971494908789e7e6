import { meanRow, normalizeRows, rowDot } from '../math/matrix';
import type { Rng } from '../random';
import type { Matrix, RankedItem } from '../types';
import { fmt, topIndices } from './rank';

function unit(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  return v.map((x) => x * inv);
}

/**
 * Representative sampling: score = cos(item, unlabeled pool) - cos(item, labeled set), as the
 * reference, with each set summarised by its mean direction. On unit-normalized embeddings that is
 * one dot product per item (O(n d)) instead of the reference's pairwise comparison.
 */
export function representativeSampling(pool: Matrix, labeled: Matrix, batchSize: number, rng: Rng): RankedItem[] {
  if (pool.rows === 0 || batchSize <= 0) return [];
  const p = normalizeRows(pool);
  const poolDir = unit(meanRow(p));
  const labeledDir = labeled.rows > 0 ? unit(meanRow(normalizeRows(labeled))) : new Float64Array(pool.cols);
  const scores = new Float32Array(p.rows);
  for (let i = 0; i < p.rows; i++) scores[i] = rowDot(p, i, poolDir) - rowDot(p, i, labeledDir);
  return topIndices(scores, batchSize, rng).map((index) => ({
    index,
    reason: {
      strategy: 'representative',
      score: scores[index],
      detail: `Representative: like the unlabeled pool, unlike the labeled set (${fmt(scores[index])})`,
    },
  }));
}
