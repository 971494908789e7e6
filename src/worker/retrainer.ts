/**
 * Background retraining in small steps: a label is saved between two steps and never waits for a
 * whole retrain (the out-of-fold estimate is one fold per step too). Posts `progress` (training,
 * then idle) around each retrain and a `model` snapshot when a version is done, then saves the
 * version and the curve beside the log (model.json), so both survive a reload. A newer session
 * (a new `start`) makes a running retrain stop quietly.
 */
import { writeModelState, type CurvePointV, type LabelingSession, type ModelUpdate } from '../core/session';
import type { Counts, CurvePoint, ModelSnapshot } from '../shared/protocol/domain';
import type { WorkerToHost } from '../shared/protocol/engine';

const yieldToMessages = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Retrainer {
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly session: LabelingSession,
    private readonly post: (message: WorkerToHost) => void,
    private readonly counts: () => Counts,
    /** Fewer than two labels in use: no model can be trained yet (skips the training-set scan). */
    private readonly labelsInUse: () => number,
    /** Where each version and the curve are saved (model.json); undefined: not saved. */
    private readonly stateFile?: string,
  ) {}

  /** Resolves when no retrain is running. */
  get idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * A resumed session shows what the last one measured at once: its version and its curve (the
   * first retrain of this session follows and replaces the snapshot). Nothing when there is none.
   */
  announceRestored(): void {
    const s = this.session;
    if (s.latestVersion === 0 && s.curve.length === 0) return;
    const last = s.curve.at(-1);
    this.post({
      type: 'model',
      ...this.counts(),
      version: s.latestVersion,
      training: false,
      ...(last !== undefined ? estimateFields(last) : {}),
      curve: s.curve.map(toPoint),
    });
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
          if (step.value !== null) {
            this.post({ type: 'model', ...this.snapshot(step.value) });
            await this.save(step.value);
          }
          break;
        }
      }
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.post({ type: 'error', kind: 'internal', message: `Retraining failed: ${message}`, actions: ['retry'] });
    }
    if (!this.stopped) this.post({ type: 'progress', phase: 'idle', done: 1, total: 1, itemsPerSecond: 0, etaSeconds: -1 });
  }

  /** Saves the version and the curve; a failure is reported, never fatal (the labels are safe). */
  private async save(update: ModelUpdate): Promise<void> {
    if (this.stateFile === undefined) return;
    try {
      await writeModelState(this.stateFile, { version: update.version, curve: update.curve });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.post({ type: 'log', level: 'warn', message: `Could not save the model state to ${this.stateFile}: ${reason}. The labels are safe; after a reload the learning curve may start over.` });
    }
  }

  private snapshot(update: ModelUpdate): ModelSnapshot {
    const m = update.metrics;
    return {
      ...this.counts(),
      version: update.version,
      training: false,
      trainedOn: update.trainedOn,
      ...(m !== null && update.interval !== null
        ? { accuracy: m.accuracy, macroF1: m.macroF1, accuracyLow: update.interval.low, accuracyHigh: update.interval.high, evaluated: m.evaluated }
        : { evaluated: update.evaluationItems }),
      curve: update.curve.map(toPoint),
      stopping: {
        stop: update.stopping.stop,
        kappa: update.stopping.kappa === null || !Number.isFinite(update.stopping.kappa) ? null : Math.max(-1, Math.min(1, update.stopping.kappa)),
        threshold: update.stopping.threshold,
        message: update.stopping.message,
      },
    };
  }
}

function toPoint(p: CurvePointV): CurvePoint {
  return { labels: p.labels, accuracy: p.accuracy, macroF1: p.macroF1, evaluated: p.evaluated, low: p.low, high: p.high };
}

function estimateFields(p: CurvePointV): Pick<ModelSnapshot, 'accuracy' | 'macroF1' | 'accuracyLow' | 'accuracyHigh' | 'evaluated'> {
  return { accuracy: p.accuracy, macroF1: p.macroF1, accuracyLow: p.low, accuracyHigh: p.high, evaluated: p.evaluated };
}
