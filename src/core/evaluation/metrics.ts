/**
 * Classification metrics on the held-out evaluation items.
 *
 * Single-label (and binary) predictions are class indices; multi-label ones are rows x classes 0/1
 * matrices. Macro averages run over the classes that occur in the truth or the predictions (as
 * scikit-learn does), so a class nobody has labeled yet does not drag the average to zero.
 */

export interface ClassMetrics {
  readonly label: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Items whose true labels include this class. */
  readonly support: number;
}

export interface Metrics {
  /** Items scored. */
  readonly evaluated: number;
  /** Single-label: share correct. Multi-label: exact-match (subset) accuracy. */
  readonly accuracy: number;
  readonly macroF1: number;
  /** Multi-label only: F1 over all (item, label) decisions pooled. */
  readonly microF1?: number;
  readonly perClass: readonly ClassMetrics[];
  /** Single-label only: confusion[true][predicted]. */
  readonly confusion?: readonly (readonly number[])[];
  readonly classes: readonly string[];
}

/** 0 instead of NaN when the denominator is empty. */
const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);
const f1Of = (p: number, r: number): number => (p + r > 0 ? (2 * p * r) / (p + r) : 0);

function classMetrics(label: string, tp: number, fp: number, fn: number): ClassMetrics {
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return { label, precision, recall, f1: f1Of(precision, recall), support: tp + fn };
}

function macro(perClass: readonly ClassMetrics[], predictedCount: readonly number[]): number {
  let sum = 0;
  let n = 0;
  perClass.forEach((c, k) => {
    if (c.support > 0 || (predictedCount[k] ?? 0) > 0) {
      sum += c.f1;
      n++;
    }
  });
  return ratio(sum, n);
}

/** Metrics for single-label or binary predictions (class indices into `classes`). */
export function singleLabelMetrics(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: readonly string[],
): Metrics {
  if (truth.length !== predicted.length) {
    throw new RangeError(`truth has ${truth.length} rows but predictions have ${predicted.length}`);
  }
  const k = classes.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] as number;
    const p = predicted[i] as number;
    if (t < 0 || t >= k || p < 0 || p >= k) throw new RangeError(`class index out of range at row ${i}`);
    (confusion[t] as number[])[p]++;
    if (t === p) correct++;
  }
  const predictedCount = classes.map((_, c) => confusion.reduce((s, row) => s + (row[c] as number), 0));
  const perClass = classes.map((label, c) => {
    const row = confusion[c] as number[];
    const tp = row[c] as number;
    const fn = row.reduce((s, v) => s + v, 0) - tp;
    const fp = (predictedCount[c] as number) - tp;
    return classMetrics(label, tp, fp, fn);
  });
  return {
    evaluated: truth.length,
    accuracy: ratio(correct, truth.length),
    macroF1: macro(perClass, predictedCount),
    perClass,
    confusion,
    classes,
  };
}

/** Metrics for multi-label predictions: `truth` and `predicted` are rows x classes 0/1, row-major. */
export function multiLabelMetrics(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: readonly string[],
): Metrics {
  const k = classes.length;
  if (truth.length !== predicted.length || (k > 0 && truth.length % k !== 0)) {
    throw new RangeError('truth and predictions must both be rows x classes');
  }
  const rows = k > 0 ? truth.length / k : 0;
  const tp = new Array<number>(k).fill(0);
  const fp = new Array<number>(k).fill(0);
  const fn = new Array<number>(k).fill(0);
  let exact = 0;
  for (let i = 0; i < rows; i++) {
    let same = true;
    for (let c = 0; c < k; c++) {
      const t = (truth[i * k + c] as number) > 0;
      const p = (predicted[i * k + c] as number) > 0;
      if (t && p) tp[c]++;
      else if (p) fp[c]++;
      else if (t) fn[c]++;
      if (t !== p) same = false;
    }
    if (same) exact++;
  }
  const perClass = classes.map((label, c) => classMetrics(label, tp[c] as number, fp[c] as number, fn[c] as number));
  const sum = (a: number[]): number => a.reduce((s, v) => s + v, 0);
  const microP = ratio(sum(tp), sum(tp) + sum(fp));
  const microR = ratio(sum(tp), sum(tp) + sum(fn));
  return {
    evaluated: rows,
    accuracy: ratio(exact, rows),
    macroF1: macro(
      perClass,
      tp.map((v, c) => v + (fp[c] as number)),
    ),
    microF1: f1Of(microP, microR),
    perClass,
    classes,
  };
}
