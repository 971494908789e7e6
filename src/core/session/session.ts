/**
 * The labeling loop as a pure state machine: no I/O, no clock, no VS Code. The worker and the
 * `simulate` command feed it label events and ask it for batches and retrains; tests drive it
 * directly.
 *
 * It holds the items and their embeddings, the replayed label state, the evaluation split, the
 * current head and what has been served. Label events come in already written (the caller appends
 * to the log first, then applies), so the session never holds a label the disk does not.
 */
import type { Metrics } from '../evaluation/metrics';
import { stoppingSignal, type StoppingSignal } from '../evaluation/stopping';
import type { CurvePoint } from '../evaluation/curve';
import { undoOf, type LabelEvent, type LabelEventInput } from '../labels/events';
import { LabelState } from '../labels/state';
import type { ClassifierHead } from '../model/types';
import { createRng, shuffled } from '../random';
import type { DatasetItem, Matrix, SampleReason } from '../types';
import { resolveConfig, type SessionConfig, type SessionConfigInput } from './config';
import { defaultEngine, type Engine } from './engine';
import { buildItemPool, diffItems, scoreAll, stopSetMoved, trainingMoved, type ItemPool, type ItemsReplaced } from './itemPool';
export { takeRowsOf } from './poolRows';
import { predictAll, scoreVersion, stopSetDecisions, type PoolScores } from './scoring';
import { ClassMap } from './targets';
import { buildTraining, type TrainingSet } from './training';

export interface ItemPrediction {
  /** The most probable label (single/binary) or the most probable of the predicted set (multi). */
  readonly label: string;
  readonly confidence: number;
  /** Multi-label: every label at or above 0.5. */
  readonly labels?: readonly string[];
}

export interface BatchPick {
  readonly itemId: string;
  /** Row in the items/embeddings. */
  readonly row: number;
  readonly reason: SampleReason;
  readonly prediction?: ItemPrediction;
  /** A held-out evaluation item: labeled like any other, never trained on. */
  readonly evaluation: boolean;
}

export interface CurvePointV extends CurvePoint {
  readonly version: number;
}

export interface ModelUpdate {
  readonly version: number;
  /** Training labels the version was trained on. */
  readonly trainedOn: number;
  /** Null until some evaluation items carry labels. */
  readonly metrics: Metrics | null;
  readonly curve: readonly CurvePointV[];
  readonly stopping: StoppingSignal;
}

export interface SessionProgress {
  readonly total: number;
  readonly labeled: number;
  readonly training: number;
  readonly evaluation: number;
  readonly evaluationLabeled: number;
  readonly skipped: number;
}

const EVAL_REASON: SampleReason = {
  strategy: 'evaluation',
  score: 0,
  detail: 'Held-out evaluation item (random sample, never used for training)',
};

export class LabelingSession {
  readonly config: SessionConfig;
  readonly classMap: ClassMap;
  private state = new LabelState();
  /** The items and what their order decides; replaced whole when the dataset file changes. */
  private pool: ItemPool;
  /**
   * Skipped items (a `skip` event in effect) that "serve skipped again" made servable. A skip is in
   * the log, so it lasts across sessions; this set lasts until the item is skipped again.
   */
  private readonly revisit = new Set<string>();
  /** Served by nextBatch and not yet answered (never served twice), with why each was picked. */
  private readonly outstanding = new Map<string, SampleReason>();
  private readonly stopHistory: ArrayLike<number>[] = [];
  private readonly curvePoints: CurvePointV[] = [];
  private strategy: string;
  private head: ClassifierHead | undefined;
  private scores: PoolScores | undefined;
  private changesSinceTrain = 0;
  private batches = 0;
  private versions = 0;
  private evalDebt = 0;
  private lastUpdate: ModelUpdate | undefined;

  constructor(
    items: readonly DatasetItem[],
    embeddings: Matrix,
    config: SessionConfigInput,
    private readonly engine: Engine = defaultEngine,
  ) {
    this.config = resolveConfig(config);
    this.pool = buildItemPool(items, embeddings, this.config);
    this.strategy = this.config.strategy;
    this.classMap = new ClassMap(this.config.mode, this.config.labels);
  }

  get items(): readonly DatasetItem[] {
    return this.pool.items;
  }

  get embeddings(): Matrix {
    return this.pool.embeddings;
  }

