/**
 * What `init` does, in order: load the dataset, replay the label log, import the file's labels,
 * embed the labeled items, the cached rows and a seeded first sample (with progress and
 * cancellation; a fully cached resume loads no model, see `embedItems`), and build the session
 * from all of it; the rest of the pool is `pending`, for the background. Each failure is
 * classified so the host can offer the right action.
 */
import { CancelledError } from '../core/errors';
import { join } from 'node:path';
import { SNAPSHOT_FILE_NAME, loadDatasetCached, type OpenedDataset } from '../core/dataset';
import { embedItems, type PendingEmbedding } from './embedItems';
import { InitError } from './initError';

export { InitError };
import { LabelLog, datasetStoreDir, ensureStoreRoot, labelLogPath } from '../core/labels';
import { FileLabels } from './fileLabels';
import type { LabelEvent, LogReplacement, ReplacementDecision } from '../core/labels';
import { LabelingSession } from '../core/session';
import type { Dataset } from '../core/types';
import type { ErrorKind, ProgressSnapshot } from '../shared/protocol/domain';
import type { SessionInit } from '../shared/protocol/sessionInit';

export interface StartedSession {
  /** The dataset as the start loaded it; after a reload the session's `items` are the file's. */
  readonly dataset: Dataset;
  readonly session: LabelingSession;
  readonly log: LabelLog;
  /** The embedder as the panel names it, e.g. `use-lite (fallback)`. */
  readonly embedder: string;
  /** Set when a fallback stands in for the configured model. */
  readonly fallback?: { readonly requested: string; readonly reason: string };
  /** Things the user should know that did not stop the session (e.g. the cache could not be used). */
  readonly warnings: readonly string[];
  readonly logProblems: readonly string[];
  /** Set `handle` to decide what happens when the log file is replaced or removed under us. */
  readonly replacements: ReplacementHook;
  /** The file's labels the user chose to review (item id -> mapped labels); not in the log. */
  readonly toReview: ReadonlyMap<string, readonly string[]>;
  /** The setup's use of the file's labels: a reload applies it to the rows it adds or changes. */
  readonly fileLabels: FileLabels;
  /** Labels this start imported from the file. */
  readonly imported: number;
  /** Every event in the log (replayed and just imported), oldest first. */
  readonly events: readonly LabelEvent[];
  /** The rest of the pool, to embed in the background (src/worker/poolEmbedder.ts); absent when all is embedded. */
  readonly pending?: PendingEmbedding;
  /** The dataset was decoded from its snapshot, not parsed from the file. */
  readonly fromSnapshot: boolean;
  /** Writes the dataset snapshot for the next start (src/worker/snapshotSaver.ts); absent when it was read from one. */
  readonly saveSnapshot?: OpenedDataset['save'];
}

export interface ReplacementHook {
  handle(r: LogReplacement): ReplacementDecision;
}

type Progress = Omit<ProgressSnapshot, 'phase'> & { phase: Exclude<ProgressSnapshot['phase'], 'idle' | 'training'> };

