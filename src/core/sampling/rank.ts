import type { Rng } from '../random';

/**
 * Indices of the `count` highest scores, best first. Ties are broken by a seeded random key so
 * equal scores (an unfitted model, duplicate items) do not always favour the start of the pool.
 * O(n log n) on a typed index array; no per-item objects.
 */
export function topIndices(scores: ArrayLike<number>, count: number, rng: Rng, exclude?: ReadonlySet<number>): number[] {
  const n = scores.length;
  const take = Math.max(0, Math.min(count, n));
  if (take === 0) return [];
  // Only items at or above the take-th largest score can win: find that cut with a native typed
  // sort, then order just those (a 100,000-item pool sorts ~10,000 objects instead of 100,000).
  let cut = -Infinity;
  if (!exclude || exclude.size === 0) {
    const sorted = Float64Array.from({ length: n }, (_, i) => (Number.isNaN(scores[i]) ? -Infinity : scores[i])).sort();
    cut = sorted[n - take];
  }
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (scores[i] >= cut && !exclude?.has(i) && !Number.isNaN(scores[i])) order.push(i);
  const tie = new Map<number, number>();
  for (const i of order) tie.set(i, rng.next());
  order.sort((a, b) => scores[b] - scores[a] || (tie.get(a) ?? 0) - (tie.get(b) ?? 0));
  return order.slice(0, take);
}

/** Formats a score for a reason sentence. */
export function fmt(value: number): string {
  return value.toFixed(2);
}
