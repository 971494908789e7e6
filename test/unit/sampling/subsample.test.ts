/**
 * Diversity sampling clusters a seeded sample of a large pool instead of every row (a 50,000 x 512
 * cold-start batch took 2.3 s). These tests pin what that must keep: a uniform, deterministic
 * sample; picks that come from it; and clusters that still cover every mode of the pool.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../src/core/random';
import { clusterSampling, MAX_CLUSTERED_ROWS, subsampleCandidates } from '../../../src/core/sampling/clusterSampling';
import { coldStartSampling } from '../../../src/core/sampling/coldStart';
import { blobs } from './helpers';

test('subsampleCandidates: a seeded, ordered, uniform subset of exactly max; the input itself when small enough', () => {
  const all = Array.from({ length: 20_000 }, (_, i) => i * 3);
  const a = subsampleCandidates(all, 2_000, 7);
  assert.equal(a.length, 2_000);
  assert.deepEqual(subsampleCandidates(all, 2_000, 7), a, 'same seed, same sample');
  assert.notDeepEqual(subsampleCandidates(all, 2_000, 8), a, 'another seed, another sample');
  const members = new Set(all);
  for (let i = 0; i < a.length; i++) {
    assert.ok(members.has(a[i] as number));
    if (i > 0) assert.ok((a[i] as number) > (a[i - 1] as number), 'keeps the candidates order, no repeats');
  }
  // Uniform: each tenth of the candidates holds about a tenth of the sample (binomial sd ~13).
  const perDecile = new Array<number>(10).fill(0);
  for (const v of a) perDecile[Math.floor(v / 3 / 2_000)]++;
  for (const count of perDecile) assert.ok(count > 140 && count < 260, `decile count ${count}`);
  const small = [5, 1, 9];
  assert.equal(subsampleCandidates(small, 3, 1), small);
  assert.equal(MAX_CLUSTERED_ROWS, 5_000);
});

test('cold start on a large pool: cluster picks come from the seeded sample and still cover every blob', () => {
  const blobCount = 6;
  const { x, truth } = blobs(blobCount, 1_000, 16, 0.6, 4);
  const maxClusteredRows = 600;
  const options = { seed: 11, why: 'fewer than two labels have examples', randomShare: 0, maxClusteredRows };
  const picks = coldStartSampling(x, blobCount, options, createRng(11));
  assert.equal(picks.length, blobCount);
  const sample = new Set(subsampleCandidates(Array.from({ length: x.rows }, (_, i) => i), maxClusteredRows, 11));
  for (const p of picks) {
    assert.equal(p.reason.strategy, 'cold-start');
    assert.ok(sample.has(p.index), `pick ${p.index} is a member of the clustered sample`);
  }
  assert.equal(new Set(picks.map((p) => truth[p.index])).size, blobCount, 'one centre per blob');
  assert.deepEqual(coldStartSampling(x, blobCount, options, createRng(11)), picks, 'deterministic under the seed');
});

test('cluster sampling on a large pool: sampled, deterministic, and a small pool is clustered whole', () => {
  const { x, truth } = blobs(4, 1_500, 12, 0.6, 9);
  const picks = clusterSampling(x, 20, { seed: 2, maxRows: 500 }, createRng(2));
  assert.equal(picks.length, 20);
  const sample = new Set(subsampleCandidates(Array.from({ length: x.rows }, (_, i) => i), 500, 2));
  assert.ok(picks.every((p) => sample.has(p.index)));
  assert.equal(new Set(picks.map((p) => truth[p.index])).size, 4, 'every blob is represented');
  assert.deepEqual(clusterSampling(x, 20, { seed: 2, maxRows: 500 }, createRng(2)), picks);
  // At or above the pool size the cap changes nothing: the whole pool is clustered.
  const whole = clusterSampling(x, 20, { seed: 2, maxRows: x.rows }, createRng(2));
  assert.deepEqual(clusterSampling(x, 20, { seed: 2, maxRows: Number.MAX_SAFE_INTEGER }, createRng(2)), whole);
  assert.ok(whole.some((p) => !sample.has(p.index)), 'unsampled picks are not confined to the 500-row sample');
});
