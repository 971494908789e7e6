/**
 * The labeling loop as a pure state machine: no I/O, no clock, no VS Code. The worker and the
 * `simulate` command feed it label events and ask it for batches and retrains; tests drive it
 * directly.
 *
 * It holds the items and their embeddings, the replayed label state and the current head; what has
 * been served is its ServedItems (servedItems.ts), versions and the curve its ModelHistory
 * (modelHistory.ts). Label events come in already written (the caller appends to the log first, then
 * applies), so the session never holds a label the disk does not.
 *
 * Nothing is held out: every label trains. The accuracy is estimated out of fold on the labeled
 * items that are an unbiased sample (src/core/evaluation/estimate.ts).
 */
import { evaluationSource, outOfFoldEstimate } from '../evaluation/estimate';
import { undoOf, type LabelEvent, type LabelEventInput } from '../labels/events';
import { LabelState } from '../labels/state';
import type { ClassifierHead } from '../model/types';
import type { DatasetItem, Matrix, SampleReason } from '../types';
import { resolveConfig, type SessionConfig, type SessionConfigInput } from './config';
import { defaultEngine, type Engine } from './engine';
import { labelCounts, progressOf, type SessionProgress } from './tallies';
export type { SessionProgress } from './tallies';
import { ServedItems } from './servedItems';
import { ModelHistory, type CurvePointV, type ModelUpdate, type RestoredModel } from './modelHistory';
export type { CurvePointV, ModelUpdate, RestoredModel } from './modelHistory';
import { EmbeddedRows } from './embeddedRows';
import type { RowLookup } from './rowIndex';
import { buildItemPool, diffItems, scoreAll, stopSetMoved, trainingMoved, type ItemPool, type ItemsReplaced } from './itemPool';
import { predictAll, predictionAt, scoreRows, stopSetDecisions, type ItemPrediction, type PoolScores } from './scoring';
export type { ItemPrediction } from './scoring';
import { ClassMap } from './targets';
import { buildTraining, foldTrainer, type TrainingSet } from './training';
import { batchSelection, servableRows } from './batchInput';

export interface BatchPick {
  readonly itemId: string;
  /** Row in the items/embeddings. */
  readonly row: number;
  readonly reason: SampleReason;
  readonly prediction?: ItemPrediction;
}

export class LabelingSession {
  readonly config: SessionConfig;
  readonly classMap: ClassMap;
  private state = new LabelState();
  /** Items a label event marks as an unbiased sample (served at random, or imported). */
  private readonly evaluationIds = new Set<string>();
  /** The items and what their order decides; replaced whole when the dataset file changes. */
  private pool: ItemPool;
  /** What is out with the page, why, and which skipped items may be served again. */
  private readonly served = new ServedItems();
  /** Versions, the learning curve and the stopping history. */
  private readonly history: ModelHistory;
  private strategy: string;
  private head: ClassifierHead | undefined;
  private scores: PoolScores | undefined;
  private changesSinceTrain = 0;
  private batches = 0;
  /** Rows with their vector (all of them once embedding is done); see `addEmbedded`. */
  private embedded: EmbeddedRows;

  /**
   * `embedded` (row -> 1 when its vector is in `embeddings`) is for a pool still embedding in the
   * background: rows without a vector are left out until `addEmbedded` brings them. Copied.
   */
  constructor(
    items: readonly DatasetItem[],
    embeddings: Matrix,
    config: SessionConfigInput,
    private readonly engine: Engine = defaultEngine,
    embedded?: Uint8Array,
  ) {
    this.config = resolveConfig(config);
    this.pool = buildItemPool(items, embeddings, this.config, embedded);
    this.embedded = new EmbeddedRows(embedded, items.length);
    this.strategy = this.config.strategy;
    this.history = new ModelHistory(this.config.stopping);
    this.classMap = new ClassMap(this.config.mode, this.config.labels);
  }

  get items(): readonly DatasetItem[] {
    return this.pool.items;
  }

  get embeddings(): Matrix {
    return this.pool.embeddings;
  }

  private get rowOf(): RowLookup {
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
    this.embedded = new EmbeddedRows(undefined, items.length);
    const gone = [...change.removed, ...change.changed];
    const withdrawn = this.served.withdraw(gone);
    this.served.forget(change.removed);
    if (stopSetMoved(before, this.pool)) this.history.resetStopHistory();
    const trainingChanged = trainingMoved(before, this.pool, this.state);
    if (trainingChanged) this.changesSinceTrain += this.config.retrainEvery;
    this.scores = this.head === undefined ? undefined : scoreAll(this.head, embeddings, this.config.chunkRows);
    return { ...change, withdrawn, trainingChanged };
  }