export async function startSession(
  init: SessionInit,
  signal: AbortSignal,
  progress: (p: Progress) => void,
): Promise<StartedSession> {
  let dataset: Dataset;
  let saveSnapshot: OpenedDataset['save'];
  let fromSnapshot = false;
  try {
    const started = performance.now();
    const opened = await readDataset(init, signal, (done, total) => progress(rate('loading', done, total, started)));
    dataset = opened.dataset;
    saveSnapshot = opened.save;
    fromSnapshot = opened.fromSnapshot;
  } catch (error) {
    throw classify(error, 'dataset');
  }

  await ensureStoreRoot(init.workspaceRoot).catch((error: unknown) => {
    throw classify(error, 'internal');
  });
  const storeDir = datasetStoreDir(init.workspaceRoot, init.datasetFile);
  const logFile = labelLogPath(init.workspaceRoot, init.datasetFile);
  // The log's owner (the LabelWriter) takes over replacements once the session exists.
  const replacements: ReplacementHook = { handle: () => 'write' };
  const { log, replayed } = await LabelLog.openReplayed(logFile, { onReplaced: (r) => replacements.handle(r) }).catch((error: unknown) => {
    throw classify(error, 'internal');
  });
  let pending: PendingEmbedding | undefined;
  try {
    // The file's own labels are imported only when the user chose to, mapped onto the label set.
    const fileLabels = new FileLabels(init);
    const imports = fileLabels.imports(dataset.items, replayed.events);
    const imported: LabelEvent[] = imports.length > 0 ? await log.append(imports) : [];
    // Taken now: the session adopts the replayed state, whose event list then grows by `imported`.
    const events = [...replayed.events, ...imported];
    // Kept as predictions for the review queue: never written as labels.
    fileLabels.update(dataset.items);

    // The labeled items train the model: they are embedded with the first sample, before labeling starts.
    const labeledIds = new Set<string>();
    for (const event of events) labeledIds.add(event.itemId);
    const first: number[] = [];
    dataset.items.forEach((item, row) => {
      if (labeledIds.has(item.id)) first.push(row);
    });
    const embedded = await embedItems(init, dataset, storeDir, signal, progress, { first });
    const { matrix, warnings } = embedded;
    pending = embedded.pending;

    const session = new LabelingSession(dataset.items, matrix, {
      labels: init.labels,
      mode: init.mode,
      strategy: init.strategy,
      batchSize: init.batchSize,
      retrainEvery: init.retrainEvery,
      randomShare: init.randomShare,
      seed: init.seed,
      ...(init.seedPatterns !== undefined && init.seedPatterns.length > 0 ? { seedPatterns: init.seedPatterns } : {}),
    }, undefined, pending?.staged.embedded);
    // The replay's reducer becomes the session's: its events are not applied a second time.
    session.adoptLabels(replayed.labelState);
    for (const event of imported) session.applyLabel(event);
    return {
      dataset,
      session,
      log,
      embedder: embedded.label,
      ...(embedded.fallback ? { fallback: embedded.fallback } : {}),
      warnings: [...warnings],
      logProblems: replayed.problems.slice(0, 100).map((p) => p.message),
      events,
      toReview: fileLabels.toReview,
      fileLabels,
      imported: imported.length,
      replacements,
      ...(pending !== undefined ? { pending } : {}),
      fromSnapshot,
      ...(saveSnapshot !== undefined ? { saveSnapshot } : {}),
    };
  } catch (error) {
    await pending?.embedder.dispose().catch(() => undefined);
    await log.close().catch(() => undefined);
    throw error instanceof InitError ? error : classify(error, 'internal');
  }
}

/**
 * The session's dataset, read with its setup (text field, label field), from its snapshot in the
 * store folder when that was made from these very bytes; a reload reads it the same way.
 */
export function readDataset(init: SessionInit, signal: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<OpenedDataset> {
  const options = {
    textField: init.textField,
    ...(init.existingLabels !== undefined ? { labelField: init.existingLabels.field } : {}),
    signal,
    ...(onProgress !== undefined ? { onProgress } : {}),
  };
  const path = join(datasetStoreDir(init.workspaceRoot, init.datasetFile), SNAPSHOT_FILE_NAME);
  return loadDatasetCached(init.datasetFile, options, { path, ...(init.snapshotMinItems !== undefined ? { minItems: init.snapshotMinItems } : {}) });
}

function rate(phase: Progress['phase'], done: number, total: number, started: number): Progress {
  const seconds = (performance.now() - started) / 1000;
  const itemsPerSecond = seconds > 0 ? done / seconds : 0;
  return { phase, done, total, itemsPerSecond, etaSeconds: itemsPerSecond > 0 ? (total - done) / itemsPerSecond : -1 };
}

function classify(error: unknown, kind: ErrorKind): InitError {
  if (error instanceof InitError) return error;
  if (error instanceof CancelledError) return new InitError('Cancelled.', 'cancelled');
  const message = error instanceof Error ? error.message : String(error);
  return new InitError(message, kind);
}
