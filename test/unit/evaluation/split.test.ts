import assert from 'node:assert/strict';
import { test } from 'node:test';
import { areaUnderCurve, averageCurves, labelsToReach } from '../../../src/core/evaluation/curve';
import { chooseEvaluationItems } from '../../../src/core/evaluation/split';

const ids = Array.from({ length: 1000 }, (_, i) => `item-${i}`);

test('evaluation split: the requested share, deterministic per seed, different across seeds', () => {
  const a = chooseEvaluationItems(ids, 0.1, 1);
  assert.equal(a.size, 100);
  assert.deepEqual([...chooseEvaluationItems(ids, 0.1, 1)].sort(), [...a].sort());
  const b = chooseEvaluationItems(ids, 0.1, 2);
  const overlap = [...a].filter((id) => b.has(id)).length;
  assert.ok(overlap < 40, `seeds 1 and 2 overlap by ${overlap}`);
  for (const id of a) assert.ok(ids.includes(id));
});

test('evaluation split: independent of file order, and mostly stable when rows are added', () => {
  const a = chooseEvaluationItems(ids, 0.1, 3);
  const reversed = chooseEvaluationItems(ids.slice().reverse(), 0.1, 3);
  assert.deepEqual([...reversed].sort(), [...a].sort());
  const grown = chooseEvaluationItems([...ids, ...Array.from({ length: 50 }, (_, i) => `new-${i}`)], 0.1, 3);
  const kept = [...a].filter((id) => grown.has(id)).length;
  assert.ok(kept >= 85, `only ${kept} of 100 kept`);
});

test('evaluation split: edge cases', () => {
  assert.equal(chooseEvaluationItems(ids, 0, 1).size, 0);
  assert.equal(chooseEvaluationItems([], 0.2, 1).size, 0);
  assert.equal(chooseEvaluationItems(['only'], 0.1, 1).size, 1);
  assert.throws(() => chooseEvaluationItems(ids, 1, 1), RangeError);
});

test('learning curve: normalized area, labels to reach a target, averaging seeds', () => {
  const flat = [10, 20, 30].map((labels) => ({ labels, accuracy: 1, macroF1: 0.5 }));
  assert.equal(areaUnderCurve(flat), 1);
  assert.equal(areaUnderCurve(flat, 'macroF1'), 0.5);
  const rising = [
    { labels: 10, accuracy: 0.5, macroF1: 0 },
    { labels: 20, accuracy: 0.7, macroF1: 0 },
    { labels: 40, accuracy: 0.9, macroF1: 0 },
  ];
  // (0.6*10 + 0.8*20) / 30
  assert.ok(Math.abs(areaUnderCurve(rising) - 22 / 30) < 1e-12);
  assert.equal(labelsToReach(rising, 0.7), 20);
  assert.equal(labelsToReach(rising, 0.95), null);
  const avg = averageCurves([rising, flat]);
  assert.deepEqual(
    avg.map((p) => p.labels),
    [10, 20, 30, 40],
  );
  assert.ok(Math.abs(avg[0]!.accuracy - 0.75) < 1e-12);
});
