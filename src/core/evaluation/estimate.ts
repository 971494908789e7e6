/**
 * How good is the model, without holding labels out? Every label trains the model; the accuracy is
 * estimated on the labeled items that are an unbiased sample, with out-of-fold predictions:
 *
 * - the evaluation items are the labeled items the random share of a batch served (their label
 *   event's strategy is `random`; `evaluation` in logs written when a held-out set existed, which
 *   was a random sample too), plus the labels imported from the dataset file (source `import`)
 *   when the user chose to import them, as a fixed set;
 * - the items are dealt into `folds` folds by a seeded hash of their id (an item keeps its fold
 *   from one retrain to the next, so successive points are comparable);
 * - for each fold a head is trained on every label except that fold's evaluation items and
 *   predicts those items: no item is ever scored by a model that saw its label;
 * - the accuracy gets a Wilson 95% interval (wilson.ts).
 *
 * The cost is `folds` extra head trainings per retrain, one per generator step, so a label is
 * never blocked for more than one training. Two caps keep big label sets (a large import) cheap:
 * above `maxItems` evaluation items a fixed seeded subset of them is scored (the interval is
 * already about ±4 points at 500 items), and above `largeLabels` labels only `largeFolds` folds
 * are used: each fold head then leaves out at most 250 of 2,000+ labels, which changes it little,
 * and the retrain costs 3 trainings instead of 6. The training set itself is never cut.
 *
 * The caveat, also in the README: the random share draws from the items not yet labeled, so the
 * estimate describes the model on the kind of items still in the pool.
 */
import type { Targets } from '../model/types';
import { multiLabelMetrics, singleLabelMetrics, type Metrics } from './metrics';
import { itemKey } from './split';
import { MIN_TRUSTED_EVALUATION_ITEMS } from './trust';
import { wilsonInterval, type Interval } from './wilson';

/** Strategies whose picks are a uniform draw from the unlabeled pool. */
export const UNBIASED_STRATEGIES: ReadonlySet<string> = new Set(['random', 'evaluation']);

export interface EstimateOptions {
  /** Folds of the evaluation items (default 5; fewer when there are fewer items). */
  readonly folds: number;
  /** Most evaluation items scored per retrain (default 500). */
  readonly maxItems: number;
  /** Above this many labels (default 2,000), `largeFolds` folds are used instead of `folds`. */
  readonly largeLabels: number;
  readonly largeFolds: number;
  /** Fewest evaluation items worth the work (default MIN_TRUSTED_EVALUATION_ITEMS); below it, no estimate. */
  readonly minItems: number;
  readonly seed: number;
}

export const defaultEstimateOptions: EstimateOptions = {
  folds: 5,
  maxItems: 500,
  largeLabels: 2000,
  largeFolds: 2,
  minItems: MIN_TRUSTED_EVALUATION_ITEMS,
  seed: 0,
};

/** Why a label event makes its item an evaluation item, or null when it does not. */
export function evaluationSource(event: {
  readonly type: string;
  readonly source: string;
  readonly strategy?: string | undefined;
}): 'random' | 'import' | null {
  if (event.type !== 'label') return null;
  if (event.source === 'import') return 'import';
  return event.strategy !== undefined && UNBIASED_STRATEGIES.has(event.strategy) ? 'random' : null;
}

/** The ids scored: all of them up to `maxItems`, else the `maxItems` with the lowest seeded keys. */
export function capEvaluationItems(ids: readonly string[], maxItems: number, seed: number): string[] {
  if (ids.length <= maxItems) return ids.slice();
  return ids
    .map((id) => ({ id, key: itemKey(id, seed ^ 0x6a09e667) }))
    .sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, Math.max(0, maxItems))
    .map((k) => k.id);
}

/** An item's fold: a seeded hash of its id, so it never changes between retrains. */
export function foldOf(id: string, folds: number, seed: number): number {
  return itemKey(id, seed ^ 0x3c6ef372) % folds;
}

/**
 * Trains a head on the training rows at `train` (positions in the training set) and returns the
 * class probabilities of the rows at `test`, `test.length` x classes, row-major.
 */
export type FitPredictRows = (train: readonly number[], test: readonly number[]) => Float32Array;

export interface EvaluationItem {
  readonly id: string;
  /** Position of the item in the training set (its row of `x` and `targets`). */
  readonly position: number;
}

export interface OutOfFoldEstimate {
  readonly metrics: Metrics;
  /** Wilson 95% interval of `metrics.accuracy`. */
  readonly interval: Interval;
  readonly folds: number;
}

/**
 * The out-of-fold estimate, one fold per step. `trainingCount` rows train; `items` (a subset of
 * them) are scored; `targets` are the training targets (single: class per row; multi: rows x
 * `classes`). Returns null when there are fewer than `minItems` items (nothing is trained then).
 */
export function* outOfFoldEstimate(
  trainingCount: number,
  targets: Targets,
  classes: readonly string[],
  items: readonly EvaluationItem[],
  fitPredict: FitPredictRows,
  options: Partial<EstimateOptions> = {},
): Generator<void, OutOfFoldEstimate | null> {
  const o: EstimateOptions = { ...defaultEstimateOptions, ...options };
  const scored = capEvaluationItems(
    items.map((i) => i.id),
    o.maxItems,
    o.seed,
  );
  if (scored.length === 0 || scored.length < o.minItems) return null;
  const positionOf = new Map(items.map((i) => [i.id, i.position]));
  const folds = Math.max(1, Math.min(trainingCount > o.largeLabels ? o.largeFolds : o.folds, scored.length));
  const k = classes.length;
  const byFold: number[][] = Array.from({ length: folds }, () => []);
  for (const id of scored) (byFold[foldOf(id, folds, o.seed)] as number[]).push(positionOf.get(id) as number);
  const probs = new Map<number, Float32Array>();
  for (const test of byFold) {
    if (test.length === 0) continue;
    const held = new Set(test);
    const train: number[] = [];
    for (let r = 0; r < trainingCount; r++) if (!held.has(r)) train.push(r);
    const p = fitPredict(train, test);
    test.forEach((position, i) => probs.set(position, p.subarray(i * k, (i + 1) * k)));
    yield;
  }
  const positions = scored.map((id) => positionOf.get(id) as number);
  const metrics = scoreOutOfFold(positions, probs, targets, classes);
  const correct = Math.round(metrics.accuracy * metrics.evaluated);
  return { metrics, interval: wilsonInterval(correct, metrics.evaluated), folds };
}

function scoreOutOfFold(
  positions: readonly number[],
  probs: ReadonlyMap<number, Float32Array>,
  targets: Targets,
  classes: readonly string[],
): Metrics {
  const k = classes.length;
  if (targets.kind === 'multi') {
    const truth = new Uint8Array(positions.length * k);
    const predicted = new Uint8Array(positions.length * k);
    positions.forEach((position, i) => {
      const p = probs.get(position) as Float32Array;
      for (let c = 0; c < k; c++) {
        truth[i * k + c] = targets.y[position * k + c] as number;
        predicted[i * k + c] = (p[c] as number) >= 0.5 ? 1 : 0;
      }
    });
    return multiLabelMetrics(truth, predicted, classes);
  }
  const truth = positions.map((position) => targets.y[position] as number);
  const predicted = positions.map((position) => {
    const p = probs.get(position) as Float32Array;
    let best = 0;
    for (let c = 1; c < k; c++) if ((p[c] as number) > (p[best] as number)) best = c;
    return best;
  });
  return singleLabelMetrics(truth, predicted, classes);
}
