/**
 * The rest of a starting session's pool, embedded in the background while labeling runs (see
 * StagedEmbedding): one chunk at a time, each chunk handed to the session (`addEmbedded`) between
 * two messages, so labels, undos and item requests are answered between chunks. Posts
 * `poolEmbedding` (the panel's `pool: 212,000 of 1,000,000 embedded`) as the pool grows, and
 * `slowEmbedding` once when the rest would take longer than the user's threshold. `cancel` stops
 * it; labeling goes on with what is embedded, and the next start resumes from the cache.
 */
import { CancelledError } from '../core/errors';
import type { LabelingSession } from '../core/session';
import type { PoolEmbeddingSnapshot } from '../shared/protocol/domain';
import type { WorkerToHost } from '../shared/protocol/engine';
import type { PendingEmbedding } from './embedItems';

/** At most this often a growing pool is reported (the last chunk always is). */
const REPORT_INTERVAL_MS = 250;

export interface PoolEmbedderOptions {
  /** Warn once when the rest would take longer than this many minutes; 0: never. */
  readonly warnAfterMinutes: number;
  /** The pool grew: items may be served again (see ItemDelivery.grew). */
  readonly grew: () => void;
  /** Tests: hold after this many chunks, reported, until stopped (what a crash mid-embedding leaves). */
  readonly holdAfterChunks?: number | undefined;
}

export class PoolEmbedder {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private warned = false;
  private lastReport = 0;
  private latest: PoolEmbeddingSnapshot;
  private quiet = false;
  private stopReason = 'Embedding was cancelled: labeling goes on with the items embedded so far. Start Labeling again to embed the rest (what is embedded is cached).';

  constructor(
    private readonly pending: PendingEmbedding,
    private readonly session: LabelingSession,
    private readonly post: (message: WorkerToHost) => void,
    private readonly options: PoolEmbedderOptions,
  ) {
    this.latest = { state: 'embedding', embedded: session.embeddedCount, total: session.items.length, fromCache: pending.staged.fromCache, itemsPerSecond: 0, etaSeconds: -1 };
    // A save that failed in the background (the disk, permissions) is said at once: the next start
    // would otherwise embed again what this run could not keep. The panel shows the first one.
    let noticed = false;
    pending.relayWarnings((message) => {
      this.post({ type: 'log', level: 'warn', message });
      if (noticed || this.quiet) return;
      noticed = true;
      this.post({ type: 'notice', message });
    });
  }

  /** The latest state, as last posted. */
  get snapshot(): PoolEmbeddingSnapshot {
    return this.latest;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** True while rows are still being embedded. */
  get growing(): boolean {
    return this.latest.state === 'embedding';
  }

  /** Starts embedding the rest; says so at once. */
  start(): void {
    if (this.running !== undefined) return;
    this.report(this.latest);
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
  }

  /** Never started (a reload embeds the whole file instead): the panel says why. */
  stopBeforeStart(reason: string): void {
    if (this.running !== undefined) return;
    this.abort.abort();
    this.stopReason = reason;
    const s = this.session;
    this.report({ state: 'stopped', embedded: s.embeddedCount, total: s.items.length, itemsPerSecond: 0, etaSeconds: -1, reason });
    void this.pending.embedder.dispose().catch(() => undefined);
  }

  /** A reload embedded every row of the file: the pool is complete, though this did not finish it. */
  completedElsewhere(): void {
    const s = this.session;
    this.report({ state: 'done', embedded: s.embeddedCount, total: s.items.length, itemsPerSecond: this.latest.itemsPerSecond, etaSeconds: 0 });
  }

  /** Stopped, and now for another reason than the one the panel shows. */
  restate(reason: string): void {
    if (this.latest.state !== 'stopped') return;
    this.stopReason = reason;
    this.report({ ...this.latest, reason });
  }

  /**
   * Stops after the batch in flight; `reason` is what the panel says, `quiet` says nothing (the
   * session is closing). Resolves once stopped.
   */
  async stop(options: { readonly reason?: string; readonly quiet?: boolean } = {}): Promise<void> {
    if (options.reason !== undefined) this.stopReason = options.reason;
    if (options.quiet === true) this.quiet = true;
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const { staged, embedder, label } = this.pending;
    const total = this.session.items.length;
    const startedAt = performance.now();
    const computedAtStart = staged.computed;
    const rate = (): { itemsPerSecond: number; etaSeconds: number } => {
      const seconds = (performance.now() - startedAt) / 1000;
      const itemsPerSecond = seconds > 0 ? (staged.computed - computedAtStart) / seconds : 0;
      return { itemsPerSecond, etaSeconds: staged.remaining === 0 ? 0 : itemsPerSecond > 0 ? staged.remaining / itemsPerSecond : -1 };
    };
    let chunks = 0;
    try {
      for await (const rows of staged.background(this.abort.signal)) {
        this.session.addEmbedded(rows);
        this.options.grew();
        const r = rate();
        this.maybeWarn(r.itemsPerSecond, r.etaSeconds, label);
        const hold = ++chunks === this.options.holdAfterChunks;
        const now = performance.now();
        if (hold || now - this.lastReport >= REPORT_INTERVAL_MS) this.report({ state: 'embedding', embedded: this.session.embeddedCount, total, ...r });
        if (hold) await new Promise((resolve) => this.abort.signal.addEventListener('abort', resolve, { once: true }));
      }
      this.report({ state: 'done', embedded: this.session.embeddedCount, total, itemsPerSecond: rate().itemsPerSecond, etaSeconds: 0 });
    } catch (error) {
      const cancelled = error instanceof CancelledError || this.abort.signal.aborted;
      const reason = cancelled
        ? this.stopReason
        : `Embedding the rest of the pool failed: ${error instanceof Error ? error.message : String(error)}. Labeling goes on with the items embedded so far; Start Labeling again to retry (what is embedded is cached).`;
      if (!cancelled) this.post({ type: 'log', level: 'warn', message: reason });
      this.report({ state: cancelled ? 'stopped' : 'failed', embedded: this.session.embeddedCount, total, itemsPerSecond: 0, etaSeconds: -1, reason });
    } finally {
      // The pool no longer grows: a page still waiting for items learns it ran out.
      if (!this.quiet) this.options.grew();
      await embedder.dispose().catch(() => undefined);
    }
  }

  /** Once: the rest would take longer than the threshold at the measured rate. */
  private maybeWarn(itemsPerSecond: number, etaSeconds: number, embedder: string): void {
    const minutes = this.options.warnAfterMinutes;
    if (this.warned || minutes <= 0 || itemsPerSecond <= 0 || etaSeconds <= minutes * 60) return;
    this.warned = true;
    this.post({ type: 'slowEmbedding', etaSeconds, itemsPerSecond, remaining: this.pending.staged.remaining, warnAfterMinutes: minutes, embedder });
  }

  private report(state: Omit<PoolEmbeddingSnapshot, 'fromCache'>): void {
    const snapshot = { ...state, fromCache: this.pending.staged.fromCache };
    this.latest = snapshot;
    this.lastReport = performance.now();
    if (this.quiet) return;
    this.post({ type: 'poolEmbedding', ...snapshot });
  }
}
