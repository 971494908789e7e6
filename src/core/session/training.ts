/** The training view of the label state: every labeled row trains; some of them also evaluate. */
import type { EvaluationItem, FitPredictRows } from '../evaluation/estimate';
import type { LabelState } from '../labels/state';
import { rowsView, takeRows } from '../math/matrix';
import type { HeadOptions, Targets } from '../model/types';
import type { DatasetItem, LabelMode, Matrix } from '../types';
import type { Engine } from './engine';
import type { ClassMap } from './targets';
import type { RowLookup } from './rowIndex';

export interface TrainingSet {
  /** Rows (into items) trained on, ascending. */
  readonly rows: readonly number[];
  /** Rows `rows` of the embeddings; a view of them when they are consecutive, so never write to it. */
  readonly x: Matrix;
  readonly targets: Targets;
  /** The training rows that are an unbiased sample (random share, imports), scored out of fold. */
  readonly evaluation: readonly EvaluationItem[];
  /** The evaluation rows again, for strategies that read validation data (model outliers). */
  readonly validation?: { readonly x: Matrix; readonly targets: Targets };
}

export function buildTraining(
  items: readonly DatasetItem[],
  /** Item id -> row of `items`. */
  rowOf: RowLookup,
  embeddings: Matrix,
  state: LabelState,
  isEvaluation: (itemId: string) => boolean,
  classMap: ClassMap,
  /** Rows that may train (all when omitted): a row still without its vector may not. */
  hasVector?: (row: number) => boolean,
): TrainingSet {
  const rows: number[] = [];
  const labels: (readonly string[])[] = [];
  const evaluation: EvaluationItem[] = [];
  // The items with events, in row order (as a pass over every item visits them): the cost follows
  // the labels, not the pool, and a million-item session asks after every label.
  const withEvents: number[] = [];
  for (const itemId of state.labels.keys()) {
    const row = rowOf.get(itemId);
    if (row !== undefined) withEvents.push(row);
  }
  withEvents.sort((a, b) => a - b);
  withEvents.forEach((row) => {
    const item = items[row] as DatasetItem;
    const current = state.get(item.id);
    if (current === undefined || !current.labeled || hasVector?.(row) === false) return;
    // Single-label rows whose label is not a class cannot train (classOf < 0); skip them.
    if (classMap.mode === 'single' && classMap.classOf(current.labels) < 0) return;
    if (isEvaluation(item.id)) evaluation.push({ id: item.id, position: rows.length });
    rows.push(row);
    labels.push(current.labels);
  });
  const take = (list: readonly number[]): Matrix => {
    // One run of consecutive rows (a simulation's full pool) is a view: copying it held the pool twice
    // (and decoding an int8 pool into float32 four times over).
    const first = list[0] ?? 0;
    if (list.length > 0 && list[list.length - 1] === first + list.length - 1) return rowsView(embeddings, first, first + list.length);
    return takeRows(embeddings, list);
  };
  const evalRows = evaluation.map((e) => rows[e.position] as number);
  return {
    rows,
    x: take(rows),
    targets: classMap.targets(labels),
    evaluation,
    ...(evalRows.length > 0
      ? { validation: { x: take(evalRows), targets: classMap.targets(evaluation.map((e) => labels[e.position] as readonly string[])) } }
      : {}),
  };
}

/**
 * The out-of-fold estimate's trainer: a fresh head on some rows of the training set (no warm start,
 * as the current head saw every label), and its probabilities for other rows.
 */
export function foldTrainer(
  engine: Engine,
  training: TrainingSet,
  classes: readonly string[],
  config: { readonly mode: LabelMode; readonly headOptions?: Partial<HeadOptions> },
): FitPredictRows {
  return (train, test) => {
    const head = engine.train(takeRows(training.x, train), subsetTargets(training.targets, train, classes.length), classes, config.mode, config.headOptions);
    return head.predict(takeRows(training.x, test)).probs.data;
  };
}

/** The targets of some rows, in that order. */
function subsetTargets(targets: Targets, rows: readonly number[], classes: number): Targets {
  if (targets.kind === 'single') return { kind: 'single', y: Int32Array.from(rows, (r) => targets.y[r] as number) };
  const y = new Uint8Array(rows.length * classes);
  rows.forEach((r, i) => y.set(targets.y.subarray(r * classes, (r + 1) * classes), i * classes));
  return { kind: 'multi', y };
}
