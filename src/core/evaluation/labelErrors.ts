/**
 * Suspected label errors, in the spirit of confident learning (Northcutt et al. 2021, cleanlab):
 * 1. out-of-fold probabilities for every labeled item (k-fold, stratified), so no item is judged
 *    by a model that saw its own label;
 * 2. per-class thresholds t_j = mean P(j) over the items labeled j (the class's self-confidence);
 * 3. an item is suspect when P(given) < t_given while some other class j has P(j) >= t_j;
 *    the suggested label is the most probable such j;
 * 4. rank by how little the model believes the given label (score = 1 - P(given)).
 * Single-label and binary modes only: multi-label errors are not a single "other class".
 */
import { takeRows } from '../math/matrix';
import { createRng, shuffled } from '../random';
import type { Matrix } from '../types';

/** Trains on (train, y) and returns test's class probabilities (rows x classCount). */
export type FitPredict = (train: Matrix, y: Int32Array, test: Matrix) => Matrix;

export interface OutOfFoldOptions {
  /** Number of folds (default 5); reduced when there are fewer items. */
  readonly folds: number;
  readonly seed: number;
}

export interface SuspectedLabelError {
  /** Row in the inputs. */
  readonly row: number;
  readonly given: number;
  readonly suggested: number;
  /** 1 - P(given label), out of fold; higher = more suspicious. */
  readonly score: number;
  readonly givenProb: number;
  readonly suggestedProb: number;
}

/** Copy the given rows of a matrix into a new one (one definition: math/matrix.ts). */
export { takeRows };

/** Stratified fold assignment: each class's rows are shuffled and dealt round-robin. */
export function stratifiedFolds(y: Int32Array, folds: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const byClass = new Map<number, number[]>();
  y.forEach((c, i) => byClass.set(c, [...(byClass.get(c) ?? []), i]));
  const fold = new Int32Array(y.length);
  let offset = 0;
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    shuffled(byClass.get(c) as number[], rng).forEach((row, k) => {
      fold[row] = (k + offset) % folds;
    });
    // Continue the deal where the last class stopped, so small classes don't all land in fold 0.
    offset += (byClass.get(c) as number[]).length;
  }
  return fold;
}

/** Probabilities for every row from a model that never saw that row. */
export function outOfFoldProbabilities(
  x: Matrix,
  y: Int32Array,
  classCount: number,
  fit: FitPredict,
  options: Partial<OutOfFoldOptions> = {},
): Matrix {
  if (x.rows !== y.length) throw new RangeError(`x has ${x.rows} rows but y has ${y.length}`);
  const folds = Math.max(2, Math.min(options.folds ?? 5, x.rows));
  const out = new Float32Array(x.rows * classCount);
  if (x.rows < 2) return { data: out.fill(1 / Math.max(1, classCount)), rows: x.rows, cols: classCount };
  const fold = stratifiedFolds(y, folds, options.seed ?? 0);
  for (let f = 0; f < folds; f++) {
    const test: number[] = [];
    const train: number[] = [];
    fold.forEach((g, i) => (g === f ? test : train).push(i));
    if (test.length === 0) continue;
    const probs = fit(takeRows(x, train), Int32Array.from(train, (i) => y[i] as number), takeRows(x, test));
    test.forEach((row, k) => out.set(probs.data.subarray(k * classCount, (k + 1) * classCount), row * classCount));
  }
  return { data: out, rows: x.rows, cols: classCount };
}

/** Per-class thresholds: mean probability of class j over the items labeled j (NaN-free: 1 if none). */
export function perClassThresholds(probs: Matrix, y: Int32Array): Float64Array {
  const k = probs.cols;
  const sum = new Float64Array(k);
  const count = new Float64Array(k);
  y.forEach((c, i) => {
    sum[c] += probs.data[i * k + c] as number;
    count[c]++;
  });
  return sum.map((s, c) => ((count[c] as number) > 0 ? s / (count[c] as number) : 1));
}

/** Rank the labeled rows that are likely mislabeled, most suspicious first. */
export function findLabelErrors(probs: Matrix, y: Int32Array): SuspectedLabelError[] {
  const k = probs.cols;
  const t = perClassThresholds(probs, y);
  const out: SuspectedLabelError[] = [];
  for (let i = 0; i < y.length; i++) {
    const given = y[i] as number;
    const row = probs.data.subarray(i * k, (i + 1) * k);
    const givenProb = row[given] as number;
    if (givenProb >= (t[given] as number)) continue;
    let suggested = -1;
    for (let j = 0; j < k; j++) {
      if (j === given || (row[j] as number) < (t[j] as number)) continue;
      if (suggested < 0 || (row[j] as number) > (row[suggested] as number)) suggested = j;
    }
    if (suggested < 0) continue;
    out.push({ row: i, given, suggested, score: 1 - givenProb, givenProb, suggestedProb: row[suggested] as number });
  }
  return out.sort((a, b) => b.score - a.score || a.row - b.row);
}
