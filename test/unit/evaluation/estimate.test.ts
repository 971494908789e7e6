/**
 * The accuracy estimate without a held-out set: which items are scored (random-share picks and
 * imports), out-of-fold predictions (no model scores an item it trained on), the Wilson band and
 * the 20-item rule, on the pure functions and through the labeling session.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  capEvaluationItems,
  evaluationSource,
  foldOf,
  outOfFoldEstimate,
  type EvaluationItem,
  type FitPredictRows,
} from '../../../src/core/evaluation/estimate';
import { MIN_TRUSTED_EVALUATION_ITEMS } from '../../../src/core/evaluation/trust';
import { wilsonInterval } from '../../../src/core/evaluation/wilson';
import { completeEvent } from '../../../src/core/labels/events';
import { createRng } from '../../../src/core/random';
import { LabelingSession } from '../../../src/core/session/session';
import type { DatasetItem } from '../../../src/core/types';
import { blobs } from '../session/fixtures';

const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) < 5e-4, `${what}: ${actual} vs ${expected}`);

/** Drains a generator, counting its steps. */
function drain<T>(g: Generator<void, T>): { value: T; steps: number } {
  let steps = 0;
  for (;;) {
    const r = g.next();
    if (r.done) return { value: r.value, steps };
    steps++;
  }
}

test('Wilson 95% interval matches the textbook values (Newcombe 1998, Table I)', () => {
  // Newcombe 1998, method 3 (score interval without continuity correction); the last two by hand
  // from Wilson's formula.
  const cases: [number, number, number, number][] = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [8, 10, 0.4902, 0.9433],
    [50, 100, 0.4038, 0.5962],
  ];
  for (const [k, n, low, high] of cases) {
    const w = wilsonInterval(k, n);
    close(w.low, low, `${k}/${n} low`);
    close(w.high, high, `${k}/${n} high`);
  }
  // The ends are exact, and the band always holds the observed share.
  assert.deepEqual(wilsonInterval(10, 10).high, 1);
  assert.deepEqual(wilsonInterval(0, 10).low, 0);
  assert.deepEqual(wilsonInterval(0, 0), { low: 0, high: 1 });
  for (let k = 0; k <= 30; k++) {
    const w = wilsonInterval(k, 30);
    assert.ok(w.low <= k / 30 && k / 30 <= w.high, `${k}/30`);
  }
  assert.throws(() => wilsonInterval(11, 10), RangeError);
});

test('evaluation items: labels served by the random share (or the old held-out set) and imports; nothing else', () => {
  const base = { type: 'label', source: 'queue' } as const;
  assert.equal(evaluationSource({ ...base, strategy: 'random' }), 'random');
  assert.equal(evaluationSource({ ...base, strategy: 'evaluation' }), 'random', 'the held-out items of older logs were a random sample too');
  assert.equal(evaluationSource({ type: 'label', source: 'import' }), 'import');
  for (const strategy of ['margin', 'clustered-uncertainty', 'cold-start', 'seed-pattern', 'active-transfer', undefined]) {
    assert.equal(evaluationSource({ ...base, strategy }), null, String(strategy));
  }
  assert.equal(evaluationSource({ type: 'flag', source: 'queue', strategy: 'random' }), null);
  assert.equal(evaluationSource({ type: 'label', source: 'edit' }), null);
});

test('the cap keeps a fixed subset, and an item keeps its fold', () => {
  const ids = Array.from({ length: 900 }, (_, i) => `id-${i}`);
  const capped = capEvaluationItems(ids, 500, 3);
  assert.equal(capped.length, 500);
  assert.equal(new Set(capped).size, 500);
  // Growing the set moves few items out: the subset is chosen by a key of the id, not by position.
  const grown = new Set(capEvaluationItems([...ids, ...Array.from({ length: 50 }, (_, i) => `new-${i}`)], 500, 3));
  assert.ok(capped.filter((id) => grown.has(id)).length >= 450);
  assert.deepEqual(capEvaluationItems(ids.slice(0, 30), 500, 3), ids.slice(0, 30));
  const folds = ids.map((id) => foldOf(id, 5, 3));
  assert.deepEqual(ids.map((id) => foldOf(id, 5, 3)), folds);
  for (let f = 0; f < 5; f++) assert.ok(folds.filter((x) => x === f).length > 120, `fold ${f} is not empty`);
});

