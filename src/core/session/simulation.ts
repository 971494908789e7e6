/**
 * The loop with an oracle: the dataset's own labels answer every request, so a strategy's learning
 * curve can be measured without a person. This is what `active-label simulate` and the learning
 * benchmark run; it drives the same LabelingSession the editor uses.
 *
 * Protocol (per seed): a random `evalFraction` of the items is held out as a test split, which the
 * session never sees (a simulation knows every answer and can afford it; the labeling session holds
 * nothing out). Then batches are requested and answered until `budget` labels are spent; after
 * every batch the head is retrained and scored on the test split. Before two classes have labels there is no model: the point scores predicting the most
 * common label seen so far (what a user would have), or 0 with no labels at all.
 */
import { areaUnderCurve, type CurvePoint } from '../evaluation/curve';
import { multiLabelMetrics, singleLabelMetrics, type Metrics } from '../evaluation/metrics';
import { chooseEvaluationItems } from '../evaluation/split';
import { completeEvent } from '../labels/events';
import type { HeadOptions } from '../model/types';
import type { DatasetItem, LabelMode, Matrix } from '../types';
import { rowsView, takeRows } from '../math/matrix';
import { defaultEngine, type Engine } from './engine';
import { scoreVersion, PoolScores } from './scoring';
import { LabelingSession } from './session';
import { withSplitLayout } from './splitLayout';
import { ClassMap } from './targets';

export interface SimulationData {
  readonly items: readonly DatasetItem[];
  readonly embeddings: Matrix;
  /** The oracle: every item's true labels (at least one each). */
  readonly truth: readonly (readonly string[])[];
  /** Class names, in a stable order. */
  readonly labels: readonly string[];
  readonly mode: LabelMode;
}

export interface SimulationOptions {
  readonly strategy: string;
  readonly budget: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly evalFraction: number;
  readonly randomShare: number;
  readonly minPerLabel: number;
  readonly headOptions?: Partial<HeadOptions>;
  /** Clustered uncertainty: the top share of the pool, in percent, that is clustered (engine default when absent). */
  readonly uncertainPercent?: number;
  /** Called after each batch, e.g. to print progress. */
  readonly onPoint?: (point: CurvePoint) => void;
}

export const defaultSimulationOptions: Omit<SimulationOptions, 'strategy' | 'seed'> = {
  budget: 300,
  batchSize: 10,
  evalFraction: 0.2,
  randomShare: 0.1,
  minPerLabel: 3,
};

export interface SimulationRun {
  readonly strategy: string;
  readonly seed: number;
  readonly points: readonly CurvePoint[];
  readonly alc: number;
  /** Held-out items scored. */
  readonly evaluated: number;
}

/** The session sees only the pool (`rows` of the data); the test split's rows are kept apart. */
interface Split {
  readonly session: LabelingSession;
  /** Session row -> data row. */
  readonly rows: readonly number[];
  readonly testRows: readonly number[];
  /** The test rows' embeddings, packed in `testRows` order. */
  readonly test: Matrix;
}

/**
 * Chooses the seed's split and runs `run` on a session over the pool. The embeddings are arranged in
 * place (see ./splitLayout) rather than copied, and are back in their order when this returns.
 */
function withSession<T>(data: SimulationData, o: SimulationOptions, strategy: string, engine: Engine, run: (split: Split) => T): T {
  const test = chooseEvaluationItems(data.items.map((i) => i.id), o.evalFraction, o.seed);
  const rows: number[] = [];
  const testRows: number[] = [];
  data.items.forEach((item, row) => (test.has(item.id) ? testRows : rows).push(row));
  return withSplitLayout(data.embeddings, rows, testRows, (views) =>
    run({ session: newSession(data, rows, views.pool, o, strategy, engine), rows, testRows, test: views.test }),
  );
}

function newSession(data: SimulationData, rows: readonly number[], pool: Matrix, o: SimulationOptions, strategy: string, engine: Engine): LabelingSession {
  return new LabelingSession(
    rows.map((r) => data.items[r] as DatasetItem),
    pool,
    {
      labels: data.labels,
      mode: data.mode,
      strategy,
      batchSize: o.batchSize,
      retrainEvery: o.batchSize,
      randomShare: o.randomShare,
      seed: o.seed,
      estimate: false,
      minPerLabel: o.minPerLabel,
      stopSetSize: 200,
      ...(o.headOptions !== undefined ? { headOptions: o.headOptions } : {}),
      ...(o.uncertainPercent !== undefined ? { uncertainPercent: o.uncertainPercent } : {}),
    },
    engine,
  );
}

function answer(session: LabelingSession, data: SimulationData, row: number): void {
  const item = data.items[row] as DatasetItem;
  session.applyLabel(
    completeEvent({ type: 'label', itemId: item.id, labels: data.truth[row] as string[], annotator: 'oracle', source: 'queue' }),
  );
}