  get evaluationIds(): ReadonlySet<string> {
    return this.pool.evaluationIds;
  }

  private get rowOf(): ReadonlyMap<string, number> {
    return this.pool.rowOf;
  }

  private get stopRows(): Int32Array {
    return this.pool.stopRows;
  }

  /**
   * The dataset file changed (see itemPool.ts): go on with these items, keeping labels, model and
   * skips. Removed or changed items out with the page are released. Not during `retrainSteps`.
   */
  replaceItems(items: readonly DatasetItem[], embeddings: Matrix): ItemsReplaced {
    if (embeddings.cols !== this.embeddings.cols && this.head !== undefined) {
      throw new RangeError(`the new embeddings have ${embeddings.cols} dimensions, the model ${this.embeddings.cols}`);
    }
    const before = this.pool;
    const change = diffItems(before.items, items);
    this.pool = buildItemPool(items, embeddings, this.config);
    const gone = [...change.removed, ...change.changed];
    const withdrawn = gone.filter((id) => this.outstanding.delete(id));
    for (const id of change.removed) this.revisit.delete(id);
    if (stopSetMoved(before, this.pool)) this.stopHistory.length = 0;
    const trainingChanged = trainingMoved(before, this.pool, this.state);
    if (trainingChanged) this.changesSinceTrain += this.config.retrainEvery;
    this.scores = this.head === undefined ? undefined : scoreAll(this.head, embeddings, this.config.chunkRows);
    return { ...change, withdrawn, trainingChanged };
  }

  // ---- label events -------------------------------------------------------------------------

  /** Applies one event that is already in the log (replayed or just appended). */
  applyLabel(event: LabelEvent): void {
    const issue = this.state.apply(event);
    if (issue !== undefined) return;
    this.outstanding.delete(event.itemId);
    if (event.type === 'skip') this.revisit.delete(event.itemId);
    if (event.type === 'label') this.classMap.observe(event.labels);
    if (event.type === 'label' || event.type === 'undo') this.changesSinceTrain++;
  }

  /**
   * The label log was replaced outside Active Label (a git pull, a sync tool): the labels become
   * exactly what `events` (the new file, replayed) say. What was served stays served.
   */
  replaceLabels(events: readonly LabelEvent[]): void {
    this.state = new LabelState();
    for (const event of events) this.applyLabel(event);
    // The training set changed under the model: the next chance to retrain takes it.
    this.changesSinceTrain += this.config.retrainEvery;
  }

  /**
   * The event that undoes `itemId`'s latest label, skip or flag still in effect (what the page shows
   * coming back), or undefined when it has none (imports are not undone this way). The label
   * state knows each item's history, so nothing else is kept for undo. Apply the appended event
   * with `applyLabel` as usual.
   */
  undoEventFor(itemId: string, annotator: string): LabelEventInput | undefined {
    const last = this.state.nextUndo(itemId);
    if (last === undefined || last.source === 'import' || last.type === 'undo') return undefined;
    return undoOf(last, { annotator, source: last.source });
  }

  /**
   * Every item skipped so far (a `skip` event in effect, from this session or an earlier one) may be
   * served again, until it is skipped again. Labeling it overrides the skip in the log.
   */
  forgetSkips(): void {
    for (const current of this.state.labels.values()) if (current.skipped) this.revisit.add(current.itemId);
  }

  /** Forget what was served but not answered: the page that held those items lost its queue. */
  releaseOutstanding(): void {
    this.outstanding.clear();
  }

  /** Why a served, unanswered item was picked (written into its label event). */
  servedReason(itemId: string): SampleReason | undefined {
    return this.outstanding.get(itemId);
  }

  setStrategy(strategy: string): void {
    this.strategy = strategy;
  }

  get currentStrategy(): string {
    return this.strategy;
  }

  /** The item's row, or undefined when the dataset has no such item. */
  rowOfItem(itemId: string): number | undefined {
    return this.rowOf.get(itemId);
  }

  labelsOf(itemId: string): readonly string[] {
    return this.state.get(itemId)?.labels ?? [];
  }

  isLabeled(itemId: string): boolean {
    return this.state.get(itemId)?.labeled === true;
  }

  get labelState(): LabelState {
    return this.state;
  }

  // ---- batches ------------------------------------------------------------------------------

