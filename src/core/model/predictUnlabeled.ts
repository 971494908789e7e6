/**
 * Predictions for the items nobody labeled, for an export: a head trained once on every labeled
 * item's embedding predicts the rest. No held-out split and no out-of-fold step: the predictions
 * are marked as such in the export, with their confidence, and a caller that needs calibrated
 * scores filters by `minConfidence`.
 */
import type { LabelMode, Matrix } from '../types';
import { trainHead } from './train';
import type { Targets } from './types';

export interface UnlabeledPrediction {
  readonly labels: readonly string[];
  /** single/binary: the top class's probability; multi: the lowest probability among the chosen. */
  readonly confidence: number;
}

export interface PredictUnlabeledOptions {
  readonly mode: LabelMode;
  /** Predictions below this confidence are left out (0..1). */
  readonly minConfidence?: number;
  readonly seed?: number;
}

/**
 * `labels[row]` is the row's labels, or undefined for an unlabeled row. Returns row -> prediction
 * for unlabeled rows; empty when fewer than two classes have examples (nothing to tell apart).
 */
export function predictUnlabeled(
  x: Matrix,
  labels: readonly (readonly string[] | undefined)[],
  options: PredictUnlabeledOptions,
): { predictions: Map<number, UnlabeledPrediction>; classes: readonly string[]; trainedOn: number } {
  const classes = [...new Set(labels.flatMap((l) => l ?? []))].sort();
  const labeledRows = labels.flatMap((l, row) => (l !== undefined && l.length > 0 ? [row] : []));
  const predictions = new Map<number, UnlabeledPrediction>();
  if (classes.length < 2 || labeledRows.length < 2) return { predictions, classes, trainedOn: labeledRows.length };
  const d = x.cols;
  const train = new Float32Array(labeledRows.length * d);
  labeledRows.forEach((row, i) => train.set(x.data.subarray(row * d, (row + 1) * d), i * d));
  const index = new Map(classes.map((c, i) => [c, i]));
  const multi = options.mode === 'multi';
  const targets: Targets = multi
    ? { kind: 'multi', y: Uint8Array.from(labeledRows.flatMap((row) => classes.map((c) => ((labels[row] ?? []).includes(c) ? 1 : 0)))) }
    : { kind: 'single', y: Int32Array.from(labeledRows.map((row) => index.get((labels[row] ?? [])[0] as string) as number)) };
  const head = trainHead({ data: train, rows: labeledRows.length, cols: d }, targets, classes, multi ? 'multi' : 'single', {
    classWeighting: true,
    seed: options.seed ?? 1,
  });
  const unlabeledRows = labels.flatMap((l, row) => (l === undefined || l.length === 0 ? [row] : []));
  const minConfidence = options.minConfidence ?? 0;
  const c = classes.length;
  const chunk = 1024;
  for (let from = 0; from < unlabeledRows.length; from += chunk) {
    const rows = unlabeledRows.slice(from, from + chunk);
    const part = new Float32Array(rows.length * d);
    rows.forEach((row, i) => part.set(x.data.subarray(row * d, (row + 1) * d), i * d));
    const probs = head.predict({ data: part, rows: rows.length, cols: d }).probs.data;
    rows.forEach((row, i) => {
      const p = probs.subarray(i * c, (i + 1) * c);
      let best = 0;
      for (let k = 1; k < c; k++) if ((p[k] as number) > (p[best] as number)) best = k;
      let chosen = [best];
      if (multi) {
        const above = [...p.keys()].filter((k) => (p[k] as number) >= 0.5);
        if (above.length > 0) chosen = above;
      }
      const confidence = Math.min(...chosen.map((k) => p[k] as number));
      if (confidence < minConfidence) return;
      predictions.set(row, { labels: chosen.map((k) => classes[k] as string), confidence: Math.round(confidence * 1e4) / 1e4 });
    });
  }
  return { predictions, classes, trainedOn: labeledRows.length };
}
