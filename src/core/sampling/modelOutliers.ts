import type { Rng } from '../random';
import type { Matrix, RankedItem } from '../types';
import { fmt, topIndices } from './rank';

/** Number of sorted values strictly below v, plus half the ties (a mid-rank percentile). */
function percentileRank(sorted: Float32Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < sorted.length && sorted[end] === v) end++;
  return (lo + (end - lo) / 2) / sorted.length;
}

/**
 * Model-based outliers: each pool item's logits are ranked against the validation items' logits,
 * neuron by neuron; score = 1 - mean percentile rank, so items that activate the model least (the
 * ones it knows least about) come first.
 */
export function modelOutlierSampling(poolLogits: Matrix, validationLogits: Matrix, batchSize: number, rng: Rng): RankedItem[] {
  if (poolLogits.rows === 0 || batchSize <= 0) return [];
  const c = poolLogits.cols;
  const scores = new Float32Array(poolLogits.rows);
  if (validationLogits.rows === 0) {
    scores.fill(0.5);
  } else {
    const columns: Float32Array[] = [];
    for (let k = 0; k < c; k++) {
      const col = new Float32Array(validationLogits.rows);
      for (let i = 0; i < validationLogits.rows; i++) col[i] = validationLogits.data[i * c + k];
      columns.push(col.sort());
    }
    for (let i = 0; i < poolLogits.rows; i++) {
      let sum = 0;
      for (let k = 0; k < c; k++) sum += percentileRank(columns[k], poolLogits.data[i * c + k]);
      scores[i] = 1 - sum / Math.max(1, c);
    }
  }
  return topIndices(scores, batchSize, rng).map((index) => ({
    index,
    reason: {
      strategy: 'model-outlier',
      score: scores[index],
      detail: `Model outlier: activations below ${Math.round(scores[index] * 100)}% of validation items (${fmt(scores[index])})`,
    },
  }));
}
