import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareStrategies, labelSaving, primaryMetric } from '../../../src/core/evaluation/comparison';

test('the headline metric is macro-F1 when a constant predictor already meets the accuracy target', () => {
  // Disaster headlines: 91% of items are "not related"; the full pool scores 92% accuracy.
  assert.equal(primaryMetric(0.91, { accuracy: 0.92 }), 'macroF1');
  // SpamAssassin sample: 69% ham, 97% full-pool accuracy: a constant predictor is far off.
  assert.equal(primaryMetric(0.69, { accuracy: 0.97 }), 'accuracy');
  // The boundary follows the share: at 80% of full-pool accuracy the same data flips.
  assert.equal(primaryMetric(0.69, { accuracy: 0.8 }, 0.8), 'macroF1');
});

test('a strategy that reaches the target with fewer labels gets a ratio below one', () => {
  const curve = (fast: boolean): { labels: number; accuracy: number; macroF1: number }[] =>
    [10, 20, 30, 40].map((labels) => ({ labels, accuracy: fast ? (labels >= 20 ? 0.9 : 0.5) : labels >= 40 ? 0.9 : 0.5, macroF1: 0.5 }));
  const summary = compareStrategies(
    [
      { strategy: 'random', runs: [curve(false)] },
      { strategy: 'smart', runs: [curve(true)] },
    ],
    { accuracy: 0.9, macroF1: 0.9 },
  );
  const smart = summary.find((s) => s.strategy === 'smart');
  assert.equal(smart?.accuracy.labels, 20);
  assert.equal(smart?.accuracy.ratioToRandom, 0.5);
  assert.equal(smart?.macroF1.labels, null, 'macro-F1 never reaches 95% of 0.9');
});

test("the label saving is the share of the budget a strategy needs to reach random's score at the full budget", () => {
  const points = (values: number[]): { labels: number; accuracy: number; macroF1: number }[] =>
    values.map((v, i) => ({ labels: 10 * (i + 1), accuracy: v, macroF1: v / 2 }));
  const random = points([0.5, 0.6, 0.7, 0.8]);
  const summary = compareStrategies(
    [
      { strategy: 'random', runs: [random] },
      { strategy: 'smart', runs: [points([0.6, 0.8, 0.85, 0.9])] },
      { strategy: 'slow', runs: [points([0.5, 0.55, 0.6, 0.7])] },
    ],
    { accuracy: 0.9, macroF1: 0.45 },
  );
  const by = (name: string) => summary.find((s) => s.strategy === name)?.saving;
  assert.deepEqual(by('smart')?.accuracy, { target: 0.8, labels: 20, ratio: 0.5, budget: 40 });
  assert.equal(by('smart')?.macroF1.ratio, 0.5, 'the same on macro-F1');
  assert.equal(by('random')?.accuracy.ratio, 1, 'random reaches its own final score at the budget');
  assert.equal(by('slow')?.accuracy.labels, null, 'never reaches 0.8: more than the budget');
  assert.equal(by('slow')?.accuracy.ratio, null);
});

test('the label saving of a plateaued random curve can be below one, and is undefined without random', () => {
  const flat = [10, 20, 30].map((labels) => ({ labels, accuracy: labels >= 20 ? 0.8 : 0.5, macroF1: 0.5 }));
  assert.equal(labelSaving(flat, flat, 'accuracy').ratio, 20 / 30);
  assert.deepEqual(labelSaving(flat, [], 'accuracy'), { target: null, labels: null, ratio: null, budget: 0 });
});
