import type { Rng } from '../random';
import type { LabelMode, Matrix, RankedItem } from '../types';
import { pickFromClusters } from './clusterSampling';
import { topIndices } from './rank';
import { uncertaintyScores, type UncertaintyMethod } from './uncertainty';

export interface ClusteredUncertaintyOptions {
  readonly mode: LabelMode;
  readonly seed: number;
  /** Top share of the WHOLE pool, in percent, that is clustered (default 10; never capped). */
  readonly uncertainPercent?: number;
  /** The uncertainty score that picks the candidates (default margin; see DEFAULT_METHOD). */
  readonly method?: UncertaintyMethod;
  /** Clusters; default ceil(batch / 5), as the reference's command line. */
  readonly clusters?: number;
}

/**
 * Margin ("breaking ties") by default: it ranks first by area under the learning curve for
 * transformer features (Schroeder, Niekler & Potthast, Findings of ACL 2022), and on our use-lite
 * benchmark it beat least confidence on the three-class set, inside clustered uncertainty and on its
 * own, ours and scikit-learn's alike (docs/benchmarks.md). With two classes, and per label in
 * multi-label mode, margin and least confidence rank items identically, so only multi-class
 * batches change.
 */
export const DEFAULT_METHOD: UncertaintyMethod = 'margin';

/**
 * Clustered uncertainty: the most uncertain X% of the pool, clustered, then each cluster's
 * centroid-nearest item, its outlier and random members, so one batch is not ten near-duplicates.
 */
export function clusteredUncertaintySampling(pool: Matrix, probs: Matrix, batchSize: number, options: ClusteredUncertaintyOptions, rng: Rng): RankedItem[] {
  if (pool.rows === 0 || batchSize <= 0) return [];
  const method = options.method ?? DEFAULT_METHOD;
  const percent = options.uncertainPercent ?? 10;
  const scores = uncertaintyScores(probs, options.mode, method);
  const top = Math.min(pool.rows, Math.max(batchSize, Math.ceil((percent / 100) * pool.rows)));
  const candidates = topIndices(scores, top, rng);
  const candidateScores = Float32Array.from(candidates, (i) => scores[i]);
  return pickFromClusters(
    pool,
    candidates,
    batchSize,
    {
      clusters: options.clusters ?? Math.ceil(batchSize / 5),
      seed: options.seed,
      strategy: 'clustered-uncertainty',
      scores: candidateScores,
      context: `Top ${percent}% uncertain (${method})`,
    },
    rng,
  );
}
