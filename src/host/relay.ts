/**
 * Relays messages between the labeling webview and the engine worker, translating between the two
 * protocols and validating what the webview sends. Free of the `vscode` module: the panel passes
 * a `post` function and the raw messages, so the relay can be tested without VS Code.
 *
 * Guarantees kept here:
 * - the webview hears `saved` only after the worker's `saved` (the event is fsynced);
 * - requestIds are idempotent: a retried label that is already on disk is answered `saved` again,
 *   never appended twice; one still in flight is not sent twice;
 * - an item handed to the webview is not handed out again while the webview holds it;
 * - no `items` message carries more than MAX_ITEMS_MESSAGE_CHARS of text (but at least one item):
 *   the rest of a worker batch waits here until the webview asks again;
 * - every saved write updates the counts snapshot and posts `counts`, so they never wait for a retrain.
 */
import type { LabelMode } from '../core/types';
import {
  labelKeyForIndex,
  MAX_ITEMS_MESSAGE_CHARS,
  type HostToWebview,
  type InitMessage as WebviewInit,
  type Keymap,
  type ModelSnapshot,
  type ProgressSnapshot,
  type QueueItem,
  type RevealSection,
  type WebviewToHost,
} from '../shared/webviewProtocol';
import { parseWebviewToHost } from '../shared/webviewValidation';
import {
  assertUnreachable,
  type BatchItem,
  type HostToWorker,
  type LabelsState,
  type ModelMessage as WorkerModel,
  type ProgressMessage as WorkerProgress,
  type WorkerToHost,
} from '../shared/workerProtocol';

/** What the relay needs from the worker side (WorkerClient satisfies it). */
export interface WorkerPort {
  post(message: HostToWorker): void;
}

export interface RelayConfig {
  readonly datasetName: string;
  readonly labels: readonly string[];
  readonly mode: LabelMode;
  readonly keymap: Keymap;
  readonly strategy: string;
}

/** Actions the relay cannot perform itself (they need VS Code UI). */
export interface RelayCommands {
  openSettings(): void;
  chooseStrategy(): void;
  retry(): void;
  errorAction(actionId: string): void;
  /** Something worth a line in the output channel. */
  log(message: string): void;
}

type WriteState = { status: 'pending'; itemId: string } | { status: 'saved'; itemId: string };

export function toProgressSnapshot(m: WorkerProgress): ProgressSnapshot {
  return {
    phase: m.phase === 'loading' ? 'loading-model' : m.phase,
    done: m.done,
    total: m.total,
    itemsPerSecond: m.itemsPerSecond,
    etaSeconds: m.etaSeconds > 0 ? m.etaSeconds : -1,
  };
}

/** True for the message that closes a phase (done === total). */
export function isFinished(m: WorkerProgress): boolean {
  return m.total > 0 && m.done >= m.total;
}

export function toModelSnapshot(m: WorkerModel, training = false): ModelSnapshot {
  return {
    version: m.version,
    training,
    ...(m.metrics ? { accuracy: m.metrics.accuracy, macroF1: m.metrics.macroF1, evaluated: m.metrics.evaluated } : {}),
    curve: m.curve.map((p) => ({
      labels: p.labels,
      accuracy: p.accuracy,
      macroF1: p.macroF1,
      ...(p.evaluated !== undefined ? { evaluated: p.evaluated } : {}),
    })),
    ...(m.stopping.stop ? { stopping: m.stopping.message } : {}),
    counts: { ...m.counts },
    labeled: m.labeled,
    total: m.total,
  };
}

export function toQueueItem(item: BatchItem, mode: LabelMode, labels: readonly string[]): QueueItem {
  return {
    id: item.id,
    text: item.text,
    ...(item.prediction ? { prediction: { label: item.prediction.label, confidence: item.prediction.confidence } } : {}),
    reason: {
      strategy: item.strategy,
      score: item.score,
      ...(item.cluster !== undefined ? { cluster: item.cluster } : {}),
      detail: item.reason,
    },
    ...(mode === 'binary' && labels[0] !== undefined ? { question: labels[0] } : {}),
  };
}

