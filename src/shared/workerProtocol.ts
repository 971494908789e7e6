/**
 * Messages between the extension host and the engine worker (src/worker/engineWorker.ts).
 *
 * Both directions are discriminated unions keyed on `type`. Data that crosses a `postMessage` is
 * untyped at runtime, so each side validates what arrives with `isHostToWorker` / `isWorkerToHost`
 * before switching on it. Everything here is structured-clone friendly: plain objects, arrays,
 * strings and numbers only (no Maps, no class instances, no typed arrays).
 *
 * Webview-facing types live in webviewProtocol.ts; this file is the host <-> worker contract only.
 */
import { STRATEGY_NAMES, type StrategyName } from '../core/sampling/types';
import type { ClassMetrics, Metrics } from '../core/evaluation/metrics';
import type { LabelMode, LabelSource, LoadSummary, RowProblem } from '../core/types';

export { binaryRejectLabel } from '../core/session/targets';
export { assertUnreachable } from './assert';

export type { LabelMode, LabelSource };

/**
 * Names accepted by `init.strategy` / `setStrategy`: the engine's own list (src/core/sampling), so a
 * new strategy needs no edit here. Only the host and the worker import this file; the webview never
 * does (it names the strategy with a display string), so no sampling code reaches its bundle.
 */
export const STRATEGY_IDS = STRATEGY_NAMES;
export type StrategyId = StrategyName;

// ---------------------------------------------------------------------------------------------
// host -> worker
// ---------------------------------------------------------------------------------------------

/** Start (or restart) a labeling session. A second `init` replaces the first session entirely. */
export interface InitMessage {
  readonly type: 'init';
  /** Absolute path of the dataset file (jsonl, csv, tsv or txt). */
  readonly datasetFile: string;
  /** Workspace root; the label log lives under `<root>/.activelabel/` (see datasetStoreDir). */
  readonly workspaceRoot: string;
  /** Field holding the text (ignored for txt). */
  readonly textField: string;
  /** Field with existing labels to import with source `import`; omitted = none. */
  readonly labelField?: string;
  /** The label set, in key order (key 1 = labels[0]). Binary mode: exactly one label. */
  readonly labels: readonly string[];
  readonly mode: LabelMode;
  readonly strategy: StrategyId;
  /** Items sent per `batch` when the host does not ask for a count. */
  readonly batchSize: number;
  /** Retrain after this many new labels (default 10). */
  readonly retrainEvery: number;
  /** Share of each batch drawn at random, in [0, 1] (default 0.1). */
  readonly randomShare: number;
  /** Share of items held out for evaluation, in [0, 1) (default 0.1). Never used for training. */
  readonly evalFraction: number;
  /** Written into every label event. */
  readonly annotator: string;
  /** Hugging Face model id, local model folder, or `lexical`. */
  readonly model: string;
  /** Folder where downloaded transformer models are cached (embeddings are cached per dataset
   *  under the workspace's `.activelabel/` folder). */
  readonly cacheDir: string;
  /** Seed for every random step, so a session is reproducible. */
  readonly seed: number;
  /**
   * Keywords (case-insensitive substrings) or `/regex/flags`: during cold start (until every label
   * has a few examples) items matching one come first, so rare labels get examples early.
   */
  readonly seedPatterns?: readonly string[];
}

/**
 * Record the annotator's answer for one item. The worker replies `saved` (after fsync) or
 * `saveFailed` with the same requestId.
 * Binary mode: `labels: [theLabel]` = accept; `labels: []` or `[binaryRejectLabel(theLabel)]` =
 * reject (the worker stores a reject as `binaryRejectLabel(theLabel)`).
 * Multi-label mode: `labels` must hold at least one label (the log has no empty label event).
 */
export interface LabelMessage {
  readonly type: 'label';
  /** Chosen by the host; echoed in `saved` / `saveFailed`. */
  readonly requestId: string;
  readonly itemId: string;
  readonly labels: readonly string[];
  /** `queue` for the normal flow, `review` / `edit` when relabeling from history. */
  readonly source: LabelSource;
  /** Optional free text, e.g. "accepted prediction". */
  readonly reason?: string;
}

/**
 * Undo the most recent label or flag still in effect (imports are never undone this way). Replied
 * with `saved` then `undone` once the undo event is on disk, or `saveFailed`; with only `undone`
 * (itemId null) when there is nothing to undo.
 */
