/**
 * The loop with an oracle: the dataset's own labels answer every request, so a strategy's learning
 * curve can be measured without a person. This is what `active-label simulate` and the learning
 * benchmark run; it drives the same LabelingSession the editor uses.
 *
 * Protocol (per seed): a random `evalFraction` of the items is held out and labeled up front (the
 * oracle answers them; they never train). Then batches are requested and answered until `budget`
 * training labels are spent; after every batch the head is retrained and scored on the held-out
 * items. Before two classes have labels there is no model: the point scores predicting the most
 * common label seen so far (what a user would have), or 0 with no labels at all.
 */
import { areaUnderCurve, type CurvePoint } from '../evaluation/curve';
import { multiLabelMetrics, singleLabelMetrics, type Metrics } from '../evaluation/metrics';
import { completeEvent } from '../labels/events';
import type { HeadOptions } from '../model/types';
import type { DatasetItem, LabelMode, Matrix } from '../types';
import { defaultEngine, type Engine } from './engine';
import { LabelingSession } from './session';

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

function newSession(data: SimulationData, o: SimulationOptions, strategy: string, engine: Engine): LabelingSession {
  return new LabelingSession(
    data.items,
    data.embeddings,
    {
      labels: data.labels,
      mode: data.mode,
      strategy,
      batchSize: o.batchSize,
      retrainEvery: o.batchSize,
      randomShare: o.randomShare,
      evalFraction: o.evalFraction,
      seed: o.seed,
      minPerLabel: o.minPerLabel,
      stopSetSize: 200,
      ...(o.headOptions !== undefined ? { headOptions: o.headOptions } : {}),
      ...(o.uncertainPercent !== undefined ? { uncertainPercent: o.uncertainPercent } : {}),
    },
    engine,
  );
}

function answer(session: LabelingSession, data: SimulationData, row: number, source: 'import' | 'queue'): void {
  const item = data.items[row] as DatasetItem;
  session.applyLabel(
    completeEvent({ type: 'label', itemId: item.id, labels: data.truth[row] as string[], annotator: 'oracle', source }),
  );
}

function labelEvaluation(session: LabelingSession, data: SimulationData): number[] {
  const rows: number[] = [];
  data.items.forEach((item, row) => {
    if (session.evaluationIds.has(item.id)) {
      answer(session, data, row, 'import');
      rows.push(row);
    }
  });
  return rows;
}

/** Runs one strategy with one seed. */
export function runSimulation(
  data: SimulationData,
  options: Partial<SimulationOptions> & Pick<SimulationOptions, 'strategy' | 'seed'>,
  engine: Engine = defaultEngine,
): SimulationRun {
  const o: SimulationOptions = { ...defaultSimulationOptions, ...options };
  const session = newSession(data, o, o.strategy, engine);
  const evalRows = labelEvaluation(session, data);
  const points: CurvePoint[] = [];
  let trained = 0;
  while (trained < o.budget) {
    const batch = session.nextBatch(Math.min(o.batchSize, o.budget - trained));
    if (batch.length === 0) break;
    for (const pick of batch) answer(session, data, pick.row, 'queue');
    trained = session.progress().training;
    const update = session.canTrain() ? session.retrain() : null;
    const m = update?.metrics ?? baselineMetrics(session, data, evalRows);
    const point = { labels: trained, accuracy: m.accuracy, macroF1: m.macroF1 };
    points.push(point);
    o.onPoint?.(point);
  }
  return { strategy: o.strategy, seed: o.seed, points, alc: areaUnderCurve(points), evaluated: evalRows.length };
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
  const session = newSession(data, o, 'random', engine);
  const evalRows = labelEvaluation(session, data);
  data.items.forEach((item, row) => {
    if (!session.evaluationIds.has(item.id)) answer(session, data, row, 'queue');
  });
  const update = session.canTrain() ? session.retrain() : null;
  const m = update?.metrics ?? baselineMetrics(session, data, evalRows);
  return { accuracy: m.accuracy, macroF1: m.macroF1, trainedOn: session.progress().training };
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