test('out of fold: no model ever scores an item it was trained on', () => {
  // A memorizer: certain of the right class for rows it trained on, wrong for every other row.
  const n = 80;
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  const items: EvaluationItem[] = Array.from({ length: 30 }, (_, i) => ({ id: `e${i}`, position: i * 2 + 1 }));
  const calls: { train: readonly number[]; test: readonly number[] }[] = [];
  const memorizer: FitPredictRows = (train, test) => {
    calls.push({ train, test });
    const seen = new Set(train);
    const out = new Float32Array(test.length * 2);
    test.forEach((row, i) => {
      const right = y[row] as number;
      const c = seen.has(row) ? right : 1 - right;
      out[i * 2 + c] = 1;
    });
    return out;
  };
  const { value, steps } = drain(outOfFoldEstimate(n, { kind: 'single', y }, ['a', 'b'], items, memorizer, { seed: 1 }));
  assert.ok(value !== null);
  // A leak would show as a right answer: the memorizer is right only on what it saw.
  assert.equal(value.metrics.accuracy, 0);
  assert.equal(value.metrics.evaluated, 30);
  assert.equal(value.folds, 5);
  assert.equal(steps, calls.length, 'one fold per step');
  const scored = calls.flatMap((c) => c.test);
  assert.deepEqual([...scored].sort((a, b) => a - b), items.map((i) => i.position), 'every evaluation item is scored exactly once');
  for (const c of calls) {
    const test = new Set(c.test);
    assert.ok(c.train.every((r) => !test.has(r)), 'a fold never trains on its own items');
    assert.equal(c.train.length + c.test.length, n, 'and trains on every other label, not only evaluation items');
  }
});

test('above 2,000 labels two folds are enough: the cost stays at 3 trainings per retrain', () => {
  const n = 2500;
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  const items: EvaluationItem[] = Array.from({ length: 40 }, (_, i) => ({ id: `e${i}`, position: i * 10 }));
  let trained = 0;
  const fit: FitPredictRows = (_train, test) => {
    trained++;
    return new Float32Array(test.length * 2).fill(0.5);
  };
  const big = drain(outOfFoldEstimate(n, { kind: 'single', y }, ['a', 'b'], items, fit)).value;
  assert.equal(big?.folds, 2);
  assert.equal(trained, 2);
  const small = drain(outOfFoldEstimate(2000, { kind: 'single', y: y.subarray(0, 2000) }, ['a', 'b'], items, fit)).value;
  assert.equal(small?.folds, 5);
});

test('the 20-item rule: below MIN_TRUSTED_EVALUATION_ITEMS nothing is trained and no estimate is given', () => {
  assert.equal(MIN_TRUSTED_EVALUATION_ITEMS, 20);
  const y = Int32Array.from({ length: 40 }, (_, i) => i % 2);
  let trained = 0;
  const fit: FitPredictRows = (_train, test) => {
    trained++;
    return new Float32Array(test.length * 2).fill(0.5);
  };
  const items = (k: number): EvaluationItem[] => Array.from({ length: k }, (_, i) => ({ id: `e${i}`, position: i }));
  assert.equal(drain(outOfFoldEstimate(40, { kind: 'single', y }, ['a', 'b'], items(19), fit)).value, null);
  assert.equal(trained, 0, 'no work for an estimate that would not be shown');
  const at20 = drain(outOfFoldEstimate(40, { kind: 'single', y }, ['a', 'b'], items(20), fit)).value;
  assert.ok(at20 !== null && at20.metrics.evaluated === 20);
});