export interface UndoMessage {
  readonly type: 'undo';
  readonly requestId: string;
}

/** Skip an item for this session only (it is not written to the log and not served again). */
export interface SkipMessage {
  readonly type: 'skip';
  readonly itemId: string;
}

/** Flag an item for later review (written to the log). Replied with `saved` / `saveFailed`. */
export interface FlagMessage {
  readonly type: 'flag';
  readonly requestId: string;
  readonly itemId: string;
  readonly note?: string;
}

/** Ask for the next items to show. The worker replies with one `batch`. */
export interface RequestBatchMessage {
  readonly type: 'requestBatch';
  /** How many items; the worker may return fewer when the pool runs out. */
  readonly count: number;
}

/** Switch the sampling strategy for the following batches. */
export interface SetStrategyMessage {
  readonly type: 'setStrategy';
  readonly strategy: StrategyId;
}

/** Cancel the long-running phase in progress (embedding). The worker replies with `error` or `ready`. */
export interface CancelMessage {
  readonly type: 'cancel';
}

/** Export the current labels. Replied with `exported` or `error`. */
export interface ExportMessage {
  readonly type: 'export';
  readonly requestId: string;
  readonly format: 'jsonl' | 'csv';
  /** Absolute output path. */
  readonly outFile: string;
}

/** Close the log and exit the worker. */
export interface DisposeMessage {
  readonly type: 'dispose';
}

export type HostToWorker =
  | InitMessage
  | LabelMessage
  | UndoMessage
  | SkipMessage
  | FlagMessage
  | RequestBatchMessage
  | SetStrategyMessage
  | CancelMessage
  | ExportMessage
  | DisposeMessage;

// ---------------------------------------------------------------------------------------------
// worker -> host
// ---------------------------------------------------------------------------------------------

export type ProgressPhase = 'loading' | 'embedding' | 'training';

/** Progress of a long phase; the host shows it in a notification and the status bar. */
export interface ProgressMessage {
  readonly type: 'progress';
  readonly phase: ProgressPhase;
  readonly done: number;
  readonly total: number;
  /** Measured throughput; 0 until known. */
  readonly itemsPerSecond: number;
  /** Estimated seconds left; 0 until known. */
  readonly etaSeconds: number;
}

/** Per-label and overall counts of the replayed label state. */
export interface LabelsState {
  /** Items with a current label (accept/reject both count in binary mode). */
  readonly labeled: number;
  /** Items in the dataset. */
  readonly total: number;
  /** Items per label; in binary mode also the reject count under `not <label>`. */
  readonly counts: Readonly<Record<string, number>>;
  /** Items held out for evaluation. */
  readonly evaluation: number;
  /** Label events in the log (including undos and imports). */
  readonly events: number;
}

/** The dataset is loaded and embedded; the session is ready for `requestBatch`. */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly summary: LoadSummary;
  /** The first 100 row problems of the dataset, each naming file:line. */
  readonly problems: readonly RowProblem[];
  /** Identifies the embedder in use, e.g. `Xenova/all-MiniLM-L6-v2` or `lexical`. */
  readonly embedder: string;
  readonly labelsState: LabelsState;
  /** Problems met while replaying the label log (bad lines are skipped, never fatal). */
  readonly logProblems: readonly string[];
}

export interface BatchItem {
  readonly id: string;
  readonly text: string;
  /** The current model's guess, when there is a model. */
  readonly prediction?: { readonly label: string; readonly confidence: number };
  /** Why this item was chosen, e.g. "Top 10% uncertain (margin 0.93), cluster 4 outlier". */
  readonly reason: string;
  readonly strategy: string;
  readonly score: number;
  readonly cluster?: number;
}

/** Items to show, in order. Fewer than requested (possibly none) means the pool is exhausted. */
export interface BatchMessage {
  readonly type: 'batch';
  readonly items: readonly BatchItem[];
  /** True when nothing unlabeled is left to serve. */
  readonly exhausted: boolean;
}

/** The event for `requestId` is on disk (fsync done). */
export interface SavedMessage {
  readonly type: 'saved';
  readonly requestId: string;
  readonly eventId: string;
  /** The counts with this event applied, so the UI never waits for a retrain to show them. */
  readonly labelsState?: LabelsState;
}

/** The event for `requestId` could not be written; the host keeps the label pending. */
export interface SaveFailedMessage {
  readonly type: 'saveFailed';
  readonly requestId: string;
  readonly message: string;
}

