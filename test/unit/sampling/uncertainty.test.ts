import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../src/core/random';
import { entropy, leastConfidence, margin, ratio, uncertaintyScores, UNCERTAINTY_METHODS } from '../../../src/core/sampling/uncertainty';

const close = (actual: number, expected: number, eps = 1e-9): void => assert.ok(Math.abs(actual - expected) < eps, `${actual} != ${expected}`);

test('least confidence follows (1 - p1) * n / (n - 1)', () => {
  // p = [0.5, 0.3, 0.2]: p1 = 0.5, n = 3 -> 0.5 * 3 / 2 = 0.75
  close(leastConfidence([0.5, 0.3, 0.2]), 0.75);
  close(leastConfidence([0.2, 0.5, 0.3]), 0.75);
  close(leastConfidence([1, 0, 0]), 0);
  close(leastConfidence([1 / 3, 1 / 3, 1 / 3]), 1);
});

test('margin follows 1 - (p1 - p2)', () => {
  close(margin([0.5, 0.3, 0.2]), 1 - 0.2);
  close(margin([0.9, 0.1]), 1 - 0.8);
  close(margin([0.5, 0.5]), 1);
});

test('ratio follows p2 / p1', () => {
  close(ratio([0.5, 0.3, 0.2]), 0.3 / 0.5);
  close(ratio([0.8, 0.2]), 0.25);
});

test('entropy follows -sum(p log2 p) / log2 n', () => {
  const p = [0.5, 0.25, 0.25];
  // -(0.5 * -1 + 2 * 0.25 * -2) = 1.5 bits; / log2(3)
  close(entropy(p), 1.5 / Math.log2(3));
  close(entropy([0.25, 0.25, 0.25, 0.25]), 1);
});

test('no NaN at p = 0, all-zero vectors, or n = 1', () => {
  for (const method of UNCERTAINTY_METHODS) {
    const scores = uncertaintyScores({ data: Float32Array.from([1, 0, 0, 0, 0, 0, 0.5, 0.5, 0]), rows: 3, cols: 3 }, 'single', method);
    for (const s of scores) assert.ok(Number.isFinite(s) && s >= 0 && s <= 1, `${method}: ${s}`);
    assert.equal(scores[0], 0, `${method}: a certain prediction scores 0`);
    const single = uncertaintyScores({ data: Float32Array.from([1, 1]), rows: 2, cols: 1 }, 'single', method);
    assert.deepEqual(Array.from(single), [0, 0]);
  }
  close(entropy([1, 0, 0]), 0);
  close(ratio([0, 0]), 1);
});

test('multi-label scores are the mean binary uncertainty per label', () => {
  // Labels p = 0.5 (fully uncertain: margin 1) and p = 1 (certain: margin 0) -> mean 0.5.
  const scores = uncertaintyScores({ data: Float32Array.from([0.5, 1, 0.9, 0.1]), rows: 2, cols: 2 }, 'multi', 'margin');
  close(scores[0], 0.5, 1e-6);
  // p = 0.9 -> pair (0.9, 0.1), margin 0.2; p = 0.1 -> pair (0.1, 0.9), margin 0.2; mean 0.2 (float32 inputs).
  const p = Math.fround(0.9);
  const q = Math.fround(0.1);
  close(scores[1], ((1 - (p - (1 - p))) + (1 - ((1 - q) - q))) / 2, 1e-6);
});

test('the top two values (margin, least confidence, ratio) are the sorted top two, for odd and even class counts, ties, negatives and NaN', () => {
  const rng = createRng(21);
  for (let trial = 0; trial < 400; trial++) {
    const n = 2 + (trial % 7);
    // Few distinct values, so ties (at the top included) are common; NaN and negatives clip to 0.
    const p = Array.from({ length: n }, () => {
      const r = rng.next();
      return r < 0.05 ? NaN : r < 0.1 ? -0.5 : Math.floor(rng.next() * 5) / 5;
    });
    const sorted = p.map((v) => (v > 0 ? v : 0)).sort((a, b) => b - a);
    const [p1, p2] = [sorted[0] as number, sorted[1] as number];
    const clamp = (v: number): number => Math.min(1, Math.max(0, v));
    assert.equal(margin(p), clamp(1 - (p1 - p2)), `margin ${p}`);
    assert.equal(leastConfidence(p), clamp(((1 - p1) * n) / (n - 1)), `least confidence ${p}`);
    assert.equal(ratio(p), p1 > 0 ? clamp(p2 / p1) : 1, `ratio ${p}`);
    const row = uncertaintyScores({ data: Float32Array.from(p), rows: 1, cols: n }, 'single', 'margin');
    assert.equal(row[0], Math.fround(clamp(1 - (Math.fround(p1) - Math.fround(p2)))), `uncertaintyScores ${p}`);
  }
});