  /** The next `n` items to show (fewer when the pool runs out), in the order to show them. */
  nextBatch(n: number = this.config.batchSize): BatchPick[] {
    const pool: number[] = [];
    const evalPool: number[] = [];
    this.items.forEach((item, row) => {
      const current = this.state.get(item.id);
      // A flagged item waits for review; it is not served again as a fresh item. A skipped one waits
      // for "serve skipped again".
      if (current?.labeled || (current?.skipped && !this.revisit.has(item.id)) || current?.flagged || this.outstanding.has(item.id)) {
        return;
      }
      (this.evaluationIds.has(item.id) ? evalPool : pool).push(row);
    });
    const batchSeed = (this.config.seed + 7919 * ++this.batches) >>> 0;
    const rng = createRng(batchSeed);

    // The evaluation items get their share of the labels requested, chosen at random.
    this.evalDebt += n * this.config.evalFraction;
    let evalCount = Math.min(evalPool.length, Math.floor(this.evalDebt));
    if (pool.length < n - evalCount) evalCount = Math.min(evalPool.length, n - pool.length);
    this.evalDebt = Math.max(0, this.evalDebt - evalCount);
    const evalPicks = shuffled(evalPool, rng).slice(0, evalCount);

    const want = Math.min(pool.length, n - evalPicks.length);
    const picks: BatchPick[] = want > 0 ? this.selectFromPool(pool, want, batchSeed) : [];
    const out = picks.slice();
    for (const row of evalPicks) {
      const at = rng.int(out.length + 1);
      out.splice(at, 0, this.pick(row, EVAL_REASON, true));
    }
    for (const p of out) this.outstanding.set(p.itemId, p.reason);
    return out;
  }

  private selectFromPool(pool: readonly number[], want: number, seed: number): BatchPick[] {
    const training = this.trainingSet();
    const scores = this.scores;
    const poolMatrix = this.pool.poolRows.update(pool);
    const ranked = this.engine.select(
      {
        pool: poolMatrix,
        poolTexts: pool.map((r) => (this.items[r] as DatasetItem).text),
        labeled: training.x,
        targets: training.targets,
        classes: this.classMap.classes,
        mode: this.config.mode,
        ...(this.head !== undefined && scores !== undefined && scores.classes === this.classMap.classes.length
          ? { model: this.head, poolPrediction: scores.slice(pool, { of: this.embeddings, taken: poolMatrix }) }
          : {}),
        ...(training.validation !== undefined ? { validation: training.validation } : {}),
      },
      {
        strategy: this.strategy,
        batchSize: want,
        randomShare: this.config.randomShare,
        seed,
        minPerLabel: this.config.minPerLabel,
        ...(this.config.seedPatterns !== undefined ? { seedPatterns: this.config.seedPatterns } : {}),
        ...(this.config.uncertainPercent !== undefined ? { uncertainPercent: this.config.uncertainPercent } : {}),
        ...(this.config.headOptions !== undefined ? { headOptions: this.config.headOptions } : {}),
      },
    );
    const seen = new Set<number>();
    const out: BatchPick[] = [];
    for (const r of ranked) {
      const row = pool[r.index];
      if (row === undefined || seen.has(row)) continue;
      seen.add(row);
      out.push(this.pick(row, r.reason, false));
      if (out.length === want) break;
    }
    return out;
  }

  private pick(row: number, reason: SampleReason, evaluation: boolean): BatchPick {
    const itemId = (this.items[row] as DatasetItem).id;
    const prediction = this.predictionAt(row);
    return { itemId, row, reason, evaluation, ...(prediction !== undefined ? { prediction } : {}) };
  }

  // ---- model --------------------------------------------------------------------------------

  /** True when enough labels changed since the last retrain and two classes have examples. */
  shouldRetrain(): boolean {
    if (this.changesSinceTrain < this.config.retrainEvery && this.head !== undefined) return false;
    if (this.changesSinceTrain === 0) return false;
    return this.canTrain();
  }

  /** Cold start is a state: no model until two classes have training labels. */
  canTrain(): boolean {
    const t = this.trainingSet();
    return ClassMap.classesPresent(t.targets, this.classMap.classes.length) >= 2;
  }

