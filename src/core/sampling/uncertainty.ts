import type { LabelMode, Matrix } from '../types';

/**
 * Uncertainty scores from a probability vector. In every score 1 means most uncertain and 0 most
 * confident; all are finite for any input in [0, 1] (p = 0 and p1 = 0 included) and n = 1 gives 0.
 */
export type UncertaintyMethod = 'least-confidence' | 'margin' | 'ratio' | 'entropy';

export const UNCERTAINTY_METHODS: readonly UncertaintyMethod[] = ['least-confidence', 'margin', 'ratio', 'entropy'];

/**
 * The two largest of p[from .. from + n), clipped at 0, into TOP (no allocation per row). Values go
 * in pairs: ordering a pair, then merging it into the two so far, takes fewer unpredictable
 * branches than one value at a time (a million-row pool is scored every batch); the two values are
 * the same either way.
 */
const TOP = new Float64Array(2);
function topTwo(p: ArrayLike<number>, from: number, n: number): Float64Array {
  let p1 = -Infinity;
  let p2 = -Infinity;
  const to = from + n;
  let i = from;
  for (; i + 1 < to; i += 2) {
    const x = p[i] as number;
    const y = p[i + 1] as number;
    const u = x > 0 ? x : 0;
    const v = y > 0 ? y : 0;
    const hi = u > v ? u : v;
    const lo = u > v ? v : u;
    if (hi > p1) {
      p2 = p1 > lo ? p1 : lo;
      p1 = hi;
    } else if (hi > p2) {
      p2 = hi;
    }
  }
  if (i < to) {
    const v = (p[i] as number) > 0 ? (p[i] as number) : 0;
    if (v > p1) {
      p2 = p1;
      p1 = v;
    } else if (v > p2) {
      p2 = v;
    }
  }
  TOP[0] = p1;
  TOP[1] = p2 === -Infinity ? 0 : p2;
  return TOP;
}

/** (1 - p1) * n / (n - 1). */
export function leastConfidence(p: ArrayLike<number>, from = 0, n = p.length - from): number {
  if (n <= 1) return 0;
  const p1 = topTwo(p, from, n)[0];
  return clamp01(((1 - p1) * n) / (n - 1));
}

/** 1 - (p1 - p2). */
export function margin(p: ArrayLike<number>, from = 0, n = p.length - from): number {
  if (n <= 1) return 0;
  const top = topTwo(p, from, n);
  return clamp01(1 - (top[0] - top[1]));
}

/** p2 / p1; an all-zero vector (p1 = 0) carries no preference, so it counts as fully uncertain. */
export function ratio(p: ArrayLike<number>, from = 0, n = p.length - from): number {
  if (n <= 1) return 0;
  const top = topTwo(p, from, n);
  return top[0] > 0 ? clamp01(top[1] / top[0]) : 1;
}

/** -sum(p log2 p) / log2 n, with 0 log 0 = 0. */
export function entropy(p: ArrayLike<number>, from = 0, n = p.length - from): number {
  if (n <= 1) return 0;
  let h = 0;
  for (let i = from; i < from + n; i++) {
    const v = p[i];
    if (v > 0) h -= v * Math.log2(v);
  }
  return clamp01(h / Math.log2(n));
}

function clamp01(v: number): number {
  if (!(v > 0)) return 0;
  return v < 1 ? v : 1;
}

const SCORERS: Record<UncertaintyMethod, (p: ArrayLike<number>, from: number, n: number) => number> = {
  'least-confidence': leastConfidence,
  margin,
  ratio,
  entropy,
};

/**
 * One score per row of `probs`. Multi-label rows hold independent sigmoids, so each label is scored
 * as its own binary distribution (p, 1 - p) and the item's score is the mean over labels: an item is
 * as uncertain as its average label decision.
 */
export function uncertaintyScores(probs: Matrix, mode: LabelMode, method: UncertaintyMethod): Float32Array {
  const out = new Float32Array(probs.rows);
  const c = probs.cols;
  const scorer = SCORERS[method];
  if (mode !== 'multi') {
    // One loop per scorer: a call site that sees one function gets it inlined.
    const { data, rows } = probs;
    switch (method) {
      case 'margin':
        for (let i = 0; i < rows; i++) out[i] = margin(data, i * c, c);
        return out;
      case 'least-confidence':
        for (let i = 0; i < rows; i++) out[i] = leastConfidence(data, i * c, c);
        return out;
      default:
        for (let i = 0; i < rows; i++) out[i] = scorer(data, i * c, c);
        return out;
    }
  }
  const pair = new Float64Array(2);
  for (let i = 0; i < probs.rows; i++) {
    let sum = 0;
    for (let k = 0; k < c; k++) {
      const p = probs.data[i * c + k];
      pair[0] = p;
      pair[1] = 1 - p;
      sum += scorer(pair, 0, 2);
    }
    out[i] = c > 0 ? sum / c : 0;
  }
  return out;
}
