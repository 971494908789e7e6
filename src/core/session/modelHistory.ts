/**
 * The session's model bookkeeping: version numbers, the learning curve and the stopping history,
 * and the `ModelUpdate` each new version reports. The session owns one; nothing else writes it.
 *
 * Versions only go up: they are numbered above every `modelVersion` the log names and above what a
 * previous session left (`resume`).
 */
import type { OutOfFoldEstimate } from '../evaluation/estimate';
import type { Metrics } from '../evaluation/metrics';
import { stoppingSignal, type StoppingOptions, type StoppingSignal } from '../evaluation/stopping';
import type { CurvePoint } from '../evaluation/curve';
import type { Interval } from '../evaluation/wilson';

/** One point of the learning curve: an out-of-fold estimate on `evaluated` items. */
export interface CurvePointV extends CurvePoint {
  readonly version: number;
  /** Items scored. */
  readonly evaluated: number;
  /** Wilson 95% interval of the accuracy. */
  readonly low: number;
  readonly high: number;
}

export interface ModelUpdate {
  readonly version: number;
  /** Labels the version was trained on (all of them). */
  readonly trainedOn: number;
  /** Labeled evaluation items (random share, imports) at this version, scored or not yet. */
  readonly evaluationItems: number;
  /** The out-of-fold estimate; null below MIN_TRUSTED_EVALUATION_ITEMS evaluation items. */
  readonly metrics: Metrics | null;
  /** Wilson 95% interval of `metrics.accuracy`. */
  readonly interval: Interval | null;
  readonly curve: readonly CurvePointV[];
  readonly stopping: StoppingSignal;
}

/** What a previous session left beside the log (see modelStore.ts). */
export interface RestoredModel {
  readonly version: number;
  readonly curve: readonly CurvePointV[];
}

/** What one new version was built from, as `record` needs it. */
export interface VersionBuilt {
  /** Labels it was trained on. */
  readonly trainedOn: number;
  readonly evaluationItems: number;
  /** The out-of-fold estimate; null when estimation is off or there were too few items. */
  readonly estimate: OutOfFoldEstimate | null;
  /** The new head's decisions on the stop set (see scoring.ts `stopSetDecisions`). */
  readonly stopDecisions: ArrayLike<number>;
}

export class ModelHistory {
  private readonly stopHistory: ArrayLike<number>[] = [];
  private readonly curvePoints: CurvePointV[] = [];
  /** The newest version known: built here, found in the log (`modelVersion`) or restored. */
  private versions = 0;
  private lastUpdate: ModelUpdate | undefined;

  constructor(private readonly stopping: Partial<StoppingOptions> | undefined) {}

  /** A label event's `modelVersion`: a reloaded session numbers its models after those the log names. */
  noteLogged(modelVersion: string | undefined): void {
    const logged = modelVersion === undefined ? NaN : Number.parseInt(modelVersion, 10);
    if (Number.isFinite(logged) && logged > this.versions) this.versions = logged;
  }

  /** See `LabelingSession.resume`. */
  resume(restored: RestoredModel): void {
    this.versions = Math.max(this.versions, restored.version);
    this.curvePoints.splice(0, this.curvePoints.length, ...restored.curve);
  }

  /** The stop set changed: decisions of earlier versions no longer compare. */
  resetStopHistory(): void {
    this.stopHistory.length = 0;
  }

  /** Numbers the new version, extends the curve and the stopping history, and reports it. */
  record(built: VersionBuilt): ModelUpdate {
    const { estimate } = built;
    this.stopHistory.push(built.stopDecisions);
    const version = ++this.versions;
    const metrics = estimate?.metrics ?? null;
    if (estimate !== null) {
      const point: CurvePointV = {
        labels: built.trainedOn,
        accuracy: estimate.metrics.accuracy,
        macroF1: estimate.metrics.macroF1,
        evaluated: estimate.metrics.evaluated,
        low: estimate.interval.low,
        high: estimate.interval.high,
        version,
      };
      // A retrain on the same labels (a resumed session's first) measures that point again.
      if (this.curvePoints.at(-1)?.labels === point.labels) this.curvePoints.pop();
      this.curvePoints.push(point);
    }
    const stopping = stoppingSignal(
      this.stopHistory,
      metrics === null ? null : { accuracy: metrics.accuracy, evaluated: metrics.evaluated },
      this.stopping,
    );
    this.lastUpdate = {
      version,
      trainedOn: built.trainedOn,
      evaluationItems: built.evaluationItems,
      metrics,
      interval: estimate?.interval ?? null,
      curve: this.curvePoints.slice(),
      stopping,
    };
    return this.lastUpdate;
  }

  /** The newest version number known (0 before any). */
  get latestVersion(): number {
    return this.versions;
  }

  /** The learning curve so far, oldest first. */
  get curve(): readonly CurvePointV[] {
    return this.curvePoints;
  }

  get latest(): ModelUpdate | undefined {
    return this.lastUpdate;
  }
}
