/**
 * The review queue's orders, by id, with the titles the panel shows: plain data with no imports,
 * shared by the protocol (so the webview's bundle carries only these names, never the orders'
 * code in src/core/review/reviewOrder.ts) and the core registry.
 */
export const REVIEW_ORDER_CATALOG = {
  suspects: {
    title: 'Suspected label errors',
    description: 'Confident learning on out-of-fold predictions: labels the model, trained without them, finds least likely; most suspicious first.',
  },
  'low-confidence': {
    title: 'Lowest confidence',
    description: "Labeled items whose given label the current model finds least probable.",
  },
  'model-disagrees': {
    title: 'Model disagrees',
    description: "Labeled items whose model prediction is another label; the model's most confident first.",
  },
  annotators: {
    title: 'Annotators disagree',
    description: 'Items whose annotators gave different labels and that nobody has reviewed; most recent first.',
  },
  flagged: {
    title: 'Flagged items',
    description: 'Items flagged with f in the queue and not reviewed since.',
  },
  imported: {
    title: 'Imported for review',
    description: "The file's own labels, imported as predictions to review; the ones the model doubts most first.",
  },
} as const;

export type ReviewOrderId = keyof typeof REVIEW_ORDER_CATALOG;

export const REVIEW_ORDER_IDS = Object.keys(REVIEW_ORDER_CATALOG) as [ReviewOrderId, ...ReviewOrderId[]];

/** Where a suggested label comes from: the data file, the model, or another annotator. */
export type SuggestionSource = 'file' | 'model' | 'annotator';
