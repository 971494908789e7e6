/**
 * The training set and the servable rows are built from the items that have label events (their
 * cost follows the labels, not the pool). Each must be exactly what a pass over every item in row
 * order gives.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completeEvent, undoOf, type LabelEvent } from '../../../src/core/labels/events';
import { LabelState } from '../../../src/core/labels/state';
import { createRng } from '../../../src/core/random';
import { servableRows } from '../../../src/core/session/batchInput';
import { ServedItems } from '../../../src/core/session/servedItems';
import { ClassMap } from '../../../src/core/session/targets';
import { buildTraining } from '../../../src/core/session/training';
import { blobs } from './fixtures';

test('buildTraining gives what a pass over every item in row order gives, on random label states', () => {
  const classes = ['a', 'b', 'c'];
  for (let seed = 1; seed <= 20; seed++) {
    const rng = createRng(seed);
    const { items, x } = blobs(200, classes, seed);
    const rowOf = new Map(items.map((item, row) => [item.id, row]));
    const state = new LabelState();
    const applied: LabelEvent[] = [];
    for (let i = 0; i < 150; i++) {
      const r = rng.next();
      // Some events name items the dataset no longer has; some labels are outside the set.
      const itemId = r < 0.05 ? `gone-${i}` : (items[Math.floor(rng.next() * items.length)]?.id as string);
      let event: LabelEvent;
      if (r < 0.15 && applied.length > 0) event = completeEvent(undoOf(applied[Math.floor(rng.next() * applied.length)] as LabelEvent, { annotator: 't', source: 'queue' }));
      else if (r < 0.22) event = completeEvent({ type: 'skip', itemId, labels: [], annotator: 't', source: 'queue' });
      else event = completeEvent({ type: 'label', itemId, labels: [r < 0.25 ? 'other' : (classes[Math.floor(rng.next() * 3)] as string)], annotator: 't', source: rng.next() < 0.3 ? 'import' : 'queue' });
      if (state.apply(event) === undefined) applied.push(event);
    }
    const classMap = new ClassMap('single', classes);
    const isEvaluation = (id: string): boolean => id.endsWith('3') || id.endsWith('7');
    const hasVector = (row: number): boolean => row % 11 !== 0;
    const built = buildTraining(items, rowOf, x, state, isEvaluation, classMap, hasVector);

    // The reference: every item in row order.
    const rows: number[] = [];
    const labels: (readonly string[])[] = [];
    const evaluation: { id: string; position: number }[] = [];
    items.forEach((item, row) => {
      const current = state.get(item.id);
      if (current === undefined || !current.labeled || !hasVector(row)) return;
      if (classMap.classOf(current.labels) < 0) return;
      if (isEvaluation(item.id)) evaluation.push({ id: item.id, position: rows.length });
      rows.push(row);
      labels.push(current.labels);
    });
    assert.ok(rows.length > 20, `seed ${seed}: enough labeled rows to compare`);
    assert.deepEqual(built.rows, rows, `seed ${seed}`);
    assert.deepEqual(built.targets, classMap.targets(labels), `seed ${seed}`);
    assert.deepEqual(built.evaluation, evaluation, `seed ${seed}`);
    assert.deepEqual(Array.from(built.x.data), rows.flatMap((r) => Array.from(x.data.subarray(r * x.cols, (r + 1) * x.cols))), `seed ${seed}`);
  }
});

test('servableRows gives what a pass over every item gives, with skips, flags, outstanding, revisits and exclusions', () => {
  const classes = ['a', 'b'];
  for (let seed = 1; seed <= 20; seed++) {
    const rng = createRng(100 + seed);
    const { items } = blobs(150, classes, seed);
    const rowOf = new Map(items.map((item, row) => [item.id, row]));
    const state = new LabelState();
    const applied: LabelEvent[] = [];
    const pickId = (): string => (rng.next() < 0.05 ? `gone-${Math.floor(rng.next() * 9)}` : (items[Math.floor(rng.next() * items.length)]?.id as string));
    for (let i = 0; i < 120; i++) {
      const r = rng.next();
      const itemId = pickId();
      let event: LabelEvent;
      if (r < 0.15 && applied.length > 0) event = completeEvent(undoOf(applied[Math.floor(rng.next() * applied.length)] as LabelEvent, { annotator: 't', source: 'queue' }));
      else if (r < 0.3) event = completeEvent({ type: 'skip', itemId, labels: [], annotator: 't', source: 'queue' });
      else if (r < 0.4) event = completeEvent({ type: 'flag', itemId, labels: [], annotator: 't', source: 'queue' });
      else event = completeEvent({ type: 'label', itemId, labels: [classes[Math.floor(rng.next() * 2)] as string], annotator: 't', source: 'queue' });
      if (state.apply(event) === undefined) applied.push(event);
    }
    const served = new ServedItems();
    for (let i = 0; i < 15; i++) served.serve(pickId(), { strategy: 'random', score: 0 });
    for (const [itemId, current] of state.labels) if (current.skipped && rng.next() < 0.5) served.revisitSkipped(itemId);
    const exclude = new Set(Array.from({ length: 10 }, pickId));
    const isEmbedded = (row: number): boolean => row % 7 !== 3;

    const expected = items.flatMap((item, row) => {
      const current = state.get(item.id);
      const out = !isEmbedded(row) || current?.labeled || (current?.skipped && !served.mayRevisit(item.id)) || current?.flagged || served.isOutstanding(item.id) || exclude.has(item.id);
      return out ? [] : [row];
    });
    assert.ok(expected.length > 50 && expected.length < 140, `seed ${seed}: a mix to compare (${expected.length})`);
    assert.deepEqual(servableRows(items, rowOf, state, served, isEmbedded, exclude), expected, `seed ${seed}`);
  }
});