/** An undo was applied: `itemId` is unlabeled again (or back to its previous labels). */
export interface UndoneMessage {
  readonly type: 'undone';
  readonly requestId: string;
  /** Null when there was nothing to undo. */
  readonly itemId: string | null;
  /** The item's labels after the undo (empty when it is unlabeled again). */
  readonly labels: readonly string[];
  /** The counts after the undo; absent when there was nothing to undo. */
  readonly labelsState?: LabelsState;
}

/**
 * Metrics cross the boundary as the core computes them (plain numbers, strings and arrays).
 * `evaluated` is the number of held-out items scored: small early on (evalFraction of the labels),
 * so the UI says how many and greys the figures below MIN_TRUSTED_EVALUATION_ITEMS.
 */
export type ClassMetricsDto = ClassMetrics;
export type MetricsDto = Metrics;

export interface CurvePointDto {
  /** Training labels at this version. */
  readonly labels: number;
  readonly accuracy: number;
  readonly macroF1: number;
  readonly version: number;
  /** Held-out items this point was measured on (known for the versions this worker trained). */
  readonly evaluated?: number;
}

export interface StoppingDto {
  /** True when predictions have stabilized (kappa over the last rounds >= threshold). */
  readonly stop: boolean;
  /** Mean kappa over the last rounds; null before enough retrains. */
  readonly kappa: number | null;
  /** Text for the user, e.g. "Predictions have stabilized: more labels are unlikely to help." */
  readonly message: string;
}

/** A new model version was trained. `metrics` is null until evaluation items carry labels. */
export interface ModelMessage {
  readonly type: 'model';
  readonly version: number;
  readonly metrics: MetricsDto | null;
  readonly curve: readonly CurvePointDto[];
  readonly stopping: StoppingDto;
  readonly counts: Readonly<Record<string, number>>;
  readonly labeled: number;
  readonly total: number;
}

/** The export finished. */
export interface ExportedMessage {
  readonly type: 'exported';
  readonly requestId: string;
  readonly outFile: string;
  readonly count: number;
}

export type ErrorKind = 'model-load' | 'dataset' | 'internal' | 'cancelled';

/**
 * Something failed. For `model-load` the host offers actions and may re-send `init` with
 * `model: 'lexical'`. `actions` are suggestions (ids the host maps to buttons).
 */
export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
  readonly kind: ErrorKind;
  /** e.g. ['useLexical', 'chooseLocalModel', 'retry'] for model-load. */
  readonly actions?: readonly string[];
  /** The requestId the error answers, if any (e.g. an export). */
  readonly requestId?: string;
}

/** Diagnostic text for the output channel. */
export interface LogMessage {
  readonly type: 'log';
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
}

export type WorkerToHost =
  | ProgressMessage
  | ReadyMessage
  | BatchMessage
  | SavedMessage
  | SaveFailedMessage
  | UndoneMessage
  | ModelMessage
  | ExportedMessage
  | ErrorMessage
  | LogMessage;

// ---------------------------------------------------------------------------------------------
// runtime validation
// ---------------------------------------------------------------------------------------------

type Check = (v: Record<string, unknown>) => boolean;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): boolean => typeof v === 'string';
const num = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const optStr = (v: unknown): boolean => v === undefined || typeof v === 'string';
const strArr = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const oneOf =
  (values: readonly string[]) =>
  (v: unknown): boolean =>
    typeof v === 'string' && values.includes(v);
const isMode = oneOf(['single', 'multi', 'binary']);
const isSource = oneOf(['queue', 'review', 'import', 'edit']);
const isStrategy = oneOf(STRATEGY_IDS);
const isCounts = (v: unknown): boolean => isObj(v) && Object.values(v).every(num);
const isLabelsState = (v: unknown): boolean =>
  isObj(v) && num(v.labeled) && num(v.total) && isCounts(v.counts) && num(v.evaluation) && num(v.events);
const optLabelsState = (v: unknown): boolean => v === undefined || isLabelsState(v);
const optNum = (v: unknown): boolean => v === undefined || num(v);
const optStrArr = (v: unknown): boolean => v === undefined || strArr(v);
const isPrediction = (v: unknown): boolean => isObj(v) && str(v.label) && num(v.confidence);
const isBatchItem = (v: unknown): boolean =>
  isObj(v) &&
  str(v.id) &&
  str(v.text) &&
  str(v.reason) &&
  str(v.strategy) &&
  num(v.score) &&
  optNum(v.cluster) &&
  (v.prediction === undefined || isPrediction(v.prediction));
