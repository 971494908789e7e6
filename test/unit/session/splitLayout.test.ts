import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gather, withSplitLayout } from '../../../src/core/session/splitLayout';
import { createRng } from '../../../src/core/random';
import type { Matrix } from '../../../src/core/types';

function numbered(rows: number, cols: number): Matrix {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = i;
  return { data, rows, cols };
}

test('the views hold the pool rows then the test rows, in the given order, and the matrix is restored', () => {
  const x = numbered(7, 3);
  const original = x.data.slice();
  const pool = [0, 2, 3, 6];
  const test = [5, 1, 4];
  const seen = withSplitLayout(x, pool, test, (views) => {
    assert.equal(views.pool.rows, 4);
    assert.equal(views.test.rows, 3);
    assert.equal(views.pool.data.buffer, x.data.buffer, 'a view, not a copy');
    return { pool: Array.from(views.pool.data), test: Array.from(views.test.data) };
  });
  const rowsOf = (rows: number[]): number[] => rows.flatMap((r) => [3 * r, 3 * r + 1, 3 * r + 2]);
  assert.deepEqual(seen.pool, rowsOf(pool));
  assert.deepEqual(seen.test, rowsOf(test));
  assert.deepEqual(x.data, original);
});

test('the order is restored when the run throws, and a bad split is refused', () => {
  const x = numbered(4, 2);
  const original = x.data.slice();
  assert.throws(() => withSplitLayout(x, [3, 1], [0, 2], () => { throw new Error('boom'); }), /boom/);
  assert.deepEqual(x.data, original);
  assert.throws(() => withSplitLayout(x, [0, 1], [1, 2], () => 0), /twice/);
  assert.throws(() => withSplitLayout(x, [0, 1], [2], () => 0), /3 rows, the matrix 4/);
});

test('gather applies random permutations like a copy would', () => {
  const rng = createRng(5);
  for (let trial = 0; trial < 20; trial++) {
    const n = 1 + rng.int(40);
    const x = numbered(n, 2);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const expected = Array.from(order).flatMap((r) => [2 * r, 2 * r + 1]);
    gather(x, order);
    assert.deepEqual(Array.from(x.data), expected);
  }
});