export class Relay {
  private config: RelayConfig;
  private model: ModelSnapshot;
  private progress: ProgressSnapshot | undefined;
  private engineReady = false;
  private readonly writes = new Map<string, WriteState>();
  /**
   * Items handed to the webview and not answered yet. The worker never serves an item twice while
   * it is outstanding, so a webview that lost its queue (reloaded without state) gets these back.
   */
  private readonly held = new Map<string, QueueItem>();
  /** Served by the worker, not sent to the webview yet (over one message's size cap), in order. */
  private backlog: QueueItem[] = [];
  private wanted = 0;
  private batchInFlight = false;
  private exhausted = false;
  /** A `reveal` waiting for the page to come back (a hidden panel's page is destroyed). */
  private pendingReveal: RevealSection | undefined;

  constructor(
    config: RelayConfig,
    private worker: WorkerPort,
    private readonly post: (message: HostToWebview) => void,
    private readonly commands: RelayCommands,
  ) {
    this.config = config;
    this.model = { version: 0, training: false, curve: [], counts: {}, labeled: 0, total: 0 };
  }

  get snapshot(): ModelSnapshot {
    return this.model;
  }

  /** True while the engine is ready and not loading or embedding: the status bar may show counts. */
  get showsCounts(): boolean {
    return this.engineReady && (this.progress === undefined || this.progress.phase === 'training');
  }

  /** New labels, mode, keymap or strategy: re-send init; the webview keeps its queue. */
  reconfigure(config: RelayConfig): void {
    this.config = config;
    this.post(this.initMessage());
  }

  /**
   * Brings a section of the panel into view. `pageAlive` is false when the panel was hidden: its
   * page is being reloaded and would drop the message, so it is sent after that page's `init`.
   */
  reveal(section: RevealSection, pageAlive: boolean): void {
    if (pageAlive) {
      this.pendingReveal = undefined;
      this.post({ type: 'reveal', section });
    } else {
      this.pendingReveal = section;
    }
  }

  /**
   * The engine session restarts (a new `init`): forget everything the webview held. `worker` is the
   * port to use from now on; when it is a new one (the old worker died), writes the old worker never
   * answered are reported failed, so the webview keeps them pending and its retry is sent again.
   */
  resetEngine(worker: WorkerPort): void {
    if (worker !== this.worker) {
      for (const [requestId, write] of this.writes) {
        if (write.status !== 'pending') continue;
        this.writes.delete(requestId);
        this.post({
          type: 'saveFailed',
          requestId,
          itemId: write.itemId,
          message: 'The engine stopped before confirming this write; retry to save it.',
        });
      }
      this.worker = worker;
    }
    this.engineReady = false;
    this.held.clear();
    this.backlog = [];
    this.exhausted = false;
    this.batchInFlight = false;
  }

  initMessage(): WebviewInit {
    return {
      type: 'init',
      dataset: { name: this.config.datasetName, total: this.model.total },
      labels: this.config.labels.map((name, i) => ({ name, key: labelKeyForIndex(i) })),
      mode: this.config.mode,
      keymap: this.config.keymap,
      strategy: this.config.strategy,
      state: { ...this.model, ...(this.progress ? { progress: this.progress } : {}) },
    };
  }

