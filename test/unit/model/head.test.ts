import assert from 'node:assert/strict';
import { test } from 'node:test';
import { multiplyTransposed } from '../../../src/core/math/product';
import { disableWasmForTesting } from '../../../src/core/math/wasmDots';
import { predictInChunks } from '../../../src/core/model/head';
import { trainHead } from '../../../src/core/model/train';
import { createRng } from '../../../src/core/random';
import type { Matrix } from '../../../src/core/types';
import { argmaxRow, blobs } from '../sampling/helpers';

function accuracy(probs: Matrix, y: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < probs.rows; i++) if (argmaxRow(probs.data, i, probs.cols) === y[i]) ok++;
  return ok / probs.rows;
}

test('the SIMD product equals a naive product, with odd shapes and the JS fallback', () => {
  const rng = createRng(3);
  const a: Matrix = { data: Float32Array.from({ length: 7 * 13 }, () => rng.normal()), rows: 7, cols: 13 };
  const b: Matrix = { data: Float32Array.from({ length: 5 * 13 }, () => rng.normal()), rows: 5, cols: 13 };
  const naive = new Float64Array(35);
  for (let i = 0; i < 7; i++) for (let j = 0; j < 5; j++) for (let t = 0; t < 13; t++) naive[i * 5 + j] += a.data[i * 13 + t] * b.data[j * 13 + t];
  const fast = multiplyTransposed(a, b);
  disableWasmForTesting(true);
  const slow = multiplyTransposed(a, b);
  disableWasmForTesting(false);
  for (let i = 0; i < 35; i++) {
    assert.ok(Math.abs(fast[i] - naive[i]) < 1e-4);
    assert.ok(Math.abs(slow[i] - naive[i]) < 1e-4);
  }
});

for (const kind of ['logistic', 'mlp'] as const) {
  test(`${kind}: a linearly separable problem reaches high held-out accuracy`, () => {
    const { x, truth } = blobs(3, 200, 32, 1.5, 11);
    const train = { data: x.data.subarray(0, 450 * 32), rows: 450, cols: 32 };
    const test = { data: x.data.subarray(450 * 32), rows: 150, cols: 32 };
    const head = trainHead(train, { kind: 'single', y: truth.subarray(0, 450) }, ['a', 'b', 'c'], 'single', { kind, seed: 1 });
    const pred = head.predict(test);
    assert.ok(accuracy(pred.probs, truth.subarray(450)) > 0.97);
    for (let i = 0; i < pred.probs.rows; i++) {
      const row = pred.probs.data.subarray(i * 3, i * 3 + 3);
      assert.ok(Math.abs(row[0] + row[1] + row[2] - 1) < 1e-5);
    }
    assert.equal(pred.hidden.cols, kind === 'mlp' ? 64 : 32);
    if (kind === 'mlp') assert.ok(pred.hidden.data.every((v) => v >= 0), 'post-ReLU activations');
  });
}

test('warm start continues the version and starts from the previous weights', () => {
  const { x, truth } = blobs(2, 100, 8, 1, 2);
  const y = { kind: 'single' as const, y: truth };
  const v1 = trainHead(x, y, ['a', 'b'], 'binary', { seed: 1 });
  assert.equal(v1.version, 1);
  const v2 = trainHead(x, y, ['a', 'b'], 'binary', { seed: 1, epochs: 0 }, v1);
  assert.equal(v2.version, 2);
  // Zero epochs from a warm start must reproduce the previous model exactly.
  assert.deepEqual(v2.predict(x).probs.data, v1.predict(x).probs.data);
  const cold = trainHead(x, y, ['a', 'b'], 'binary', { seed: 1, epochs: 0 });
  assert.notDeepEqual(cold.predict(x).probs.data, v1.predict(x).probs.data);
  const reshaped = trainHead(x, y, ['a', 'b'], 'binary', { kind: 'mlp' }, v2);
  assert.equal(reshaped.version, 3);
});

test('class weighting improves minority recall on an imbalanced set', () => {
  const rng = createRng(5);
  const d = 10;
  const n = 1000;
  const data = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 20 === 0 ? 1 : 0; // 5% minority, overlapping classes
    for (let j = 0; j < d; j++) data[i * d + j] = rng.normal() + (y[i] === 1 && j < 2 ? 1.2 : 0);
  }
  const x = { data, rows: n, cols: d };
  const recall = (weighted: boolean): number => {
    const head = trainHead(x, { kind: 'single', y }, ['major', 'minor'], 'binary', { classWeighting: weighted, seed: 3, epochs: 40 });
    const p = head.predict(x).probs;
    let hit = 0;
    let total = 0;
    for (let i = 0; i < n; i++) if (y[i] === 1) {
      total++;
      if (argmaxRow(p.data, i, 2) === 1) hit++;
    }
    return hit / total;
  };
  const weighted = recall(true);
  const plain = recall(false);
  assert.ok(weighted > plain + 0.2, `weighted ${weighted} vs plain ${plain}`);
});

test('multi-label heads give one independent sigmoid per class', () => {
  const { x, truth } = blobs(4, 60, 12, 0.8, 8);
  // Label "low" for blobs 0-1, "even" for blobs 0 and 2: two independent decisions.
  const y = new Uint8Array(x.rows * 2);
  for (let i = 0; i < x.rows; i++) {
    y[i * 2] = truth[i] < 2 ? 1 : 0;
    y[i * 2 + 1] = truth[i] % 2 === 0 ? 1 : 0;
  }
  const head = trainHead(x, { kind: 'multi', y }, ['low', 'even'], 'multi', { seed: 2, epochs: 60 });
  const p = head.predict(x).probs;
  let correct = 0;
  let sumNotOne = 0;
  for (let i = 0; i < x.rows * 2; i++) if ((p.data[i] >= 0.5 ? 1 : 0) === y[i]) correct++;
  for (let i = 0; i < x.rows; i++) if (Math.abs(p.data[i * 2] + p.data[i * 2 + 1] - 1) > 0.1) sumNotOne++;
  assert.ok(correct / (x.rows * 2) > 0.95);
  assert.ok(sumNotOne > x.rows / 4, 'sigmoids are not a softmax');
  assert.throws(() => trainHead(x, { kind: 'single', y: truth }, ['low', 'even'], 'multi'), RangeError);
});

test('training is deterministic under a seed, and predictInChunks matches predict', () => {
  const { x, truth } = blobs(3, 50, 6, 2, 4);
  const a = trainHead(x, { kind: 'single', y: truth }, ['a', 'b', 'c'], 'single', { kind: 'mlp', seed: 9, hidden: 8 });
  const b = trainHead(x, { kind: 'single', y: truth }, ['a', 'b', 'c'], 'single', { kind: 'mlp', seed: 9, hidden: 8 });
  const whole = a.predict(x);
  assert.deepEqual(whole.probs.data, b.predict(x).probs.data);
  const chunked = new Float32Array(whole.probs.data.length);
  predictInChunks(a, x, 17, (p, from) => chunked.set(p.probs.data, from * 3));
  assert.deepEqual(chunked, whole.probs.data);
  assert.throws(() => a.predict({ data: new Float32Array(5), rows: 1, cols: 5 }), RangeError);
});
