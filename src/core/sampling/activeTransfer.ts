import { takeRows } from '../math/matrix';
import type { DenseHead } from '../model/head';
import { resolveHeadOptions } from '../model/options';
import { trainHead } from '../model/train';
import type { HeadOptions, Prediction, Targets } from '../model/types';
import { createRng, type Rng } from '../random';
import type { LabelMode, Matrix, RankedItem } from '../types';
import { appendRows, describeError, scoreErrors } from './errorHead';
import { fmt, topIndices } from './rank';
import { budgetEpochs, MLP_BUDGET } from './transferBudget';
import { transferCandidates } from './transferPool';
import { uncertaintyScores } from './uncertainty';

/**
 * Active transfer learning for uncertainty (Monarch, ch. 5): learn where the model is wrong, then
 * ask for labels there.
 *   1. Out-of-fold predictions for every labeled item (k-fold: no labels spent on a validation split).
 *   2. Each one is marked correct or incorrect.
 *   3. A small binary head on the main model's hidden layer learns to predict "incorrect".
 *   4. Pool items are ranked by the error head's score, highest first. (The reference ranks by
 *      P(correct) through a string/int comparison bug; a unit test pins our direction.) The number
 *      shown is calibrated on out-of-fold outcomes, or a rank when they are too few (`errorHead`).
 * The main model is an MLP trained on all labels, so the error head sees the same representation
 * for labeled and pool items. On a pool above TRANSFER_POOL_ROWS the hidden layer, and so the
 * ranking, covers a candidate subpool (`transferPool`: the most uncertain half plus a uniform half).
 */
export interface ActiveTransferInput {
  readonly pool: Matrix;
  readonly labeled: Matrix;
  readonly targets: Targets;
  readonly classes: readonly string[];
  readonly mode: LabelMode;
  readonly headOptions?: Partial<HeadOptions>;
  readonly seed: number;
  /** Folds for the out-of-fold predictions (default 5, fewer when labels are scarce). */
  readonly folds?: number;
  /** The main model's prediction over `pool` (rows align): picks the uncertain half of the subpool. */
  readonly poolProbs?: Matrix;
  /** Candidate subpool size on a large pool (default TRANSFER_POOL_ROWS). */
  readonly maxPoolRows?: number;
}

function targetsAt(targets: Targets, rows: readonly number[], classes: number): Targets {
  if (targets.kind === 'single') return { kind: 'single', y: Int32Array.from(rows, (r) => targets.y[r]) };
  const y = new Uint8Array(rows.length * classes);
  rows.forEach((r, i) => y.set(targets.y.subarray(r * classes, (r + 1) * classes), i * classes));
  return { kind: 'multi', y };
}

function isCorrect(pred: Prediction, row: number, targets: Targets, target: number, mode: LabelMode): boolean {
  const c = pred.probs.cols;
  const p = pred.probs.data.subarray(row * c, (row + 1) * c);
  if (targets.kind === 'multi' || mode === 'multi') {
    for (let k = 0; k < c; k++) if ((p[k] >= 0.5 ? 1 : 0) !== targets.y[target * c + k]) return false;
    return true;
  }
  let best = 0;
  for (let k = 1; k < c; k++) if (p[k] > p[best]) best = k;
  return best === targets.y[target];
}

/** Out-of-fold outcomes of the labeled items: 1 where the prediction is wrong, and its uncertainty. */
export interface OutOfFold {
  readonly errors: Uint8Array;
  /** Least-confidence uncertainty of each out-of-fold prediction (0 when n < 2). */
  readonly uncertainty: Float32Array;
}

/** The MLP recipe of every fold model and the full model: the head options, epochs by step budget. */
function mlpOptions(input: ActiveTransferInput, rows: number, seed: number): Partial<HeadOptions> {
  const o = resolveHeadOptions({ ...input.headOptions, kind: 'mlp', seed });
  return { ...o, epochs: budgetEpochs(rows, o.epochs, MLP_BUDGET, o.batchSize) };
}

/** k-fold predictions of every labeled item by a model that did not train on it. */
export function outOfFold(input: ActiveTransferInput, rng: Rng): OutOfFold {
  const n = input.labeled.rows;
  const errors = new Uint8Array(n);
  const uncertainty = new Float32Array(n);
  const folds = Math.max(2, Math.min(input.folds ?? 5, n));
  if (n < 2) return { errors, uncertainty };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const c = input.classes.length;
  for (let f = 0; f < folds; f++) {
    const held = order.filter((_, i) => i % folds === f);
    const train = order.filter((_, i) => i % folds !== f);
    const model = trainHead(takeRows(input.labeled, train), targetsAt(input.targets, train, c), input.classes, input.mode, mlpOptions(input, train.length, input.seed + f));
    const pred = model.predict(takeRows(input.labeled, held));
    const u = uncertaintyScores(pred.probs, input.mode, 'least-confidence');
    held.forEach((row, i) => {
      errors[row] = isCorrect(pred, i, input.targets, row, input.mode) ? 0 : 1;
      uncertainty[row] = u[i];
    });
  }
  return { errors, uncertainty };
}

/**
 * What the error head reads: the hidden vector scaled to unit length, plus the model's own
 * uncertainty as one more column. Unit length keeps items with large activations (long emails)
 * from getting extreme P(error) just by their norm; the uncertainty column lets the head learn
 * "wrong where unsure, in this region" instead of "wrong = looks like the class that was missed".
 * Labeled rows take their out-of-fold uncertainty, pool rows the full model's, so both are
 * predictions on items the model did not train on.
 */
