/**
 * How the panel, the chart tooltip and the status bar speak about held-out figures, in one place.
 */

/**
 * Below this many held-out items an accuracy moves in steps of 10 points or more per item, so the
 * UI shows it greyed with TOO_FEW_EVALUATION_ITEMS instead of as a figure to trust.
 */
export const MIN_TRUSTED_EVALUATION_ITEMS = 10;
export const TOO_FEW_EVALUATION_ITEMS = 'too few held-out items to trust yet';

/** "on 12 held-out items". */
export function describeHeldOut(evaluated: number): string {
  return `on ${evaluated.toLocaleString('en-US')} held-out item${evaluated === 1 ? '' : 's'}`;
}

/** False when the metrics were measured on too few held-out items; true when the count is unknown. */
export function isEvaluationTrusted(evaluated: number | undefined): boolean {
  return evaluated === undefined || evaluated >= MIN_TRUSTED_EVALUATION_ITEMS;
}
