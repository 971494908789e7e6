import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trainHead } from '../../../src/core/model/train';
import { createRng } from '../../../src/core/random';
import { activeTransferSampling, atlasSampling, errorFeatures } from '../../../src/core/sampling/activeTransfer';
import { clusteredUncertaintySampling } from '../../../src/core/sampling/clusteredUncertainty';
import { pickFromClusters } from '../../../src/core/sampling/clusterSampling';
import { modelOutlierSampling } from '../../../src/core/sampling/modelOutliers';
import { representativeSampling } from '../../../src/core/sampling/representative';
import { selectBatch } from '../../../src/core/sampling/selectBatch';
import { STRATEGY_NAMES, type SamplingInput } from '../../../src/core/sampling';
import type { Matrix } from '../../../src/core/types';
import { blobs } from './helpers';

const empty = (cols: number): Matrix => ({ data: new Float32Array(0), rows: 0, cols });

function scenario(poolSize: number, seed = 1): SamplingInput {
  const { x, truth } = blobs(3, 40 + Math.ceil(poolSize / 3), 16, 2.5, seed);
  const labeledRows = 120;
  const labeled = { data: x.data.slice(0, labeledRows * 16), rows: labeledRows, cols: 16 };
  const pool = { data: x.data.slice(labeledRows * 16, (labeledRows + poolSize) * 16), rows: poolSize, cols: 16 };
  const targets = { kind: 'single' as const, y: truth.slice(0, labeledRows) };
  const classes = ['a', 'b', 'c'];
  const model = trainHead(labeled, targets, classes, 'single', { seed });
  return { pool, labeled, targets, classes, mode: 'single', model, poolTexts: Array.from({ length: poolSize }, (_, i) => `item ${i}`) };
}

function assertValid(items: readonly { index: number; reason: { strategy: string; score: number; detail?: string } }[], poolSize: number): void {
  const seen = new Set<number>();
  for (const item of items) {
    assert.ok(item.index >= 0 && item.index < poolSize, `index ${item.index} out of range`);
    assert.ok(!seen.has(item.index), `duplicate ${item.index}`);
    seen.add(item.index);
    assert.ok(Number.isFinite(item.reason.score), `${item.reason.strategy} score ${item.reason.score}`);
    assert.ok((item.reason.detail ?? '').length > 0);
  }
}

for (const strategy of STRATEGY_NAMES) {
  test(`${strategy}: full batch, empty pool, pool smaller than the batch`, () => {
    const input = scenario(150);
    const batch = selectBatch(input, { strategy, batchSize: 20, seed: 3 });
    assert.equal(batch.length, 20);
    assertValid(batch, 150);
    const randoms = batch.filter((b) => b.reason.strategy === 'random').length;
    if (strategy === 'random') assert.equal(randoms, 20);
    else assert.ok(randoms >= 2 && batch[0].reason.strategy !== 'random', `${strategy}: strategy first, 10% random`);
    assert.deepEqual(selectBatch(input, { strategy, batchSize: 20, seed: 3 }), batch, 'deterministic under a seed');

    assert.deepEqual(selectBatch({ ...input, pool: empty(16), poolTexts: [] }, { strategy, batchSize: 10, seed: 1 }), []);
    const small = scenario(7);
    const all = selectBatch(small, { strategy, batchSize: 10, seed: 2 });
    assert.deepEqual(all.map((b) => b.index).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6]);
  });

  test(`${strategy}: one class only is a cold start, not a crash`, () => {
    const input = scenario(60);
    const one = { ...input, targets: { kind: 'single' as const, y: new Int32Array(input.labeled.rows) }, classes: ['only'], model: undefined };
    const batch = selectBatch(one, { strategy, batchSize: 10, seed: 4 });
    assert.equal(batch.length, 10);
    assertValid(batch, 60);
    if (strategy !== 'random') assert.ok(batch.every((b) => /cold start/i.test(b.reason.detail ?? '')));
  });

  test(`${strategy}: a pool of identical points (duplicate centroids)`, () => {
    const input = scenario(30);
    const pool = { data: new Float32Array(30 * 16).fill(0.5), rows: 30, cols: 16 };
    const batch = selectBatch({ ...input, pool }, { strategy, batchSize: 12, seed: 5 });
    assert.equal(batch.length, 12);
    assertValid(batch, 30);
  });
}

