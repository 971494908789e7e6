/**
 * src/core/math against plain, obviously-correct reference loops in float64: the matrix helpers,
 * the WebAssembly SIMD product and its JS fallback (the same answers either way), on shapes that
 * are not multiples of the kernel's 4-wide lanes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRows, matrix, meanRow, normalizeRows, row, rowDot, rowSquaredNorms, stackRows, takeRows } from '../../../src/core/math/matrix';
import { multiplyTransposed, RowDotter } from '../../../src/core/math/product';
import { disableWasmForTesting, wasmDots } from '../../../src/core/math/wasmDots';
import { createRng } from '../../../src/core/random';
import type { Matrix } from '../../../src/core/types';

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = createRng(seed);
  return matrix(rows, cols, Float32Array.from({ length: rows * cols }, () => rng.next() * 2 - 1));
}

/** A * B^T by the textbook triple loop, in float64. */
function reference(a: Matrix, b: Matrix): Float64Array {
  const out = new Float64Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      for (let k = 0; k < a.cols; k++) s += a.data[i * a.cols + k]! * b.data[j * b.cols + k]!;
      out[i * b.rows + j] = s;
    }
  return out;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('matrix helpers: shape checks, row views, gathers, norms, means, stacking', () => {
  assert.throws(() => matrix(2, 3, new Float32Array(5)), /5 values, expected 2 x 3/);
  assert.throws(() => fromRows([[1, 2], [3]]), /row 1 has 1 values/);
  const m = fromRows([[3, 4, 0], [0, 0, 0], [1, 2, 2]]);
  assert.deepEqual([...row(m, 2)], [1, 2, 2]);
  row(m, 0)[2] = 0; // a view, not a copy
  assert.deepEqual([...takeRows(m, [2, 0]).data], [1, 2, 2, 3, 4, 0]);
  assert.deepEqual([...rowSquaredNorms(m)], [25, 0, 9]);
  assert.deepEqual([...meanRow(m)], [4 / 3, 2, 2 / 3]);
  assert.deepEqual([...meanRow(matrix(0, 3))], [0, 0, 0], 'an empty matrix has a zero mean, not NaN');
  assert.equal(rowDot(m, 2, [1, 1, 1]), 5);
  const n = normalizeRows(m);
  assertClose(row(n, 0), [0.6, 0.8, 0], 1e-7, 'unit row');
  assert.deepEqual([...row(n, 1)], [0, 0, 0], 'a zero row stays zero');
  const bad = normalizeRows(fromRows([[NaN, 1], [Infinity, 0]]));
  assert.deepEqual([...bad.data], [0, 0, 0, 0], 'NaN and Infinity rows become zero, never NaN downstream');
  // In place: the same floats (-0s of a zero row kept), in the matrix itself.
  const mixed = fromRows([[3, 4, 0], [NaN, 1, 2], [-0, 0, -0], [1e-20, -2e-20, 5], [Infinity, 1, 1], [0.1, 0.2, 0.3]]);
  const copy = normalizeRows(mixed);
  const same = normalizeRows(mixed, true);
  assert.equal(same.data, mixed.data);
  assert.ok(same.data.every((v, i) => Object.is(v, copy.data[i])), `${[...same.data]} vs ${[...copy.data]}`);
  const stacked = stackRows([fromRows([[1, 2]]), fromRows([[3, 4], [5, 6]])], 2);
  assert.deepEqual([stacked.rows, ...stacked.data], [3, 1, 2, 3, 4, 5, 6]);
});

for (const kernel of ['wasm', 'js'] as const) {
  test(`A * B^T with the ${kernel} kernel equals the reference, for odd shapes and chunked A`, () => {
    disableWasmForTesting(kernel === 'js');
    try {
      if (kernel === 'wasm') assert.ok(wasmDots() !== null, 'WebAssembly SIMD is available in Node 20');
      for (const [rows, cols, others] of [[1, 1, 1], [7, 5, 3], [33, 19, 9], [300, 384, 17]] as const) {
        const a = randomMatrix(rows, cols, rows * 31 + cols);
        const b = randomMatrix(others, cols, others * 7 + 1);
        const expected = reference(a, b);
        assertClose(multiplyTransposed(a, b), expected, 1e-4, `${kernel} ${rows}x${cols} * ${others}x${cols}`);
        const dotter = new RowDotter(a, false);
        assertClose(dotter.dots(b), expected, 1e-4, `${kernel} streamed ${rows}x${cols}`);
        const resident = new RowDotter(a);
        assertClose(resident.dots(b), expected, 1e-4, `${kernel} resident, first call`);
        assertClose(resident.dots(b), expected, 1e-4, `${kernel} resident, second call reuses A`);
      }
    } finally {
      disableWasmForTesting(false);
    }
  });
}

