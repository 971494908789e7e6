import { takeRows } from '../math/matrix';
import type { Rng } from '../random';
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
}

/**
 * Clusters `candidates` (rows of `pool`) with cosine k-means and deals the batch out in rounds:
 * every cluster's centroid-nearest member, then every cluster's outlier, then random members
 * round-robin until the batch is full. Members are disjoint across clusters and picks go through a
 * set, so two centroids can never yield the same item twice; empty clusters (duplicate points) are
 * skipped.
 */
export function pickFromClusters(pool: Matrix, candidates: readonly number[], batchSize: number, options: ClusterPickOptions, rng: Rng): RankedItem[] {
  if (candidates.length === 0 || batchSize <= 0) return [];
  const k = Math.max(1, Math.min(options.clusters, candidates.length));
  const sub = takeRows(pool, candidates);
  const result = kmeans(sub, k, { distance: 'cosine', seed: options.seed, maxIterations: 20 });
  const members: number[][] = Array.from({ length: result.centroids.rows }, () => []);
  for (let i = 0; i < candidates.length; i++) members[result.assignments[i]].push(i);
  // Cosine distance on unit vectors: ||x - c||^2 = 2 - 2 cos.
  const similarity = (local: number): number => 1 - result.distances[local] / 2;
  for (const list of members) list.sort((a, b) => result.distances[a] - result.distances[b]);
  const picked = new Set<number>();
  const out: RankedItem[] = [];
  const context = options.context ? `${options.context}, ` : '';
  const push = (local: number, cluster: number, role: string): void => {
    const index = candidates[local];
    if (picked.has(index) || out.length >= batchSize) return;
    picked.add(index);
    const score = options.scores ? options.scores[local] : similarity(local);
    out.push({
      index,
      reason: {
        strategy: options.strategy,
        score,
        cluster,
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

/** Cluster-based sampling over the whole pool: k = ceil(batch / 5) clusters, as the reference. */
export function clusterSampling(pool: Matrix, batchSize: number, options: { seed: number; clusters?: number }, rng: Rng): RankedItem[] {
  if (pool.rows === 0 || batchSize <= 0) return [];
  const candidates = Array.from({ length: pool.rows }, (_, i) => i);
  const clusters = options.clusters ?? Math.ceil(batchSize / 5);
  return pickFromClusters(pool, candidates, batchSize, { clusters, seed: options.seed, strategy: 'cluster', context: 'Diversity' }, rng);
}
