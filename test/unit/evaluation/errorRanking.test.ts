import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rankLabelErrors } from '../../../src/core/evaluation/errorRanking';
import { findLabelErrors } from '../../../src/core/evaluation/labelErrors';
import { createRng } from '../../../src/core/random';
import type { Matrix } from '../../../src/core/types';

function matrix(rows: readonly (readonly number[])[]): Matrix {
  return { data: Float32Array.from(rows.flat()), rows: rows.length, cols: rows[0]!.length };
}

/** Random probability rows (Dirichlet-ish) and random given labels. */
function randomCase(n: number, k: number, seed: number): { probs: Matrix; y: Int32Array } {
  const rng = createRng(seed);
  const rows = Array.from({ length: n }, () => {
    const e = Array.from({ length: k }, () => -Math.log(Math.max(rng.next(), 1e-9)));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / z);
  });
  return { probs: matrix(rows), y: Int32Array.from({ length: n }, () => rng.int(k)) };
}

test('every row is ranked once, with the most probable other class suggested', () => {
  const { probs, y } = randomCase(200, 4, 1);
  const ranked = rankLabelErrors(probs, y);
  assert.deepEqual([...ranked.map((r) => r.row)].sort((a, b) => a - b), [...Array(200).keys()]);
  for (const r of ranked) {
    const row = Array.from(probs.data.subarray(r.row * 4, r.row * 4 + 4));
    const best = Math.max(...row.filter((_, j) => j !== r.given));
    assert.notEqual(r.suggested, r.given);
    assert.equal(row[r.suggested], best);
    assert.equal(r.givenProb, row[r.given]);
  }
  for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1]!.score >= ranked[i]!.score);
});

test('the flagged rows are exactly the ones confident learning reports', () => {
  const { probs, y } = randomCase(300, 3, 2);
  const cl = new Set(findLabelErrors(probs, y).map((e) => e.row));
  const ranked = rankLabelErrors(probs, y, { order: 'flagged-first' });
  assert.deepEqual(new Set(ranked.filter((r) => r.flagged).map((r) => r.row)), cl);
  assert.ok(cl.size > 0 && cl.size < 300);
  // flagged-first: no unflagged row comes before a flagged one.
  const firstUnflagged = ranked.findIndex((r) => !r.flagged);
  assert.ok(ranked.slice(firstUnflagged).every((r) => !r.flagged));
});

test('margin and self-confidence order a confident alternative differently', () => {
  // Row 0: given class 0 at 0.30, no clear alternative. Row 1: given 0 at 0.35, class 1 at 0.65.
  const probs = matrix([
    [0.3, 0.35, 0.35],
    [0.35, 0.65, 0],
    [0.9, 0.05, 0.05],
    [0.1, 0.8, 0.1],
    [0.1, 0.1, 0.8],
  ]);
  const y = Int32Array.from([0, 0, 0, 1, 2]);
  assert.deepEqual(rankLabelErrors(probs, y, { score: 'self-confidence', order: 'merged' }).slice(0, 2).map((r) => r.row), [0, 1]);
  const margin = rankLabelErrors(probs, y, { score: 'margin', order: 'merged' });
  assert.deepEqual(margin.slice(0, 2).map((r) => r.row), [1, 0]);
  assert.ok(Math.abs(margin[0]!.score - (0.65 - 0.35 + 1) / 2) < 1e-6);
  assert.equal(margin[0]!.suggested, 1);
});

test('refuses mismatched shapes and a single class', () => {
  assert.throws(() => rankLabelErrors(matrix([[0.5, 0.5]]), Int32Array.from([0, 1])), /rows/);
  assert.throws(() => rankLabelErrors(matrix([[1]]), Int32Array.from([0])), /two classes/);
  assert.throws(() => rankLabelErrors(matrix([[0.5, 0.5]]), Int32Array.from([2])), /outside/);
});
