import { RowDotter } from '../math/product';
import { normalizeRows, rowSquaredNorms, takeRows } from '../math/matrix';
import { createRng, type Rng } from '../random';
import type { Matrix } from '../types';

/**
 * Lloyd's k-means over typed arrays with greedy k-means++ seeding (scikit-learn's variant: several
 * candidate centres per step, keep the one that lowers the potential most). The API follows
 * ml-kmeans (`kmeans(data, k, options)`), which is correct but ~50x slower here; distances use
 * ||x||^2 + ||c||^2 - 2 x.c with the x.c products from the SIMD kernel in `math/product`.
 */
export type KMeansDistance = 'euclidean' | 'cosine';

export interface KMeansOptions {
  readonly seed: number;
  readonly maxIterations: number;
  /** Stop when the summed squared centroid shift is below tolerance x mean feature variance (as sklearn). */
  readonly tolerance: number;
  /** 'kmeans++' (default), 'random' (k distinct random points) or explicit initial centroids. */
  readonly initialization: 'kmeans++' | 'random' | Matrix;
  /** 'cosine' clusters unit-normalized rows and renormalizes centroids (spherical k-means). */
  readonly distance: KMeansDistance;
  /** Candidates per k-means++ step; 0 means sklearn's 2 + floor(ln k). */
  readonly localTrials: number;
  /** `data` is the caller's scratch copy: 'cosine' normalizes it in place rather than copying it. */
  readonly overwriteData: boolean;
}

export interface KMeansResult {
  /** k x d. For 'cosine', unit-length. Fewer than asked when the data has fewer rows. */
  readonly centroids: Matrix;
  /** Cluster of every row. */
  readonly assignments: Int32Array;
  /** Squared distance from every row to its centroid (1 - cos for 'cosine' x2, on normalized rows). */
  readonly distances: Float32Array;
  readonly iterations: number;
  readonly inertia: number;
  readonly converged: boolean;
}

export const defaultKMeansOptions: KMeansOptions = {
  seed: 0,
  maxIterations: 100,
  tolerance: 1e-4,
  initialization: 'kmeans++',
  distance: 'euclidean',
  localTrials: 0,
  overwriteData: false,
};

interface Workspace {
  readonly x: Matrix;
  readonly xNorms: Float64Array;
  readonly dotter: RowDotter;
  readonly products: Float32Array;
}

/** Picks an index with probability proportional to weights (cumulative search). */
function sampleWeighted(weights: Float64Array, total: number, rng: Rng): number {
  let target = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    target -= weights[i];
    if (target < 0) return i;
  }
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return rng.int(weights.length);
}

function seedPlusPlus(ws: Workspace, k: number, trials: number, rng: Rng): number[] {
  const { x, xNorms, dotter } = ws;
  const n = x.rows;
  const chosen = [rng.int(n)];
  const closest = new Float64Array(n);
  const first = dotter.dots(takeRows(x, chosen));
  let potential = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = Math.max(0, xNorms[i] + xNorms[chosen[0]] - 2 * first[i]);
    potential += closest[i];
  }
  const candidateDistances = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    const candidates: number[] = [];
    for (let t = 0; t < trials; t++) {
      candidates.push(potential > 0 ? sampleWeighted(closest, potential, rng) : rng.int(n));
    }
    const products = dotter.dots(takeRows(x, candidates));
    let bestCandidate = candidates[0];
    let bestPotential = Infinity;
    let bestTrial = 0;
    for (let t = 0; t < trials; t++) {
      const cand = candidates[t];
      let pot = 0;
      for (let i = 0; i < n; i++) {
        const dist = Math.max(0, xNorms[i] + xNorms[cand] - 2 * products[i * trials + t]);
        pot += dist < closest[i] ? dist : closest[i];
      }
      if (pot < bestPotential) {
        bestPotential = pot;
        bestCandidate = cand;
        bestTrial = t;
      }
    }
    for (let i = 0; i < n; i++) {
      const dist = Math.max(0, xNorms[i] + xNorms[bestCandidate] - 2 * products[i * trials + bestTrial]);
      candidateDistances[i] = dist;
      if (dist < closest[i]) closest[i] = dist;
    }
    potential = bestPotential;
    chosen.push(bestCandidate);
  }
  return chosen;
}

function randomDistinct(n: number, k: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, k);
}

/** Assigns every row to its nearest centroid; returns the inertia. */
function assign(ws: Workspace, centroids: Matrix, assignments: Int32Array, distances: Float32Array): number {
  const { x, xNorms, dotter, products } = ws;
  const k = centroids.rows;
  const cNorms = rowSquaredNorms(centroids);
  dotter.dots(centroids, products);
  let inertia = 0;
  for (let i = 0; i < x.rows; i++) {
    const o = i * k;
    let best = 0;
    let bestScore = cNorms[0] - 2 * products[o];
    for (let c = 1; c < k; c++) {
      const score = cNorms[c] - 2 * products[o + c];
      if (score < bestScore) {
        bestScore = score;
        best = c;
      }
    }
    const dist = Math.max(0, xNorms[i] + bestScore);
    assignments[i] = best;
    distances[i] = dist;
    inertia += dist;
  }
  return inertia;
}