const isCurvePoint = (v: unknown): boolean =>
  isObj(v) && num(v.labels) && num(v.accuracy) && num(v.macroF1) && num(v.version) && optNum(v.evaluated);
const isStopping = (v: unknown): boolean =>
  isObj(v) && typeof v.stop === 'boolean' && (v.kappa === null || typeof v.kappa === 'number') && str(v.message);
const isMetrics = (v: unknown): boolean =>
  isObj(v) && num(v.evaluated) && num(v.accuracy) && num(v.macroF1) && Array.isArray(v.perClass) && strArr(v.classes);

const hostChecks: Record<HostToWorker['type'], Check> = {
  init: (m) =>
    str(m.datasetFile) &&
    str(m.workspaceRoot) &&
    str(m.textField) &&
    optStr(m.labelField) &&
    strArr(m.labels) &&
    isMode(m.mode) &&
    isStrategy(m.strategy) &&
    num(m.batchSize) &&
    num(m.retrainEvery) &&
    num(m.randomShare) &&
    num(m.evalFraction) &&
    str(m.annotator) &&
    str(m.model) &&
    str(m.cacheDir) &&
    num(m.seed) &&
    optStrArr(m.seedPatterns),
  label: (m) => str(m.requestId) && str(m.itemId) && strArr(m.labels) && isSource(m.source) && optStr(m.reason),
  undo: (m) => str(m.requestId),
  skip: (m) => str(m.itemId),
  flag: (m) => str(m.requestId) && str(m.itemId) && optStr(m.note),
  requestBatch: (m) => num(m.count),
  setStrategy: (m) => isStrategy(m.strategy),
  cancel: () => true,
  export: (m) => str(m.requestId) && oneOf(['jsonl', 'csv'])(m.format) && str(m.outFile),
  dispose: () => true,
};

const workerChecks: Record<WorkerToHost['type'], Check> = {
  progress: (m) =>
    oneOf(['loading', 'embedding', 'training'])(m.phase) &&
    num(m.done) &&
    num(m.total) &&
    num(m.itemsPerSecond) &&
    num(m.etaSeconds),
  ready: (m) =>
    isObj(m.summary) &&
    num(m.summary.loaded) &&
    num(m.summary.skipped) &&
    num(m.summary.rows) &&
    Array.isArray(m.problems) &&
    m.problems.every((p) => isObj(p) && str(p.message)) &&
    str(m.embedder) &&
    isLabelsState(m.labelsState) &&
    strArr(m.logProblems),
  batch: (m) => Array.isArray(m.items) && m.items.every(isBatchItem) && typeof m.exhausted === 'boolean',
  saved: (m) => str(m.requestId) && str(m.eventId) && optLabelsState(m.labelsState),
  saveFailed: (m) => str(m.requestId) && str(m.message),
  undone: (m) => str(m.requestId) && (m.itemId === null || str(m.itemId)) && strArr(m.labels) && optLabelsState(m.labelsState),
  model: (m) =>
    num(m.version) &&
    (m.metrics === null || isMetrics(m.metrics)) &&
    Array.isArray(m.curve) &&
    m.curve.every(isCurvePoint) &&
    isStopping(m.stopping) &&
    isCounts(m.counts) &&
    num(m.labeled) &&
    num(m.total),
  exported: (m) => str(m.requestId) && str(m.outFile) && num(m.count),
  error: (m) =>
    str(m.message) && oneOf(['model-load', 'dataset', 'internal', 'cancelled'])(m.kind) && optStrArr(m.actions) && optStr(m.requestId),
  log: (m) => oneOf(['debug', 'info', 'warn', 'error'])(m.level) && str(m.message),
};

/** True when `msg` is a well-formed host -> worker message. */
export function isHostToWorker(msg: unknown): msg is HostToWorker {
  if (!isObj(msg) || typeof msg.type !== 'string' || !Object.hasOwn(hostChecks, msg.type)) return false;
  return hostChecks[msg.type as HostToWorker['type']](msg);
}

/** True when `msg` is a well-formed worker -> host message. */
export function isWorkerToHost(msg: unknown): msg is WorkerToHost {
  if (!isObj(msg) || typeof msg.type !== 'string' || !Object.hasOwn(workerChecks, msg.type)) return false;
  return workerChecks[msg.type as WorkerToHost['type']](msg);
}
