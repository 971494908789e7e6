import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparisonTable, savingText, type SimulateResult } from '../../../src/cli/simulate';
import { compareStrategies } from '../../../src/core/evaluation/comparison';

const curve = (values: number[]): { labels: number; accuracy: number; macroF1: number }[] =>
  values.map((v, i) => ({ labels: 100 * (i + 1), accuracy: v, macroF1: v }));

function result(): SimulateResult {
  const strategies = compareStrategies(
    [
      { strategy: 'random', runs: [curve([0.6, 0.7, 0.8])] },
      { strategy: 'clustered-uncertainty', runs: [curve([0.8, 0.85, 0.9])] },
      { strategy: 'model-outlier', runs: [curve([0.5, 0.6, 0.7])] },
    ],
    { accuracy: 0.9, macroF1: 0.9 },
  );
  return {
    dataset: 'd',
    items: 500,
    labels: ['a', 'b'],
    embedder: 'vectors:d.npy',
    seeds: [1],
    budget: 300,
    batch: 10,
    evalFraction: 0.2,
    fullPool: { accuracy: 0.9, macroF1: 0.9, trainedOn: 400 },
    majorityShare: 0.5,
    primary: 'accuracy',
    strategies,
    seconds: 1,
  };
}

test("simulate's comparison puts the label saving beside labels to 95% and the ALC", () => {
  const [header, , ...rows] = comparisonTable(result());
  assert.match(header, /\| strategy \| label saving \(accuracy\) \| labels to 95% acc/);
  assert.match(header, /ALC \(acc\)/);
  assert.match(rows[0], /^\| random \| 1\.00 \(300 labels\) \|/);
  assert.match(rows[1], /^\| clustered-uncertainty \| 0\.33 \(100 labels\) \|/, 'random reaches 0.8 at 300; this one at 100');
  assert.match(rows[2], /^\| model-outlier \| > 1 \(not reached\) \|/);
});

test('a saving without a random curve is not applicable', () => {
  assert.equal(savingText({ target: null, labels: null, ratio: null, budget: 0 }), 'n/a');
});
