/**
 * The engine behind the worker boundary, and the owner of the labeling state: it validates each
 * message from the host once, with the protocol's schema, and hands it to the part that owns it:
 * writes to the LabelWriter (the log and "already written"), items to ItemDelivery (what is out
 * with the page), retraining to the Retrainer.
 *
 * Ordering: messages are handled one after another (a label is applied in the order it was sent),
 * except `cancel`, which must reach a running `start` at once.
 */
import { datasetStoreDir, exportCsv, exportJsonl } from '../core/labels';
import { modelStatePath, readModelState } from '../core/session';
import { ACTIONS_FOR_KIND, type Counts } from '../shared/protocol/domain';
import { HostToWorker, type WorkerToHost } from '../shared/protocol/engine';
import type { Message } from '../shared/protocol/page';
import { parseWith } from '../shared/protocol/parse';
import { assertUnreachable } from '../shared/assert';
import { ItemDelivery } from './itemDelivery';
import { LabelWriter } from './labelWriter';
import { Retrainer } from './retrainer';
import { importInto } from './importService';
import { ReviewPublisher } from './reviewPublisher';
import { ReviewQueue } from './reviewQueue';
import { DatasetReloader } from './datasetReloader';
import { PoolEmbedder } from './poolEmbedder';
import { SnapshotSaver } from './snapshotSaver';
import { SETTING_SPECS } from '../shared/settings';
import { InitError, startSession, type StartedSession } from './startSession';

const DEFAULT_WARN_AFTER_MINUTES = SETTING_SPECS['embedding.warnAfterMinutes'].default;
const RELOAD_STOPS_POOL = 'The dataset file changed: it is read and embedded again.';

export type Post = (message: WorkerToHost) => void;

const PROGRESS_INTERVAL_MS = 100;

/** One running session and its parts. */
interface Running {
  readonly started: StartedSession;
  readonly writer: LabelWriter;
  readonly delivery: ItemDelivery;
  readonly retrainer: Retrainer;
  readonly review: ReviewPublisher;
  /** model.json: the newest version and the curve, beside the log. */
  readonly stateFile: string;
  readonly reviewQueue: ReviewQueue;
  readonly reloader: DatasetReloader;
  /** The rest of the pool, embedding in the background; absent when everything was embedded at start. */
  readonly pool: PoolEmbedder | undefined;
  /** Writes the dataset snapshot after the start and after reloads, in the background. */
  readonly snapshots: SnapshotSaver;
}

export class EngineService {
  private running: Running | undefined;
  private abort: AbortController | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Bumped by every start/dispose, so a start that was overtaken never installs its session. */
  private generation = 0;
  /** A `needItems` that came before any session was ready: answered once one is. */
  private wanted = 0;
  /** A `reloadDataset` that came while the session was starting (its file may be older). */
  private reloadWanted = false;
  private disposed = false;

  constructor(
    private readonly post: Post,
    private readonly onDisposed: () => void = () => undefined,
  ) {}

  /** Entry point for every raw message from the host. */
  readonly receive = (raw: unknown): void => {
    const parsed = parseWith(HostToWorker, raw);
    if (!parsed.ok) {
      this.post({ type: 'log', level: 'warn', message: `Refused a malformed message from the host: ${parsed.error}` });
      const m = raw as { type?: unknown; requestId?: unknown; itemId?: unknown };
      // A write is always answered, so nothing waits forever on a refused one.
      if (typeof m?.requestId === 'string' && (m.type === 'label' || m.type === 'undo' || m.type === 'flag' || m.type === 'skip')) {
        this.post({ type: 'saveFailed', requestId: m.requestId.slice(0, 1024), itemId: String(m.itemId ?? '').slice(0, 200), message: `Not written: ${parsed.error}` });
      }
      if (typeof m?.requestId === 'string' && m.type === 'reviewLabel') {
        this.post({ type: 'reviewSaved', requestId: m.requestId.slice(0, 1024), written: 0, failed: [{ itemId: '', message: `Not written: ${parsed.error}` }] });
      }
      return;
    }
    const msg = parsed.value;
    if (msg.type === 'cancel') {
      // Reaches a running `start` (or a reload) at once, not after it.
      this.abort?.abort();
      this.running?.reloader.cancel();
      void this.running?.pool?.stop();
      return;
    }
    this.queue = this.queue.then(() => this.handle(msg)).catch((error: unknown) => this.internalError(error));
  };