/** New centroids as member means; an empty cluster takes the farthest not-yet-moved point. */
function update(ws: Workspace, k: number, assignments: Int32Array, distances: Float32Array, cosine: boolean): Matrix {
  const { x } = ws;
  const d = x.cols;
  const out = ws.dotter.groupSums(assignments, k);
  const counts = new Int32Array(k);
  for (let i = 0; i < x.rows; i++) counts[assignments[i]]++;
  let farthest: number[] | null = null;
  let nextFar = 0;
  for (let c = 0; c < k; c++) {
    if (counts[c] === 0) {
      farthest ??= Array.from({ length: x.rows }, (_, i) => i).sort((a, b) => distances[b] - distances[a]);
      const pick = farthest[Math.min(nextFar++, farthest.length - 1)];
      out.set(x.data.subarray(pick * d, (pick + 1) * d), c * d);
      continue;
    }
    const inv = 1 / counts[c];
    for (let j = 0; j < d; j++) out[c * d + j] *= inv;
  }
  const centroids = { data: out, rows: k, cols: d };
  return cosine ? normalizeRows(centroids) : centroids;
}

/** Mean per-feature variance, from the row norms and the mean row (sklearn scales tol by it). */
function meanVariance(ws: Workspace): number {
  const { x, xNorms } = ws;
  const mean = ws.dotter.groupSums(new Int32Array(x.rows), 1);
  let meanSq = 0;
  for (let j = 0; j < x.cols; j++) meanSq += (mean[j] / x.rows) ** 2;
  let total = 0;
  for (let i = 0; i < x.rows; i++) total += xNorms[i];
  return Math.max(0, total / x.rows - meanSq) / Math.max(1, x.cols);
}

function shift(a: Matrix, b: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) {
    const diff = a.data[i] - b.data[i];
    s += diff * diff;
  }
  return s;
}

/** Clusters the rows of `data` into at most k groups. Deterministic under `seed`. */
export function kmeans(data: Matrix, k: number, options: Partial<KMeansOptions> = {}): KMeansResult {
  const opts: KMeansOptions = { ...defaultKMeansOptions, ...options };
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const n = data.rows;
  if (n === 0) {
    return { centroids: { data: new Float32Array(0), rows: 0, cols: data.cols }, assignments: new Int32Array(0), distances: new Float32Array(0), iterations: 0, inertia: 0, converged: true };
  }
  const cosine = opts.distance === 'cosine';
  const x = cosine ? normalizeRows(data, opts.overwriteData) : data;
  const kk = Math.min(k, n);
  const rng = createRng(opts.seed);
  const ws: Workspace = { x, xNorms: rowSquaredNorms(x), dotter: new RowDotter(x), products: new Float32Array(n * kk) };
  let centroids: Matrix;
  const init = opts.initialization;
  if (typeof init === 'object') {
    if (init.cols !== data.cols || init.rows !== kk) throw new RangeError(`initial centroids must be ${kk} x ${data.cols}`);
    centroids = cosine ? normalizeRows(init) : init;
  } else if (init === 'random') {
    centroids = takeRows(x, randomDistinct(n, kk, rng));
  } else {
    const trials = opts.localTrials > 0 ? opts.localTrials : 2 + Math.floor(Math.log(kk));
    centroids = takeRows(x, seedPlusPlus(ws, kk, trials, rng));
  }
  const tolerance = opts.tolerance * meanVariance(ws);
  const assignments = new Int32Array(n);
  const previous = new Int32Array(n).fill(-1);
  const distances = new Float32Array(n);
  let inertia = 0;
  let iterations = 0;
  let converged = false;
  let fresh = false;
  while (iterations < opts.maxIterations) {
    inertia = assign(ws, centroids, assignments, distances);
    iterations++;
    let same = true;
    for (let i = 0; i < n && same; i++) same = assignments[i] === previous[i];
    if (same) {
      converged = true;
      fresh = true;
      break;
    }
    previous.set(assignments);
    const next = update(ws, kk, assignments, distances, cosine);
    const moved = shift(centroids, next);
    centroids = next;
    if (moved <= tolerance) {
      converged = true;
      break;
    }
  }
  // Like sklearn: the labels returned must match the centroids returned.
  if (!fresh) inertia = assign(ws, centroids, assignments, distances);
  return { centroids, assignments, distances, iterations, inertia, converged };
}
