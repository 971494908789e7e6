import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FLOAT16_MAX,
  VECTOR_DTYPES,
  decodeRow,
  decodeRows,
  encodeInt8,
  encodeRow,
  encodeRows,
  fromFloat16Bits,
  rowBytes,
  toFloat16Bits,
  type VectorDtype,
} from '../../../src/core/embedding/quantize';
import { createRng } from '../../../src/core/random';

function roundTrip(dtype: VectorDtype, values: readonly number[]): Float32Array {
  const vector = Float32Array.from(values);
  const bytes = new Uint8Array(rowBytes(dtype, vector.length) + 3);
  // An odd offset: rows sit at any byte in a file.
  encodeRow(dtype, vector, bytes, 3);
  const out = new Float32Array(vector.length);
  decodeRow(dtype, bytes, 3, vector.length, out);
  return out;
}

function gaussianRows(rows: number, dims: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const data = new Float32Array(rows * dims);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * 0.1;
  return data;
}

test('float16: exactly representable values survive, others round to nearest within 2^-11', () => {
  const exact = [0, 1, -1, 0.5, 2048, -0.099975586, FLOAT16_MAX, 2 ** -14, 2 ** -24, -(2 ** -20)];
  assert.deepEqual([...roundTrip('float16', exact)], exact.map((x) => Math.fround(x)));
  const data = gaussianRows(50, 64, 1);
  const back = decodeRows('float16', encodeRows('float16', data, 64), 64);
  let worst = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i] as number;
    if (Math.abs(x) < 2 ** -14) assert.ok(Math.abs((back[i] as number) - x) <= 2 ** -25, `subnormal ${x}`);
    else worst = Math.max(worst, Math.abs((back[i] as number) - x) / Math.abs(x));
  }
  assert.ok(worst <= 2 ** -11, `relative error ${worst}`);
  assert.ok(worst > 0, 'random floats are not all exact halves');
});

test('float16: ties round to even, a carry bumps the exponent, tiny values flush to zero with their sign', () => {
  // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: the even neighbour is 1.
  assert.equal(fromFloat16Bits(toFloat16Bits(1 + 2 ** -11)), 1);
  // 1 + 3 * 2^-11 lies halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even).
  assert.equal(fromFloat16Bits(toFloat16Bits(1 + 3 * 2 ** -11)), 1 + 2 ** -9);
  // Just under 2 rounds up into the next binade.
  assert.equal(fromFloat16Bits(toFloat16Bits(2 - 2 ** -13)), 2);
  assert.equal(toFloat16Bits(2 ** -30), 0);
  assert.equal(toFloat16Bits(-(2 ** -30)), 0x8000);
  assert.ok(Object.is(fromFloat16Bits(0x8000), -0));
  // Halfway to the smallest subnormal (2^-25) rounds to even, i.e. zero; just above it rounds up.
  assert.equal(toFloat16Bits(2 ** -25), 0);
  assert.equal(fromFloat16Bits(toFloat16Bits(2 ** -25 * 1.5)), 2 ** -24);
});

