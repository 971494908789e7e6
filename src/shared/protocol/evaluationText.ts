/**
 * How the panel, the chart tooltip and the status bar speak about the accuracy estimate, in one
 * place. The minimum itself is the engine's (src/core/evaluation/trust.ts): one constant for both.
 */
import { MIN_TRUSTED_EVALUATION_ITEMS } from '../../core/evaluation/trust';

export { MIN_TRUSTED_EVALUATION_ITEMS };

export const TOO_FEW_EVALUATION_ITEMS = 'too few items scored to trust yet';

/** Why only some labels are scored: shown beside "n of 20 items to score". */
export const WHY_ITEMS_TO_SCORE =
  'Accuracy is measured only on items the random share of each batch picked (and on imported labels): an unbiased sample. Each is predicted by a model trained without it, so every label still trains.';

/** "on 25 items scored". */
export function describeScored(evaluated: number): string {
  return `on ${evaluated.toLocaleString('en-US')} item${evaluated === 1 ? '' : 's'} scored`;
}

/** "7 of 20 items to score". */
export function itemsToScore(evaluated: number): string {
  return `${evaluated.toLocaleString('en-US')} of ${MIN_TRUSTED_EVALUATION_ITEMS} items to score`;
}

/** "95% CI 71–89%". */
export function describeInterval(low: number, high: number): string {
  return `95% CI ${Math.round(low * 100)}–${Math.round(high * 100)}%`;
}

/** False when the metrics were measured on too few items; true when the count is unknown. */
export function isEvaluationTrusted(evaluated: number | undefined): boolean {
  return evaluated === undefined || evaluated >= MIN_TRUSTED_EVALUATION_ITEMS;
}
