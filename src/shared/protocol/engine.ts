/**
 * The host <-> worker messages that the webview never sees. The messages both share (items,
 * saved, saveFailed, progress, model, counts, error, and the writes) are declared in page.ts and
 * reused here as they are: the host forwards them without translating.
 * Only the host and the worker import this file, so the strategy registry never reaches the
 * webview's bundle.
 */
import * as v from 'valibot';
import { CountsSchema, count, idString } from './domain';
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
/** The page lost its queue: serve the items it held again. */
export const ReleaseMessage = v.object({ type: v.literal('release') });
export const ExportMessage = v.object({
  type: v.literal('export'),
  requestId,
  format: v.picklist(['jsonl', 'csv']),
  outFile: v.pipe(v.string(), v.minLength(1)),
});
export const DisposeMessage = v.object({ type: v.literal('dispose') });

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

export const LogMessage = v.object({
  type: v.literal('log'),
  level: v.picklist(['debug', 'info', 'warn', 'error']),
  message: v.string(),
});

// ---- the two engine directions -------------------------------------------------------------

export const HostToWorker = v.variant('type', [StartMessage, ...PAGE_TO_ENGINE, ReleaseMessage, SetStrategyMessage, ExportMessage, DisposeMessage]);
export type HostToWorker = v.InferOutput<typeof HostToWorker>;

export const WorkerToHost = v.variant('type', [...ENGINE_TO_PAGE, EngineReadyMessage, ExportedMessage, LogMessage]);
export type WorkerToHost = v.InferOutput<typeof WorkerToHost>;

// Each message's type, under the schema's own name.
export type StartMessage = v.InferOutput<typeof StartMessage>;
export type SetStrategyMessage = v.InferOutput<typeof SetStrategyMessage>;
export type ReleaseMessage = v.InferOutput<typeof ReleaseMessage>;
export type ExportMessage = v.InferOutput<typeof ExportMessage>;
export type DisposeMessage = v.InferOutput<typeof DisposeMessage>;
export type EngineReadyMessage = v.InferOutput<typeof EngineReadyMessage>;
export type ExportedMessage = v.InferOutput<typeof ExportedMessage>;
export type LogMessage = v.InferOutput<typeof LogMessage>;