/** Items whose labels are coin flips: nothing to learn, so an honest estimate is near 50%. */
function noise(n: number, d: number, seed: number): { items: DatasetItem[]; x: { data: Float32Array; rows: number; cols: number }; truth: string[] } {
  const rng = createRng(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  const items = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, text: `noise ${i}`, textHash: `h${i}`, line: i + 1, count: 1 }));
  const truth = Array.from({ length: n }, () => (rng.next() < 0.5 ? 'a' : 'b'));
  return { items, x: { data, rows: n, cols: d }, truth };
}

test('through the session: random-share and imported labels are scored, others train only; the estimate is out of fold', () => {
  const { items, x, truth } = noise(200, 64, 7);
  const s = new LabelingSession(items, x, { labels: ['a', 'b'], mode: 'single', strategy: 'margin', seed: 2, headOptions: { epochs: 200, l2: 0 } });
  const label = (i: number, over: { source?: 'queue' | 'import'; strategy?: string }): void =>
    s.applyLabel(completeEvent({ type: 'label', itemId: items[i]!.id, labels: [truth[i]!], annotator: 't', source: over.source ?? 'queue', ...(over.strategy ? { strategy: over.strategy } : {}) }));
  for (let i = 0; i < 40; i++) label(i, { strategy: 'margin' });
  for (let i = 40; i < 55; i++) label(i, { strategy: 'random' });
  const early = s.retrain();
  assert.ok(early !== null);
  assert.equal(early.evaluationItems, 15, 'only the 15 random-share labels count');
  assert.equal(early.metrics, null, 'fewer than 20: no estimate');
  assert.equal(early.curve.length, 0, 'and no point');
  assert.equal(early.trainedOn, 55, 'every label trains');

  for (let i = 55; i < 65; i++) label(i, { source: 'import' });
  const update = s.retrain();
  assert.ok(update !== null && update.metrics !== null && update.interval !== null);
  assert.equal(update.metrics.evaluated, 25);
  assert.equal(update.curve.length, 1);
  const point = update.curve[0]!;
  assert.deepEqual([point.labels, point.evaluated], [65, 25]);
  assert.ok(point.low <= point.accuracy && point.accuracy <= point.high);

  // The full head has memorized the coin flips it trained on; out of fold it is near chance.
  const evaluated = items.slice(40, 65);
  const inSample = evaluated.filter((item, i) => s.prediction(item.id)?.label === truth[40 + i]).length / evaluated.length;
  assert.ok(inSample > 0.9, `in-sample accuracy ${inSample}: the head can memorize`);
  assert.ok(update.metrics.accuracy < 0.8, `out-of-fold accuracy ${update.metrics.accuracy} does not see those labels`);
});

test('versions only go up: replayed modelVersions and a restored state set the floor', () => {
  const { items, x, truth } = blobs(60, ['red', 'green'], 3);
  const s = new LabelingSession(items, x, { labels: ['red', 'green'], mode: 'single', strategy: 'random', seed: 1 });
  for (let i = 0; i < 10; i++) {
    s.applyLabel(completeEvent({ type: 'label', itemId: items[i]!.id, labels: [truth[i]!], annotator: 't', source: 'queue', modelVersion: String(i < 5 ? 4 : 7) }));
  }
  assert.equal(s.latestVersion, 7);
  const restoredCurve = [{ version: 6, labels: 30, accuracy: 0.8, macroF1: 0.78, evaluated: 25, low: 0.61, high: 0.91 }];
  s.resume({ version: 9, curve: restoredCurve });
  assert.equal(s.latestVersion, 9);
  s.resume({ version: 3, curve: restoredCurve });
  assert.equal(s.latestVersion, 9, 'an older file does not lower the counter');
  assert.deepEqual(s.curve, restoredCurve, 'the history comes back');
  assert.equal(s.retrain()?.version, 10);
  assert.deepEqual(s.latest?.curve[0], restoredCurve[0], 'and new versions extend it');
});