test('float16: values beyond its range are refused, not saturated', () => {
  assert.equal(fromFloat16Bits(toFloat16Bits(65519)), FLOAT16_MAX);
  assert.throws(() => toFloat16Bits(65520), /beyond float16's range/);
  assert.throws(() => roundTrip('float16', [0, -1e6]), /element 1 is -1000000: beyond float16's range/);
});

test('int8: every element within half a step (max|x| / 254) of the original', () => {
  const dims = 384;
  const data = gaussianRows(40, dims, 2);
  const back = decodeRows('int8', encodeRows('int8', data, dims), dims);
  for (let r = 0; r < 40; r++) {
    let maxAbs = 0;
    for (let i = 0; i < dims; i++) maxAbs = Math.max(maxAbs, Math.abs(data[r * dims + i] as number));
    for (let i = 0; i < dims; i++) {
      const err = Math.abs((back[r * dims + i] as number) - (data[r * dims + i] as number));
      assert.ok(err <= (maxAbs / 254) * (1 + 1e-6), `row ${r} element ${i}: error ${err}, bound ${maxAbs / 254}`);
    }
  }
  // The largest magnitude is (nearly) kept: the scale is chosen from it.
  const row = roundTrip('int8', [0.25, -0.5, 0.125]);
  assert.ok(Math.abs((row[1] as number) + 0.5) < 1e-6, `${row[1]}`);
});

test('int8: a zero row decodes to zeros; one element set gives it back exactly in sign and size', () => {
  assert.deepEqual([...roundTrip('int8', [0, 0, 0, 0])], [0, 0, 0, 0]);
  const one = roundTrip('int8', [0, -3, 0]);
  assert.equal(one[0], 0);
  assert.ok(Math.abs((one[1] as number) + 3) <= 3 / 254, `${one[1]}`);
});

test('int8: extreme magnitudes neither overflow nor vanish', () => {
  const big = roundTrip('int8', [3.4028234663852886e38, -1e38, 1]);
  assert.ok(Number.isFinite(big[0]) && (big[0] as number) > 3.3e38, `${big[0]}`);
  assert.ok(Math.abs((big[1] as number) + 1e38) <= 3.41e38 / 254, `${big[1]}`);
  // A row of subnormals: the scale must not underflow to 0 and zero the row.
  const tiny = roundTrip('int8', [1e-44, -1e-44]);
  assert.ok((tiny[0] as number) > 0 && (tiny[1] as number) < 0, `${tiny[0]} ${tiny[1]}`);
  const small = roundTrip('int8', [1e-30, -5e-31]);
  assert.ok(Math.abs((small[0] as number) - 1e-30) <= 1e-30 / 254 + 1e-45, `${small[0]}`);
});

test('every dtype refuses NaN and infinities, naming the element', () => {
  for (const dtype of VECTOR_DTYPES) {
    for (const bad of [NaN, Infinity, -Infinity]) {
      assert.throws(() => roundTrip(dtype, [0.1, bad]), new RegExp(`element 1 is ${String(bad)}`), `${dtype} ${bad}`);
    }
  }
});

test('float32 is stored bit for bit, and each dtype takes the bytes it says', () => {
  const data = gaussianRows(3, 5, 3);
  assert.deepEqual(decodeRows('float32', encodeRows('float32', data, 5), 5), data);
  assert.equal(encodeRows('float32', data, 5).length, 3 * 20);
  assert.equal(encodeRows('float16', data, 5).length, 3 * 10);
  assert.equal(encodeRows('int8', data, 5).length, 3 * 9);
});

/** The int8 encoding as first written (Math.round), as a reference for the faster rounding. */
function referenceInt8(vector: Float32Array): Uint8Array {
  let maxAbs = 0;
  for (const v of vector) maxAbs = Math.max(maxAbs, Math.abs(v));
  const out = new Uint8Array(4 + vector.length);
  // Same scale: encodeRow's own (its first four bytes), which this test does not re-derive.
  encodeRow('int8', vector, out, 0);
  const scale = new DataView(out.buffer).getFloat32(0, true);
  const inv = scale === 0 ? 0 : 1 / scale;
  vector.forEach((v, i) => (out[4 + i] = Math.max(-127, Math.min(127, Math.round(v * inv))) & 0xff));
  return out;
}

test('int8: the codes are Math.round\'s, on random rows and on values that fall on and beside half steps', () => {
  const rng = createRng(17);
  const rows: Float32Array[] = [];
  for (let r = 0; r < 3000; r++) rows.push(Float32Array.from({ length: 1 + rng.int(64) }, () => rng.normal() * 10 ** (rng.int(9) - 4)));
  // max|x| = 127 makes the scale 1: every k + 0.5 and its float32 neighbours are hit exactly.
  for (let k = -127; k < 127; k++) {
    const half = k + 0.5;
    rows.push(Float32Array.from([127, half, Math.fround(half - 2 ** -18), Math.fround(half + 2 ** -18), -k, k]));
  }
  for (const row of rows) {
    const got = new Uint8Array(4 + row.length);
    encodeRow('int8', row, got, 0);
    assert.deepEqual(got, referenceInt8(row), `row ${Array.from(row.slice(0, 4)).join(', ')}`);
  }
});

test('int8: encoding a row times a factor matches encoding the scaled row, code for code within one', () => {
  const rng = createRng(23);
  for (let r = 0; r < 500; r++) {
    const row = Float32Array.from({ length: 48 }, () => rng.normal());
    let maxAbs = 0;
    let sum = 0;
    for (const v of row) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
      sum += v * v;
    }
    const factor = 1 / Math.sqrt(sum);
    const fused = new Uint8Array(4 + row.length);
    encodeInt8(row, maxAbs, factor, fused, 0);
    const scaled = new Uint8Array(4 + row.length);
    encodeRow('int8', row.map((v) => v * factor), scaled, 0);
    const a = new Float32Array(row.length);
    const b = new Float32Array(row.length);
    decodeRow('int8', fused, 0, row.length, a);
    decodeRow('int8', scaled, 0, row.length, b);
    const step = (maxAbs * factor) / 127;
    for (let j = 0; j < row.length; j++) assert.ok(Math.abs(a[j]! - b[j]!) <= step * 1.0001, `row ${r} [${j}]: ${a[j]} vs ${b[j]}`);
  }
});
