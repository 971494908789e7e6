/**
 * The per-item review numbers, computed in bounded steps so a worker can answer label writes
 * between them: the top-k predictions of every item, and the suspected label errors of the
 * labeled items by out-of-fold confident learning (labelErrors.ts: the same folds, thresholds and
 * ranking, one fold per step).
 */
import { findLabelErrors, stratifiedFolds, takeRows, type FitPredict, type SuspectedLabelError } from '../evaluation/labelErrors';
import { createRng, shuffled } from '../random';
import type { Matrix } from '../types';

export interface SuspectOptions {
  readonly folds: number;
  readonly seed: number;
  /**
   * Labeled rows judged at most: above this, a seeded sample of this many is judged (each fold
   * trains on the rest of the sample). Bounds the work on very large labeled sets.
   */
  readonly maxRows: number;
}

export const defaultSuspectOptions: SuspectOptions = { folds: 5, seed: 0, maxRows: 20_000 };

/**
 * Suspects among the labeled rows `x`/`y` (rows relative to `x`), one fold trained per step.
 * Fewer than two classes with two examples each: nothing can be judged, so no suspects.
 */
export function* suspectSteps(
  x: Matrix,
  y: Int32Array,
  classCount: number,
  fit: FitPredict,
  options: Partial<SuspectOptions> = {},
): Generator<void, SuspectedLabelError[]> {
  const o = { ...defaultSuspectOptions, ...options };
  if (x.rows !== y.length) throw new RangeError(`x has ${x.rows} rows but y has ${y.length}`);
  let rows = Array.from({ length: y.length }, (_, i) => i);
  if (rows.length > o.maxRows) rows = shuffled(rows, createRng(o.seed ^ 0x51ec)).slice(0, o.maxRows).sort((a, b) => a - b);
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(y[r] as number, (counts.get(y[r] as number) ?? 0) + 1);
  if ([...counts.values()].filter((n) => n >= 2).length < 2) return [];
  const xs = rows.length === y.length ? x : takeRows(x, rows);
  const ys = Int32Array.from(rows, (r) => y[r] as number);
  const folds = Math.max(2, Math.min(o.folds, ys.length));
  const fold = stratifiedFolds(ys, folds, o.seed);
  const probs = new Float32Array(ys.length * classCount);
  for (let f = 0; f < folds; f++) {
    const test: number[] = [];
    const train: number[] = [];
    fold.forEach((g, i) => (g === f ? test : train).push(i));
    if (test.length === 0) continue;
    const p = fit(takeRows(xs, train), Int32Array.from(train, (i) => ys[i] as number), takeRows(xs, test));
    test.forEach((row, k) => probs.set(p.data.subarray(k * classCount, (k + 1) * classCount), row * classCount));
    yield;
  }
  return findLabelErrors({ data: probs, rows: ys.length, cols: classCount }, ys).map((s) => ({ ...s, row: rows[s.row] as number }));
}

/** The `k` most probable classes of each row (index -1 and probability 0 when fewer classes). */
export function topK(probs: Matrix, k: number, top: Int16Array, out: Float32Array, firstRow = 0): void {
  const c = probs.cols;
  for (let r = 0; r < probs.rows; r++) {
    const base = r * c;
    const o = (firstRow + r) * k;
    for (let j = 0; j < k; j++) {
      top[o + j] = -1;
      out[o + j] = 0;
    }
    for (let cls = 0; cls < c; cls++) {
      const p = probs.data[base + cls] as number;
      for (let j = 0; j < k; j++) {
        if (top[o + j] === -1 || p > (out[o + j] as number)) {
          for (let m = k - 1; m > j; m--) {
            top[o + m] = top[o + m - 1] as number;
            out[o + m] = out[o + m - 1] as number;
          }
          top[o + j] = cls;
          out[o + j] = p;
          break;
        }
      }
    }
  }
}
