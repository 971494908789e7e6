import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../src/core/random';
import { activeTransferSampling, atlasSampling, prepareTransfer, type ActiveTransferInput } from '../../../src/core/sampling/activeTransfer';
import { budgetEpochs, ERROR_HEAD_BUDGET, MLP_BUDGET } from '../../../src/core/sampling/transferBudget';
import type { Matrix } from '../../../src/core/types';

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

test('budgetEpochs: the full epochs up to two batches, then about `steps` steps, never below minEpochs, never rising with rows', () => {
  for (const budget of [MLP_BUDGET, ERROR_HEAD_BUDGET]) {
    for (const epochs of [1, 20, 60]) {
      let last = Infinity;
      for (let rows = 1; rows <= 20_000; rows += 37) {
        const e = budgetEpochs(rows, epochs, budget, 256);
        const batches = Math.ceil(rows / 256);
        assert.ok(e <= epochs, `${rows} rows: ${e} epochs > ${epochs}`);
        assert.ok(e >= Math.min(epochs, budget.minEpochs), `${rows} rows: ${e} epochs < minimum`);
        assert.ok(e <= last, `${rows} rows: ${e} epochs after ${last}`);
        // Capped or not, a model makes at least min(steps, what the epochs give) optimiser steps.
        assert.ok(e * batches >= Math.min(budget.steps, epochs * batches), `${rows} rows: ${e * batches} steps`);
        if (batches * epochs <= budget.steps) assert.equal(e, epochs, `${rows} rows are within budget`);
        last = e;
      }
    }
  }
  assert.ok(budgetEpochs(2000, 20, MLP_BUDGET) < 20 && budgetEpochs(2000, 60, ERROR_HEAD_BUDGET) < 60, 'the budget binds at 2,000 labels');
});

/**
 * 1,200 labels, so every model trains to the step budget (more than two batches of 256): class 0
 * around A, class 1 around B, and region C with random labels, where the model is wrong about half
 * the time out of fold. The pool mixes the three regions.
 */
function plantedScenario(seed: number): { input: ActiveTransferInput; inRegion: boolean[]; poolTruth: number[] } {
  const rng = createRng(seed);
  const d = 8;
  const centre = (k: number): number[] => Array.from({ length: d }, (_, j) => (j === k ? 6 : 0));
  const regions = [centre(0), centre(1), centre(2)];
  const gen = (count: number): { m: Matrix; y: number[]; region: number[] } => {
    const rows: number[] = [];
    const y: number[] = [];
    const region: number[] = [];
    for (let i = 0; i < count; i++) {
      const r = i % 3;
      rows.push(...(regions[r] as number[]).map((v) => v + rng.normal() * 0.6));
      y.push(r === 2 ? rng.int(2) : r);
      region.push(r);
    }
    return { m: { data: Float32Array.from(rows), rows: count, cols: d }, y, region };
  };
  const labeled = gen(1200);
  const pool = gen(900);
  return {
    input: { pool: pool.m, labeled: labeled.m, targets: { kind: 'single', y: Int32Array.from(labeled.y) }, classes: ['a', 'b'], mode: 'single', seed: seed + 2, headOptions: { hidden: 16 } },
    inRegion: pool.region.map((r) => r === 2),
    poolTruth: pool.y,
  };
}

test('at 1,200 labels (step budget) the error model still finds the planted error region, and ATLAS too', () => {
  assert.ok(budgetEpochs(960, 20, MLP_BUDGET) < 20, 'the fold models of this case are budgeted');
  for (const seed of [1, 2]) {
    const { input, inRegion } = plantedScenario(seed);
    const state = prepareTransfer(input);
    const errorsIn = state.errors.reduce((s, e, i) => s + (i % 3 === 2 ? e : 0), 0);
    const errorsOut = state.errors.reduce((s, e, i) => s + (i % 3 !== 2 ? e : 0), 0);
    assert.ok(errorsIn > 100 && errorsIn > 5 * errorsOut, `seed ${seed}: out-of-fold errors ${errorsIn} in the region, ${errorsOut} outside`);
    const top = activeTransferSampling(input, 30, createRng(1), state);
    const hits = top.filter((t) => inRegion[t.index]).length;
    assert.ok(hits >= 27, `seed ${seed}: ${hits} of 30 top picks in the error region`);
    assert.match(top[0]?.reason.detail ?? '', /calibrated on 1200 out-of-fold outcomes/);
    const atlas = atlasSampling(input, 20, createRng(1), 10, state);
    assert.equal(new Set(atlas.map((a) => a.index)).size, 20);
    assert.ok(atlas.slice(0, 10).filter((t) => inRegion[t.index]).length >= 8, `seed ${seed}: ATLAS step 1 in the region`);
  }
});

test('at 1,200 labels the calibrated P(error) of the top picks matches how often the model is wrong there', () => {
  for (const seed of [3, 4]) {
    const { input, poolTruth } = plantedScenario(seed);
    const state = prepareTransfer(input);
    const p = state.poolPrediction.probs.data;
    const wrong = poolTruth.map((t, i) => ((p[i * 2 + 1] > p[i * 2] ? 1 : 0) !== t ? 1 : 0));
    const top = activeTransferSampling(input, 100, createRng(1), state);
    const observed = mean(top.map((t) => wrong[t.index] as number));
    const calibrated = mean(top.map((t) => t.reason.score));
    assert.ok(Math.abs(calibrated - observed) < 0.15, `seed ${seed}: top-100 mean P(error) ${calibrated.toFixed(3)} vs observed ${observed.toFixed(3)}`);
    for (let i = 1; i < top.length; i++) assert.ok((top[i - 1]?.reason.score ?? 0) >= (top[i]?.reason.score ?? 0), 'P(error) never rises down the batch');
  }
});