  /** Resolves when queued messages and a running retrain have finished (for tests and dispose). */
  async idle(): Promise<void> {
    let last: Promise<unknown> | undefined;
    while (last !== this.queue || this.running?.retrainer.busy || this.running?.reloader.busy) {
      last = this.queue;
      await last;
      await this.running?.retrainer.idle;
      await this.running?.review.idle();
      await this.running?.reloader.idle;
    }
  }

  private async handle(msg: Exclude<HostToWorker, { type: 'cancel' }>): Promise<void> {
    if (this.disposed) return;
    if (msg.type === 'start') return this.start(msg);
    if (msg.type === 'dispose') return this.dispose();
    const r = this.running;
    if (r === undefined) return this.withoutSession(msg);
    switch (msg.type) {
      case 'label':
        if (msg.source === 'review') r.reviewQueue.beforeReview(msg.itemId);
        await r.writer.label(msg);
        if (r.reviewQueue.active) r.reviewQueue.publish();
        return;
      case 'undo':
        if (r.writer.isPassed(msg.itemId)) r.reviewQueue.unskip(msg.itemId);
        await r.writer.undo(msg);
        r.delivery.reopen();
        if (r.reviewQueue.active) r.reviewQueue.publish();
        return;
      case 'flag':
        return r.writer.flag(msg);
      case 'skip':
        if (r.reviewQueue.active) {
          r.reviewQueue.skip(msg.itemId);
          // A labeled item is passed over: a skip event would take its label away.
          if (r.writer.passOver(msg)) return;
        }
        return r.writer.skip(msg);
      case 'reviewMode':
        // The page dropped what it held: everything out with it may be served again, in the new mode.
        if (r.reviewQueue.set(msg.review)) r.delivery.release();
        r.reviewQueue.publish();
        return;
      case 'needItems':
        return r.delivery.serve(msg.count);
      case 'release':
        return r.delivery.release();
      case 'revisitSkipped':
        r.started.session.forgetSkips();
        r.reviewQueue.forgetSkips();
        r.delivery.reopen();
        return;
      case 'setStrategy':
        // From the next item on: the page's prefetched items are replaced by the new strategy's.
        if (msg.strategy === r.started.session.currentStrategy) return;
        r.started.session.setStrategy(msg.strategy);
        r.delivery.requeue();
        return;
      case 'setAnnotator':
        r.writer.annotator = msg.annotator;
        return;
      case 'export':
        return this.export(r, msg);
      case 'importLabels':
        return importInto(r.started, r.writer, msg, this.post);
      case 'reviewLabel':
        await r.writer.review(msg);
        if (r.reviewQueue.active) r.reviewQueue.publish();
        return;
      case 'reloadDataset':
        // The reload embeds every row the cache lacks itself, and swaps the whole pool.
        await r.pool?.stop({ reason: RELOAD_STOPS_POOL });
        r.reloader.request();
        return;
      default:
        return assertUnreachable(msg);
    }
  }

  /** No session yet (still starting, or its start failed): writes fail, item requests wait. */
  private withoutSession(msg: Exclude<HostToWorker, { type: 'cancel' | 'start' | 'dispose' }>): void {
    switch (msg.type) {
      case 'label':
      case 'undo':
      case 'skip':
      case 'flag':
        this.post({ type: 'saveFailed', requestId: msg.requestId, itemId: msg.itemId, message: 'No labeling session is running: the dataset did not load.' });
        return;
      case 'needItems':
        this.wanted = Math.max(this.wanted, msg.count);
        return;
      case 'export':
      case 'importLabels':
        this.post({ type: 'error', kind: 'internal', message: 'No labeling session is running.', actions: [], requestId: msg.requestId });
        return;
      case 'reviewLabel':
        this.post({ type: 'reviewSaved', requestId: msg.requestId, written: 0, failed: msg.decisions.map((d) => ({ itemId: d.itemId, message: 'No labeling session is running: the dataset did not load.' })) });
        return;
      case 'reloadDataset':
        this.reloadWanted = true;
        return;
      case 'release':
      case 'revisitSkipped':
      case 'setStrategy':
      // The next `start` carries the host's current annotator.
      case 'setAnnotator':
      case 'reviewMode':
        // The page resends its mode with the `init` that follows the engine's start.
        return;
      default:
        return assertUnreachable(msg);
    }
  }