test('cold start surfaces seed-pattern matches first, keywords and regexes', () => {
  const input = scenario(40);
  const texts = input.poolTexts!.map((t, i) => (i === 13 ? 'Flood warning issued' : i === 27 ? 'earthquake hits city' : t));
  const batch = selectBatch({ ...input, poolTexts: texts, model: undefined }, { strategy: 'margin', batchSize: 6, seed: 1, seedPatterns: ['flood', '/earth\\w+/i'] });
  assert.deepEqual(batch.slice(0, 2).map((b) => b.index).sort((a, b) => a - b), [13, 27]);
  assert.ok(batch.every((b) => b.reason.detail?.startsWith('Cold start')));
  const detailOf = (index: number): string => batch.find((b) => b.index === index)?.reason.detail ?? '';
  assert.match(detailOf(13), /matches seed term "flood"$/, 'the keyword that matched is named');
  assert.match(detailOf(27), /matches seed pattern \/earth\\w\+\/i \("earthquake"\)$/, 'a regex is named with the text it found');
});

test('a label below minPerLabel keeps the loop in cold start', () => {
  const input = scenario(40);
  const y = input.targets.kind === 'single' ? input.targets.y.slice() : new Int32Array(0);
  y.fill(0);
  y[0] = 1;
  y[1] = 1;
  y[2] = 2;
  const batch = selectBatch({ ...input, targets: { kind: 'single', y } }, { strategy: 'entropy', batchSize: 5, seed: 1 });
  assert.ok(batch.every((b) => /fewer than 3 examples/.test(b.reason.detail ?? '')));
});

test('clustered uncertainty draws from the top X% of the whole pool and spreads over clusters', () => {
  const input = scenario(600);
  const probs = input.model!.predict(input.pool).probs;
  const top30 = (score: (p: Float32Array) => number): { scores: number[]; cutoff: number } => {
    const scores = Array.from({ length: 600 }, (_, i) => score(probs.data.subarray(i * 3, i * 3 + 3)));
    return { scores, cutoff: scores.slice().sort((a, b) => b - a)[29] };
  };
  const marginOf = (p: Float32Array): number => {
    const [p1, p2] = Array.from(p).sort((a, b) => b - a);
    return 1 - (p1 - p2);
  };
  // The default scorer is margin: every pick comes from the top 30 (5% of 600) by margin.
  const batch = clusteredUncertaintySampling(input.pool, probs, 10, { mode: 'single', seed: 1, uncertainPercent: 5 }, createRng(1));
  assert.equal(batch.length, 10);
  const margin = top30(marginOf);
  for (const b of batch) assert.ok(margin.scores[b.index] >= margin.cutoff - 1e-6);
  assert.ok(batch.every((b) => b.reason.score > 0));
  assert.match(batch[0]?.reason.detail ?? '', /\(margin\)/);
  assert.equal(new Set(batch.map((b) => b.reason.cluster)).size, 2, 'k = ceil(10 / 5) clusters');
  // Least confidence when asked.
  const lcBatch = clusteredUncertaintySampling(input.pool, probs, 10, { mode: 'single', seed: 1, uncertainPercent: 5, method: 'least-confidence' }, createRng(1));
  const lc = top30((p) => 1 - Math.max(...p));
  for (const b of lcBatch) assert.ok(lc.scores[b.index] >= lc.cutoff - 1e-6);
});

test('cluster picks handle fewer candidates than clusters and duplicate points', () => {
  const pool = { data: new Float32Array(5 * 4).fill(1), rows: 5, cols: 4 };
  const picks = pickFromClusters(pool, [0, 1, 2], 10, { clusters: 8, seed: 1, strategy: 'cluster' }, createRng(1));
  assert.deepEqual(picks.map((p) => p.index).sort(), [0, 1, 2]);
});

