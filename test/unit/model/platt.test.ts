import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPlatt, fitPlatt } from '../../../src/core/model/platt';
import { createRng } from '../../../src/core/random';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

test('Platt scaling recovers a known logistic link from synthetic scores', () => {
  const rng = createRng(7);
  const n = 20000;
  const [a, b] = [1.5, -0.7];
  const scores = Float32Array.from({ length: n }, () => rng.normal() * 2);
  const outcomes = Uint8Array.from(scores, (s) => (rng.next() < sigmoid(a * s + b) ? 1 : 0));
  const fit = fitPlatt(scores, outcomes);
  assert.ok(Math.abs(fit.a - a) < 0.1, `slope ${fit.a} vs ${a}`);
  assert.ok(Math.abs(fit.b - b) < 0.1, `intercept ${fit.b} vs ${b}`);
  for (const s of [-3, -1, 0, 1, 3]) {
    const p = applyPlatt(fit, s);
    assert.ok(Math.abs(p - sigmoid(a * s + b)) < 0.02, `P at ${s}: ${p} vs ${sigmoid(a * s + b)}`);
  }
  // Reliability: within each decile of score, the mean calibrated P matches the observed rate.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => scores[i] - scores[j]);
  for (let d = 0; d < 10; d++) {
    const bin = order.slice((d * n) / 10, ((d + 1) * n) / 10);
    const meanP = bin.reduce((s, i) => s + applyPlatt(fit, scores[i]), 0) / bin.length;
    const rate = bin.reduce((s, i) => s + outcomes[i], 0) / bin.length;
    assert.ok(Math.abs(meanP - rate) < 0.03, `decile ${d}: mean P ${meanP.toFixed(3)} vs rate ${rate.toFixed(3)}`);
  }
});

test('a perfectly separated set gets a finite slope, and no probability beyond the smoothed targets', () => {
  // 5 positives, all scored above every negative: the unsmoothed MLE would be P = 1 at slope infinity.
  const scores = [-3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 4, 5, 6, 7, 8];
  const outcomes = scores.map((s) => (s > 3 ? 1 : 0));
  const fit = fitPlatt(scores, outcomes);
  assert.ok(Number.isFinite(fit.a) && fit.a > 0, `slope ${fit.a}`);
  assert.equal(fit.high, 6 / 7);
  assert.equal(fit.low, 1 / 12);
  assert.equal(applyPlatt(fit, 1000), 6 / 7, '5 positives cannot support more than 6/7');
  assert.equal(applyPlatt(fit, -1000), 1 / 12);
  assert.ok(applyPlatt(fit, 6) > applyPlatt(fit, 2), 'monotone');
  // With 300 separated positives the evidence does support P >= 0.99.
  const many = Array.from({ length: 600 }, (_, i) => (i < 300 ? -1 - i / 300 : 1 + i / 300));
  const big = fitPlatt(many, many.map((s) => (s > 0 ? 1 : 0)));
  assert.ok(applyPlatt(big, 3) >= 0.99, `${applyPlatt(big, 3)}`);
});

test('a score that orders outcomes the wrong way gets slope 0: the base rate, order kept', () => {
  const rng = createRng(3);
  const scores = Float32Array.from({ length: 400 }, () => rng.normal());
  const outcomes = Uint8Array.from(scores, (s) => (rng.next() < sigmoid(-2 * s - 1) ? 1 : 0));
  const fit = fitPlatt(scores, outcomes);
  assert.equal(fit.a, 0);
  const positives = outcomes.reduce((s, y) => s + y, 0);
  const meanTarget = (positives * fit.high + (400 - positives) * fit.low) / 400;
  assert.ok(Math.abs(applyPlatt(fit, 2) - meanTarget) < 1e-9);
  assert.equal(applyPlatt(fit, -2), applyPlatt(fit, 2));
});

test('fitPlatt rejects one-sided outcomes, mismatched lengths and non-finite scores', () => {
  assert.throws(() => fitPlatt([1, 2, 3], [1, 1, 1]), /both outcomes/);
  assert.throws(() => fitPlatt([1, 2], [1, 0, 1]), /2 scores but 3 outcomes/);
  assert.throws(() => fitPlatt([1, Number.NaN], [1, 0]), /score 1 is NaN/);
});
