/**
 * The review path behind `active-label review`: out-of-fold probabilities from the project's own
 * classifier head (./labelErrors does the k-fold), averaged over `repeats` different fold splits so
 * one unlucky split does not decide an item's fate, then every labeled item ranked by how likely its
 * label is wrong (./errorRanking). Pure: embeddings and class indices in, a ranking out.
 */
import { trainHead } from '../model/train';
import type { HeadOptions } from '../model/types';
import type { Matrix } from '../types';
import { type ErrorRankingOptions, type RankedLabelError, defaultErrorRankingOptions, rankLabelErrors } from './errorRanking';
import { type FitPredict, outOfFoldProbabilities } from './labelErrors';

export interface ReviewOptions {
  /** Folds per split (default 5). */
  readonly folds: number;
  /** Fold splits whose out-of-fold probabilities are averaged (default 2). */
  readonly repeats: number;
  readonly seed: number;
  /**
   * Head options for every fold's model (default: the interactive logistic head, unweighted).
   * Class weighting is off: the thresholds and scores compare probabilities across classes, and
   * inverse-frequency weights inflate a rare label's probabilities, so the rare label's correct
   * items crowd the list. 10 epochs instead of the interactive 20: stopping early keeps the head
   * from fitting the wrong labels of an item's neighbours (measured with bench/reviewTune.ts; see
   * docs/benchmarks.md, "Review: finding planted label errors").
   */
  readonly head: Partial<HeadOptions>;
  readonly ranking: Partial<ErrorRankingOptions>;
  /** Called after each fold model, for progress lines. */
  readonly onFold?: (done: number, total: number) => void;
}

export const defaultReviewOptions: Readonly<Omit<ReviewOptions, 'onFold'>> = {
  folds: 5,
  repeats: 2,
  seed: 0,
  head: { classWeighting: false, epochs: 10 },
  ranking: defaultErrorRankingOptions,
};

export interface ReviewResult {
  /** rows x classes, out of fold, averaged over the repeats. */
  readonly probs: Matrix;
  /** Every row, most likely mislabeled first. */
  readonly ranked: readonly RankedLabelError[];
  /** Rows confident learning flags. */
  readonly flagged: number;
}

/** Out-of-fold class probabilities from the logistic (or MLP) head, averaged over `repeats` splits. */
export function headOutOfFold(x: Matrix, y: Int32Array, classes: readonly string[], options: Partial<ReviewOptions> = {}): Matrix {
  const o = { ...defaultReviewOptions, ...options };
  if (!Number.isInteger(o.repeats) || o.repeats < 1) throw new RangeError(`repeats must be a positive integer, got ${o.repeats}`);
  const total = o.repeats * Math.max(2, Math.min(o.folds, x.rows));
  let done = 0;
  const sum = new Float32Array(x.rows * classes.length);
  for (let r = 0; r < o.repeats; r++) {
    const fit: FitPredict = (train, ty, test) => {
      const head = trainHead(train, { kind: 'single', y: ty }, classes, 'single', { ...defaultReviewOptions.head, ...o.head, seed: o.seed * 7919 + r * 101 + done });
      done++;
      options.onFold?.(done, total);
      return head.predict(test).probs;
    };
    const probs = outOfFoldProbabilities(x, y, classes.length, fit, { folds: o.folds, seed: o.seed + 1000 * r });
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (probs.data[i] as number) / o.repeats;
  }
  return { data: sum, rows: x.rows, cols: classes.length };
}

/** Trains on the given labels out of fold and ranks every item by how likely its label is wrong. */
export function reviewLabels(x: Matrix, y: Int32Array, classes: readonly string[], options: Partial<ReviewOptions> = {}): ReviewResult {
  if (classes.length < 2) throw new RangeError('reviewing labels needs at least two classes');
  if (x.rows !== y.length) throw new RangeError(`x has ${x.rows} rows but y has ${y.length}`);
  const probs = headOutOfFold(x, y, classes, options);
  const ranked = rankLabelErrors(probs, y, { ...defaultErrorRankingOptions, ...options.ranking });
  return { probs, ranked, flagged: ranked.filter((r) => r.flagged).length };
}
