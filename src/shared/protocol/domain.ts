/**
 * The domain shapes that cross a boundary (webview <-> host <-> worker), each declared ONCE, as a
 * valibot schema. The TypeScript type of each is inferred from its schema, and every boundary
 * validates with the same schema, so a type and its check can never drift apart.
 *
 * Valibot, not Zod: it has no `eval`/`new Function` (the webview's CSP forbids them), it is
 * tree-shakable (the webview bundle carries only the schemas it uses) and it is actively kept.
 *
 * Sizes are bounded here, at the boundary: a 10 MB item id or label name is refused on arrival.
 */
import * as v from 'valibot';
import type { LabelMode as CoreLabelMode, LabelSource as CoreLabelSource } from '../../core/types';
import { REVIEW_ORDER_CATALOG, REVIEW_ORDER_IDS, type SuggestionSource } from '../reviewOrders';

/** Longest item id, request id or label name accepted from another thread or page. */
export const MAX_ID_CHARS = 1024;
export const MAX_LABEL_CHARS = 200;
/** Labels in one label set (and in one multi-label event). */
export const MAX_LABELS = 200;

export const finite = v.pipe(v.number(), v.finite());
export const count = v.pipe(v.number(), v.integer(), v.minValue(0));
export const fraction = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
export const idString = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ID_CHARS));
export const labelName = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_LABEL_CHARS));

export const LABEL_MODES = ['single', 'multi', 'binary'] as const satisfies readonly CoreLabelMode[];
export const LabelModeSchema = v.picklist(LABEL_MODES);
export type LabelMode = v.InferOutput<typeof LabelModeSchema>;

export const LABEL_SOURCES = ['queue', 'review', 'import', 'edit'] as const satisfies readonly CoreLabelSource[];
export const LabelSourceSchema = v.picklist(LABEL_SOURCES);
export type LabelSource = v.InferOutput<typeof LabelSourceSchema>;

/** Why the sampler put an item in front of the annotator. `cluster` is one-based, as shown. */
export const SampleReasonSchema = v.object({
  strategy: v.string(),
  score: finite,
  cluster: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** A short sentence for the UI, e.g. "Top 10% uncertain (margin 0.93), cluster 4 of 6: outlier". */
  detail: v.optional(v.string()),
});
export type SampleReason = v.InferOutput<typeof SampleReasonSchema>;

// ---- the review queue ---------------------------------------------------------------------

export const ReviewOrderIdSchema = v.picklist(REVIEW_ORDER_IDS);
export type ReviewOrderId = v.InferOutput<typeof ReviewOrderIdSchema>;
/** Each order's title and description, as the panel's select shows them. */
export const REVIEW_ORDER_INFO = REVIEW_ORDER_CATALOG;
export const REVIEW_ORDER_LIST: readonly ReviewOrderId[] = REVIEW_ORDER_IDS;

/** Narrows a review order; the fields combine with AND (see src/core/review/reviewOrder.ts). */
export const ReviewFiltersSchema = v.object({
  /** The label under review (the current label, else the file's) includes this label. */
  label: v.optional(labelName),
  /** The model's top label. */
  predicted: v.optional(labelName),
  /** The current label's source. */
  source: v.optional(LabelSourceSchema),
  /** One of the item's annotators. */
  annotator: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_LABEL_CHARS))),
  disagreementOnly: v.optional(v.boolean()),
  /** The model's confidence in its top label, at least / at most. */
  minConfidence: v.optional(fraction),
  maxConfidence: v.optional(fraction),
});
export type ReviewFilters = v.InferOutput<typeof ReviewFiltersSchema>;

/** What the page asks the review queue for: an order and its filters. */
export const ReviewRequestSchema = v.object({ order: ReviewOrderIdSchema, filters: ReviewFiltersSchema });
export type ReviewRequest = v.InferOutput<typeof ReviewRequestSchema>;

const SUGGESTION_SOURCES = ['file', 'model', 'annotator'] as const satisfies readonly SuggestionSource[];

/** How far the review has come, and what each order still holds (with the filters). */
export const ReviewProgressSchema = v.object({
  order: ReviewOrderIdSchema,
  /** Items reviewed in this engine session (their current label is the review). */
  reviewed: count,
  /** Items the order still holds, with the filters, besides those on the page. */
  toReview: count,
  /** Reviews in this engine session that changed the label (a correction, not a keep). */
  fixed: count,
  /** Items whose current label is a review, in the whole label log. */
  reviewedTotal: count,
  /** Items each order holds with the same filters. */
  orders: v.record(v.string(), count),
  /** Annotators in the label log (the annotator filter's choices). */
  annotators: v.array(v.string()),
});
export type ReviewProgress = v.InferOutput<typeof ReviewProgressSchema>;

