/** Learning curves: accuracy and macro-F1 against the number of training labels. */

export interface CurvePoint {
  /** Training labels the model was trained on. */
  readonly labels: number;
  readonly accuracy: number;
  readonly macroF1: number;
}

export type CurveMetric = 'accuracy' | 'macroF1';

/**
 * Area under the learning curve, normalized to [0, 1]: the trapezoid area over the label axis
 * divided by the span of that axis (so a curve at 1.0 everywhere scores 1). One point: its value.
 */
export function areaUnderCurve(points: readonly CurvePoint[], metric: CurveMetric = 'accuracy'): number {
  if (points.length === 0) return 0;
  const sorted = points.slice().sort((a, b) => a.labels - b.labels);
  const first = sorted[0] as CurvePoint;
  const last = sorted[sorted.length - 1] as CurvePoint;
  const span = last.labels - first.labels;
  if (span <= 0) return sorted.reduce((s, p) => s + p[metric], 0) / sorted.length;
  let area = 0;
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as CurvePoint;
    const b = sorted[i] as CurvePoint;
    area += ((a[metric] + b[metric]) / 2) * (b.labels - a.labels);
  }
  return area / span;
}

/** The fewest labels at which the curve reaches `target`; null when it never does. */
export function labelsToReach(
  points: readonly CurvePoint[],
  target: number,
  metric: CurveMetric = 'accuracy',
): number | null {
  const sorted = points.slice().sort((a, b) => a.labels - b.labels);
  for (const p of sorted) if (p[metric] >= target) return p.labels;
  return null;
}

/**
 * Average several runs (seeds) point by point. Runs are aligned by label count; a label count
 * missing from some runs averages over the runs that have it.
 */
export function averageCurves(runs: readonly (readonly CurvePoint[])[]): CurvePoint[] {
  const byLabels = new Map<number, { acc: number; f1: number; n: number }>();
  for (const run of runs) {
    for (const p of run) {
      const slot = byLabels.get(p.labels) ?? { acc: 0, f1: 0, n: 0 };
      slot.acc += p.accuracy;
      slot.f1 += p.macroF1;
      slot.n++;
      byLabels.set(p.labels, slot);
    }
  }
  return [...byLabels.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([labels, s]) => ({ labels, accuracy: s.acc / s.n, macroF1: s.f1 / s.n }));
}
