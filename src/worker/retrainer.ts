/**
 * Background retraining in small steps: a label is saved between two steps and never waits for a
 * whole retrain. Posts `progress` (training, then idle) around each retrain and a `model` snapshot
 * when a version is done. A newer session (a new `start`) makes a running retrain stop quietly.
 */
import type { LabelingSession, ModelUpdate } from '../core/session';
import type { Counts, ModelSnapshot } from '../shared/protocol/domain';
import type { WorkerToHost } from '../shared/protocol/engine';

const yieldToMessages = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Retrainer {
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Held-out items each version of this session was measured on (the core's curve lacks them). */
  private readonly evaluatedByVersion = new Map<number, number>();

  constructor(
    private readonly session: LabelingSession,
    private readonly post: (message: WorkerToHost) => void,
    private readonly counts: () => Counts,
    /** Fewer than two labels in use: no model can be trained yet (skips the training-set scan). */
    private readonly labelsInUse: () => number,
  ) {}

  /** Resolves when no retrain is running. */
  get idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Starts a retrain when one is due; `force` retrains a restored session right away. */
  maybeRetrain(force = false): void {
    const s = this.session;
    if (this.stopped || this.running !== undefined) return;
    if (s.model === undefined && this.labelsInUse() < 2) return;
    if (!(s.shouldRetrain() || (force && s.canTrain()))) return;
    this.running = this.run().finally(() => {
      this.running = undefined;
      this.maybeRetrain(false);
    });
  }

  /** Stops after the current step; nothing more is posted. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async run(): Promise<void> {
    this.post({ type: 'progress', phase: 'training', done: 0, total: 1, itemsPerSecond: 0, etaSeconds: -1 });
    const steps = this.session.retrainSteps();
    try {
      for (;;) {
        await yieldToMessages();
        if (this.stopped) return;
        const step = steps.next();
        if (step.done) {
          if (step.value !== null) this.post({ type: 'model', ...this.snapshot(step.value) });
          break;
        }
      }
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.post({ type: 'error', kind: 'internal', message: `Retraining failed: ${message}`, actions: ['retry'] });
    }
    if (!this.stopped) this.post({ type: 'progress', phase: 'idle', done: 1, total: 1, itemsPerSecond: 0, etaSeconds: -1 });
  }

  private snapshot(update: ModelUpdate): ModelSnapshot {
    if (update.metrics !== null) this.evaluatedByVersion.set(update.version, update.metrics.evaluated);
    return {
      ...this.counts(),
      version: update.version,
      training: false,
      ...(update.metrics !== null
        ? { accuracy: update.metrics.accuracy, macroF1: update.metrics.macroF1, evaluated: update.metrics.evaluated }
        : {}),
      curve: update.curve.map((p) => {
        const evaluated = this.evaluatedByVersion.get(p.version);
        return { labels: p.labels, accuracy: p.accuracy, macroF1: p.macroF1, ...(evaluated !== undefined ? { evaluated } : {}) };
      }),
      ...(update.stopping.stop ? { stopping: update.stopping.message } : {}),
    };
  }
}