/** One item waiting in the webview's queue. Text is untrusted and always rendered as text. */
export const QueueItemSchema = v.object({
  /** The dataset item id. */
  id: idString,
  text: v.string(),
  /** The current model's top label and its probability; absent before the first model. */
  prediction: v.optional(v.object({ label: v.string(), confidence: fraction })),
  reason: SampleReasonSchema,
  /** Binary mode only: the label being accepted or rejected. */
  question: v.optional(v.string()),
  /**
   * The label Enter accepts: the file's own label imported as a prediction to review, or in the
   * review queue the model's or another annotator's label. `score`: how sure its source is.
   */
  suggestion: v.optional(
    v.object({
      labels: v.array(v.string()),
      from: v.picklist(SUGGESTION_SOURCES),
      score: v.optional(fraction),
      annotator: v.optional(v.string()),
    }),
  ),
  /** Set on items the review queue serves: the order and the item's current label (absent when it has none). */
  review: v.optional(
    v.object({
      order: ReviewOrderIdSchema,
      current: v.optional(v.object({ labels: v.array(v.string()), annotator: v.string(), source: LabelSourceSchema })),
    }),
  ),
});
export type QueueItem = v.InferOutput<typeof QueueItemSchema>;

/** Labeled items per label name (the current state after undos), labeled items and the total. */
export const CountsSchema = v.object({
  counts: v.record(v.string(), count),
  labeled: count,
  total: count,
});
export type Counts = v.InferOutput<typeof CountsSchema>;

/**
 * One point of the learning curve: the out-of-fold estimate on the evaluation items (the labeled
 * items the random share served, and imported labels). Only points on at least
 * MIN_TRUSTED_EVALUATION_ITEMS items are drawn.
 */
export const CurvePointSchema = v.object({
  /** Labeled items the model was trained on (all of them: nothing is held out). */
  labels: count,
  accuracy: fraction,
  macroF1: fraction,
  /** Evaluation items the point was measured on. */
  evaluated: count,
  /** Wilson 95% interval of `accuracy`. */
  low: fraction,
  high: fraction,
});
export type CurvePoint = v.InferOutput<typeof CurvePointSchema>;

/** Progress toward the stopping hint (stabilizing predictions, Bloodgood & Vijay-Shanker 2009). */
export const StoppingSnapshotSchema = v.object({
  /** True when the hint fires. */
  stop: v.boolean(),
  /** Mean Cohen's kappa between successive versions on the stop set; null until enough versions. */
  kappa: v.nullable(v.pipe(finite, v.minValue(-1), v.maxValue(1))),
  /** The kappa at which predictions count as stable. */
  threshold: fraction,
  /** A sentence for the panel, e.g. "Predictions still changing: κ 0.82 of 0.99 (…)". */
  message: v.pipe(v.string(), v.maxLength(500)),
});
export type StoppingSnapshot = v.InferOutput<typeof StoppingSnapshotSchema>;

/** What the model and the label log look like now. */
export const ModelSnapshotSchema = v.object({
  ...CountsSchema.entries,
  /** Model version; 0 before the first model is trained. Never goes down, across reloads too. */
  version: count,
  /** True while a retrain runs in the background. */
  training: v.boolean(),
  /** Labels this version was trained on (every label: nothing is held out). */
  trainedOn: v.optional(count),
  /** The out-of-fold estimate; absent until it rests on MIN_TRUSTED_EVALUATION_ITEMS items. */
  accuracy: v.optional(fraction),
  macroF1: v.optional(fraction),
  /** Wilson 95% interval of `accuracy`. */
  accuracyLow: v.optional(fraction),
  accuracyHigh: v.optional(fraction),
  /** Evaluation items: those scored when `accuracy` is set, else those labeled so far (fewer than the minimum). */
  evaluated: v.optional(count),
  /** The learning curve so far, ordered by `labels`. */
  curve: v.array(CurvePointSchema),
  /** Progress toward the stopping hint; absent before the first version of this session. */
  stopping: v.optional(StoppingSnapshotSchema),
});
export type ModelSnapshot = v.InferOutput<typeof ModelSnapshotSchema>;

export const EMPTY_MODEL: ModelSnapshot = { version: 0, training: false, curve: [], counts: {}, labeled: 0, total: 0 };

/** `loading`: reading the dataset; `loading-model`: loading the embedder; `idle`: a phase ended. */
export const PROGRESS_PHASES = ['loading', 'loading-model', 'embedding', 'training', 'idle'] as const;
export const ProgressPhaseSchema = v.picklist(PROGRESS_PHASES);
export type ProgressPhase = v.InferOutput<typeof ProgressPhaseSchema>;

/** What each phase is called, in the panel, the status bar and the notification alike. */
export const PHASE_TITLES: Readonly<Record<ProgressPhase, string>> = {
  loading: 'Reading dataset',
  'loading-model': 'Loading model',
  embedding: 'Embedding',
  training: 'Training',
  idle: 'Ready',
};

/** A long-running engine step (reading, loading the model, embedding, retraining). */
export const ProgressSnapshotSchema = v.object({
  phase: ProgressPhaseSchema,
  done: count,
  total: count,
  /** Throughput; 0 when unknown. */
  itemsPerSecond: v.pipe(finite, v.minValue(0)),
  /** Estimated seconds left; -1 when unknown. */
  etaSeconds: v.pipe(finite, v.minValue(-1)),
});
export type ProgressSnapshot = v.InferOutput<typeof ProgressSnapshotSchema>;

