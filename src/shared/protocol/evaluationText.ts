/**
 * How the panel, the chart tooltip and the status bar speak about the accuracy estimate, in one
 * place, and the minimum itself: one constant for the engine (src/core/evaluation/trust.ts
 * re-exports it) and the page, declared here so the webview bundle needs no core module.
 *
 * Below 20 items one item moves the figure by 5 points or more, and the 95% Wilson interval is
 * wider than ±20 points around 50%: a line drawn through such points looks like a measurement
 * and is mostly noise.
 */
export const MIN_TRUSTED_EVALUATION_ITEMS = 20;

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
