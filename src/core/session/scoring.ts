/**
 * Scoring a new head: predictions over every item (in chunks, so a worker stays responsive),
 * metrics on the labeled evaluation items, the stop set's decisions for the stopping signal, and
 * one item's prediction as the page shows it.
 */
import { multiLabelMetrics, singleLabelMetrics, type Metrics } from '../evaluation/metrics';
import { rowsView, takeRows } from '../math/matrix';
import type { ClassifierHead, Prediction } from '../model/types';
import type { LabelMode, Matrix } from '../types';
import type { ClassMap } from './targets';

export interface ItemPrediction {
  /** The most probable label (single/binary) or the most probable of the predicted set (multi). */
  readonly label: string;
  readonly confidence: number;
  /** Multi-label: every label at or above 0.5. */
  readonly labels?: readonly string[];
}

/** The head's guess for `row`: its most probable class of `classes`, and in multi mode every one at or above 0.5. */
export function predictionAt(scores: PoolScores, row: number, classes: readonly string[], mode: LabelMode): ItemPrediction {
  const k = scores.classes;
  let best = 0;
  for (let c = 1; c < k; c++) if ((scores.probs[row * k + c] as number) > (scores.probs[row * k + best] as number)) best = c;
  const confidence = scores.probs[row * k + best] as number;
  if (mode !== 'multi') return { label: classes[best] as string, confidence };
  const labels = classes.filter((_, c) => (scores.probs[row * k + c] as number) >= 0.5);
  return { label: classes[best] as string, confidence, labels };
}

/** Every item's probabilities and logits (rows x classes), and hidden activations for MLP heads. */
export class PoolScores {
  constructor(
    readonly classes: number,
    readonly probs: Float32Array,
    readonly logits: Float32Array,
    readonly hidden: Matrix,
  ) {}

  /**
   * The prediction restricted to `rows`, in that order (what a strategy gets with its pool). When
   * the hidden activations are the model's input (a logistic head) and the caller already holds
   * those rows packed (`input.of` taken at `rows` is `input.taken`), that matrix is shared rather
   * than copying the embeddings once more.
   */
  slice(rows: readonly number[], input?: { readonly of: Matrix; readonly taken: Matrix }): Prediction {
    const pick = (src: Float32Array, cols: number): Matrix => {
      const data = new Float32Array(rows.length * cols);
      for (let i = 0; i < rows.length; i++) {
        const from = (rows[i] as number) * cols;
        for (let c = 0; c < cols; c++) data[i * cols + c] = src[from + c] as number;
      }
      return { data, rows: rows.length, cols };
    };
    const shared = input !== undefined && input.of === this.hidden && input.taken.rows === rows.length;
    return {
      probs: pick(this.probs, this.classes),
      logits: pick(this.logits, this.classes),
      hidden: shared ? input.taken : takeRows(this.hidden, rows),
    };
  }
}

/** Predicts all rows of `x`, yielding after each chunk. */
export function* predictAll(head: ClassifierHead, x: Matrix, chunkRows: number): Generator<void, PoolScores> {
  const k = head.classes.length;
  const probs = new Float32Array(x.rows * k);
  const logits = new Float32Array(x.rows * k);
  let hidden: Float32Array | undefined;
  let hiddenCols = x.cols;
  for (let start = 0; start < x.rows; start += chunkRows) {
    const end = Math.min(x.rows, start + chunkRows);
    // A view, not a copy: float32 rows are read in place, an int8 pool's rows as stored (math/product.ts).
    const chunk = rowsView(x, start, end);
    const p = head.predict(chunk);
    probs.set(p.probs.data, start * k);
    logits.set(p.logits.data, start * k);
    // A logistic head's "hidden" is its input: share the embeddings instead of copying them.
    if (head.kind === 'mlp') {
      hiddenCols = p.hidden.cols;
      hidden ??= new Float32Array(x.rows * hiddenCols);
      hidden.set(p.hidden.data, start * hiddenCols);
    }
    if (end < x.rows) yield;
  }
  const hiddenMatrix: Matrix = hidden === undefined ? x : { data: hidden, rows: x.rows, cols: hiddenCols };
  return new PoolScores(k, probs, logits, hiddenMatrix);
}

/**
 * Scores `rows` of `x` under `head` into `scores`, in place: rows whose vectors arrived after the
 * pool was scored (a pool still embedding in the background). No-op when the two disagree on classes.
 */
export function scoreRows(head: ClassifierHead, x: Matrix, rows: readonly number[], scores: PoolScores): void {
  const k = scores.classes;
  if (rows.length === 0 || head.classes.length !== k) return;
  const p = head.predict(takeRows(x, rows));
  // A logistic head's hidden matrix is the embeddings themselves, already up to date.
  const hidden = scores.hidden === x ? undefined : scores.hidden;
  rows.forEach((row, i) => {
    scores.probs.set(p.probs.data.subarray(i * k, (i + 1) * k), row * k);
    scores.logits.set(p.logits.data.subarray(i * k, (i + 1) * k), row * k);
    if (hidden !== undefined && p.hidden.cols === hidden.cols) {
      hidden.data.set(p.hidden.data.subarray(i * hidden.cols, (i + 1) * hidden.cols), row * hidden.cols);
    }
  });
}

/** Metrics on the labeled evaluation rows; null when none are labeled. */
export function scoreVersion(
  scores: PoolScores,
  evalRows: readonly number[],
  labelsOf: (row: number) => readonly string[],
  classMap: ClassMap,
): Metrics | null {
  if (evalRows.length === 0) return null;
  const k = scores.classes;
  const classes = classMap.classes.slice(0, k);
  if (classMap.mode === 'multi') {
    const truth = new Uint8Array(evalRows.length * k);
    const predicted = new Uint8Array(evalRows.length * k);
    evalRows.forEach((row, i) => {
      const t = new Uint8Array(classMap.classes.length);
      classMap.fillRow(labelsOf(row), t, 0);
      for (let c = 0; c < k; c++) {
        truth[i * k + c] = t[c] as number;
        predicted[i * k + c] = (scores.probs[row * k + c] as number) >= 0.5 ? 1 : 0;
      }
    });
    return multiLabelMetrics(truth, predicted, classes);
  }
  const truth: number[] = [];
  const predicted: number[] = [];
  for (const row of evalRows) {
    const t = classMap.classOf(labelsOf(row));
    // A label the model has no class for yet (added after training) cannot be scored.
    if (t < 0 || t >= k) continue;
    truth.push(t);
    predicted.push(argmax(scores.probs, row * k, k));
  }
  if (truth.length === 0) return null;
  return singleLabelMetrics(truth, predicted, classes);
}

/** The stop set's decisions: class indices, or flattened 0/1 decisions for multi-label. */
export function stopSetDecisions(scores: PoolScores, rows: Int32Array, mode: LabelMode): Int32Array {
  const k = scores.classes;
  if (mode !== 'multi') return rows.map((row) => argmax(scores.probs, row * k, k));
  const out = new Int32Array(rows.length * k);
  rows.forEach((row, i) => {
    for (let c = 0; c < k; c++) out[i * k + c] = (scores.probs[row * k + c] as number) >= 0.5 ? 1 : 0;
  });
  return out;
}

export function argmax(values: Float32Array, offset: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if ((values[offset + c] as number) > (values[offset + best] as number)) best = c;
  return best;
}