/** Where the background embedding of a starting session's pool is (see src/worker/poolEmbedder.ts). */
export const POOL_EMBEDDING_STATES = ['embedding', 'stopped', 'failed', 'done'] as const;

/**
 * The pool embeds in the background while labeling runs: `embedded` of `total` rows have vectors,
 * and batches draw only from those. `stopped` (cancelled, or the file is read again) and `failed`
 * keep labeling on what is embedded; `reason` says why and what to do. `done`: the panel drops it.
 */
export const PoolEmbeddingSnapshotSchema = v.object({
  state: v.picklist(POOL_EMBEDDING_STATES),
  embedded: count,
  total: count,
  /** Rows this session found in the embedding cache (a resume after an interruption). */
  fromCache: count,
  /** Rows embedded per second in the background; 0 when unknown. */
  itemsPerSecond: v.pipe(finite, v.minValue(0)),
  /** Estimated seconds to embed the rest; -1 when unknown. */
  etaSeconds: v.pipe(finite, v.minValue(-1)),
  reason: v.optional(v.pipe(v.string(), v.maxLength(2000))),
});
export type PoolEmbeddingSnapshot = v.InferOutput<typeof PoolEmbeddingSnapshotSchema>;

/**
 * The actions an error can offer, declared once: the worker names them, the host runs them and
 * the webview and the notification show these titles.
 */
export const ERROR_ACTIONS = {
  chooseLocalModel: 'Choose local model folder',
  useLite: 'Use the built-in offline model (use-lite)',
  useLexical: 'Use lexical embeddings',
  retry: 'Retry',
  openSettings: 'Open Settings',
} as const;
export type ErrorActionId = keyof typeof ERROR_ACTIONS;
export const ErrorActionIdSchema = v.picklist(Object.keys(ERROR_ACTIONS) as [ErrorActionId, ...ErrorActionId[]]);

export const ERROR_KINDS = ['model-load', 'dataset', 'internal', 'cancelled'] as const;
export const ErrorKindSchema = v.picklist(ERROR_KINDS);
export type ErrorKind = v.InferOutput<typeof ErrorKindSchema>;

/** The actions the user is offered for each kind of failure. */
export const ACTIONS_FOR_KIND: Readonly<Record<ErrorKind, readonly ErrorActionId[]>> = {
  'model-load': ['chooseLocalModel', 'useLexical', 'retry'],
  dataset: ['openSettings', 'retry'],
  internal: ['retry'],
  cancelled: ['retry'],
};

/** Keys for the actions other than picking a label. Values are `KeyboardEvent.key` strings. */
export const KeymapSchema = v.object({
  /** Skip the current item without labeling it. */
  skip: v.string(),
  /** Undo the most recent label and show that item again. */
  undo: v.string(),
  /** Flag the current item for review and move on. */
  flag: v.string(),
  /** Toggle the shortcut overlay. */
  help: v.string(),
  /** Move back through recent history. */
  back: v.string(),
  /** Move forward through history towards the current item. */
  forward: v.string(),
  /** Confirm the predicted label; in multi mode, submit the toggled labels. */
  confirm: v.string(),
  /** Binary mode: accept the label asked about. */
  accept: v.string(),
  /** Binary mode: reject the label asked about. */
  reject: v.string(),
  /** Review queue: keep the current label as reviewed. */
  keep: v.optional(v.string(), 'k'),
  /** Switch between labeling and the review queue. */
  review: v.optional(v.string(), 'r'),
});
export type Keymap = v.InferOutput<typeof KeymapSchema>;
export type KeymapAction = keyof Keymap;

export const DEFAULT_KEYMAP: Keymap = {
  skip: ' ',
  undo: 'Backspace',
  flag: 'f',
  help: '?',
  back: 'ArrowLeft',
  forward: 'ArrowRight',
  confirm: 'Enter',
  accept: 'a',
  reject: 'x',
  keep: 'k',
  review: 'r',
};

/** One label as the webview shows it: its name (as written to the log) and the key that picks it. */
export const LabelDefSchema = v.object({ name: v.string(), key: v.string() });
export type LabelDef = v.InferOutput<typeof LabelDefSchema>;

/** Labels a dataset file already carries, and what the user chose to do with them. */
export const ExistingLabelsSchema = v.object({
  field: v.string(),
  use: v.picklist(['import', 'review']),
  /** Raw value in the file -> label name; values not in the map are left out. */
  map: v.record(v.string(), v.string()),
});
export type ExistingLabels = v.InferOutput<typeof ExistingLabelsSchema>;

/** Parts of the panel the host can bring into view (Show Learning Curve; Review Queue switches to review mode). */
export const RevealSectionSchema = v.picklist(['chart', 'review']);
export type RevealSection = v.InferOutput<typeof RevealSectionSchema>;
