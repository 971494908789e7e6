import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cohenKappa } from '../../../src/core/evaluation/agreement';
import { stoppingSignal } from '../../../src/core/evaluation/stopping';
import { createRng } from '../../../src/core/random';

test('kappa: identical labelings give 1, a hand case gives 0.5', () => {
  assert.equal(cohenKappa([0, 1, 2, 1, 0], [0, 1, 2, 1, 0]), 1);
  assert.equal(cohenKappa([3, 3, 3], [3, 3, 3]), 1);
  // po = 0.75, pe = 0.5*0.25 + 0.5*0.75 = 0.5
  assert.ok(Math.abs(cohenKappa([0, 0, 1, 1], [0, 1, 1, 1]) - 0.5) < 1e-12);
});

test('kappa: independent random labelings agree only by chance (about 0)', () => {
  const rng = createRng(7);
  const a = Array.from({ length: 20000 }, () => rng.int(3));
  const b = Array.from({ length: 20000 }, () => rng.int(3));
  assert.ok(Math.abs(cohenKappa(a, b)) < 0.03);
});

test('kappa: systematic disagreement is negative', () => {
  assert.ok(cohenKappa([0, 1, 0, 1], [1, 0, 1, 0]) < 0);
  assert.throws(() => cohenKappa([0], [0, 1]), RangeError);
});

test('stopping: too early, still changing, then stabilized', () => {
  const v1 = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
  const early = stoppingSignal([v1, v1]);
  assert.equal(early.stop, false);
  assert.equal(early.kappa, null);

  const v2 = [1, 1, 0, 1, 0, 0, 0, 1, 1, 1];
  const changing = stoppingSignal([v1, v2, v1, v2]);
  assert.equal(changing.stop, false);
  assert.ok(changing.kappa !== null && changing.kappa < 0.99);
  assert.match(changing.message, /^Predictions still changing: κ -?\d\.\d\d of 0\.99 \(mean over the last 3 retrains\)/);
  assert.equal(changing.threshold, 0.99);

  const stable = stoppingSignal([v2, v1, v1, v1, v1]);
  assert.equal(stable.stop, true);
  assert.equal(stable.reason, 'stable');
  assert.equal(stable.message, 'Predictions have stabilized: more labels are unlikely to help.');
});

test('stopping: reaching the target accuracy fires the hint, but only with enough evaluation items', () => {
  const v = [0, 1];
  assert.equal(stoppingSignal([v], { accuracy: 0.95, evaluated: 50 }, { targetAccuracy: 0.9 }).reason, 'target');
  assert.equal(stoppingSignal([v], { accuracy: 0.95, evaluated: 5 }, { targetAccuracy: 0.9 }).stop, false);
  assert.equal(stoppingSignal([v], { accuracy: 0.85, evaluated: 50 }, { targetAccuracy: 0.9 }).stop, false);
});
