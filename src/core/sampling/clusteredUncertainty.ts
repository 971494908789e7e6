import type { Rng } from '../random';
import type { LabelMode, Matrix, RankedItem } from '../types';
import { pickFromClusters } from './clusterSampling';
import { topSet } from './rank';
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
  /** The most candidates k-means is fitted on (default CLUSTER_FIT_ROWS); a seeded sample above it. */
  readonly maxFitRows?: number;
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
 * The most candidates k-means is fitted on. Up to this many (pools up to 100,000 at the default
 * 10%) every candidate is clustered, as before; above it, a seeded uniform sample of the top X% is
 * clustered and the picks are members of that sample. Centroids of 10,000 random rows describe the
 * top X% about as well as centroids of all of them, and the cost stops growing with the pool: at
 * 1,000,000 x 384 clustering all 100,000 candidates took ~2.5 s of a ~2.8 s batch.
 */
export const CLUSTER_FIT_ROWS = 10_000;

/**
 * Clustered uncertainty: the most uncertain X% of the pool, clustered, then each cluster's
 * centroid-nearest item, its outlier and random members, so one batch is not ten near-duplicates.
 * The top X% is chosen over the whole pool (O(n) selection, ties at the cut broken at random);
 * k-means runs on at most CLUSTER_FIT_ROWS of it (a seeded sample).
 */
export function clusteredUncertaintySampling(pool: Matrix, probs: Matrix, batchSize: number, options: ClusteredUncertaintyOptions, rng: Rng): RankedItem[] {
  if (pool.rows === 0 || batchSize <= 0) return [];
  const method = options.method ?? DEFAULT_METHOD;
  const percent = options.uncertainPercent ?? 10;
  const scores = uncertaintyScores(probs, options.mode, method);
  const top = Math.min(pool.rows, Math.max(batchSize, Math.ceil((percent / 100) * pool.rows)));
  const chosen = topSet(scores, top, rng);
  const candidateScores = new Float32Array(chosen.length);
  for (let i = 0; i < chosen.length; i++) candidateScores[i] = scores[chosen[i] as number] as number;
  return pickFromClusters(
    pool,
    chosen,
    batchSize,
    {
      clusters: options.clusters ?? Math.ceil(batchSize / 5),
      seed: options.seed,
      strategy: 'clustered-uncertainty',
      scores: candidateScores,
      context: `Top ${percent}% uncertain (${method})`,
      // Never fewer rows than the batch: the picks are members of the fitted sample.
      maxRows: Math.max(batchSize, options.maxFitRows ?? CLUSTER_FIT_ROWS),
    },
    rng,
  );
}
