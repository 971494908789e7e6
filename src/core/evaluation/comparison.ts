/**
 * Comparing sampling strategies on their learning curves: how many labels each needs to reach a
 * share (default 95%) of the accuracy that training on the whole pool gives, as a ratio to random
 * sampling's. A ratio of 0.6 means the strategy needed 60% of the labels random needed.
 */
import { areaUnderCurve, averageCurves, labelsToReach, type CurveMetric, type CurvePoint } from './curve';

export interface StrategyCurves {
  readonly strategy: string;
  /** One curve per seed. */
  readonly runs: readonly (readonly CurvePoint[])[];
}

export interface TargetResult {
  /** The metric value to reach: share x the full-pool value. */
  readonly target: number;
  /** Labels at which the mean curve first reaches the target; null when it never does. */
  readonly labels: number | null;
  /**
   * labels / random's labels. When random never reaches the target within the budget but this
   * strategy does, the ratio is an upper bound (labels / budget) and `bound` is true.
   */
  readonly ratioToRandom: number | null;
  readonly bound: boolean;
}

export interface StrategySummary {
  readonly strategy: string;
  /** Mean over seeds, point by point. */
  readonly points: readonly CurvePoint[];
  /** Normalized area under the mean accuracy curve. */
  readonly alc: number;
  readonly alcMacroF1: number;
  readonly accuracy: TargetResult;
  readonly macroF1: TargetResult;
  readonly final: CurvePoint | null;
}

export function compareStrategies(
  curves: readonly StrategyCurves[],
  fullPool: { readonly accuracy: number; readonly macroF1: number },
  share = 0.95,
  baseline = 'random',
): StrategySummary[] {
  const means = curves.map((c) => ({ strategy: c.strategy, points: averageCurves(c.runs) }));
  const budget = Math.max(0, ...means.flatMap((m) => m.points.map((p) => p.labels)));
  const base = means.find((m) => m.strategy === baseline);
  const target = (metric: CurveMetric, points: readonly CurvePoint[]): TargetResult => {
    const goal = share * fullPool[metric];
    const labels = labelsToReach(points, goal, metric);
    const baseLabels = base === undefined ? null : labelsToReach(base.points, goal, metric);
    if (labels === null || base === undefined) return { target: goal, labels, ratioToRandom: null, bound: false };
    if (baseLabels === null) return { target: goal, labels, ratioToRandom: budget > 0 ? labels / budget : null, bound: true };
    return { target: goal, labels, ratioToRandom: baseLabels > 0 ? labels / baseLabels : null, bound: false };
  };
  return means.map(({ strategy, points }) => ({
    strategy,
    points,
    alc: areaUnderCurve(points, 'accuracy'),
    alcMacroF1: areaUnderCurve(points, 'macroF1'),
    accuracy: target('accuracy', points),
    macroF1: target('macroF1', points),
    final: points[points.length - 1] ?? null,
  }));
}

/**
 * Which target to headline. Accuracy, unless always predicting the most common class already
 * reaches `share` of the full-pool accuracy: then "labels to 95% accuracy" is met by a constant
 * predictor (10 labels for every strategy on a 91%-majority set) and says nothing, so macro-F1,
 * which a constant predictor cannot fake, is the figure to compare.
 */
export function primaryMetric(majorityShare: number, fullPool: { readonly accuracy: number }, share = 0.95): CurveMetric {
  return majorityShare >= share * fullPool.accuracy ? 'macroF1' : 'accuracy';
}
