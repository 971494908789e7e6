/**
 * When to stop labeling. Two conditions, either one fires the hint:
 * - stabilizing predictions (Bloodgood & Vijay-Shanker 2009): Cohen's kappa between successive
 *   model versions' predictions on a fixed unlabeled "stop set", averaged over the last few
 *   retrains, reaches a threshold;
 * - a target accuracy on the evaluation items is reached (only when the user set one).
 *
 * The threshold stays at the paper's 0.99 over a window of 3: our heads retrain every 10 labels, a
 * smaller step than the paper's batches, so successive versions agree more for the same amount of
 * learning left, and a lower threshold would fire earlier than the criterion was validated for.
 */
import { cohenKappa } from './agreement';

export interface StoppingOptions {
  /** Successive-version pairs averaged (default 3). */
  readonly window: number;
  /** Mean kappa at or above which predictions count as stable (default 0.99). */
  readonly threshold: number;
  /** Optional accuracy target on the evaluation items; reaching it also fires the hint. */
  readonly targetAccuracy?: number;
  /** Fewest evaluation items before the accuracy target is trusted (default 30). */
  readonly minEvaluated: number;
}

export const defaultStoppingOptions: StoppingOptions = { window: 3, threshold: 0.99, minEvaluated: 30 };

export interface StoppingSignal {
  readonly stop: boolean;
  /** Which condition fired, if any. */
  readonly reason: 'stable' | 'target' | null;
  /** Mean kappa over the last `window` retrains; null until there are enough versions. */
  readonly kappa: number | null;
  /** The kappa at which predictions count as stable (the options' `threshold`). */
  readonly threshold: number;
  /** A sentence the user can act on. */
  readonly message: string;
}

/**
 * `history` holds each model version's predictions on the same stop set, oldest first (class
 * indices, or flattened 0/1 decisions for multi-label). `accuracy`/`evaluated` describe the newest
 * version on the evaluation items, when known.
 */
export function stoppingSignal(
  history: readonly ArrayLike<number>[],
  accuracy: { readonly accuracy: number; readonly evaluated: number } | null = null,
  options: Partial<StoppingOptions> = {},
): StoppingSignal {
  const o: StoppingOptions = { ...defaultStoppingOptions, ...options };
  const pairs = Math.min(o.window, history.length - 1);
  let kappa: number | null = null;
  if (pairs >= o.window) {
    let sum = 0;
    for (let i = history.length - pairs; i < history.length; i++) {
      sum += cohenKappa(history[i - 1] as ArrayLike<number>, history[i] as ArrayLike<number>);
    }
    kappa = sum / pairs;
  }
  const retrains = `retrain${o.window === 1 ? '' : 's'}`;
  if (
    o.targetAccuracy !== undefined &&
    accuracy !== null &&
    accuracy.evaluated >= o.minEvaluated &&
    accuracy.accuracy >= o.targetAccuracy
  ) {
    return {
      stop: true,
      reason: 'target',
      kappa,
      threshold: o.threshold,
      message: `Target reached: accuracy ${accuracy.accuracy.toFixed(2)} on ${accuracy.evaluated} evaluation items (target ${o.targetAccuracy.toFixed(2)}).`,
    };
  }
  if (kappa === null) {
    const have = Math.max(0, history.length - 1);
    return {
      stop: false,
      reason: null,
      kappa,
      threshold: o.threshold,
      message: `Too early to judge: ${have} of ${o.window} ${retrains} compared so far.`,
    };
  }
  if (kappa >= o.threshold) {
    return {
      stop: true,
      reason: 'stable',
      kappa,
      threshold: o.threshold,
      message: 'Predictions have stabilized: more labels are unlikely to help.',
    };
  }
  return {
    stop: false,
    reason: null,
    kappa,
    threshold: o.threshold,
    // Progress toward the hint, so the user sees it coming.
    message: `Predictions still changing: κ ${kappa.toFixed(2)} of ${o.threshold.toFixed(2)} (mean over the last ${o.window} ${retrains}).`,
  };
}
