import assert from 'node:assert/strict';
import { test } from 'node:test';
import { multiLabelMetrics, singleLabelMetrics } from '../../../src/core/evaluation/metrics';

const close = (a: number, b: number, eps = 1e-9): void => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('single-label metrics match a hand-computed case', () => {
  // truth a a a b b c / predicted a a b b c c
  const m = singleLabelMetrics([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ['a', 'b', 'c']);
  close(m.accuracy, 4 / 6);
  assert.deepEqual(m.confusion, [
    [2, 1, 0],
    [0, 1, 1],
    [0, 0, 1],
  ]);
  const [a, b, c] = m.perClass;
  close(a!.precision, 1);
  close(a!.recall, 2 / 3);
  close(a!.f1, 0.8);
  close(b!.f1, 0.5);
  close(c!.precision, 0.5);
  close(c!.recall, 1);
  close(c!.f1, 2 / 3);
  assert.equal(a!.support, 3);
  close(m.macroF1, (0.8 + 0.5 + 2 / 3) / 3);
});

test('macro-F1 ignores classes absent from both truth and predictions, and never returns NaN', () => {
  const m = singleLabelMetrics([0, 0, 1], [0, 0, 1], ['a', 'b', 'unused']);
  close(m.macroF1, 1);
  const empty = singleLabelMetrics([], [], ['a', 'b']);
  assert.equal(empty.accuracy, 0);
  assert.equal(empty.macroF1, 0);
});

test('single-label metrics reject mismatched lengths and bad indices', () => {
  assert.throws(() => singleLabelMetrics([0], [0, 1], ['a', 'b']), RangeError);
  assert.throws(() => singleLabelMetrics([2], [0], ['a', 'b']), RangeError);
});

test('multi-label metrics: exact-match accuracy, micro and macro F1 over labels', () => {
  const truth = [1, 0, 1, 1, 0, 1, 0, 0];
  const pred = [1, 0, 1, 0, 1, 1, 0, 0];
  const m = multiLabelMetrics(truth, pred, ['x', 'y']);
  assert.equal(m.evaluated, 4);
  close(m.accuracy, 0.5);
  close(m.perClass[0]!.f1, 0.8);
  close(m.perClass[1]!.precision, 1);
  close(m.perClass[1]!.recall, 0.5);
  close(m.macroF1, (0.8 + 2 / 3) / 2);
  close(m.microF1!, 0.75);
});