test('the several-rows-per-pass kernels (dots2; dots2x2 and dots4x2 over B two rows at a time) give exactly the one-row kernel\'s sums', () => {
  const kernel = wasmDots();
  assert.ok(kernel, 'WebAssembly SIMD is available in Node 20');
  const [n, k, d] = [10, 12, 20];
  const a = randomMatrix(n, d, 5);
  const b = randomMatrix(k, d, 6);
  // Past the memory in use (a resident matrix of another product may sit at offset 0).
  const base = kernel.memory.buffer.byteLength / 4;
  kernel.memory.grow(1);
  const [aAt, bAt, out1, out2] = [base, base + n * d, base + n * d + k * d, base + n * d + k * d + n * k];
  const heap = new Float32Array(kernel.memory.buffer);
  heap.set(a.data, aAt);
  heap.set(b.data, bAt);
  kernel.dots(aAt * 4, bAt * 4, out1 * 4, n, k, d);
  kernel.dots2(aAt * 4, bAt * 4, out2 * 4, n, k, d);
  const one = Array.from(heap.subarray(out1, out1 + n * k));
  assert.deepEqual(Array.from(heap.subarray(out2, out2 + n * k)), one);
  heap.fill(0, out2, out2 + n * k);
  kernel.dots2x2(aAt * 4, bAt * 4, out2 * 4, n, k, d);
  assert.deepEqual(Array.from(heap.subarray(out2, out2 + n * k)), one, 'dots2x2');
  // k = 2 (k-means' default): the first two columns of the same products, two floats per row.
  heap.fill(0, out2, out2 + n * k);
  kernel.dots2x2(aAt * 4, bAt * 4, out2 * 4, n, 2, d);
  assert.deepEqual(Array.from(heap.subarray(out2, out2 + n * 2)), one.flatMap((v, i) => (i % k < 2 ? [v] : [])), 'dots2x2 with k = 2');
  // Four rows of A at a time (n = 8 of the 10).
  heap.fill(0, out2, out2 + n * k);
  kernel.dots4x2(aAt * 4, bAt * 4, out2 * 4, 8, k, d);
  assert.deepEqual(Array.from(heap.subarray(out2, out2 + 8 * k)), one.slice(0, 8 * k), 'dots4x2');
  heap.fill(0, out2, out2 + n * k);
  kernel.dots4x2(aAt * 4, bAt * 4, out2 * 4, 8, 2, d);
  assert.deepEqual(Array.from(heap.subarray(out2, out2 + 8 * 2)), one.slice(0, 8 * k).flatMap((v, i) => (i % k < 2 ? [v] : [])), 'dots4x2 with k = 2');
  assertClose(Float32Array.from(one), reference(a, b), 1e-4, 'dots against the reference');
});

test('group sums add the rows of each group', () => {
  const a = fromRows([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]]);
  const sums = new RowDotter(a).groupSums(Int32Array.from([0, 1, 0, 1]), 2);
  assert.deepEqual([...sums], [8, 10, 12, 5, 6, 7]);
  // The kernel (resident rows, four vectors per pass and a remainder) adds exactly as the JavaScript loop (streamed rows).
  for (const cols of [37, 64, 384]) {
    const m = randomMatrix(301, cols, cols);
    const groups = Int32Array.from({ length: m.rows }, (_, i) => (i * 7) % 5);
    assert.deepEqual(new RowDotter(m).groupSums(groups, 5), new RowDotter(m, false).groupSums(groups, 5), `${cols} columns`);
  }
});
