/**
 * When an accuracy estimate is worth drawing. One constant for the engine, the panel, the chart
 * and the status bar (the webview reads it through src/shared/protocol).
 *
 * Below 20 items one item moves the figure by 5 points or more, and the 95% Wilson interval is
 * wider than ±20 points around 50%: a line drawn through such points looks like a measurement
 * and is mostly noise.
 */
export const MIN_TRUSTED_EVALUATION_ITEMS = 20;
