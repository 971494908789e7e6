/**
 * The host <-> worker messages that the webview never sees. The messages both share (items,
 * saved, saveFailed, progress, model, counts, error, and the writes) are declared in page.ts and
 * reused here as they are: the host forwards them without translating.
 * Only the host and the worker import this file, so the strategy registry never reaches the
 * webview's bundle.
 */
import * as v from 'valibot';
import { IMPORT_TOOLS } from '../../core/labels/importers/types';
import { CountsSchema, LabelSourceSchema, MAX_LABELS, count, finite, fraction, idString, labelName } from './domain';
import { ENGINE_TO_PAGE, PAGE_TO_ENGINE } from './page';
import { SessionInitSchema, StrategyIdSchema } from './sessionInit';

export * from './page';

const requestId = idString;

/** Start (or restart) the engine session. A second `start` replaces the first entirely. */
export const StartMessage = v.object({ type: v.literal('start'), ...SessionInitSchema.entries });
/**
 * Switch the sampling strategy, from the next item on: the worker releases the items out with the
 * page and answers with `items` (`replace: true`) chosen by the new strategy.
 */
export const SetStrategyMessage = v.object({ type: v.literal('setStrategy'), strategy: StrategyIdSchema });
/** Write the following events under this name (`activeLabel.annotator` changed mid-session). */
export const SetAnnotatorMessage = v.object({ type: v.literal('setAnnotator'), annotator: SessionInitSchema.entries.annotator });
/** The page lost its queue: serve the items it held again. */
export const ReleaseMessage = v.object({ type: v.literal('release') });
export const ExportMessage = v.object({
  type: v.literal('export'),
  requestId,
  format: v.picklist(['jsonl', 'csv']),
  outFile: v.pipe(v.string(), v.minLength(1)),
});
export const DisposeMessage = v.object({ type: v.literal('dispose') });
/**
 * The session's dataset file changed on disk (saved in the editor, a git checkout): the worker
 * reads it again with the session's setup and goes on with its items (answered `datasetReloaded`).
 */
export const ReloadDatasetMessage = v.object({ type: v.literal('reloadDataset') });
/**
 * Import another tool's export (Prodigy, doccano, Label Studio, Argilla, Hugging Face `datasets`)
 * into the running session's log: the worker owns the log, so it reads, matches and appends.
 */
export const ImportLabelsMessage = v.object({
  type: v.literal('importLabels'),
  requestId,
  file: v.pipe(v.string(), v.minLength(1)),
  /** The exporting tool; omitted: detected from the file's shape. */
  format: v.optional(v.picklist(IMPORT_TOOLS)),
  /** Replace labels given here (queue, review, edit) with the imported ones; default: keep them. */
  overwrite: v.optional(v.boolean()),
});

/** Most decisions one `reviewLabel` carries (a selection of lines in the editor). */
export const MAX_REVIEW_DECISIONS = 10_000;

/**
 * A reviewer's decisions in the editor (Set Label, Accept Prediction, Mark Reviewed, the quick
 * fixes): each becomes a `label` event with source `review`, written by the worker, which owns the
 * log. Answered by exactly one `reviewSaved`.
 */
export const ReviewLabelMessage = v.object({
  type: v.literal('reviewLabel'),
  requestId,
  decisions: v.pipe(
    v.array(
      v.object({
        itemId: idString,
        labels: v.pipe(v.array(labelName), v.minLength(1), v.maxLength(MAX_LABELS)),
        /** The suspicion score (1 - P(given)) the reviewer saw, kept in the event. */
        score: v.optional(fraction),
        /** The decision answers a suspected label error (a quick fix). */
        fromSuspect: v.optional(v.boolean()),
      }),
    ),
    v.minLength(1),
    v.maxLength(MAX_REVIEW_DECISIONS),
  ),
});

// ---- worker -> host only -------------------------------------------------------------------

const RowProblemSchema = v.object({ file: v.string(), line: count, reason: v.string(), message: v.string() });

/** The dataset is loaded and embedded; `needItems` is answered from now on. */
export const EngineReadyMessage = v.object({
  type: v.literal('engineReady'),
  summary: v.object({ rows: count, loaded: count, skipped: count, duplicateRows: count }),
  /** The first 100 row problems, each naming file:line. */
  problems: v.array(RowProblemSchema),
  /** The embedder in use, e.g. `Xenova/all-MiniLM-L6-v2`, `use-lite (fallback)` or `lexical`. */
  embedder: v.string(),
  /** Set when a fallback stands in for the configured model: what was asked for, and why not. */
  fallback: v.optional(v.object({ requested: v.string(), reason: v.string() })),
  /** Problems met replaying the label log (bad lines are skipped, never fatal). */
  logProblems: v.array(v.string()),
  counts: CountsSchema,
  /** Labels imported from the file as predictions to review (the review queue). */
  toReview: count,
  /** Labels imported from the file as labels, by this start. */
  imported: count,
});

export const ExportedMessage = v.object({ type: v.literal('exported'), requestId, outFile: v.string(), count });

/**
 * The session follows the changed dataset file (after `reloadDataset`), or could not: `failed` says
 * why, and the session goes on with the items it had. It comes after `poolChanged` (the page's
 * queue) and `counts`.
 */
export const DatasetReloadedMessage = v.object({
  type: v.literal('datasetReloaded'),
  summary: EngineReadyMessage.entries.summary,
  /** The first 100 row problems of the new file, each naming file:line (valid rows are kept). */
  problems: v.array(RowProblemSchema),
  /** Items new to the session (new lines, and edited lines without an explicit id). */
  added: count,
  /** Items no longer in the file; their labels stay in the log but are not counted. */
  removed: count,
  /** Items with an explicit id whose text changed: re-embedded, label kept. */
  changed: count,
  /** Set when the file could not be used; nothing changed. */
  failed: v.optional(v.string()),
});

