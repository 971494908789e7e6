/**
 * At a million items the sampling strategies work on subpools (issue 12): clustered uncertainty
 * fits k-means on a seeded sample of its top X%, and active transfer / ATLAS compute the MLP's
 * hidden layer on a candidate subpool. These tests pin what those must keep.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../src/core/random';
import { atlasSampling, activeTransferSampling } from '../../../src/core/sampling/activeTransfer';
import { clusteredUncertaintySampling } from '../../../src/core/sampling/clusteredUncertainty';
import { kthLargest, kthLargestFloat32, topIndices, topSet } from '../../../src/core/sampling/rank';
import { transferCandidates } from '../../../src/core/sampling/transferPool';
import { margin } from '../../../src/core/sampling/uncertainty';
import type { Matrix } from '../../../src/core/types';
import { blobs } from './helpers';

test('kthLargest matches a full sort, on random, sorted, constant and duplicate-heavy data', () => {
  const rng = createRng(3);
  const cases = [
    Float64Array.from({ length: 1_001 }, () => rng.normal()),
    Float64Array.from({ length: 500 }, (_, i) => i),
    new Float64Array(300).fill(0.5),
    Float64Array.from({ length: 700 }, () => rng.int(4)),
  ];
  for (const values of cases) {
    const sorted = Array.from(values).sort((a, b) => b - a);
    for (const k of [1, 2, 17, values.length]) assert.equal(kthLargest(values.slice(), k), sorted[k - 1], `k=${k}`);
  }
});

test('kthLargestFloat32 (radix select on the bits) gives quickselect\'s value: negatives, -0, ties, NaN and infinities', () => {
  const rng = createRng(9);
  const cases = [
    Float32Array.from({ length: 2_001 }, () => rng.normal()),
    Float32Array.from({ length: 3_000 }, () => rng.next()),
    Float32Array.from({ length: 900 }, () => [0, -0, 0.25, -0.25, NaN, Infinity, -Infinity, 1e-40, -1e-40][rng.int(9)] as number),
    // One high bucket shared by many values that differ in their low bits only.
    Float32Array.from({ length: 1_500 }, () => 0.5 + rng.int(1000) * 2 ** -23),
    new Float32Array(200).fill(0.75),
  ];
  for (const values of cases) {
    for (const k of [1, 2, 3, 17, 100, values.length]) {
      const copy = Float64Array.from(values, (v) => (Number.isNaN(v) ? -Infinity : v));
      const expected = kthLargest(copy, k);
      const actual = kthLargestFloat32(values, k);
      assert.ok(actual === expected || (Number.isNaN(actual) && Number.isNaN(expected)), `k=${k}: ${actual} vs ${expected}`);
    }
  }
  // topIndices may ask for more than there are numbers: the cut is then -Infinity, as the NaNs count.
  assert.equal(kthLargestFloat32(Float32Array.from([NaN, 0.5, NaN]), 3), -Infinity);
  assert.deepEqual(topIndices(Float32Array.from([NaN, 0.5, 0.1]), 3, createRng(1)), [1, 2]);
});

test('topSet: the same set as topIndices, ascending; ties at the cut are a seeded random choice; NaN never chosen', () => {
  const rng = createRng(5);
  const scores = Float32Array.from({ length: 5_000 }, () => rng.next());
  scores[10] = Number.NaN;
  const set = topSet(scores, 400, createRng(1));
  assert.equal(set.length, 400);
  for (let i = 1; i < set.length; i++) assert.ok((set[i] as number) > (set[i - 1] as number));
  assert.deepEqual([...set].sort((a, b) => a - b), topIndices(scores, 400, createRng(1)).sort((a, b) => a - b));
  assert.ok(!set.includes(10));
  // All tied: the choice must not favour the start of the pool, and depends on the seed.
  const flat = new Float32Array(10_000).fill(0.3);
  const a = topSet(flat, 1_000, createRng(7));
  assert.notDeepEqual(a, topSet(flat, 1_000, createRng(8)));
  const firstHalf = [...a].filter((i) => i < 5_000).length;
  assert.ok(firstHalf > 400 && firstHalf < 600, `first half holds ${firstHalf} of 1,000 tied picks`);
  assert.equal(topSet(new Float32Array([Number.NaN, Number.NaN]), 5, createRng(1)).length, 0);
});

/** Two-class probabilities whose margin is uncertain for rows in the first blob only. */
function probsFor(x: Matrix, truth: Int32Array, uncertainBlob: number): Matrix {
  const data = new Float32Array(x.rows * 2);
  for (let i = 0; i < x.rows; i++) {
    const p = truth[i] === uncertainBlob ? 0.5 + 0.1 * ((i % 7) / 7) : 0.95;
    data[i * 2] = p;
    data[i * 2 + 1] = 1 - p;
  }
  return { data, rows: x.rows, cols: 2 };
}

