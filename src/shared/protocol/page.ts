/**
 * Every message between the webview, the extension host and the engine worker, declared once as a
 * schema. One name means one thing in every direction: the worker's `items`, `saved`,
 * `saveFailed`, `progress`, `model`, `counts` and `error` are the very messages the webview
 * receives, so the host forwards them unchanged.
 *
 * Flows (see docs/architecture.md):
 * - Handshake: the webview posts `ready` once its script runs; the host answers `init`. A page that
 *   lost its queue (`restored: false`) makes the host send the worker `release`, so items that
 *   page held are served again.
 * - Items: the webview asks with `needItems` when it holds fewer than 5 upcoming; the host
 *   forwards it; the worker answers `items` (capped by text size, so possibly fewer than asked).
 *   A strategy change makes the worker send `items` with `replace: true` unasked: the next item
 *   the page shows comes from the new strategy.
 * - Writes: `label`, `skip`, `flag` and `undo` carry a `requestId`; the worker, which owns the log,
 *   answers each with exactly one `saved` (fsynced) or `saveFailed`. The request id is stored in
 *   the log as the event id, so a resent request (a restored panel, a restarted worker) is
 *   answered again and never written twice.
 */
import * as v from 'valibot';
import {
  CountsSchema,
  ErrorActionIdSchema,
  ErrorKindSchema,
  idString,
  KeymapSchema,
  LabelDefSchema,
  LabelModeSchema,
  labelName,
  MAX_LABELS,
  ModelSnapshotSchema,
  PoolEmbeddingSnapshotSchema,
  ProgressSnapshotSchema,
  QueueItemSchema,
  RevealSectionSchema,
  ReviewProgressSchema,
  ReviewRequestSchema,
  count,
} from './domain';

const requestId = idString;

// ---- messages the worker sends, which the host forwards to the webview unchanged ------------

/**
 * Most item text characters one `items` message carries (always at least one item, however long).
 * A message is serialized on the extension host's thread; 200 items of 200 KB in one message
 * blocked it for about 60 ms, over the 50 ms budget.
 */
export const MAX_ITEMS_MESSAGE_CHARS = 2_000_000;

/**
 * Items to show, best first. `exhausted`: nothing more will come. `replace`: the sampling strategy
 * changed, so these items take the place of the page's prefetched (upcoming) ones; the item on
 * screen, the history and the writes stay. The worker sends it unasked, after releasing what the
 * page held.
 */
export const ItemsMessage = v.object({
  type: v.literal('items'),
  items: v.array(QueueItemSchema),
  exhausted: v.optional(v.boolean()),
  replace: v.optional(v.literal(true)),
  /** Served by the review queue (the page drops an answer meant for the mode it has left). */
  review: v.optional(v.literal(true)),
});

/** The review queue's progress: sent when review mode starts or changes, and after each review write. */
export const ReviewProgressMessage = v.object({ type: v.literal('reviewProgress'), ...ReviewProgressSchema.entries });

/**
 * The dataset file was edited and the session follows it: the page drops the `withdrawn` items
 * from its queue (they left the file, or their text changed and they come back with the new text),
 * and asks for items again, since the pool may hold new ones even when it was exhausted.
 */
export const PoolChangedMessage = v.object({ type: v.literal('poolChanged'), withdrawn: v.array(idString) });

/** The write with this requestId is on disk (fsynced) in the file at the log's path. */
export const SavedMessage = v.object({ type: v.literal('saved'), requestId, itemId: idString });

/** The write with this requestId was NOT written; `message` says why. */
export const SaveFailedMessage = v.object({
  type: v.literal('saveFailed'),
  requestId,
  itemId: v.string(),
  message: v.string(),
});

export const ProgressMessage = v.object({ type: v.literal('progress'), ...ProgressSnapshotSchema.entries });
export const ModelMessage = v.object({ type: v.literal('model'), ...ModelSnapshotSchema.entries });
/** The pool's background embedding: `pool: 212,000 of 1,000,000 embedded` in the panel and the status bar. */
export const PoolEmbeddingMessage = v.object({ type: v.literal('poolEmbedding'), ...PoolEmbeddingSnapshotSchema.entries });

/**
 * Sent once per session: embedding the rest of the pool will take longer than the
 * `activeLabel.embedding.warnAfterMinutes` setting. The panel offers the faster choices.
 */
