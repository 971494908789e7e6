/**
 * Comparing sampling strategies on their learning curves:
 *   - the label saving: the labels a strategy needs to reach the score random sampling has at the
 *     full budget, divided by the budget (0.4 = the same model for 40% of the labeling; 1 = no
 *     saving; not reached = more than the budget). This is the figure a user cares about.
 *   - labels to a share (default 95%) of the score that training on the whole pool gives, as a
 *     ratio to random sampling's;
 *   - the normalized area under the learning curve (ALC).
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

/** Labels to reach random's score at the full budget, as a share of that budget. */
export interface SavingResult {
  /** Random's (mean) score at its last point; null without a random curve. */
  readonly target: number | null;
  /** Labels at which the curve first reaches the target; null when it never does within the budget. */
  readonly labels: number | null;
  /** labels / budget: at most 1 is at least as good as random; null when not reached (more than 1). */
  readonly ratio: number | null;
  /** Random's last label count. */
  readonly budget: number;
}

/**
 * The label saving of `points` against `random` (both curves of the same budget, e.g. means over
 * the same seeds). Random's own saving can be below 1 when its curve reached its final score early.
 */
export function labelSaving(points: readonly CurvePoint[], random: readonly CurvePoint[], metric: CurveMetric): SavingResult {
  const last = random.reduce<CurvePoint | undefined>((best, p) => (best === undefined || p.labels > best.labels ? p : best), undefined);
  if (last === undefined) return { target: null, labels: null, ratio: null, budget: 0 };
  const target = last[metric];
  const labels = labelsToReach(points, target, metric);
  return { target, labels, ratio: labels === null || last.labels <= 0 ? null : labels / last.labels, budget: last.labels };
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
  /** Label saving against the baseline, per metric (see `labelSaving`). */
  readonly saving: { readonly accuracy: SavingResult; readonly macroF1: SavingResult };
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
    saving: {
      accuracy: labelSaving(points, base?.points ?? [], 'accuracy'),
      macroF1: labelSaving(points, base?.points ?? [], 'macroF1'),
    },
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
