import { takeRows } from '../math/matrix';
import { createRng, type Rng } from '../random';
import type { Matrix, RankedItem } from '../types';
import { kmeans } from './kmeans';

export interface ClusterPickOptions {
  readonly clusters: number;
  readonly seed: number;
  /** Strategy name written into each reason. */
  readonly strategy: string;
  /** Per-candidate score for the reason (e.g. uncertainty); similarity to the centroid when absent. */
  readonly scores?: ArrayLike<number>;
  /** Prefix of each reason sentence, e.g. "Top 10% uncertain". */
  readonly context?: string;
  /** Members each cluster contributes at most beyond its centroid and outlier (default: unlimited). */
  readonly randomPerCluster?: number;
  /**
   * Cluster a seeded uniform sample of at most this many candidates (default: all). Centroids fitted
   * on a few thousand random rows describe the pool about as well as centroids fitted on all of it,
   * at a fraction of the cost; picks are then members of the sample.
   */
  readonly maxRows?: number;
}

/**
 * Diversity sampling clusters at most this many rows: k-means++ on 5,000 random rows finds the
 * pool's modes, and keeps a 50,000 x 512 pool's batch well under a second (all rows: ~2.3 s).
 */
export const MAX_CLUSTERED_ROWS = 5_000;

/** Rows of a pool: a plain array, or the typed array a selection returns (not copied into an array). */
export type CandidateRows = readonly number[] | Int32Array;

/**
 * A uniform random subset of `candidates` of size `max` (Floyd's algorithm), in the candidates'
 * order; the candidates themselves when there are no more than `max`. Uses its own generator
 * (from `seed`) so the caller's random stream is the same with or without subsampling.
 */
export function subsampleCandidates(candidates: CandidateRows, max: number, seed: number): CandidateRows {
  if (candidates.length <= max) return candidates;
  const rng = createRng((seed ^ 0x51ab5eed) >>> 0);
  const n = candidates.length;
  const chosen = new Uint8Array(n);
  for (let j = n - max; j < n; j++) {
    const t = rng.int(j + 1);
    chosen[chosen[t] ? j : t] = 1;
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (chosen[i]) out.push(candidates[i] as number);
  return out;
}

/**
 * Clusters `candidates` (rows of `pool`) with cosine k-means and deals the batch out in rounds:
 * every cluster's centroid-nearest member, then every cluster's outlier, then random members
 * round-robin until the batch is full. Members are disjoint across clusters and picks go through a
 * set, so two centroids can never yield the same item twice; empty clusters (duplicate points) are
 * skipped.
 */
/** `allCandidates`: rows of `pool`, ascending or not (a typed array of them is not copied). */
export function pickFromClusters(pool: Matrix, allCandidates: CandidateRows, batchSize: number, options: ClusterPickOptions, rng: Rng): RankedItem[] {
  if (allCandidates.length === 0 || batchSize <= 0) return [];
  const candidates = options.maxRows === undefined ? allCandidates : subsampleCandidates(allCandidates, options.maxRows, options.seed);
  const scores = options.scores && candidates !== allCandidates ? subsampleScores(allCandidates, candidates, options.scores) : options.scores;
  const k = Math.max(1, Math.min(options.clusters, candidates.length));
  // `sub` is a copy of its own: k-means may normalize it in place.
  const sub = takeRows(pool, candidates);
  const result = kmeans(sub, k, { distance: 'cosine', seed: options.seed, maxIterations: 20, overwriteData: true });
  const members: number[][] = Array.from({ length: result.centroids.rows }, () => []);
  for (let i = 0; i < candidates.length; i++) members[result.assignments[i]].push(i);
  // Cosine distance on unit vectors: ||x - c||^2 = 2 - 2 cos.
  const similarity = (local: number): number => 1 - result.distances[local] / 2;
  for (const list of members) list.sort((a, b) => result.distances[a] - result.distances[b]);
  const picked = new Set<number>();
  const out: RankedItem[] = [];
  const context = options.context ? `${options.context}, ` : '';
  const push = (local: number, cluster: number, role: string): void => {
    const index = candidates[local] as number;
    if (picked.has(index) || out.length >= batchSize) return;
    picked.add(index);
    const score = scores ? scores[local] : similarity(local);
    out.push({
      index,
      reason: {
        strategy: options.strategy,
        score,
        // One-based, as every UI shows it ("cluster 5 of 6"); the log stores the same number.
        cluster: cluster + 1,
        detail: `${context}cluster ${cluster + 1} of ${members.length}: ${role} (similarity to centre ${similarity(local).toFixed(2)})`,
      },
    });
  };
  members.forEach((list, c) => list.length > 0 && push(list[0], c, 'nearest to centre'));
  members.forEach((list, c) => list.length > 1 && push(list[list.length - 1], c, 'outlier'));
  const rest = members.map((list) => {
    const middle = list.slice(1, -1);
    for (let i = middle.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [middle[i], middle[j]] = [middle[j], middle[i]];
    }
    return middle.slice(0, options.randomPerCluster ?? middle.length);
  });
  for (let round = 0; out.length < batchSize; round++) {
    let any = false;
    rest.forEach((list, c) => {
      if (round < list.length) {
        any = true;
        push(list[round], c, 'random member');
      }
    });
    if (!any) break;
  }
  return out;
}

/** Scores of the sampled candidates, given scores aligned with all candidates (both in one order). */
function subsampleScores(all: CandidateRows, sample: CandidateRows, scores: ArrayLike<number>): Float32Array {
  const out = new Float32Array(sample.length);
  for (let i = 0, j = 0; j < sample.length; i++) {
    if (all[i] === sample[j]) out[j++] = scores[i];
  }
  return out;
}

/**
 * Cluster-based sampling over the pool: k = ceil(batch / 5) clusters, as the reference, fitted on a
 * seeded sample of at most `maxRows` (default MAX_CLUSTERED_ROWS) rows.
 */
export function clusterSampling(pool: Matrix, batchSize: number, options: { seed: number; clusters?: number; maxRows?: number }, rng: Rng): RankedItem[] {
  if (pool.rows === 0 || batchSize <= 0) return [];
  const candidates = Array.from({ length: pool.rows }, (_, i) => i);
  const clusters = options.clusters ?? Math.ceil(batchSize / 5);
  const maxRows = options.maxRows ?? MAX_CLUSTERED_ROWS;
  return pickFromClusters(pool, candidates, batchSize, { clusters, seed: options.seed, strategy: 'cluster', context: 'Diversity', maxRows }, rng);
}
