import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../src/core/random';
import { activeTransferSampling, atlasSampling, prepareTransfer, type ActiveTransferInput } from '../../../src/core/sampling/activeTransfer';
import { MIN_CALIBRATION_OUTCOMES, scoreErrors } from '../../../src/core/sampling/errorHead';
import type { Matrix } from '../../../src/core/types';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * Two classes one unit apart per axis in 64 dimensions, with 10% of labels flipped: the model is
 * wrong on about a quarter of the pool, and the error head (65 inputs, 200 rows) can memorise its
 * training errors, which is what drove the raw head to "P(error) 1.00".
 */
function noisyScenario(seed: number): { input: ActiveTransferInput; poolTruth: number[] } {
  const rng = createRng(seed);
  const d = 64;
  const gen = (count: number): { m: Matrix; y: number[] } => {
    const rows: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < count; i++) {
      const c = i % 2;
      for (let j = 0; j < d; j++) rows.push((j === c ? 3 : 0) + rng.normal());
      y.push(rng.next() < 0.1 ? 1 - c : c);
    }
    return { m: { data: Float32Array.from(rows), rows: count, cols: d }, y };
  };
  const labeled = gen(200);
  const pool = gen(1000);
  return {
    input: { pool: pool.m, labeled: labeled.m, targets: { kind: 'single', y: Int32Array.from(labeled.y) }, classes: ['a', 'b'], mode: 'single', seed: 3, headOptions: { hidden: 32 } },
    poolTruth: pool.y,
  };
}

function modelWrong(state: ReturnType<typeof prepareTransfer>, truth: readonly number[]): number[] {
  const p = state.poolPrediction.probs.data;
  return truth.map((t, i) => ((p[i * 2 + 1] > p[i * 2] ? 1 : 0) !== t ? 1 : 0));
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

test('calibrated P(error) of the top items matches their observed error rate (the raw head overstates it)', () => {
  const gaps: number[] = [];
  for (const seed of [1, 2, 3, 4]) {
    const { input, poolTruth } = noisyScenario(seed);
    const state = prepareTransfer(input);
    const wrong = modelWrong(state, poolTruth);
    const scores = scoreErrors(state.labeledHidden, state.errors, state.poolHidden, input.seed);
    assert.ok(scores?.calibrated, `seed ${seed}: enough outcomes to calibrate`);
    const top = activeTransferSampling(input, 100, createRng(1), state);
    const observed = mean(top.map((t) => wrong[t.index]));
    const calibrated = mean(top.map((t) => t.reason.score));
    const raw = mean(top.map((t) => sigmoid(scores.logit[t.index])));
    assert.ok(Math.abs(calibrated - observed) < 0.15, `seed ${seed}: top-100 mean P(error) ${calibrated.toFixed(3)} vs observed ${observed.toFixed(3)}`);
    assert.ok(raw - observed > 0.3, `seed ${seed}: the uncalibrated head says ${raw.toFixed(3)} (the case really is overconfident)`);
    // Over the whole pool, the mean calibrated P(error) is the model's error rate.
    const poolRate = mean(wrong);
    assert.ok(Math.abs(mean(Array.from(scores.calibrated)) - poolRate) < 0.05, `seed ${seed}: pool mean vs error rate ${poolRate.toFixed(3)}`);
    gaps.push(calibrated - observed);
    assert.match(top[0].reason.detail ?? '', /^Model likely wrong here: P\(error\) 0\.\d\d \(calibrated on 200 out-of-fold outcomes\)$/);
  }
  assert.ok(Math.abs(mean(gaps)) < 0.08, `mean gap over seeds ${mean(gaps).toFixed(3)}`);
});

test('no item reports P(error) >= 0.99 where the raw head does, and calibration keeps the ranking', () => {
  for (const seed of [1, 3, 4]) {
    const { input } = noisyScenario(seed);
    const state = prepareTransfer(input);
    const scores = scoreErrors(state.labeledHidden, state.errors, state.poolHidden, input.seed);
    assert.ok(scores?.calibrated && scores.fit);
    const rawMax = Math.max(...Array.from(scores.logit, sigmoid));
    assert.ok(rawMax >= 0.99, `seed ${seed}: raw max ${rawMax} (the case really saturates)`);
    assert.ok(Math.max(...scores.calibrated) < 0.99, `seed ${seed}: calibrated max ${Math.max(...scores.calibrated)}`);
    assert.ok(Math.max(...scores.calibrated) <= scores.fit.high);
    const batch = activeTransferSampling(input, 50, createRng(1), state);
    for (let i = 1; i < batch.length; i++) {
      assert.ok(scores.logit[batch[i - 1].index] >= scores.logit[batch[i].index], 'ranked by the error score');
      assert.ok(batch[i - 1].reason.score >= batch[i].reason.score, 'calibrated P(error) never rises down the batch');
    }
    for (const item of atlasSampling(input, 20, createRng(1), 10, state)) {
      assert.ok(item.reason.score < 0.99 && item.reason.score > 0, `ATLAS ${item.reason.score}`);
      assert.match(item.reason.detail ?? '', /P\(error\) 0\.\d\d \(calibrated on 200 out-of-fold outcomes\) \(ATLAS step [12]\)/);
    }
  }
});

test('with too few out-of-fold errors the reason is a rank, not a probability', () => {
  const rng = createRng(1);
  const d = 8;
  const centre = (k: number): number[] => Array.from({ length: d }, (_, j) => (j === k ? 6 : 0));
  const rows: number[] = [];
  const y: number[] = [];
  const add = (point: number[], label: number): void => {
    rows.push(...point);
    y.push(label);
  };
  for (let i = 0; i < 100; i++) add(centre(0).map((v) => v + rng.normal() * 0.6), 0);
  for (let i = 0; i < 100; i++) add(centre(1).map((v) => v + rng.normal() * 0.6), 1);
  // Three 'b' labels inside the 'a' cloud: out-of-fold they are the only errors.
  for (let i = 0; i < 3; i++) add(centre(0).map((v, j) => v + (j === 3 ? 1 : 0) + rng.normal() * 0.3), 1);
  const pool = Float32Array.from({ length: 1200 * d }, (_, i) => centre((i / d) % 2 < 1 ? 0 : 1)[i % d] + rng.normal() * 0.6);
  const input: ActiveTransferInput = {
    pool: { data: pool, rows: 1200, cols: d },
    labeled: { data: Float32Array.from(rows), rows: 203, cols: d },
    targets: { kind: 'single', y: Int32Array.from(y) },
    classes: ['a', 'b'],
    mode: 'single',
    seed: 3,
    headOptions: { hidden: 16 },
  };
  const state = prepareTransfer(input);
  const wrong = state.errors.reduce((s, e) => s + e, 0);
  assert.ok(wrong > 0 && wrong < MIN_CALIBRATION_OUTCOMES, `${wrong} out-of-fold errors (the case needs 1-4)`);
  const scores = scoreErrors(state.labeledHidden, state.errors, state.poolHidden, input.seed);
  assert.ok(scores);
  assert.equal(scores.calibrated, null);
  const batch = activeTransferSampling(input, 3, createRng(1), state);
  batch.forEach((item, i) => {
    assert.equal(item.reason.detail, `Model likely wrong here: rank ${i + 1} of 1,200 by error score (no P(error) yet: ${wrong} wrong and ${203 - wrong} right out of fold, 5 of each needed)`);
    assert.equal(item.reason.score, scores.logit[item.index], 'the score is the raw error score, not a probability');
    assert.doesNotMatch(item.reason.detail ?? '', /P\(error\) \d/);
  });
});