  /**
   * These rows' vectors are now in `embeddings` (the background embedding wrote them): they join the
   * pool that batches draw from, and are scored by the current model at once.
   */
  addEmbedded(rows: readonly number[]): void {
    const added = this.embedded.add(rows);
    if (this.head !== undefined && this.scores !== undefined) scoreRows(this.head, this.embeddings, added, this.scores);
  }

  /** False for a row whose vector the background has not embedded yet. */
  isEmbedded(row: number): boolean {
    return this.embedded.has(row);
  }

  /** Rows with their vector: the pool batches draw from (labeled or not). */
  get embeddedCount(): number {
    return this.embedded.count;
  }

  // ---- label events -------------------------------------------------------------------------

  /** Applies one event that is already in the log (replayed or just appended). */
  applyLabel(event: LabelEvent): void {
    const issue = this.state.apply(event);
    if (issue !== undefined) return;
    this.noteApplied(event);
  }

  /**
   * Starts from a replayed log: `state` (the replay's reducer, not copied: later events are applied
   * to it) becomes the session's, with the same result as `applyLabel` of each of its events, without
   * applying them again. Only on a session that has applied no label event yet.
   */
  adoptLabels(state: LabelState): void {
    if (this.state.events.length > 0) throw new Error('adoptLabels: the session already has label events');
    this.state = state;
    state.forEachApplied((event) => this.noteApplied(event));
  }

  /** What an applied event changes besides the label state. */
  private noteApplied(event: LabelEvent): void {
    this.served.answered(event.itemId, event.type === 'skip');
    this.history.noteLogged(event.modelVersion);
    if (evaluationSource(event) !== null) this.evaluationIds.add(event.itemId);
    if (event.type === 'label') this.classMap.observe(event.labels);
    if (event.type === 'label' || event.type === 'undo') this.changesSinceTrain++;
  }

  /**
   * The label log was replaced outside Active Label (a git pull, a sync tool): the labels become
   * exactly what `events` (the new file, replayed) say. What was served stays served.
   */
  replaceLabels(events: readonly LabelEvent[]): void {
    this.state = new LabelState();
    this.evaluationIds.clear();
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
    for (const current of this.state.labels.values()) if (current.skipped) this.served.revisitSkipped(current.itemId);
  }

  /**
   * Forget what was served but not answered, so it may be served again: the page that held those
   * items lost its queue, or the strategy changed and the page drops its prefetched items.
   */
  releaseOutstanding(): void {
    this.served.release();
  }

  /** How many served items are unanswered. */
  get outstandingCount(): number {
    return this.served.count;
  }

  /** The unanswered item served first: the one the page shows, unless it undid or reloaded since. */
  get oldestOutstanding(): string | undefined {
    return this.served.oldest;
  }

  /**
   * Records an item served by another source than the sampler (the review queue) as outstanding:
   * it is not served again until answered, and its label event records `reason`.
   */
  markServed(itemId: string, reason: SampleReason): void {
    this.served.serve(itemId, reason);
  }

  /** Out with the page now: served and neither answered nor released. */
  isOutstanding(itemId: string): boolean {
    return this.served.isOutstanding(itemId);
  }

