/**
 * The product of an int8 pool (embedding/int8Matrix.ts) with a head's weights, read as stored
 * (math/product.ts: the int8 bytes are copied into the WebAssembly kernel's memory and decoded
 * there). It must equal, bit for bit, the product of the decoded float32 rows: the kernel decodes
 * each value to f32(code * scale) exactly as Int8Matrix.readRows does and then runs the very same
 * SIMD product on those floats, so the summation order is the same and no tolerance is needed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Int8Matrix } from '../../../src/core/embedding/int8Matrix';
import { encodedFullDecodes, matrix, rowsView } from '../../../src/core/math/matrix';
import { multiplyTransposed } from '../../../src/core/math/product';
import { disableWasmForTesting, wasmDots } from '../../../src/core/math/wasmDots';
import { DenseHead } from '../../../src/core/model/head';
import { createRng, type Rng } from '../../../src/core/random';
import type { Matrix } from '../../../src/core/types';

/** Rows of varied magnitude (scales from 1e-3 to 1e3), a zero row and a row never written. */
function int8Pool(rows: number, cols: number, rng: Rng): Int8Matrix {
  const q = new Int8Matrix(rows, cols);
  for (let r = 0; r < rows; r++) {
    if (r === 3) continue; // never written: reads as zeros
    const magnitude = 10 ** (rng.next() * 6 - 3);
    const v = Float32Array.from({ length: cols }, () => (r === 1 ? 0 : rng.normal() * magnitude));
    q.putVector(r, v);
  }
  return q;
}

function decoded(q: Int8Matrix): Matrix {
  const out = new Float32Array(q.rows * q.cols);
  q.readRows(0, q.rows, out, 0);
  return matrix(q.rows, q.cols, out);
}

function weights(rows: number, cols: number, rng: Rng): Matrix {
  return matrix(rows, cols, Float32Array.from({ length: rows * cols }, () => rng.normal()));
}

/** Bit equality, -0 and +0 told apart only where both are zero (they compare equal either way). */
function assertSameFloats(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) assert.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

for (const kernel of ['wasm', 'js'] as const) {
  test(`int8 rows times B^T equals the decoded rows times B^T exactly (${kernel}), never decoding the pool whole`, () => {
    disableWasmForTesting(kernel === 'js');
    try {
      if (kernel === 'wasm') assert.ok(wasmDots() !== null, 'WebAssembly SIMD is available in Node 20');
      const rng = createRng(17);
      // 8, 16 and 384 columns take the kernel's int8 path; 9 and 12 the JavaScript decode.
      for (const [rows, cols, k] of [[1, 8, 1], [7, 8, 3], [301, 16, 4], [257, 384, 4], [130, 384, 64], [33, 9, 5], [40, 12, 2]] as const) {
        const q = int8Pool(rows, cols, rng);
        const x = decoded(q);
        const b = weights(k, cols, rng);
        const before = encodedFullDecodes();
        const actual = multiplyTransposed(q, b);
        assert.equal(encodedFullDecodes(), before, `${rows}x${cols}: decoded whole`);
        assertSameFloats(actual, multiplyTransposed(x, b), `${rows}x${cols} . ${k}`);
      }
    } finally {
      disableWasmForTesting(false);
    }
  });
}

test('int8 rows out of order (a permuted pool, a view) are read from their own places', () => {
  const rng = createRng(3);
  const q = int8Pool(300, 24, rng);
  const order = Int32Array.from({ length: 300 }, (_, i) => (i * 7 + 5) % 300);
  q.permute(order);
  const b = weights(6, 24, rng);
  assertSameFloats(multiplyTransposed(q, b), multiplyTransposed(decoded(q), b), 'permuted');
  const view = rowsView(q, 37, 211) as Int8Matrix;
  assertSameFloats(multiplyTransposed(view, b), multiplyTransposed(decoded(view), b), 'view');
});

test('a head predicts an int8 pool exactly as its decoded rows: logistic and MLP', () => {
  const rng = createRng(8);
  const q = int8Pool(203, 32, rng);
  const x = decoded(q);
  const param = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal() * 0.3);
  const logistic = new DenseHead('logistic', 'single', ['a', 'b', 'c'], 32, 1, { w1: new Float32Array(0), b1: new Float32Array(0), w2: param(3 * 32), b2: param(3) });
  const mlp = new DenseHead('mlp', 'multi', ['a', 'b', 'c', 'd', 'e'], 32, 1, { w1: param(20 * 32), b1: param(20), w2: param(5 * 20), b2: param(5) });
  for (const head of [logistic, mlp]) {
    const before = encodedFullDecodes();
    const p = head.predict(q);
    assert.equal(encodedFullDecodes(), before);
    const expected = head.predict(x);
    assertSameFloats(p.logits.data, expected.logits.data, `${head.kind} logits`);
    assertSameFloats(p.probs.data, expected.probs.data, `${head.kind} probs`);
    if (head.kind === 'mlp') assertSameFloats(p.hidden.data, expected.hidden.data, 'mlp hidden');
    else assert.equal(p.hidden, q, 'a logistic head hands back its input');
  }
});
