import type { Rng } from '../random';

/**
 * The k-th largest value (1-based) of `values`, by in-place quickselect (median-of-three pivots,
 * O(n) on average): the cut below which no top-k item can lie. `values` is reordered.
 */
export function kthLargest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = values.length - k; // index of the k-th largest in ascending order
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot keeps sorted and constant runs from going quadratic.
    const a = values[lo] as number;
    const b = values[mid] as number;
    const c = values[hi] as number;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target] as number;
  }
  return values[target] as number;
}

/**
 * The k-th largest of `values` (k >= 1), NaN counted as -Infinity as `cutOf` counts it, by a two-pass radix
 * select on the float32 bits: each value's bits, mapped so that unsigned order is numeric order,
 * are counted by their top 16 bits, then, inside the one bucket that holds the k-th, by their low 16
 * bits. Two sequential passes and no copy, against quickselect's float64 copy and random swaps; the
 * value is the same (the mapped order only splits -0 from +0, which compare equal).
 */
export function kthLargestFloat32(values: Float32Array, k: number): number {
  // Int32 throughout (no value above 2^31, which V8 would box): a float's bits as an int32, with
  // the lower 31 bits of negative floats flipped, order as the floats do.
  const bits = new Int32Array(values.buffer, values.byteOffset, values.length);
  const counts = new Int32Array(65536);
  let numbers = 0;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i] as number;
    if ((b & 0x7fffffff) > 0x7f800000) continue; // NaN
    counts[((b >= 0 ? b : b ^ 0x7fffffff) >> 16) + 32768]++;
    numbers++;
  }
  // Fewer numbers than k: the k-th largest is one of the NaNs, which rank as -Infinity.
  if (k > numbers) return -Infinity;
  let rest = k;
  let high = 65535;
  for (; high > 0 && (counts[high] as number) < rest; high--) rest -= counts[high] as number;
  counts.fill(0);
  const top = high - 32768;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i] as number;
    if ((b & 0x7fffffff) > 0x7f800000) continue;
    const key = b >= 0 ? b : b ^ 0x7fffffff;
    if (key >> 16 === top) counts[key & 0xffff]++;
  }
  let low = 65535;
  for (; low > 0 && (counts[low] as number) < rest; low--) rest -= counts[low] as number;
  const key = (top << 16) | low;
  const out = new Int32Array(1);
  out[0] = key >= 0 ? key : key ^ 0x7fffffff;
  return new Float32Array(out.buffer)[0] as number;
}

function cutOf(scores: ArrayLike<number>, take: number): number {
  const n = scores.length;
  if (scores instanceof Float32Array) return kthLargestFloat32(scores, take);
  const copy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = scores[i] as number;
    copy[i] = Number.isNaN(s) ? -Infinity : s;
  }
  return kthLargest(copy, take);
}

/**
 * Indices of the `count` highest scores, best first. Ties are broken by a seeded random key so
 * equal scores (an unfitted model, duplicate items) do not always favour the start of the pool.
 * O(n) selection of the cut, then a sort of the items at or above it; no per-item objects.
 */
export function topIndices(scores: ArrayLike<number>, count: number, rng: Rng, exclude?: ReadonlySet<number>): number[] {
  const n = scores.length;
  const take = Math.max(0, Math.min(count, n));
  if (take === 0) return [];
  // Only items at or above the take-th largest score can win: find that cut by selection, then
  // order just those (a 100,000-item pool sorts ~10,000 indices instead of 100,000).
  const cut = !exclude || exclude.size === 0 ? cutOf(scores, take) : -Infinity;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (scores[i] >= cut && !exclude?.has(i) && !Number.isNaN(scores[i])) order.push(i);
  const tie = new Map<number, number>();
  for (const i of order) tie.set(i, rng.next());
  order.sort((a, b) => scores[b] - scores[a] || (tie.get(a) ?? 0) - (tie.get(b) ?? 0));
  return order.slice(0, take);
}

/**
 * The set of the `count` highest scores as ascending pool indices (unordered by score: for callers
 * that treat the top as a set, like clustered uncertainty). Items strictly above the cut all go in;
 * the remaining places go to a seeded uniform choice among the items tied at the cut, so ties do
 * not favour the start of the pool. NaN scores are never chosen. O(n); no sort.
 */
export function topSet(scores: ArrayLike<number>, count: number, rng: Rng): Int32Array {
  const n = scores.length;
  let valid = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(scores[i])) valid++;
  const take = Math.max(0, Math.min(count, valid));
  if (take === 0) return new Int32Array(0);
  const cut = cutOf(scores, take);
  const out = new Int32Array(take);
  let filled = 0;
  const tied: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = scores[i] as number;
    if (s > cut) out[filled++] = i;
    else if (s === cut) tied.push(i);
  }
  // Partial Fisher-Yates: a uniform choice of the tied items that fill the remaining places.
  const need = take - filled;
  for (let t = 0; t < need; t++) {
    const j = t + rng.int(tied.length - t);
    const v = tied[j] as number;
    tied[j] = tied[t] as number;
    tied[t] = v;
  }
  const chosen = tied.slice(0, need).sort((a, b) => a - b);
  // Merge the chosen ties into the ascending strict-top indices.
  const merged = new Int32Array(take);
  let a = 0;
  let b = 0;
  for (let w = 0; w < take; w++) {
    if (b >= chosen.length || (a < filled && (out[a] as number) < (chosen[b] as number))) merged[w] = out[a++] as number;
    else merged[w] = chosen[b++] as number;
  }
  return merged;
}

/** Formats a score for a reason sentence. */
export function fmt(value: number): string {
  return value.toFixed(2);
}
