import type { Rng } from '../random';
import type { LabelMode, Matrix, RankedItem } from '../types';
import { fmt, topIndices } from './rank';
import { uncertaintyScores, type UncertaintyMethod } from './uncertainty';

/** The batch's most uncertain items under one score (least confidence, margin, ratio or entropy). */
export function uncertaintySampling(probs: Matrix, batchSize: number, options: { method: UncertaintyMethod; mode: LabelMode }, rng: Rng): RankedItem[] {
  const scores = uncertaintyScores(probs, options.mode, options.method);
  return topIndices(scores, batchSize, rng).map((index, rank) => ({
    index,
    reason: {
      strategy: options.method,
      score: scores[index],
      detail: `Uncertain: ${options.method} ${fmt(scores[index])} (rank ${rank + 1} of ${probs.rows})`,
    },
  }));
}