  /** Why a served, unanswered item was picked (written into its label event). */
  servedReason(itemId: string): SampleReason | undefined {
    return this.served.reasonFor(itemId);
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

  /**
   * Takes up what the previous session of this dataset left (its newest version and curve): new
   * versions are numbered above both that and every `modelVersion` in the log, and the curve goes
   * on from the stored history.
   */
  resume(restored: RestoredModel): void {
    this.history.resume(restored);
  }

  /** The newest version number known (0 before any). */
  get latestVersion(): number {
    return this.history.latestVersion;
  }

  /** The learning curve so far, oldest first. */
  get curve(): readonly CurvePointV[] {
    return this.history.curve;
  }

  // ---- batches ------------------------------------------------------------------------------

  /**
   * The next `n` items to show (fewer when the pool runs out), in the order to show them. Ids in
   * `exclude` are left out of this batch only (they stay servable).
   */
  nextBatch(n: number = this.config.batchSize, exclude?: ReadonlySet<string>): BatchPick[] {
    const pool = servableRows(this.items, this.rowOf, this.state, this.served, (row) => this.isEmbedded(row), exclude);
    const batchSeed = (this.config.seed + 7919 * ++this.batches) >>> 0;
    const want = Math.min(pool.length, n);
    const out: BatchPick[] = want > 0 ? this.selectFromPool(pool, want, batchSeed) : [];
    for (const p of out) this.served.serve(p.itemId, p.reason);
    return out;
  }

  private selectFromPool(pool: readonly number[], want: number, seed: number): BatchPick[] {
    const parts = {
      items: this.items,
      embeddings: this.embeddings,
      poolMatrix: this.pool.poolRows.update(pool),
      training: this.trainingSet(),
      classes: this.classMap.classes,
      config: this.config,
      strategy: this.strategy,
      head: this.head,
      scores: this.scores,
    };
    const { input, request } = batchSelection(parts, pool, want, seed);
    const ranked = this.engine.select(input, request);
    const seen = new Set<number>();
    const out: BatchPick[] = [];
    for (const r of ranked) {
      const row = pool[r.index];
      if (row === undefined || seen.has(row)) continue;
      seen.add(row);
      out.push(this.pick(row, r.reason));
      if (out.length === want) break;
    }
    return out;
  }

  private pick(row: number, reason: SampleReason): BatchPick {
    const itemId = (this.items[row] as DatasetItem).id;
    const prediction = this.predictionAt(row);
    return { itemId, row, reason, ...(prediction !== undefined ? { prediction } : {}) };
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
    this.embedded.watch();
    const previous = this.head !== undefined && this.head.classes.length === classes.length ? this.head : undefined;
    const head = this.engine.train(training.x, training.targets, classes, this.config.mode, this.config.headOptions, previous);
    yield;
    const scores = yield* predictAll(head, this.embeddings, this.config.chunkRows);
    // One fold per step: the out-of-fold heads train on the snapshot taken above, so labels that
    // arrive meanwhile count towards the next version.
    const estimate = this.config.estimate === false
      ? null
      : yield* outOfFoldEstimate(training.rows.length, training.targets, classes, training.evaluation, foldTrainer(this.engine, training, classes, this.config), {
          seed: this.config.seed,
          ...this.config.estimate,
        });
    // Rows whose vectors came during the retrain may have been scored as zeros, or not by this head.
    scoreRows(head, this.embeddings, this.embedded.arrivals(), scores);
    this.head = head;
    this.scores = scores;
    return this.history.record({
      trainedOn: training.rows.length,
      evaluationItems: training.evaluation.length,
      estimate,
      stopDecisions: stopSetDecisions(scores, this.stopRows, this.config.mode),
    });
  }

  get model(): ClassifierHead | undefined {
    return this.head;
  }

  get latest(): ModelUpdate | undefined {
    return this.history.latest;
  }

  /** The current model's probability of each class (`model.classes`) for a row; undefined before the first model. */
  classProbabilities(row: number): Float32Array | undefined {
    const scores = this.scores;
    if (scores === undefined || row < 0 || row >= this.items.length || !this.isEmbedded(row)) return undefined;
    return scores.probs.subarray(row * scores.classes, (row + 1) * scores.classes);
  }

  /** The current model's guess for an item; undefined before the first model. */
  prediction(itemId: string): ItemPrediction | undefined {
    const row = this.rowOf.get(itemId);
    return row === undefined ? undefined : this.predictionAt(row);
  }

  private predictionAt(row: number): ItemPrediction | undefined {
    const scores = this.scores;
    return scores === undefined || !this.isEmbedded(row) ? undefined : predictionAt(scores, row, this.head?.classes ?? this.classMap.classes, this.config.mode);
  }

  // ---- counts -------------------------------------------------------------------------------

  /** Labeled items per class (evaluation items included). */
  counts(): Record<string, number> {
    return labelCounts(this.state, this.rowOf, this.classMap, this.config.mode);
  }

  progress(): SessionProgress {
    return progressOf(this.state, this.rowOf, this.items.length, (id) => this.evaluationIds.has(id));
  }

  /** Every labeled row with its targets; the evaluation items among them are marked. */
  trainingSet(): TrainingSet {
    // A labeled row without its vector yet (its zeros are no data) trains once it has one.
    return buildTraining(this.items, this.rowOf, this.embeddings, this.state, (id) => this.evaluationIds.has(id), this.classMap, this.embedded.filter);
  }
}