export const SlowEmbeddingMessage = v.object({
  type: v.literal('slowEmbedding'),
  /** Estimated seconds to embed the rest, at `itemsPerSecond`. */
  etaSeconds: v.pipe(v.number(), v.finite(), v.minValue(0)),
  itemsPerSecond: v.pipe(v.number(), v.finite(), v.minValue(0)),
  /** Rows left to embed. */
  remaining: count,
  /** The setting's value, in minutes. */
  warnAfterMinutes: v.pipe(v.number(), v.finite(), v.minValue(0)),
  /** The embedder in use, e.g. `Xenova/all-MiniLM-L6-v2`. */
  embedder: v.string(),
});

/** The counts changed (a write was saved); sent after every saved write. */
export const CountsMessage = v.object({ type: v.literal('counts'), ...CountsSchema.entries });

/** Something failed; shown as a banner with the actions (titles in ERROR_ACTIONS). */
export const ErrorMessage = v.object({
  type: v.literal('error'),
  kind: ErrorKindSchema,
  message: v.string(),
  actions: v.array(ErrorActionIdSchema),
  /** The request it answers, if any (an export). */
  requestId: v.optional(requestId),
});

// ---- webview -> host (-> worker) -----------------------------------------------------------

export const ReadyMessage = v.object({
  type: v.literal('ready'),
  /** True when the page restored its queue from setState. */
  restored: v.boolean(),
});

/**
 * Record the annotator's answer. Single mode: one label. Multi mode: one or more. Binary mode: the
 * label asked about, with `answer`.
 */
export const LabelMessage = v.object({
  type: v.literal('label'),
  requestId,
  itemId: idString,
  labels: v.pipe(v.array(labelName), v.maxLength(MAX_LABELS)),
  /** `queue` for a fresh item, `edit` when relabeling one from history, `review` for an item with a suggestion. */
  source: v.picklist(['queue', 'edit', 'review']),
  answer: v.optional(v.picklist(['accept', 'reject'])),
});

/** Undo the item's latest label, skip or flag still in effect. */
export const UndoMessage = v.object({ type: v.literal('undo'), requestId, itemId: idString });

/**
 * Pass over an item (written to the log): it is not served again, in this session or a later one,
 * until `revisitSkipped`. Labeling it later overrides the skip.
 */
export const SkipMessage = v.object({ type: v.literal('skip'), requestId, itemId: idString });

/** Flag an item for later review (written to the log). */
export const FlagMessage = v.object({ type: v.literal('flag'), requestId, itemId: idString });

/**
 * Serve the review queue in this order with these filters (`review: null`: back to labeling). The
 * page has dropped the items it held and not answered; the worker serves them again when asked.
 * The same request again changes nothing (a page that reloaded resends its mode on `init`).
 */
export const ReviewModeMessage = v.object({ type: v.literal('reviewMode'), review: v.nullable(ReviewRequestSchema) });

/** The webview holds fewer than 5 upcoming items: send up to `count`. */
export const NeedItemsMessage = v.object({
  type: v.literal('needItems'),
  count: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(200)),
});

export const OpenSettingsMessage = v.object({ type: v.literal('openSettings') });
export const ExportLabelsMessage = v.object({ type: v.literal('exportLabels') });
export const ConfigureLabelsMessage = v.object({ type: v.literal('configureLabels') });
/** Serve the skipped items again (the queue ran dry on skips), until each is skipped again. */
export const RevisitSkippedMessage = v.object({ type: v.literal('revisitSkipped') });
/** Cancel the long step in progress (embedding). */
export const CancelMessage = v.object({ type: v.literal('cancel') });
export const ChooseStrategyMessage = v.object({ type: v.literal('chooseStrategy') });
export const ErrorActionMessage = v.object({ type: v.literal('errorAction'), actionId: ErrorActionIdSchema });

// ---- host -> webview only ------------------------------------------------------------------

export const InitMessage = v.object({
  type: v.literal('init'),
  dataset: v.object({ name: v.string(), total: count }),
  labels: v.array(LabelDefSchema),
  mode: LabelModeSchema,
  keymap: KeymapSchema,
  /** The active strategy's display name. */
  strategy: v.string(),
  /** Who the labels are written as (settable with `activeLabel.annotator`). */
  annotator: v.optional(v.string()),
  /** The embedder in use, as the engine names it (`use-lite (fallback)`, `lexical`, a model id); absent while starting. */
  embedder: v.optional(v.string()),
  state: v.object({
    ...ModelSnapshotSchema.entries,
    progress: v.optional(ProgressSnapshotSchema),
    /** The pool's background embedding, while it is not done. */
    pool: v.optional(PoolEmbeddingSnapshotSchema),
  }),
});