  private async start(init: Message<HostToWorker, 'start'>): Promise<void> {
    await this.close();
    const generation = ++this.generation;
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
      // Versions only go up and the curve comes back: take up what the last session saved.
      const stateFile = modelStatePath(datasetStoreDir(init.workspaceRoot, init.datasetFile));
      const saved = await readModelState(stateFile);
      if (generation !== this.generation) {
        await started.log.close();
        return;
      }
      if (saved.state !== null) started.session.resume(saved.state);
      this.running = this.assemble(started, init, stateFile);
      this.post({
        type: 'engineReady',
        summary: {
          rows: started.dataset.summary.rows,
          loaded: started.dataset.summary.loaded,
          skipped: started.dataset.summary.skipped,
          duplicateRows: started.dataset.summary.duplicateRows,
        },
        problems: started.dataset.problems.slice(0, 100),
        embedder: started.embedder,
        ...(started.fallback ? { fallback: started.fallback } : {}),
        logProblems: [...started.logProblems],
        counts: this.running.writer.counts(),
        toReview: started.toReview.size,
        imported: started.imported,
      });
      this.running.retrainer.announceRestored();
      if (started.fromSnapshot) this.post({ type: 'log', level: 'debug', message: 'Dataset read from its snapshot in the store folder: the file is unchanged since it was written.' });
      for (const warning of saved.warning !== undefined ? [...started.warnings, saved.warning] : started.warnings) {
        this.post({ type: 'log', level: 'warn', message: warning });
        this.post({ type: 'notice', message: warning });
      }
      if (this.wanted > 0) {
        this.running.delivery.serve(this.wanted);
        this.wanted = 0;
      }
      this.running.retrainer.maybeRetrain(true);
      if (this.reloadWanted) {
        // The file changed while the session started: the reload embeds the whole new file, so the
        // background does not start on the old one.
        this.reloadWanted = false;
        this.running.pool?.stopBeforeStart(RELOAD_STOPS_POOL);
        this.running.reloader.request();
      } else {
        this.running.pool?.start();
        // After the first items: writing the snapshot never delays them.
        this.running.snapshots.save(started.saveSnapshot);
      }
    } catch (error) {
      const e = error instanceof InitError ? error : new InitError(String(error), 'internal');
      this.post({ type: 'error', kind: e.kind, message: e.message, actions: [...ACTIONS_FOR_KIND[e.kind]] });
    } finally {
      if (this.abort === abort) this.abort = undefined;
    }
  }

  private assemble(started: StartedSession, init: Message<HostToWorker, 'start'>, stateFile: string): Running {
    const annotator = init.annotator;
    // The writer tells the retrainer about each write; the retrainer reads the writer's counts.
    const retrain = { due: (): void => undefined };
    const reviewQueue = new ReviewQueue(started.session, started.toReview, this.post);
    // The review queue's suspect order reads the suspects the publisher computes after each retrain.
    const review = new ReviewPublisher(started.session, started.dataset.file, (m) => {
      this.post(m);
      if (m.type !== 'reviewData') return;
      if (m.suspects !== undefined) reviewQueue.suspectsChanged(m.suspects);
      // New item ids without suspects (a reloaded file): the old suspects name rows that moved.
      else if (m.itemIds !== undefined) reviewQueue.suspectsChanged([]);
    });
    const writer = new LabelWriter(started.session, started.log, started.events, annotator, this.post, (itemId) => {
      retrain.due();
      review.labelChanged(itemId);
    });
    // A new model version is the `model` message the retrainer posts: the review data follows it.
    const postAndReview = (m: WorkerToHost): void => {
      this.post(m);
      if (m.type === 'model') {
        review.modelChanged();
        // New probabilities reorder the review queue: its counts follow.
        if (reviewQueue.active) reviewQueue.publish();
      }
    };
    const retrainer = new Retrainer(started.session, postAndReview, (): Counts => writer.counts(), () => writer.labelsInUse, stateFile);
    retrain.due = () => retrainer.maybeRetrain();
    started.replacements.handle = (r) => {
      const decision = writer.logReplaced(r);
      review.reset();
      return decision;
    };
    review.reset();
    const delivery = new ItemDelivery(started.session, this.post, started.toReview, reviewQueue);
    const snapshots = new SnapshotSaver(this.post);
    const parts = { session: started.session, writer, delivery, retrainer, review, fileLabels: started.fileLabels, snapshots };
    const reloader = new DatasetReloader(init, parts, started.embedder, (m) => this.afterReload(m, started), (step) => this.inOrder(step));
    const pool =
      started.pending === undefined
        ? undefined
        : new PoolEmbedder(started.pending, started.session, this.post, {
            warnAfterMinutes: init.warnAfterMinutes ?? DEFAULT_WARN_AFTER_MINUTES,
            grew: () => delivery.grew(),
            holdAfterChunks: init.staging?.holdAfterChunks,
          });
    if (pool !== undefined) delivery.growing = () => pool.growing;
    return { started, writer, delivery, retrainer, review, reviewQueue, stateFile, reloader, pool, snapshots };
  }

  /** The reloader's messages; a reload embeds the whole file, so a pool left partial is now complete. */
  private afterReload(m: WorkerToHost, started: StartedSession): void {
    this.post(m);
    const s = started.session;
    const pool = this.running?.started === started ? this.running.pool : undefined;
    if (m.type !== 'datasetReloaded' || pool === undefined || pool.snapshot.state === 'done') return;
    if (s.embeddedCount === s.items.length) pool.completedElsewhere();
    else if (m.failed !== undefined && pool.snapshot.state === 'stopped') {
      pool.restate('The dataset file changed but could not be read again: labeling goes on with the items embedded so far. Start Labeling again to embed the rest (what is embedded is cached).');
    }
  }

  private async export(r: Running, msg: Message<HostToWorker, 'export'>): Promise<void> {
    try {
      const write = msg.format === 'csv' ? exportCsv : exportJsonl;
      const summary = await write(r.started.session.items, r.started.session.labelState.labels, msg.outFile, {
        mode: r.started.session.config.mode,
      });
      this.post({ type: 'exported', requestId: msg.requestId, outFile: msg.outFile, count: summary.written });
    } catch (error) {
      this.post({ type: 'error', kind: 'internal', message: error instanceof Error ? error.message : String(error), actions: [], requestId: msg.requestId });
    }
  }

  /** Runs `step` after the messages received so far, as if it were one of them. */
  private inOrder(step: () => Promise<void>): Promise<void> {
    const done = this.queue.then(() => (this.disposed ? undefined : step()));
    this.queue = done.catch((error: unknown) => this.internalError(error));
    return this.queue;
  }

  private internalError(error: unknown): void {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.post({ type: 'error', kind: 'internal', message, actions: [...ACTIONS_FOR_KIND.internal] });
  }

  private async close(): Promise<void> {
    this.generation++;
    this.abort?.abort();
    const r = this.running;
    this.running = undefined;
    r?.reloader.stop();
    r?.snapshots.stop();
    r?.review.stop();
    // A write that stops removes its temp file: let it, before the worker may exit.
    await r?.snapshots.idle;
    await r?.pool?.stop({ quiet: true });
    await r?.retrainer.stop();
    await r?.started.log.close();
  }

  private async dispose(): Promise<void> {
    await this.close();
    this.disposed = true;
    this.onDisposed();
  }
}