export function errorFeatures(hidden: Matrix, uncertainty: ArrayLike<number>): Matrix {
  const d = hidden.cols;
  const cols = d + 1;
  const out = new Float32Array(hidden.rows * cols);
  for (let i = 0; i < hidden.rows; i++) {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += hidden.data[i * d + j] * hidden.data[i * d + j];
    const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let j = 0; j < d; j++) out[i * cols + j] = hidden.data[i * d + j] * inv;
    out[i * cols + d] = uncertainty[i];
  }
  return { data: out, rows: hidden.rows, cols };
}

/** The main MLP plus what the error head trains on. */
export interface TransferState {
  readonly model: DenseHead;
  /** Error-head inputs (see `errorFeatures`) of the labeled items and of the pool. */
  readonly labeledHidden: Matrix;
  readonly poolHidden: Matrix;
  readonly poolPrediction: Prediction;
  readonly errors: Uint8Array;
  /** Pool rows of poolHidden's rows (ascending), or null when they are the whole pool in order. */
  readonly candidates: Int32Array | null;
}

/** The pool row of a candidate (a row of `state.poolHidden`). */
function poolRow(state: TransferState, local: number): number {
  return state.candidates ? (state.candidates[local] as number) : local;
}

export function prepareTransfer(input: ActiveTransferInput): TransferState {
  const rng = createRng(input.seed);
  const oof = outOfFold(input, rng);
  const model = trainHead(input.labeled, input.targets, input.classes, input.mode, mlpOptions(input, input.labeled.rows, input.seed));
  const candidates = transferCandidates(input.pool.rows, { seed: input.seed, maxRows: input.maxPoolRows, poolProbs: input.poolProbs, mode: input.mode });
  const poolPrediction = model.predict(candidates ? takeRows(input.pool, candidates) : input.pool);
  const poolUncertainty = uncertaintyScores(poolPrediction.probs, input.mode, 'least-confidence');
  return {
    model,
    labeledHidden: errorFeatures(model.hidden(input.labeled), oof.uncertainty),
    poolHidden: errorFeatures(poolPrediction.hidden, poolUncertainty),
    poolPrediction,
    errors: oof.errors,
    candidates,
  };
}

function fallback(state: TransferState, mode: LabelMode, batchSize: number, strategy: string, rng: Rng, exclude: ReadonlySet<number>, reason?: string): RankedItem[] {
  const scores = uncertaintyScores(state.poolPrediction.probs, mode, 'least-confidence');
  const allRight = state.errors.every((e) => e === 0);
  const why = reason ?? (allRight ? 'no out-of-fold errors to learn from' : 'every out-of-fold prediction was wrong');
  return topIndices(scores, batchSize, rng, exclude).map((local) => ({
    index: poolRow(state, local),
    reason: { strategy, score: scores[local], detail: `Uncertain: least confidence ${fmt(scores[local])} (${why}, so no error model)` },
  }));
}

/** Active transfer learning: pool items ranked by the error head's score, highest first, with a calibrated P(error) or a rank. */
export function activeTransferSampling(input: ActiveTransferInput, batchSize: number, rng: Rng, state = prepareTransfer(input)): RankedItem[] {
  if (input.pool.rows === 0 || batchSize <= 0) return [];
  const scores = scoreErrors(state.labeledHidden, state.errors, state.poolHidden, input.seed);
  if (!scores) return fallback(state, input.mode, batchSize, 'active-transfer', rng, new Set());
  return topIndices(scores.logit, batchSize, rng).map((local, i) => ({
    index: poolRow(state, local),
    reason: { strategy: 'active-transfer', ...describeError(scores, local, i + 1, state.poolHidden.rows) },
  }));
}

/**
 * ATLAS: active transfer learning in steps (default 10 items). After each step the picked items
 * join the error head's training data as "seen" (counted correct), so the next step looks elsewhere.
 * They only train: each step's P(error) is calibrated on the true out-of-fold outcomes alone.
 */
export function atlasSampling(input: ActiveTransferInput, batchSize: number, rng: Rng, step = 10, state = prepareTransfer(input)): RankedItem[] {
  if (input.pool.rows === 0 || batchSize <= 0) return [];
  /** Candidates (rows of state.poolHidden) already picked. */
  const picked = new Set<number>();
  const out: RankedItem[] = [];
  const outcomes = state.errors.length;
  let hidden = state.labeledHidden;
  let errors = state.errors;
  const want = Math.min(batchSize, state.poolHidden.rows);
  for (let round = 1; out.length < want; round++) {
    const scores = scoreErrors(hidden, errors, state.poolHidden, input.seed + round, outcomes);
    const take = Math.min(step, want - out.length);
    if (!scores) {
      out.push(...fallback(state, input.mode, want - out.length, 'atlas', rng, picked));
      break;
    }
    const chosen = topIndices(scores.logit, take, rng, picked);
    // NaN scores (non-finite embeddings) rank nothing; without this the loop would never end.
    if (chosen.length === 0) {
      out.push(...fallback(state, input.mode, want - out.length, 'atlas', rng, picked, 'the error model gave no usable P(error)'));
      break;
    }
    for (const local of chosen) {
      picked.add(local);
      const { score, detail } = describeError(scores, local, out.length + 1, state.poolHidden.rows);
      out.push({ index: poolRow(state, local), reason: { strategy: 'atlas', score, detail: `${detail} (ATLAS step ${round})` } });
    }
    hidden = appendRows(hidden, state.poolHidden, chosen);
    const grown = new Uint8Array(errors.length + chosen.length);
    grown.set(errors);
    errors = grown;
  }
  return out;
}
