/** Synthetic items with separable embeddings: class c lives near axis 2c. */
import { completeEvent, type LabelEvent } from '../../../src/core/labels/events';
import { createRng } from '../../../src/core/random';
import type { DatasetItem, Matrix } from '../../../src/core/types';

export interface Blobs {
  readonly items: DatasetItem[];
  readonly x: Matrix;
  readonly truth: string[];
}

export function blobs(n: number, classes: readonly string[], seed = 1, noise = 0.5): Blobs {
  const rng = createRng(seed);
  const d = 8;
  const data = new Float32Array(n * d);
  const items: DatasetItem[] = [];
  const truth: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % classes.length;
    for (let j = 0; j < d; j++) data[i * d + j] = (j === 2 * c ? 2 : 0) + noise * rng.normal();
    items.push({ id: `item-${i}`, text: `text ${i} about ${classes[c]}`, textHash: `h${i}`, line: i + 1, count: 1 });
    truth.push(classes[c] as string);
  }
  return { items, x: { data, rows: n, cols: d }, truth };
}

export function labelEvent(itemId: string, labels: readonly string[], source: 'queue' | 'import' = 'queue'): LabelEvent {
  return completeEvent({ type: 'label', itemId, labels, annotator: 'tester', source });
}

/** The label event the worker writes for a served item: it records why the item was picked. */
export function servedEvent(pick: { readonly itemId: string; readonly reason: { readonly strategy: string; readonly score: number } }, labels: readonly string[]): LabelEvent {
  return completeEvent({ type: 'label', itemId: pick.itemId, labels, annotator: 'tester', source: 'queue', strategy: pick.reason.strategy, score: Number.isFinite(pick.reason.score) ? pick.reason.score : 0 });
}