/** The current model on the test split; the majority baseline before there is one. */
function testMetrics(split: Split, data: SimulationData, head = split.session.model): Metrics {
  const { session, testRows } = split;
  if (head === undefined) return baselineMetrics(session, data, testRows);
  const p = head.predict(split.test);
  const scores = new PoolScores(head.classes.length, p.probs.data, p.logits.data, p.hidden);
  const m = scoreVersion(scores, testRows.map((_, i) => i), (i) => data.truth[testRows[i] as number] as string[], session.classMap);
  return m ?? baselineMetrics(session, data, testRows);
}

/** Runs one strategy with one seed. */
export function runSimulation(
  data: SimulationData,
  options: Partial<SimulationOptions> & Pick<SimulationOptions, 'strategy' | 'seed'>,
  engine: Engine = defaultEngine,
): SimulationRun {
  const o: SimulationOptions = { ...defaultSimulationOptions, ...options };
  return withSession(data, o, o.strategy, engine, (split) => simulateSplit(split, data, o));
}

function simulateSplit(split: Split, data: SimulationData, o: SimulationOptions): SimulationRun {
  const { session, rows } = split;
  const points: CurvePoint[] = [];
  let trained = 0;
  while (trained < o.budget) {
    const batch = session.nextBatch(Math.min(o.batchSize, o.budget - trained));
    if (batch.length === 0) break;
    for (const pick of batch) answer(session, data, rows[pick.row] as number);
    trained = session.progress().labeled;
    if (session.canTrain()) session.retrain();
    const m = testMetrics(split, data);
    const point = { labels: trained, accuracy: m.accuracy, macroF1: m.macroF1 };
    points.push(point);
    o.onPoint?.(point);
  }
  return { strategy: o.strategy, seed: o.seed, points, alc: areaUnderCurve(points), evaluated: split.testRows.length };
}

/**
 * The accuracy that training on every non-held-out item gives (same split, same head): the
 * ceiling the learning curves are compared against.
 */
export function fullPoolReference(
  data: SimulationData,
  options: Partial<SimulationOptions> & Pick<SimulationOptions, 'seed'>,
  engine: Engine = defaultEngine,
): { readonly accuracy: number; readonly macroF1: number; readonly trainedOn: number } {
  const o: SimulationOptions = { ...defaultSimulationOptions, strategy: 'random', ...options };
  return withSession(data, o, 'random', engine, (split) => {
    const { session } = split;
    // Every pool row labeled, trained once: the head that labeling each row and retraining gives
    // (the same rows, targets, classes and options; test/unit/session/fullPoolReference.test.ts),
    // without a label event per row (664,882 events held 330 MiB at a million items).
    const truth = split.rows.map((r) => data.truth[r] as readonly string[]);
    for (const labels of truth) session.classMap.observe(labels);
    const trains = truth.flatMap((labels, i) => (data.mode === 'single' && session.classMap.classOf(labels) < 0 ? [] : [i]));
    const targets = session.classMap.targets(trains.map((i) => truth[i] as readonly string[]));
    const classes = session.classMap.classes.slice();
    if (ClassMap.classesPresent(targets, classes.length) < 2) {
      // Too few classes to train on: the majority baseline, as the session reports it.
      for (const row of split.rows) answer(session, data, row);
      const m = testMetrics(split, data);
      return { accuracy: m.accuracy, macroF1: m.macroF1, trainedOn: session.progress().labeled };
    }
    const consecutive = trains.length === split.rows.length;
    const x = consecutive ? rowsView(session.embeddings, 0, trains.length) : takeRows(session.embeddings, trains);
    const head = engine.train(x, targets, classes, data.mode, o.headOptions);
    const m = testMetrics(split, data, head);
    return { accuracy: m.accuracy, macroF1: m.macroF1, trainedOn: truth.length };
  });
}

/** Without a model: predict the most common training label for every held-out item. */
function baselineMetrics(session: LabelingSession, data: SimulationData, evalRows: readonly number[]): Metrics {
  const classes = session.classMap.classes;
  const training = session.trainingSet();
  const empty: Metrics = { evaluated: evalRows.length, accuracy: 0, macroF1: 0, perClass: [], classes };
  if (training.rows.length === 0) return empty;
  if (training.targets.kind === 'multi') {
    const k = classes.length;
    const truth = new Uint8Array(evalRows.length * k);
    evalRows.forEach((row, i) => session.classMap.fillRow(data.truth[row] as string[], truth, i * k));
    return multiLabelMetrics(truth, new Uint8Array(truth.length), classes);
  }
  const counts = new Map<number, number>();
  for (const c of training.targets.y) counts.set(c, (counts.get(c) ?? 0) + 1);
  const majority = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 0;
  const truth = evalRows.map((row) => session.classMap.classOf(data.truth[row] as string[]));
  return singleLabelMetrics(
    truth,
    truth.map(() => majority),
    classes,
  );
}
