/**
 * The session's tallies over the replayed label state: labeled items per class, and the progress
 * counts (labeled, evaluation items among them, skipped). Only items still in the dataset count.
 */
import type { LabelState } from '../labels/state';
import type { LabelMode } from '../types';
import type { ClassMap } from './targets';
import type { RowLookup } from './rowIndex';

export interface SessionProgress {
  readonly total: number;
  readonly labeled: number;
  /** Labeled items that are evaluation items too (random share, imports); they also train. */
  readonly evaluationLabeled: number;
  readonly skipped: number;
}

/** Labeled items per class (evaluation items included); multi mode counts every label of an item. */
export function labelCounts(state: LabelState, inDataset: RowLookup, classMap: ClassMap, mode: LabelMode): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of classMap.classes) out[c] = 0;
  for (const current of state.labels.values()) {
    if (!current.labeled || !inDataset.has(current.itemId)) continue;
    if (mode === 'multi') {
      for (const l of current.labels) out[l] = (out[l] ?? 0) + 1;
    } else {
      const c = classMap.classes[classMap.classOf(current.labels)];
      if (c !== undefined) out[c] = (out[c] ?? 0) + 1;
    }
  }
  return out;
}

/** `total` is the dataset's item count. */
export function progressOf(state: LabelState, inDataset: RowLookup, total: number, isEvaluation: (id: string) => boolean): SessionProgress {
  let labeled = 0;
  let evaluationLabeled = 0;
  let skipped = 0;
  for (const current of state.labels.values()) {
    if (!inDataset.has(current.itemId)) continue;
    if (current.labeled) {
      labeled++;
      if (isEvaluation(current.itemId)) evaluationLabeled++;
    } else if (current.skipped) skipped++;
  }
  return { total, labeled, evaluationLabeled, skipped };
}