test('active transfer ranks items where the model is systematically wrong first (P(error), not P(correct))', () => {
  const rng = createRng(21);
  const d = 8;
  // Class 0 around A, class 1 around B; region R (around C) carries random labels, so
  // out-of-fold predictions there are often wrong while A and B are always right.
  const centre = (k: number): number[] => Array.from({ length: d }, (_, j) => (j === k ? 6 : 0));
  const [A, B, C] = [centre(0), centre(1), centre(2)];
  const rows: number[][] = [];
  const y: number[] = [];
  const add = (c: number[], label: number): void => {
    rows.push(c.map((v) => v + rng.normal() * 0.6));
    y.push(label);
  };
  for (let i = 0; i < 60; i++) add(A, 0);
  for (let i = 0; i < 60; i++) add(B, 1);
  for (let i = 0; i < 40; i++) add(C, i % 2);
  const labeled = { data: Float32Array.from(rows.flat()), rows: rows.length, cols: d };
  const poolRows: number[][] = [];
  const inRegion: boolean[] = [];
  for (let i = 0; i < 90; i++) {
    const c = i % 3 === 0 ? C : i % 3 === 1 ? A : B;
    poolRows.push(c.map((v) => v + rng.normal() * 0.6));
    inRegion.push(i % 3 === 0);
  }
  const pool = { data: Float32Array.from(poolRows.flat()), rows: poolRows.length, cols: d };
  const input = { pool, labeled, targets: { kind: 'single' as const, y: Int32Array.from(y) }, classes: ['a', 'b'], mode: 'single' as const, seed: 3, headOptions: { hidden: 16 } };
  const top = activeTransferSampling(input, 15, createRng(1));
  const hits = top.filter((t) => inRegion[t.index]).length;
  assert.ok(hits >= 13, `${hits} of 15 top picks in the error region`);
  assert.ok(top[0].reason.score > 0.5, 'the top item has P(error) > 0.5');
  const atlas = atlasSampling(input, 20, createRng(1), 10);
  assert.equal(new Set(atlas.map((a) => a.index)).size, 20);
  assert.ok(atlas.slice(0, 10).filter((t) => inRegion[t.index]).length >= 8);
  assert.ok(atlas.some((a) => /ATLAS step 2/.test(a.reason.detail ?? '')));
});

test('the error head reads unit-length hidden vectors plus the model uncertainty', () => {
  const hidden = { data: Float32Array.from([3, 4, 0, 0, 0, 0]), rows: 3, cols: 2 };
  const features = errorFeatures(hidden, [0.2, 0.9, 0.5]);
  assert.equal(features.cols, 3);
  assert.deepEqual(Array.from(features.data.subarray(0, 3)).map((v) => +v.toFixed(6)), [0.6, 0.8, 0.2]);
  // An all-zero hidden vector (every ReLU off) stays zero instead of becoming NaN.
  assert.deepEqual(Array.from(features.data.subarray(3, 6)).map((v) => +v.toFixed(6)), [0, 0, 0.9]);
});

test('active transfer does not rank confidently right items first just because they lie far out', () => {
  const rng = createRng(5);
  const d = 8;
  const centre = (k: number, scale = 6): number[] => Array.from({ length: d }, (_, j) => (j === k ? scale : 0));
  const rows: number[][] = [];
  const y: number[] = [];
  const add = (c: number[], label: number): void => {
    rows.push(c.map((v) => v + rng.normal() * 0.6));
    y.push(label);
  };
  for (let i = 0; i < 60; i++) add(centre(0), 0);
  for (let i = 0; i < 60; i++) add(centre(1), 1);
  for (let i = 0; i < 40; i++) add(centre(2), i % 2);
  const labeled = { data: Float32Array.from(rows.flat()), rows: rows.length, cols: d };
  // Pool: items of the mixed region, and class-b items five times further out than any label.
  const poolRows: number[][] = [];
  const inRegion: boolean[] = [];
  for (let i = 0; i < 60; i++) {
    const mixed = i % 2 === 0;
    poolRows.push((mixed ? centre(2) : centre(1, 30)).map((v) => v + rng.normal() * 0.6));
    inRegion.push(mixed);
  }
  const pool = { data: Float32Array.from(poolRows.flat()), rows: poolRows.length, cols: d };
  const input = { pool, labeled, targets: { kind: 'single' as const, y: Int32Array.from(y) }, classes: ['a', 'b'], mode: 'single' as const, seed: 3, headOptions: { hidden: 16 } };
  const top = activeTransferSampling(input, 10, createRng(1));
  const hits = top.filter((t) => inRegion[t.index]).length;
  assert.ok(hits >= 9, `${hits} of 10 top picks in the error region, not among the far-out items`);
});