/** The most lines an `imported` reply lists; the count of the rest is in `moreProblems`. */
export const MAX_IMPORT_PROBLEMS = 2000;

/** What an import did: counts, one plain-text summary, and every line left out with file:line. */
export const ImportedMessage = v.object({
  type: v.literal('imported'),
  requestId,
  tool: v.picklist(IMPORT_TOOLS),
  /** Events written now. */
  imported: count,
  /** Judgements already in the log (the same export imported before). */
  alreadyImported: count,
  unmatched: count,
  /** One paragraph for a notification (plain text, never markup). */
  summary: v.string(),
  /** Each line not imported: `file:line: reason`. */
  problems: v.pipe(v.array(v.object({ line: count, kind: v.string(), message: v.string() })), v.maxLength(MAX_IMPORT_PROBLEMS)),
  moreProblems: count,
});

export const LogMessage = v.object({
  type: v.literal('log'),
  level: v.picklist(['debug', 'info', 'warn', 'error']),
  message: v.string(),
});

/** What `reviewLabel` did: the decisions written (fsynced) and those refused, with why. */
export const ReviewSavedMessage = v.object({
  type: v.literal('reviewSaved'),
  requestId,
  written: count,
  failed: v.array(v.object({ itemId: v.string(), message: v.string() })),
});

/** One item's human label as the log's state says (`labels: []`: it has none any more). */
const ReviewLabelStateSchema = v.object({
  row: count,
  labels: v.array(v.string()),
  annotator: v.string(),
  source: LabelSourceSchema,
  time: v.string(),
  /** A reviewed label's recorded suspicion score. */
  score: v.optional(finite),
});

/** A suspected label error of a labeled item (out-of-fold confident learning). */
const ReviewSuspectSchema = v.object({ row: count, given: v.string(), suggested: v.string(), score: fraction, suggestedProb: fraction });

/** Top predictions of every item: `k` class indexes (-1: none) and probabilities per row. */
const ReviewPredictionsSchema = v.pipe(
  v.object({
    version: count,
    classes: v.array(v.string()),
    k: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3)),
    top: v.instance(Int16Array),
    probs: v.instance(Float32Array),
  }),
  v.check((p) => p.top.length === p.probs.length && p.top.length % p.k === 0, 'top and probs must hold k entries per row'),
);

/**
 * Per-item review data for the editor (decorations, hover, diagnostics), published by the worker
 * after each retrain (predictions and suspects) and shortly after label writes (the labels that
 * changed), never on the label keypress path. Rows index `itemIds` of the latest message that had
 * them: the first publication of a session, and again after the log was replaced.
 */
export const ReviewDataMessage = v.object({
  type: v.literal('reviewData'),
  datasetFile: v.string(),
  itemIds: v.optional(v.array(idString)),
  /** Labels changed since the last publication (every labeled item when `itemIds` is present). */
  labels: v.array(ReviewLabelStateSchema),
  predictions: v.optional(ReviewPredictionsSchema),
  /** Present with `predictions`: every suspect of that version (an empty list clears them). */
  suspects: v.optional(v.array(ReviewSuspectSchema)),
});

// ---- the two engine directions -------------------------------------------------------------

export const HostToWorker = v.variant('type', [StartMessage, ...PAGE_TO_ENGINE, ReleaseMessage, SetStrategyMessage, SetAnnotatorMessage, ExportMessage, ImportLabelsMessage, ReviewLabelMessage, ReloadDatasetMessage, DisposeMessage]);
export type HostToWorker = v.InferOutput<typeof HostToWorker>;

export const WorkerToHost = v.variant('type', [...ENGINE_TO_PAGE, EngineReadyMessage, ExportedMessage, ImportedMessage, LogMessage, ReviewSavedMessage, ReviewDataMessage, DatasetReloadedMessage]);
export type WorkerToHost = v.InferOutput<typeof WorkerToHost>;

// Each message's type, under the schema's own name.
export type StartMessage = v.InferOutput<typeof StartMessage>;
export type SetStrategyMessage = v.InferOutput<typeof SetStrategyMessage>;
export type SetAnnotatorMessage = v.InferOutput<typeof SetAnnotatorMessage>;
export type ReleaseMessage = v.InferOutput<typeof ReleaseMessage>;
export type ExportMessage = v.InferOutput<typeof ExportMessage>;
export type DisposeMessage = v.InferOutput<typeof DisposeMessage>;
export type ReloadDatasetMessage = v.InferOutput<typeof ReloadDatasetMessage>;
export type DatasetReloadedMessage = v.InferOutput<typeof DatasetReloadedMessage>;
export type ImportLabelsMessage = v.InferOutput<typeof ImportLabelsMessage>;
export type ImportedMessage = v.InferOutput<typeof ImportedMessage>;
export type EngineReadyMessage = v.InferOutput<typeof EngineReadyMessage>;
export type ExportedMessage = v.InferOutput<typeof ExportedMessage>;
export type LogMessage = v.InferOutput<typeof LogMessage>;
export type ReviewLabelMessage = v.InferOutput<typeof ReviewLabelMessage>;
export type ReviewSavedMessage = v.InferOutput<typeof ReviewSavedMessage>;
export type ReviewDataMessage = v.InferOutput<typeof ReviewDataMessage>;