  /** A raw message from the webview. Invalid ones are logged and dropped. */
  fromWebview(raw: unknown): void {
    const parsed = parseWebviewToHost(raw);
    if (!parsed.ok) {
      this.commands.log(`Ignored an invalid message from the labeling panel: ${parsed.error}`);
      return;
    }
    const m: WebviewToHost = parsed.message;
    switch (m.type) {
      case 'ready':
        this.post(this.initMessage());
        // A restored webview still holds its queue; a fresh one starts empty and gets back what
        // the worker considers outstanding.
        if (!m.restored && this.held.size > 0) {
          this.backlog = [...this.held.values(), ...this.backlog];
          this.held.clear();
          this.deliver(Infinity);
        } else if (this.backlog.length > 0 && this.held.size === 0) this.deliver(Infinity);
        else if (this.engineReady && this.held.size === 0) this.requestItems(5);
        if (this.pendingReveal !== undefined) {
          this.post({ type: 'reveal', section: this.pendingReveal });
          this.pendingReveal = undefined;
        }
        return;
      case 'label':
        this.label(m.requestId, m.itemId, m.labels, m.source, m.answer, m.reason?.detail);
        return;
      case 'undo':
        this.undo(m.requestId, m.itemId);
        return;
      case 'skip':
        this.held.delete(m.itemId);
        this.worker.post({ type: 'skip', itemId: m.itemId });
        return;
      case 'flag':
        this.held.delete(m.itemId);
        this.worker.post({ type: 'flag', requestId: `flag-${m.itemId}-${Date.now()}`, itemId: m.itemId });
        return;
      case 'needItems':
        if (this.backlog.length > 0) this.deliver(m.count);
        else this.requestItems(m.count);
        return;
      case 'openSettings':
        this.commands.openSettings();
        return;
      case 'chooseStrategy':
        this.commands.chooseStrategy();
        return;
      case 'retry':
        this.commands.retry();
        return;
      case 'errorAction':
        this.commands.errorAction(m.actionId);
        return;
      default:
        assertUnreachable(m);
    }
  }

  /** A validated message from the worker. */
  fromWorker(m: WorkerToHost): void {
    switch (m.type) {
      case 'progress': {
        const snapshot = toProgressSnapshot(m);
        if (isFinished(m)) {
          // The worker closes each phase with done === total (a retrain's after its `model`).
          this.progress = undefined;
          if (this.model.training) this.model = { ...this.model, training: false };
          this.post({ type: 'progress', ...snapshot, phase: 'idle' });
          return;
        }
        this.progress = snapshot;
        if (m.phase === 'training' && !this.model.training) this.model = { ...this.model, training: true };
        this.post({ type: 'progress', ...snapshot });
        return;
      }
      case 'ready':
        this.progress = undefined;
        this.engineReady = true;
        this.model = {
          ...this.model,
          counts: { ...m.labelsState.counts },
          labeled: m.labelsState.labeled,
          total: m.labelsState.total,
        };
        this.post(this.initMessage());
        this.requestItems(Math.max(this.wanted, 5));
        return;
      case 'batch':
        this.receiveBatch(m.items, m.exhausted);
        return;
      case 'saved': {
        const write = this.writes.get(m.requestId);
        if (write) {
          this.writes.set(m.requestId, { status: 'saved', itemId: write.itemId });
          this.post({ type: 'saved', requestId: m.requestId, itemId: write.itemId });
        } // else a flag's reply: nothing to confirm in the UI, but its counts still apply
        if (m.labelsState) this.updateCounts(m.labelsState);
        return;
      }
      case 'saveFailed': {
        const write = this.writes.get(m.requestId);
        if (!write) {
          this.post({ type: 'error', message: `Could not save a flag: ${m.message}` });
          return;
        }
        // Forget it, so the webview's retry with the same requestId is sent to the worker again.
        this.writes.delete(m.requestId);
        this.post({ type: 'saveFailed', requestId: m.requestId, itemId: write.itemId, message: m.message });
        return;
      }
      case 'undone':
        if (m.labelsState) this.updateCounts(m.labelsState);
        return;
      case 'model':
        this.progress = undefined;
        this.model = toModelSnapshot(m, false);
        this.post({ type: 'model', ...this.model });
        return;
      case 'exported':
      case 'log':
        return;
      case 'error':
        this.progress = undefined;
        if (this.model.training) this.model = { ...this.model, training: false };
        return; // the panel decides how to present errors (actions need VS Code UI)
      default:
        assertUnreachable(m);
    }
  }

