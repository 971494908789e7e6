/**
 * What a batch hands the engine, built from the session's parts: which rows may be served, the
 * sampling input (those rows of the embeddings, the training set, the current model's scores of
 * them) and the request (strategy, size, seed and the session's sampling settings). The session
 * (session.ts) owns the state; this file only reads it.
 */
import type { LabelState } from '../labels/state';
import type { SamplingInput } from '../sampling';
import type { ClassifierHead } from '../model/types';
import type { DatasetItem, Matrix } from '../types';
import type { SessionConfig } from './config';
import type { SelectionRequest } from './engine';
import type { PoolScores } from './scoring';
import type { ServedItems } from './servedItems';
import type { TrainingSet } from './training';
import type { RowLookup } from './rowIndex';

/**
 * Rows that may be served now, ascending: embedded, not labeled, not flagged (a flagged item waits
 * for review, not as a fresh item), not skipped unless skipped items may be served again, not out
 * with the page, not in `exclude`. The items with events, the outstanding and the excluded are
 * marked first, so a batch costs one pass of flags over a large pool, not a lookup per item.
 */
export function servableRows(
  items: readonly DatasetItem[],
  rowOf: RowLookup,
  state: LabelState,
  served: ServedItems,
  isEmbedded: (row: number) => boolean,
  exclude?: ReadonlySet<string>,
): number[] {
  const blocked = new Uint8Array(items.length);
  const block = (itemId: string): void => {
    const row = rowOf.get(itemId);
    if (row !== undefined) blocked[row] = 1;
  };
  for (const [itemId, current] of state.labels) {
    if (current.labeled || (current.skipped && !served.mayRevisit(itemId)) || current.flagged) block(itemId);
  }
  for (const itemId of served.outstandingIds()) block(itemId);
  if (exclude !== undefined) for (const itemId of exclude) block(itemId);
  const rows: number[] = [];
  for (let row = 0; row < items.length; row++) if (blocked[row] === 0 && isEmbedded(row)) rows.push(row);
  return rows;
}

export interface BatchParts {
  readonly items: readonly DatasetItem[];
  readonly embeddings: Matrix;
  /** `rows` of the embeddings, as the pool's PoolRows gives them. */
  readonly poolMatrix: Matrix;
  readonly training: TrainingSet;
  readonly classes: readonly string[];
  readonly config: SessionConfig;
  readonly strategy: string;
  readonly head: ClassifierHead | undefined;
  readonly scores: PoolScores | undefined;
}

/** The engine's input and request for a batch of `want` from `rows`. */
export function batchSelection(parts: BatchParts, rows: readonly number[], want: number, seed: number): { readonly input: SamplingInput; readonly request: SelectionRequest } {
  const { items, embeddings, poolMatrix, training, classes, config, head, scores } = parts;
  const input: SamplingInput = {
    pool: poolMatrix,
    poolTexts: rows.map((r) => (items[r] as DatasetItem).text),
    labeled: training.x,
    targets: training.targets,
    classes,
    mode: config.mode,
    ...(head !== undefined && scores !== undefined && scores.classes === classes.length
      ? { model: head, poolPrediction: scores.slice(rows, { of: embeddings, taken: poolMatrix }) }
      : {}),
    ...(training.validation !== undefined ? { validation: training.validation } : {}),
  };
  const request: SelectionRequest = {
    strategy: parts.strategy,
    batchSize: want,
    randomShare: config.randomShare,
    seed,
    minPerLabel: config.minPerLabel,
    ...(config.seedPatterns !== undefined ? { seedPatterns: config.seedPatterns } : {}),
    ...(config.uncertainPercent !== undefined ? { uncertainPercent: config.uncertainPercent } : {}),
    ...(config.headOptions !== undefined ? { headOptions: config.headOptions } : {}),
  };
  return { input, request };
}
