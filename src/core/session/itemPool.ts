/**
 * The session's items and everything derived from their order: the row of each id, the stop set
 * and the packed pool buffer. Built once at the start and again when
 * the dataset file changes under a running session (`LabelingSession.replaceItems`): labels are
 * keyed by item id, never by row, so rebuilding these moves no label onto another item.
 *
 * What an edit means follows from the loader's ids (src/core/dataset): an item with an explicit id
 * keeps it when its text is edited (it is `changed`: same id, new text, new vector, same label); an
 * item without one is identified by its text's hash, so an edited line is a removed item and an
 * added one, and the new one has no label.
 */
import type { LabelState } from '../labels/state';
import { readRowInto } from '../math/matrix';
import type { ClassifierHead } from '../model/types';
import { createRng, shuffled } from '../random';
import type { DatasetItem, Matrix } from '../types';
import type { SessionConfig } from './config';
import { PoolRows } from './poolRows';
import { RowIndex, type RowLookup } from './rowIndex';
import { predictAll, type PoolScores } from './scoring';

export interface ItemPool {
  readonly items: readonly DatasetItem[];
  readonly embeddings: Matrix;
  readonly rowOf: RowLookup;
  /** Unlabeled-at-start candidates whose decisions feed the stopping signal, ascending rows. */
  readonly stopRows: Int32Array;
  /** The pool's embeddings packed, kept between batches. */
  readonly poolRows: PoolRows;
}

/** How the items of two versions of a dataset differ, by id. */
export interface ItemsChange {
  /** Ids only the new version has (a new line, or an edited line without an explicit id). */
  readonly added: readonly string[];
  /** Ids only the old version had (a deleted line, or the old text of an edited line without an id). */
  readonly removed: readonly string[];
  /** Ids in both whose text changed (an edited line with an explicit id): re-embedded, label kept. */
  readonly changed: readonly string[];
}

/** What replacing a session's items did, beyond the diff. */
export interface ItemsReplaced extends ItemsChange {
  /** Served, unanswered items that were removed or changed: the page should drop them. */
  readonly withdrawn: readonly string[];
  /** Whether a labeled item was removed or re-embedded, so the model is due to retrain. */
  readonly trainingChanged: boolean;
}

export function buildItemPool(items: readonly DatasetItem[], embeddings: Matrix, config: Pick<SessionConfig, 'seed' | 'stopSetSize'>, embedded?: Uint8Array): ItemPool {
  if (embeddings.rows !== items.length) {
    throw new RangeError(`${items.length} items but ${embeddings.rows} embedding rows`);
  }
  if (embedded !== undefined && embedded.length !== items.length) throw new RangeError(`${items.length} items but ${embedded.length} embedded flags`);
  const rowOf = new RowIndex(items);
  // The stop set's decisions compare versions, so it holds rows that have their vectors from the start.
  const rows = embedded === undefined ? items.map((_, row) => row) : items.map((_, row) => row).filter((row) => embedded[row] === 1);
  const stop = shuffled(rows, createRng(config.seed ^ 0x5eed)).slice(0, config.stopSetSize);
  const stopRows = Int32Array.from(stop.sort((a, b) => a - b));
  return { items, embeddings, rowOf, stopRows, poolRows: new PoolRows(embeddings) };
}

/** The ids added, removed and changed (same id, other text) from `before` to `after`. */
export function diffItems(before: readonly DatasetItem[], after: readonly DatasetItem[]): ItemsChange {
  const old = new Map<string, DatasetItem>();
  for (const item of before) old.set(item.id, item);
  const added: string[] = [];
  const changed: string[] = [];
  const kept = new Set<string>();
  for (const item of after) {
    const previous = old.get(item.id);
    if (previous === undefined) added.push(item.id);
    else {
      kept.add(item.id);
      if (previous.textHash !== item.textHash) changed.push(item.id);
    }
  }
  const removed = before.filter((item) => !kept.has(item.id)).map((item) => item.id);
  return { added, removed, changed };
}

/** True when the two pools' stop sets hold different items (their decision history no longer compares). */
export function stopSetMoved(before: ItemPool, after: ItemPool): boolean {
  if (before.stopRows.length !== after.stopRows.length) return true;
  const ids = new Set<string>();
  for (const row of before.stopRows) ids.add((before.items[row] as DatasetItem).id);
  for (const row of after.stopRows) if (!ids.has((after.items[row] as DatasetItem).id)) return true;
  return false;
}

/**
 * Whether the training set moved: a labeled item left, or a labeled item's vector is not what it
 * was (its text changed, or the embedder's corpus statistics were fitted again, as lexical does).
 */
export function trainingMoved(before: ItemPool, after: ItemPool, state: LabelState): boolean {
  const cols = before.embeddings.cols;
  if (cols !== after.embeddings.cols) return true;
  const a = new Float32Array(cols);
  const b = new Float32Array(cols);
  for (const current of state.labels.values()) {
    if (!current.labeled) continue;
    const was = before.rowOf.get(current.itemId);
    if (was === undefined) continue;
    const now = after.rowOf.get(current.itemId);
    if (now === undefined) return true;
    readRowInto(before.embeddings, was, a);
    readRowInto(after.embeddings, now, b);
    for (let c = 0; c < cols; c++) if (a[c] !== b[c]) return true;
  }
  return false;
}

/** Every row's scores under `head`, all at once (a reload is rare; a retrain scores in steps). */
export function scoreAll(head: ClassifierHead, embeddings: Matrix, chunkRows: number): PoolScores {
  const steps = predictAll(head, embeddings, chunkRows);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