export const RevealMessage = v.object({ type: v.literal('reveal'), section: RevealSectionSchema });
/** A transient, non-error note. */
export const NoticeMessage = v.object({ type: v.literal('notice'), message: v.string() });

// ---- the two page directions --------------------------------------------------------------

/** What the worker sends that the webview receives unchanged. */
export const ENGINE_TO_PAGE = [ItemsMessage, PoolChangedMessage, SavedMessage, SaveFailedMessage, ProgressMessage, ModelMessage, CountsMessage, ErrorMessage, NoticeMessage, ReviewProgressMessage, PoolEmbeddingMessage, SlowEmbeddingMessage] as const;

/** What the page sends that the host forwards to the worker unchanged. */
export const PAGE_TO_ENGINE = [LabelMessage, UndoMessage, SkipMessage, FlagMessage, NeedItemsMessage, RevisitSkippedMessage, CancelMessage, ReviewModeMessage] as const;

export const WebviewToHost = v.variant('type', [ReadyMessage, ...PAGE_TO_ENGINE, OpenSettingsMessage, ChooseStrategyMessage, ErrorActionMessage, ExportLabelsMessage, ConfigureLabelsMessage]);
export type WebviewToHost = v.InferOutput<typeof WebviewToHost>;

export const HostToWebview = v.variant('type', [...ENGINE_TO_PAGE, InitMessage, RevealMessage]);
export type HostToWebview = v.InferOutput<typeof HostToWebview>;

/** A message of one type, e.g. `Message<WorkerToHost, 'saved'>`. */
export type Message<U extends { type: string }, T extends U['type']> = Extract<U, { type: T }>;

/** Worker messages the webview receives as they are. */
export type EngineToPage = v.InferOutput<(typeof ENGINE_TO_PAGE)[number]>;

// Each message's type, under the schema's own name.
export type ItemsMessage = v.InferOutput<typeof ItemsMessage>;
export type PoolChangedMessage = v.InferOutput<typeof PoolChangedMessage>;
export type SavedMessage = v.InferOutput<typeof SavedMessage>;
export type SaveFailedMessage = v.InferOutput<typeof SaveFailedMessage>;
export type ProgressMessage = v.InferOutput<typeof ProgressMessage>;
export type ModelMessage = v.InferOutput<typeof ModelMessage>;
export type PoolEmbeddingMessage = v.InferOutput<typeof PoolEmbeddingMessage>;
export type SlowEmbeddingMessage = v.InferOutput<typeof SlowEmbeddingMessage>;
export type CountsMessage = v.InferOutput<typeof CountsMessage>;
export type ErrorMessage = v.InferOutput<typeof ErrorMessage>;
export type ReadyMessage = v.InferOutput<typeof ReadyMessage>;
export type LabelMessage = v.InferOutput<typeof LabelMessage>;
export type UndoMessage = v.InferOutput<typeof UndoMessage>;
export type SkipMessage = v.InferOutput<typeof SkipMessage>;
export type FlagMessage = v.InferOutput<typeof FlagMessage>;
export type NeedItemsMessage = v.InferOutput<typeof NeedItemsMessage>;
export type OpenSettingsMessage = v.InferOutput<typeof OpenSettingsMessage>;
export type ChooseStrategyMessage = v.InferOutput<typeof ChooseStrategyMessage>;
export type ErrorActionMessage = v.InferOutput<typeof ErrorActionMessage>;
export type InitMessage = v.InferOutput<typeof InitMessage>;
export type RevealMessage = v.InferOutput<typeof RevealMessage>;
export type NoticeMessage = v.InferOutput<typeof NoticeMessage>;
export type ExportLabelsMessage = v.InferOutput<typeof ExportLabelsMessage>;
export type ConfigureLabelsMessage = v.InferOutput<typeof ConfigureLabelsMessage>;
export type RevisitSkippedMessage = v.InferOutput<typeof RevisitSkippedMessage>;
export type CancelMessage = v.InferOutput<typeof CancelMessage>;
export type ReviewModeMessage = v.InferOutput<typeof ReviewModeMessage>;
export type ReviewProgressMessage = v.InferOutput<typeof ReviewProgressMessage>;
