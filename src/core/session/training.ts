/** The training view of the label state: which rows train the head, which evaluate it. */
import type { LabelState } from '../labels/state';
import type { Targets } from '../model/types';
import type { DatasetItem, Matrix } from '../types';
import type { ClassMap } from './targets';

export interface TrainingSet {
  /** Rows (into items) trained on, ascending. */
  readonly rows: readonly number[];
  readonly x: Matrix;
  readonly targets: Targets;
  /** Labeled evaluation items, for strategies that read validation data (model outliers). */
  readonly validation?: { readonly x: Matrix; readonly targets: Targets };
}

export function buildTraining(
  items: readonly DatasetItem[],
  embeddings: Matrix,
  state: LabelState,
  evaluationIds: ReadonlySet<string>,
  classMap: ClassMap,
): TrainingSet {
  const rows: number[] = [];
  const labels: (readonly string[])[] = [];
  const evalRows: number[] = [];
  const evalLabels: (readonly string[])[] = [];
  items.forEach((item, row) => {
    const current = state.get(item.id);
    if (current === undefined || !current.labeled) return;
    // Single-label rows whose label is not a class cannot train (classOf < 0); skip them.
    if (classMap.mode === 'single' && classMap.classOf(current.labels) < 0) return;
    if (evaluationIds.has(item.id)) {
      evalRows.push(row);
      evalLabels.push(current.labels);
    } else {
      rows.push(row);
      labels.push(current.labels);
    }
  });
  const take = (list: readonly number[]): Matrix => {
    const data = new Float32Array(list.length * embeddings.cols);
    list.forEach((r, i) => data.set(embeddings.data.subarray(r * embeddings.cols, (r + 1) * embeddings.cols), i * embeddings.cols));
    return { data, rows: list.length, cols: embeddings.cols };
  };
  return {
    rows,
    x: take(rows),
    targets: classMap.targets(labels),
    ...(evalRows.length > 0 ? { validation: { x: take(evalRows), targets: classMap.targets(evalLabels) } } : {}),
  };
}