test('clustered uncertainty above the fit cap: picks are distinct, from the top X% and its seeded sample, and spread over clusters', () => {
  const { x, truth } = blobs(4, 1_500, 12, 0.5, 9);
  const probs = probsFor(x, truth, 2);
  const options = { mode: 'single' as const, seed: 4, uncertainPercent: 25, maxFitRows: 300 };
  const picks = clusteredUncertaintySampling(x, probs, 10, options, createRng(4));
  assert.equal(picks.length, 10);
  assert.equal(new Set(picks.map((p) => p.index)).size, 10, 'no item twice');
  for (const p of picks) assert.equal(truth[p.index], 2, 'every pick is among the most uncertain (blob 2)');
  assert.equal(new Set(picks.map((p) => p.reason.cluster)).size, 2, 'both clusters contribute');
  const again = clusteredUncertaintySampling(x, probs, 10, options, createRng(4));
  assert.deepEqual(again.map((p) => p.index), picks.map((p) => p.index), 'deterministic under the seed');
  for (const p of picks) assert.ok(Math.abs(p.reason.score - margin([probs.data[p.index * 2] as number, probs.data[p.index * 2 + 1] as number])) < 1e-6);
});

test('clustered uncertainty: a subpool smaller than k and a subpool of duplicates do not crash or repeat items', () => {
  const { x, truth } = blobs(2, 50, 6, 0.3, 2);
  const probs = probsFor(x, truth, 0);
  // Top 1% of 100 rows is one row, fewer than the k = 4 asked for: the batch is still filled.
  const few = clusteredUncertaintySampling(x, probs, 3, { mode: 'single', seed: 1, uncertainPercent: 1, clusters: 4, maxFitRows: 2 }, createRng(1));
  assert.equal(few.length, 3);
  assert.equal(new Set(few.map((p) => p.index)).size, 3);
  // Every row identical: k-means++ finds one distinct centre; duplicate centroids give empty clusters.
  const same: Matrix = { data: new Float32Array(400 * 6).fill(0.25), rows: 400, cols: 6 };
  const flat: Matrix = { data: new Float32Array(400 * 2).fill(0.5), rows: 400, cols: 2 };
  const dup = clusteredUncertaintySampling(same, flat, 8, { mode: 'single', seed: 2, uncertainPercent: 50, maxFitRows: 30 }, createRng(2));
  assert.equal(dup.length, 8);
  assert.equal(new Set(dup.map((p) => p.index)).size, 8);
});

test('transferCandidates: the whole pool when small; above the cap, half most uncertain plus a seeded uniform rest', () => {
  assert.equal(transferCandidates(100, { seed: 1, maxRows: 100, mode: 'single' }), null);
  const n = 10_000;
  const data = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const p = i < 500 ? 0.5 : 0.99; // rows 0..499 are the uncertain ones
    data[i * 2] = p;
    data[i * 2 + 1] = 1 - p;
  }
  const poolProbs: Matrix = { data, rows: n, cols: 2 };
  const rows = transferCandidates(n, { seed: 3, maxRows: 1_000, poolProbs, mode: 'single' });
  assert.ok(rows);
  assert.equal(rows.length, 1_000);
  for (let i = 1; i < rows.length; i++) assert.ok((rows[i] as number) > (rows[i - 1] as number), 'ascending, distinct');
  for (let i = 0; i < 500; i++) assert.equal(rows[i], i, 'every uncertain row is in');
  const rest = [...rows].filter((r) => r >= 500);
  const upperHalf = rest.filter((r) => r >= 5_250).length;
  assert.ok(upperHalf > 190 && upperHalf < 310, `uniform rest: ${upperHalf} of 500 in the upper half`);
  assert.deepEqual(transferCandidates(n, { seed: 3, maxRows: 1_000, poolProbs, mode: 'single' }), rows);
  const noProbs = transferCandidates(n, { seed: 3, maxRows: 1_000, mode: 'single' });
  assert.ok(noProbs && noProbs.length === 1_000 && [...noProbs].filter((r) => r < 500).length < 150, 'without a prediction: uniform');
});

test('active transfer and ATLAS on a subpool: picks are distinct pool rows inside the subpool', () => {
  const { x, truth } = blobs(3, 400, 8, 1.6, 6);
  const labeledRows = Array.from({ length: 240 }, (_, i) => i * 5);
  const labeled: Matrix = { data: new Float32Array(labeledRows.length * 8), rows: labeledRows.length, cols: 8 };
  labeledRows.forEach((r, i) => labeled.data.set(x.data.subarray(r * 8, r * 8 + 8), i * 8));
  const y = Int32Array.from(labeledRows, (r) => (truth[r] === 2 && r % 3 === 0 ? 1 : (truth[r] as number)));
  const poolProbs = probsFor(x, truth, 1);
  const input = { pool: x, labeled, targets: { kind: 'single' as const, y }, classes: ['a', 'b', 'c'], mode: 'single' as const, seed: 2, poolProbs, maxPoolRows: 300 };
  const allowed = new Set(transferCandidates(x.rows, { seed: 2, maxRows: 300, poolProbs, mode: 'single' }));
  assert.equal(allowed.size, 300);
  for (const picks of [activeTransferSampling(input, 12, createRng(1)), atlasSampling(input, 25, createRng(1))]) {
    assert.equal(new Set(picks.map((p) => p.index)).size, picks.length, 'no item twice');
    assert.ok(picks.length >= 12);
    for (const p of picks) assert.ok(allowed.has(p.index), `pick ${p.index} is a subpool row`);
  }
});
