/**
 * The engine behind the worker boundary: one method per host message, results posted back.
 * Independent of worker_threads (the entry file wires `post` to parentPort), so it reads as plain
 * request handling.
 *
 * Ordering: messages are handled one after another (a label is applied in the order it was sent),
 * except `cancel`, which must reach a running `init` at once. Retraining runs beside the queue in
 * small steps, so a label is saved between two steps and never waits for a whole retrain.
 */
import { exportCsv, exportJsonl } from '../core/labels';
import type { LabelEventInput } from '../core/labels';
import type { BatchPick, ModelUpdate } from '../core/session';
import type {
  BatchItem,
  HostToWorker,
  InitMessage,
  LabelMessage,
  LabelsState,
  ModelMessage,
  WorkerToHost,
} from '../shared/workerProtocol';
import { assertUnreachable, isHostToWorker } from '../shared/workerProtocol';
import { LabelTally } from './labelTally';
import { InitError, startSession, type StartedSession } from './startSession';

export type Post = (message: WorkerToHost) => void;

const PROGRESS_INTERVAL_MS = 100;
const yieldToMessages = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class EngineController {
  private current: StartedSession | undefined;
  private init: InitMessage | undefined;
  private abort: AbortController | undefined;
  private queue: Promise<void> = Promise.resolve();
  private retraining: Promise<void> | undefined;
  /** Bumped by every init/dispose, so a retrain of an old session never posts. */
  private generation = 0;
  /** Why each served item was picked, written into its label event. */
  private readonly served = new Map<string, BatchPick>();
  private disposed = false;
  /** Counts of the current session, kept per event (never rescanned on the label path). */
  private tally: LabelTally | undefined;
  /** Held-out items each model version of this session was measured on (the curve lacks them). */
  private readonly evaluatedByVersion = new Map<number, number>();

  constructor(
    private readonly post: Post,
    private readonly onDisposed: () => void = () => undefined,
  ) {}

  /** Entry point for every raw message from the host. */
  receive(raw: unknown): void {
    if (!isHostToWorker(raw)) {
      this.post({ type: 'error', kind: 'internal', message: `Malformed message from the host: ${preview(raw)}` });
      return;
    }
    if (raw.type === 'cancel') {
      this.abort?.abort();
      return;
    }
    this.queue = this.queue.then(() => this.handle(raw)).catch((error: unknown) => this.internalError(error));
  }

  /** Resolves when queued messages and a running retrain have finished (for tests and dispose). */
  async idle(): Promise<void> {
    let last: Promise<unknown> | undefined;
    while (last !== this.queue || this.retraining !== undefined) {
      last = this.queue;
      await last;
      await this.retraining;
    }
  }

  /** Everything but `cancel`, which `receive` handles at once instead of queueing. */
  private async handle(msg: Exclude<HostToWorker, { type: 'cancel' }>): Promise<void> {
    if (this.disposed) return;
    switch (msg.type) {
      case 'init':
        return this.start(msg);
      case 'label':
        return this.label(msg);
      case 'undo':
        return this.undo(msg.requestId);
      case 'skip':
        this.current?.session.skip(msg.itemId);
        return;
      case 'flag':
        await this.append(msg.requestId, { type: 'flag', itemId: msg.itemId, labels: [], source: 'queue' });
        return;
      case 'requestBatch':
        return this.batch(msg.count);
      case 'setStrategy':
        this.current?.session.setStrategy(msg.strategy);
        return;
      case 'export':
        return this.export(msg.requestId, msg.format, msg.outFile);
      case 'dispose':
        return this.dispose();
      default:
        return assertUnreachable(msg);
    }
  }

  private async start(init: InitMessage): Promise<void> {
    await this.closeSession();
    const generation = ++this.generation;
    this.init = init;
    const abort = new AbortController();
    this.abort = abort;
    let lastProgress = 0;
    try {
      const started = await startSession(init, abort.signal, (p) => {
        const now = Date.now();
        if (now - lastProgress < PROGRESS_INTERVAL_MS && p.done < p.total) return;
        lastProgress = now;
        this.post({ type: 'progress', ...p });
      });
      if (generation !== this.generation) {
        await started.log.close();
        return;
      }
      this.current = started;
      this.tally = new LabelTally(started.session, started.events);
      this.post({
        type: 'ready',
        summary: started.dataset.summary,
        problems: started.dataset.problems.slice(0, 100),
        embedder: started.embedder,
        labelsState: this.labelsState(),
        logProblems: started.logProblems,
      });
      this.maybeRetrain(true);
    } catch (error) {
      const e = error instanceof InitError ? error : new InitError(String(error), 'internal');
      this.post({ type: 'error', kind: e.kind, message: e.message, ...(e.actions ? { actions: e.actions } : {}) });
    } finally {
      if (this.abort === abort) this.abort = undefined;
    }
  }

  private async label(msg: LabelMessage): Promise<void> {
    const s = this.current?.session;
    if (s === undefined) return this.failed(msg.requestId, 'No labeling session is running.');
    if (s.rowOfItem(msg.itemId) === undefined) {
      return this.failed(msg.requestId, `Unknown item ${msg.itemId}.`);
    }
    const labels = s.classMap.normalize(msg.labels);
    if (labels.length === 0) return this.failed(msg.requestId, 'A label event needs at least one label.');
    const pick = this.served.get(msg.itemId);
    await this.append(msg.requestId, {
      type: 'label',
      itemId: msg.itemId,
      labels,
      source: msg.source,
      ...(pick !== undefined ? { strategy: pick.reason.strategy, score: finite(pick.reason.score) } : {}),
      ...(pick?.reason.cluster !== undefined ? { cluster: pick.reason.cluster } : {}),
      ...(s.latest !== undefined ? { modelVersion: String(s.latest.version) } : {}),
    });
  }

  private async undo(requestId: string): Promise<void> {
    const started = this.current;
    if (started === undefined) return this.failed(requestId, 'No labeling session is running.');
    const resent = started.eventItems.get(eventIdOf(requestId));
    if (resent !== undefined) {
      // A resent undo (a reloaded panel) must not undo a second label: answer it as the first time.
      this.alreadyWritten(requestId);
      this.post({ type: 'undone', requestId, itemId: resent, labels: started.session.labelsOf(resent), labelsState: this.labelsState() });
      return;
    }
    const event = started.session.undoEvent(this.init?.annotator ?? '');
    if (event === undefined) {
      this.post({ type: 'undone', requestId, itemId: null, labels: [] });
      return;
    }
    if (await this.append(requestId, event)) {
      this.post({
        type: 'undone',
        requestId,
        itemId: event.itemId,
        labels: started.session.labelsOf(event.itemId),
        labelsState: this.labelsState(),
      });
    }
  }

  /** Appends (fsync), applies, then acknowledges; never acknowledges what is not on disk. */
  private async append(requestId: string, input: Omit<LabelEventInput, 'annotator'> & { annotator?: string }): Promise<boolean> {
    const started = this.current;
    if (started === undefined) {
      this.failed(requestId, 'No labeling session is running.');
      return false;
    }
    if (this.alreadyWritten(requestId)) return false;
    let written;
    try {
      [written] = await started.log.append({ annotator: this.init?.annotator ?? '', ...input, eventId: eventIdOf(requestId) });
    } catch (error) {
      this.failed(requestId, error instanceof Error ? error.message : String(error));
      return false;
    }
    if (written === undefined) return false;
    started.eventItems.set(written.eventId, written.itemId);
    const before = this.tally?.before(written.itemId);
    started.session.applyLabel(written);
    if (before !== undefined) this.tally?.after(written.itemId, before);
    this.served.delete(written.itemId);
    // The counts ride along, so the panel and the status bar follow every label, not every retrain.
    this.post({ type: 'saved', requestId, eventId: written.eventId, labelsState: this.labelsState() });
    this.maybeRetrain(false);
    return true;
  }

  /**
   * A request whose event is already in the log (a panel restored after a reload resends what it
   * had pending) is acknowledged again instead of written twice.
   */
  private alreadyWritten(requestId: string): boolean {
    const started = this.current;
    const eventId = eventIdOf(requestId);
    if (started === undefined || !started.eventItems.has(eventId)) return false;
    this.post({ type: 'saved', requestId, eventId, labelsState: this.labelsState() });
    return true;
  }

  private batch(count: number): void {
    const s = this.current?.session;
    if (s === undefined) {
      this.post({ type: 'batch', items: [], exhausted: true });
      return;
    }
    const picks = s.nextBatch(Math.max(0, Math.floor(count)));
    for (const p of picks) this.served.set(p.itemId, p);
    const items: BatchItem[] = picks.map((p) => ({
      id: p.itemId,
      text: (s.items[p.row] as { text: string }).text,
      reason: p.reason.detail ?? `${p.reason.strategy} (score ${p.reason.score.toFixed(2)})`,
      strategy: p.reason.strategy,
      score: finite(p.reason.score),
      ...(p.reason.cluster !== undefined ? { cluster: p.reason.cluster } : {}),
      ...(p.prediction !== undefined ? { prediction: { label: p.prediction.label, confidence: p.prediction.confidence } } : {}),
    }));
    this.post({ type: 'batch', items, exhausted: picks.length < count });
  }

  private async export(requestId: string, format: 'jsonl' | 'csv', outFile: string): Promise<void> {
    const started = this.current;
    if (started === undefined) {
      this.post({ type: 'error', kind: 'internal', message: 'No labeling session is running.', requestId });
      return;
    }
    try {
      const write = format === 'csv' ? exportCsv : exportJsonl;
      const summary = await write(started.dataset.items, started.session.labelState.labels, outFile, {
        mode: started.session.config.mode,
      });
      this.post({ type: 'exported', requestId, outFile, count: summary.written });
    } catch (error) {
      this.post({ type: 'error', kind: 'internal', message: error instanceof Error ? error.message : String(error), requestId });
    }
  }

  /** Starts a background retrain when due; `force` retrains a restored session right away. */
  private maybeRetrain(force: boolean): void {
    const s = this.current?.session;
    if (s === undefined || this.retraining !== undefined) return;
    // Before the first model, `shouldRetrain` builds the whole training set on every label; with
    // fewer than two labels in use the answer is no, known without that scan.
    if (s.model === undefined && (this.tally?.labelsInUse ?? 0) < 2) return;
    if (!(s.shouldRetrain() || (force && s.canTrain()))) return;
    const generation = this.generation;
    this.retraining = this.retrainInSteps(generation).finally(() => {
      this.retraining = undefined;
      if (generation === this.generation) this.maybeRetrain(false);
    });
  }

  private async retrainInSteps(generation: number): Promise<void> {
    const s = this.current?.session;
    if (s === undefined) return;
    this.post({ type: 'progress', phase: 'training', done: 0, total: 1, itemsPerSecond: 0, etaSeconds: 0 });
    const steps = s.retrainSteps();
    try {
      for (;;) {
        await yieldToMessages();
        if (generation !== this.generation) return;
        const step = steps.next();
        if (step.done) {
          if (step.value !== null) this.post(this.modelMessage(step.value));
          break;
        }
      }
    } catch (error) {
      this.internalError(error);
    }
    this.post({ type: 'progress', phase: 'training', done: 1, total: 1, itemsPerSecond: 0, etaSeconds: 0 });
  }

  private modelMessage(update: ModelUpdate): ModelMessage {
    const state = this.labelsState();
    if (update.metrics !== null) this.evaluatedByVersion.set(update.version, update.metrics.evaluated);
    return {
      type: 'model',
      version: update.version,
      metrics: update.metrics,
      curve: update.curve.map((p) => {
        const evaluated = this.evaluatedByVersion.get(p.version);
        return { labels: p.labels, accuracy: p.accuracy, macroF1: p.macroF1, version: p.version, ...(evaluated !== undefined ? { evaluated } : {}) };
      }),
      stopping: { stop: update.stopping.stop, kappa: update.stopping.kappa, message: update.stopping.message },
      counts: state.counts,
      labeled: state.labeled,
      total: state.total,
    };
  }

  private labelsState(): LabelsState {
    return this.tally?.state() ?? { labeled: 0, total: 0, counts: {}, evaluation: 0, events: 0 };
  }

  private failed(requestId: string, message: string): void {
    this.post({ type: 'saveFailed', requestId, message });
  }

  private internalError(error: unknown): void {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.post({ type: 'error', kind: 'internal', message });
  }

  private async closeSession(): Promise<void> {
    this.generation++;
    this.abort?.abort();
    await this.retraining;
    const started = this.current;
    this.current = undefined;
    this.tally = undefined;
    this.served.clear();
    this.evaluatedByVersion.clear();
    await started?.log.close();
  }

  private async dispose(): Promise<void> {
    await this.closeSession();
    this.disposed = true;
    this.onDisposed();
  }
}

function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

function preview(raw: unknown): string {
  try {
    return JSON.stringify(raw).slice(0, 200);
  } catch {
    return String(raw);
  }
}

/**
 * The log's eventId for a host request. Request ids are unique per write (the webview's are a random
 * page id plus a counter), so the log itself remembers which requests are done, across restarts.
 */
function eventIdOf(requestId: string): string {
  return `req-${requestId}`;
}
