import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  findLabelErrors,
  outOfFoldProbabilities,
  perClassThresholds,
  stratifiedFolds,
  type FitPredict,
} from '../../../src/core/evaluation/labelErrors';
import { createRng } from '../../../src/core/random';
import type { Matrix } from '../../../src/core/types';

/** Three well-separated Gaussian blobs in 6 dimensions. */
function blobs(perClass: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = createRng(seed);
  const k = 3;
  const d = 6;
  const data = new Float32Array(perClass * k * d);
  const y = new Int32Array(perClass * k);
  for (let i = 0; i < perClass * k; i++) {
    const c = i % k;
    y[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = (j === c * 2 ? 4 : 0) + rng.normal();
  }
  return { x: { data, rows: perClass * k, cols: d }, y };
}

/** Softmax over negative squared distances to class means: a simple, honest probabilistic model. */
const centroidFit: FitPredict = (train, y, test) => {
  const k = 3;
  const d = train.cols;
  const mean = new Float64Array(k * d);
  const n = new Float64Array(k);
  for (let i = 0; i < train.rows; i++) {
    n[y[i]!]++;
    for (let j = 0; j < d; j++) mean[y[i]! * d + j] += train.data[i * d + j]!;
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) mean[c * d + j] /= Math.max(1, n[c]!);
  const out = new Float32Array(test.rows * k);
  for (let i = 0; i < test.rows; i++) {
    const s = Array.from({ length: k }, (_, c) => {
      let dist = 0;
      for (let j = 0; j < d; j++) dist += (test.data[i * d + j]! - mean[c * d + j]!) ** 2;
      return -dist / 2;
    });
    const max = Math.max(...s);
    const e = s.map((v) => Math.exp(v - max));
    const z = e.reduce((a, b) => a + b, 0);
    e.forEach((v, c) => (out[i * k + c] = v / z));
  }
  return { data: out, rows: test.rows, cols: k };
};

test('stratified folds spread every class over the folds', () => {
  const y = Int32Array.from({ length: 30 }, (_, i) => (i < 25 ? 0 : 1));
  const fold = stratifiedFolds(y, 5, 1);
  const minorityFolds = new Set([25, 26, 27, 28, 29].map((i) => fold[i]));
  assert.equal(minorityFolds.size, 5);
});

test('confident learning finds deliberately flipped labels with high precision', () => {
  const { x, y: truth } = blobs(100, 11);
  const y = truth.slice();
  const rng = createRng(5);
  const flipped = new Set<number>();
  while (flipped.size < 15) flipped.add(rng.int(y.length));
  for (const i of flipped) y[i] = (truth[i]! + 1 + rng.int(2)) % 3;

  const probs = outOfFoldProbabilities(x, y, 3, centroidFit, { folds: 5, seed: 3 });
  const suspects = findLabelErrors(probs, y);
  const found = suspects.filter((s) => flipped.has(s.row));
  const precision = found.length / suspects.length;
  const recall = found.length / flipped.size;
  assert.ok(precision >= 0.9, `precision ${precision}`);
  assert.ok(recall >= 0.8, `recall ${recall}`);
  // The suggestion is the true label for the flipped items it found.
  for (const s of found) assert.equal(s.suggested, truth[s.row]);
  // Ranked most suspicious first.
  for (let i = 1; i < suspects.length; i++) assert.ok(suspects[i - 1]!.score >= suspects[i]!.score);
});

test('clean labels on separable data give (almost) no suspects', () => {
  const { x, y } = blobs(60, 2);
  const suspects = findLabelErrors(outOfFoldProbabilities(x, y, 3, centroidFit, { seed: 1 }), y);
  assert.ok(suspects.length <= 2, `${suspects.length} suspects`);
});

test('thresholds are the mean self-confidence per class', () => {
  const probs = { data: Float32Array.from([0.9, 0.1, 0.7, 0.3, 0.2, 0.8]), rows: 3, cols: 2 };
  const t = perClassThresholds(probs, Int32Array.from([0, 0, 1]));
  assert.ok(Math.abs(t[0]! - 0.8) < 1e-6);
  assert.ok(Math.abs(t[1]! - 0.8) < 1e-6);
});
