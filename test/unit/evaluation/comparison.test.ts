import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareStrategies, primaryMetric } from '../../../src/core/evaluation/comparison';

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