  private label(
    requestId: string,
    itemId: string,
    labels: readonly string[],
    source: 'queue' | 'edit',
    answer: 'accept' | 'reject' | undefined,
    reason: string | undefined,
  ): void {
    const known = this.writes.get(requestId);
    if (known?.status === 'saved') {
      this.post({ type: 'saved', requestId, itemId: known.itemId });
      return;
    }
    if (known?.status === 'pending') return; // its answer is on the way
    const unknown = labels.filter((l) => !this.config.labels.includes(l));
    if (unknown.length > 0 || (this.config.mode === 'single' && labels.length !== 1)) {
      this.post({
        type: 'saveFailed',
        requestId,
        itemId,
        message: unknown.length > 0 ? `Unknown label "${unknown[0]}".` : 'Single-label mode needs exactly one label.',
      });
      return;
    }
    // Binary mode: the worker reads [label] as accept and [] as reject.
    const toWrite = this.config.mode === 'binary' ? (answer === 'reject' ? [] : labels.slice(0, 1)) : labels;
    this.writes.set(requestId, { status: 'pending', itemId });
    this.held.delete(itemId);
    this.worker.post({ type: 'label', requestId, itemId, labels: toWrite, source, ...(reason ? { reason } : {}) });
  }

  private undo(requestId: string, itemId: string): void {
    const known = this.writes.get(requestId);
    if (known?.status === 'saved') {
      this.post({ type: 'saved', requestId, itemId: known.itemId });
      return;
    }
    if (known?.status === 'pending') return;
    this.writes.set(requestId, { status: 'pending', itemId });
    this.exhausted = false;
    this.worker.post({ type: 'undo', requestId });
  }

  /** Counts from a saved write: the snapshot (status bar, a reloaded page's init) and the webview. */
  private updateCounts(state: LabelsState): void {
    const same =
      state.labeled === this.model.labeled &&
      state.total === this.model.total &&
      Object.keys(state.counts).length === Object.keys(this.model.counts).length &&
      Object.entries(state.counts).every(([k, v]) => this.model.counts[k] === v);
    if (same) return;
    this.model = { ...this.model, counts: { ...state.counts }, labeled: state.labeled, total: state.total };
    this.post({ type: 'counts', counts: this.model.counts, labeled: state.labeled, total: state.total });
  }

  private requestItems(count: number): void {
    this.wanted = Math.max(this.wanted, Math.max(1, Math.min(200, Math.round(count))));
    if (!this.engineReady || this.batchInFlight || this.exhausted) return;
    this.batchInFlight = true;
    this.worker.post({ type: 'requestBatch', count: this.wanted });
  }

  private receiveBatch(items: readonly BatchItem[], exhausted: boolean): void {
    this.batchInFlight = false;
    const queued = new Set(this.backlog.map((item) => item.id));
    const fresh = items
      .filter((item) => !this.held.has(item.id) && !queued.has(item.id))
      .map((item) => toQueueItem(item, this.config.mode, this.config.labels));
    this.backlog.push(...fresh);
    this.wanted = 0;
    this.exhausted = exhausted;
    this.deliver(Infinity);
  }

  /**
   * Sends up to `count` backlog items in one `items` message, stopping before the text would pass
   * MAX_ITEMS_MESSAGE_CHARS (the first item always goes). Sends an empty message when there is
   * nothing, so the webview learns the pool is exhausted or its request was answered.
   */
  private deliver(count: number): void {
    const n = takeWithinBudget(this.backlog, Math.max(1, count), MAX_ITEMS_MESSAGE_CHARS);
    const batch = this.backlog.slice(0, n);
    this.backlog = this.backlog.slice(n);
    for (const item of batch) this.held.set(item.id, item);
    const exhausted = this.exhausted && this.backlog.length === 0;
    this.post({ type: 'items', items: batch, ...(exhausted ? { exhausted: true } : {}) });
  }
}

/** How many of the first items fit in `budget` text characters: at least one, at most `count`. */
export function takeWithinBudget(items: readonly QueueItem[], count: number, budget: number): number {
  let chars = 0;
  let n = 0;
  while (n < items.length && n < count) {
    chars += (items[n] as QueueItem).text.length;
    if (n > 0 && chars > budget) break;
    n++;
  }
  return n;
}