  /** Trains a new version and scores it; null when there is nothing to train on yet. */
  retrain(): ModelUpdate | null {
    const steps = this.retrainSteps();
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /**
   * The same as `retrain`, one bounded step at a time: the caller may handle other work between
   * `next()` calls (labels keep coming in; they count towards the next version). The new head only
   * replaces the current one at the end, so batches never see a half-scored model.
   */
  *retrainSteps(): Generator<void, ModelUpdate | null> {
    const training = this.trainingSet();
    const classes = this.classMap.classes.slice();
    if (ClassMap.classesPresent(training.targets, classes.length) < 2) return null;
    this.changesSinceTrain = 0;
    const previous = this.head !== undefined && this.head.classes.length === classes.length ? this.head : undefined;
    const head = this.engine.train(training.x, training.targets, classes, this.config.mode, this.config.headOptions, previous);
    yield;
    const scores = yield* predictAll(head, this.embeddings, this.config.chunkRows);
    const version = ++this.versions;
    this.head = head;
    this.scores = scores;
    const evalRows: number[] = [];
    for (const id of this.evaluationIds) {
      if (this.isLabeled(id)) evalRows.push(this.rowOf.get(id) as number);
    }
    evalRows.sort((a, b) => a - b);
    const metrics = scoreVersion(scores, evalRows, (row) => this.labelsOf((this.items[row] as DatasetItem).id), this.classMap);
    this.stopHistory.push(stopSetDecisions(scores, this.stopRows, this.config.mode));
    if (metrics !== null) {
      this.curvePoints.push({ labels: training.rows.length, accuracy: metrics.accuracy, macroF1: metrics.macroF1, version });
    }
    const stopping = stoppingSignal(
      this.stopHistory,
      metrics === null ? null : { accuracy: metrics.accuracy, evaluated: metrics.evaluated },
      this.config.stopping,
    );
    this.lastUpdate = { version, trainedOn: training.rows.length, metrics, curve: this.curvePoints.slice(), stopping };
    return this.lastUpdate;
  }

  get model(): ClassifierHead | undefined {
    return this.head;
  }

  get latest(): ModelUpdate | undefined {
    return this.lastUpdate;
  }

  /** The current model's guess for an item; undefined before the first model. */
  prediction(itemId: string): ItemPrediction | undefined {
    const row = this.rowOf.get(itemId);
    return row === undefined ? undefined : this.predictionAt(row);
  }

  private predictionAt(row: number): ItemPrediction | undefined {
    const scores = this.scores;
    if (scores === undefined) return undefined;
    const k = scores.classes;
    const classes = this.head?.classes ?? this.classMap.classes;
    let best = 0;
    for (let c = 1; c < k; c++) if ((scores.probs[row * k + c] as number) > (scores.probs[row * k + best] as number)) best = c;
    const confidence = scores.probs[row * k + best] as number;
    if (this.config.mode !== 'multi') return { label: classes[best] as string, confidence };
    const labels = classes.filter((_, c) => (scores.probs[row * k + c] as number) >= 0.5);
    return { label: classes[best] as string, confidence, labels };
  }

  // ---- counts -------------------------------------------------------------------------------

  /** Labeled items per class (evaluation items included). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.classMap.classes) out[c] = 0;
    for (const current of this.state.labels.values()) {
      if (!current.labeled || !this.rowOf.has(current.itemId)) continue;
      if (this.config.mode === 'multi') {
        for (const l of current.labels) out[l] = (out[l] ?? 0) + 1;
      } else {
        const c = this.classMap.classes[this.classMap.classOf(current.labels)];
        if (c !== undefined) out[c] = (out[c] ?? 0) + 1;
      }
    }
    return out;
  }

  progress(): SessionProgress {
    let labeled = 0;
    let evaluationLabeled = 0;
    let skipped = 0;
    for (const current of this.state.labels.values()) {
      if (!this.rowOf.has(current.itemId)) continue;
      if (current.labeled) {
        labeled++;
        if (this.evaluationIds.has(current.itemId)) evaluationLabeled++;
      } else if (current.skipped) skipped++;
    }
    return {
      total: this.items.length,
      labeled,
      training: labeled - evaluationLabeled,
      evaluation: this.evaluationIds.size,
      evaluationLabeled,
      skipped,
    };
  }

  /** Labeled non-evaluation rows with their targets, plus the labeled evaluation rows. */
  trainingSet(): TrainingSet {
    return buildTraining(this.items, this.embeddings, this.state, this.evaluationIds, this.classMap);
  }
}