test('pool rows holding NaN do not poison cluster scores (cold start, cluster, clustered uncertainty)', () => {
  const input = scenario(60);
  const data = input.pool.data.slice();
  data.fill(Number.NaN, 0, 3 * 16);
  const pool = { ...input.pool, data };
  for (const strategy of ['cluster', 'clustered-uncertainty'] as const) {
    const batch = selectBatch({ ...input, pool, poolPrediction: input.model!.predict(pool) }, { strategy, batchSize: 20, seed: 2 });
    assert.equal(batch.length, 20);
    assertValid(batch, 60);
  }
  const cold = selectBatch({ ...input, pool, model: undefined }, { strategy: 'margin', batchSize: 20, seed: 2 });
  assert.equal(cold.length, 20);
  assertValid(cold, 60);
});

test('representative: cos(item, unlabeled) - cos(item, labeled) puts what the labels miss first', () => {
  // Half the pool lies along x, half along y; every label lies along x.
  const pool = { data: Float32Array.from([1, 0, 2, 0.1, 3, 0, 0, 1, 0.1, 2, 0, 3]), rows: 6, cols: 2 };
  const labeled = { data: Float32Array.from([1, 0, 5, 0]), rows: 2, cols: 2 };
  const picks = representativeSampling(pool, labeled, 6, createRng(1));
  assert.deepEqual(picks.slice(0, 3).map((p) => p.index).sort(), [3, 4, 5], 'the y items, unlike any label, come first');
  // Item 5 is (0, 1) as a direction: the pool's mean direction is (1, 1)/sqrt(2), the labels' is (1, 0).
  const unit = (v: number[]): number[] => v.map((x) => x / Math.hypot(...v));
  const rows = [[1, 0], [2, 0.1], [3, 0], [0, 1], [0.1, 2], [0, 3]].map(unit);
  const poolDir = unit([0, 1].map((j) => rows.reduce((s, r) => s + r[j], 0)));
  const expected = rows[5][0] * poolDir[0] + rows[5][1] * poolDir[1] - rows[5][0];
  const five = picks.find((p) => p.index === 5)!;
  assert.ok(Math.abs(five.reason.score - expected) < 1e-5, `${five.reason.score} vs ${expected}`);
});

test('model outliers: 1 - mean percentile rank of the logits against validation, lowest rank first', () => {
  const validation = { data: Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]), rows: 4, cols: 2 };
  // Item 0 activates below every validation item, item 1 halfway, item 2 above all; item 3 ties one.
  const pool = { data: Float32Array.from([0, 0, 2.5, 25, 5, 50, 2, 20]), rows: 4, cols: 2 };
  const picks = modelOutlierSampling(pool, validation, 4, createRng(1));
  assert.deepEqual(picks.map((p) => p.index), [0, 3, 1, 2]);
  const score = new Map(picks.map((p) => [p.index, p.reason.score]));
  assert.equal(score.get(0), 1);
  assert.equal(score.get(1), 0.5);
  assert.equal(score.get(2), 0);
  assert.equal(score.get(3), 1 - 1.5 / 4, 'a tie counts half: one below, one equal');
});

test('ATLAS ends with a full batch when the error model gives NaN (a labeled row holding NaN)', () => {
  const input = scenario(60);
  const data = input.labeled.data.slice();
  data.fill(Number.NaN, 0, 16);
  const labeled = { ...input.labeled, data };
  const model = trainHead(labeled, input.targets, input.classes, 'single', { seed: 1 });
  // Before the guard this loop spun forever: every P(error) was NaN, so no step picked anything.
  const batch = atlasSampling({ pool: input.pool, labeled, targets: input.targets, classes: input.classes, mode: 'single', seed: 1 }, 20, createRng(1));
  assert.equal(batch.length, 20);
  assertValid(batch, 60);
  assert.ok(model.predict(input.pool).probs.data.every(Number.isNaN), 'the case really is NaN throughout');
});
