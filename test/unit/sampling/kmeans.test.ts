import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kmeans } from '../../../src/core/sampling/kmeans';
import { disableWasmForTesting } from '../../../src/core/math/wasmDots';
import { adjustedRand, blobs } from './helpers';

test('recovers well-separated Gaussian blobs, agreeing with ml-kmeans', async () => {
  const { x, truth } = blobs(6, 80, 16, 0.5, 3);
  const ours = kmeans(x, 6, { seed: 1, maxIterations: 50 });
  assert.ok(adjustedRand(ours.assignments, truth) > 0.99, `ARI vs truth ${adjustedRand(ours.assignments, truth)}`);
  const { kmeans: mlKmeans } = await import('ml-kmeans');
  const rows = Array.from({ length: x.rows }, (_, i) => Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols)));
  const theirs = mlKmeans(rows, 6, { seed: 1, initialization: 'kmeans++' });
  assert.ok(adjustedRand(ours.assignments, theirs.clusters) > 0.99);
  assert.ok(ours.converged);
});

test('cosine distance clusters by direction, not length', () => {
  const { x, truth } = blobs(4, 50, 8, 0.3, 9);
  // Scale rows by wildly different factors: euclidean would split by length, cosine must not.
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) x.data[i * x.cols + j] *= 1 + (i % 7) * 3;
  const result = kmeans(x, 4, { seed: 2, distance: 'cosine', maxIterations: 50 });
  assert.ok(adjustedRand(result.assignments, truth) > 0.95);
  for (let c = 0; c < result.centroids.rows; c++) {
    let s = 0;
    for (let j = 0; j < x.cols; j++) s += result.centroids.data[c * x.cols + j] ** 2;
    assert.ok(Math.abs(s - 1) < 1e-4);
  }
});

test('cosine k-means over a scratch copy it may overwrite gives exactly the result over a matrix it must not', () => {
  const { x } = blobs(3, 40, 6, 0.5, 4);
  const scratch = { data: x.data.slice(), rows: x.rows, cols: x.cols };
  const kept = kmeans(x, 3, { seed: 5, distance: 'cosine' });
  const before = x.data.slice();
  kmeans(x, 3, { seed: 5, distance: 'cosine' });
  assert.deepEqual(x.data, before, 'the caller\'s matrix is left alone');
  const overwritten = kmeans(scratch, 3, { seed: 5, distance: 'cosine', overwriteData: true });
  assert.deepEqual(overwritten, kept);
  assert.notDeepEqual(scratch.data, before, 'the scratch copy was normalized in place');
});

test('k > n, duplicate points and empty data do not crash', () => {
  const x = { data: Float32Array.from([1, 1, 1, 1, 1, 1, 5, 5]), rows: 4, cols: 2 };
  const r = kmeans(x, 10, { seed: 1 });
  assert.equal(r.centroids.rows, 4);
  assert.equal(r.assignments.length, 4);
  assert.ok(Number.isFinite(r.inertia));
  assert.equal(r.assignments[0], r.assignments[1]);
  assert.notEqual(r.assignments[0], r.assignments[3]);
  const same = kmeans({ data: new Float32Array(20).fill(2), rows: 10, cols: 2 }, 3, { seed: 4 });
  assert.equal(same.inertia, 0);
  const empty = kmeans({ data: new Float32Array(0), rows: 0, cols: 3 }, 3);
  assert.equal(empty.assignments.length, 0);
  assert.throws(() => kmeans(x, 0), RangeError);
});

test('deterministic under a seed; the JavaScript fallback matches the SIMD kernel', () => {
  const { x } = blobs(5, 40, 12, 1.5, 5);
  const a = kmeans(x, 5, { seed: 7 });
  const b = kmeans(x, 5, { seed: 7 });
  assert.deepEqual(a.assignments, b.assignments);
  disableWasmForTesting(true);
  try {
    const c = kmeans(x, 5, { seed: 7 });
    assert.deepEqual(c.assignments, a.assignments);
    assert.ok(Math.abs(c.inertia - a.inertia) / a.inertia < 1e-4);
  } finally {
    disableWasmForTesting(false);
  }
});
