import { stackRows, takeRows } from '../math/matrix';
import { applyPlatt, fitPlatt, type PlattFit } from '../model/platt';
import { trainHead } from '../model/train';
import { createRng } from '../random';
import type { Matrix } from '../types';
import { fmt } from './rank';
import { budgetEpochs, ERROR_HEAD_BUDGET } from './transferBudget';

/**
 * The error head of active transfer learning, and what it may claim.
 *
 * The head is trained with class weighting (so rare errors are learnt at all), which makes its raw
 * P(incorrect) far too high: it said "P(error) 1.00" on items the model got right. Its order is
 * useful; its numbers are not. So:
 *   - pool items are ranked by the raw score of the head trained on every outcome (unchanged);
 *   - the number shown is Platt-calibrated (see `model/platt`) on the head's *out-of-fold* logits:
 *     stratified k-fold over the labeled outcomes, each fold scored by a head that did not see it;
 *   - with fewer than MIN_CALIBRATION_OUTCOMES errors or correct predictions out of fold, no
 *     probability is shown, only a rank ("rank 3 of 1,200 by error score").
 * Platt's slope is kept >= 0, so calibration never reorders one head's items.
 */

/** Out-of-fold errors, and correct predictions, each needed before a P(error) is shown. */
export const MIN_CALIBRATION_OUTCOMES = 5;
const CALIBRATION_FOLDS = 5;
const ERROR_CLASSES = ['correct', 'incorrect'] as const;
/** Epochs of an error head on a few hundred rows; more rows get a step budget (`transferBudget`). */
const ERROR_HEAD_EPOCHS = 60;

export interface ErrorScores {
  /** Logit of P(incorrect) from the head trained on every row: the ranking (higher = likelier wrong). */
  readonly logit: Float32Array;
  /** Calibrated P(error) per pool item; null when too few outcomes to calibrate. */
  readonly calibrated: Float32Array | null;
  readonly fit: PlattFit | null;
  /** True out-of-fold outcomes behind the head: errors and correct predictions. */
  readonly errors: number;
  readonly correct: number;
}

function trainErrorHead(hidden: Matrix, errors: ArrayLike<number>, seed: number) {
  // Class weighting plays the part of the reference's balanced 100 correct + 100 incorrect per epoch.
  return trainHead(hidden, { kind: 'single', y: Int32Array.from(errors) }, ERROR_CLASSES, 'binary', {
    kind: 'logistic',
    epochs: budgetEpochs(hidden.rows, ERROR_HEAD_EPOCHS, ERROR_HEAD_BUDGET),
    learningRate: 0.05,
    classWeighting: true,
    seed,
  });
}

/**
 * logit(P(incorrect)) of a two-class softmax head: the difference of its two logits, computed as
 * one dot product with the difference of its two weight rows (no probabilities or copies of the
 * 50,000-row candidate features are needed for a ranking).
 */
function errorLogits(head: ReturnType<typeof trainErrorHead>, x: Matrix): Float32Array {
  const d = x.cols;
  const { w2, b2 } = head.parameters;
  const w = Float32Array.from({ length: d }, (_, j) => w2[d + j] - w2[j]);
  const b = b2[1] - b2[0];
  const X = x.data;
  const out = new Float32Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    const o = i * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += X[o + j] * w[j];
    out[i] = s + b;
  }
  return out;
}

/**
 * Out-of-fold error logits of the first `outcomes` rows (the true outcomes). Folds are stratified,
 * so every training fold holds both outcomes; rows from `outcomes` on (ATLAS's "seen" picks) only
 * ever train.
 */
export function outOfFoldErrorLogits(hidden: Matrix, errors: Uint8Array, outcomes: number, seed: number, folds = CALIBRATION_FOLDS): Float32Array {
  const rng = createRng(seed ^ 0x5bd1e995);
  const fold = new Int32Array(outcomes);
  for (const kind of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < outcomes; i++) if (errors[i] === kind) rows.push(i);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    rows.forEach((row, i) => (fold[row] = i % folds));
  }
  const out = new Float32Array(outcomes);
  const extra = Array.from({ length: errors.length - outcomes }, (_, i) => outcomes + i);
  for (let f = 0; f < folds; f++) {
    const held: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < outcomes; i++) (fold[i] === f ? held : train).push(i);
    if (held.length === 0) continue;
    train.push(...extra);
    const head = trainErrorHead(takeRows(hidden, train), train.map((r) => errors[r]), seed + 101 * (f + 1));
    const scores = errorLogits(head, takeRows(hidden, held));
    held.forEach((row, i) => (out[row] = scores[i]));
  }
  return out;
}

/**
 * Error scores of every pool item from an error head trained on (hidden, error) pairs; null when
 * the true outcomes hold only one kind (nothing to learn). Rows of `hidden` from `outcomes` on are
 * extra training rows without a true outcome (ATLAS); calibration uses only the true outcomes.
 */
export function scoreErrors(hidden: Matrix, errors: Uint8Array, poolHidden: Matrix, seed: number, outcomes = errors.length): ErrorScores | null {
  let wrong = 0;
  for (let i = 0; i < outcomes; i++) wrong += errors[i];
  const correct = outcomes - wrong;
  if (wrong === 0 || correct === 0) return null;
  const logit = errorLogits(trainErrorHead(hidden, errors, seed), poolHidden);
  let fit: PlattFit | null = null;
  let calibrated: Float32Array | null = null;
  if (wrong >= MIN_CALIBRATION_OUTCOMES && correct >= MIN_CALIBRATION_OUTCOMES) {
    const oof = outOfFoldErrorLogits(hidden, errors, outcomes, seed);
    if (oof.every(Number.isFinite)) {
      fit = fitPlatt(oof, errors.subarray(0, outcomes));
      const f = fit;
      calibrated = Float32Array.from(logit, (s) => (Number.isFinite(s) ? applyPlatt(f, s) : Number.NaN));
    }
  }
  return { logit, calibrated, fit, errors: wrong, correct };
}

/** The reason's score and sentence for the pool item at `index`, ranked `rank` (1-based) of `of`. */
export function describeError(scores: ErrorScores, index: number, rank: number, of: number): { score: number; detail: string } {
  if (scores.calibrated) {
    const p = scores.calibrated[index];
    return { score: p, detail: `Model likely wrong here: P(error) ${fmt(p)} (calibrated on ${scores.errors + scores.correct} out-of-fold outcomes)` };
  }
  const count = (n: number): string => n.toLocaleString('en-US');
  const need = MIN_CALIBRATION_OUTCOMES;
  return {
    score: scores.logit[index],
    detail:
      `Model likely wrong here: rank ${count(rank)} of ${count(of)} by error score ` +
      `(no P(error) yet: ${scores.errors} wrong and ${scores.correct} right out of fold, ${need} of each needed)`,
  };
}

/** Appends rows to a matrix (ATLAS's "seen" picks). */
export function appendRows(base: Matrix, from: Matrix, rows: readonly number[]): Matrix {
  return stackRows([base, takeRows(from, rows)], base.cols);
}
