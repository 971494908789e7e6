/**
 * When an accuracy estimate is worth drawing: at least MIN_TRUSTED_EVALUATION_ITEMS scored items.
 * The constant is declared with the words the panel uses about it (src/shared/protocol/evaluationText.ts),
 * so the engine, the panel, the chart and the status bar share one value.
 */
export { MIN_TRUSTED_EVALUATION_ITEMS } from '../../shared/protocol/evaluationText';
