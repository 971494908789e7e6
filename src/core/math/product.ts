import type { Matrix } from '../types';
import { type EncodedMatrix, isEncoded, isInt8Rows, rowRange } from './matrix';
import { type WasmDots, wasmDots } from './wasmDots';

/**
 * out = A * B^T, i.e. out[i*k + j] = A_i . B_j, for A (n x d) and B (k x d).
 *
 * The WebAssembly kernel needs d and k padded to multiples of 4 and its operands inside its own
 * memory, so rows are copied in chunks (bounded memory at 100,000+ rows). A `RowDotter` keeps A
 * resident across calls, which is what iterative callers (k-means) want.
 */
const CHUNK_BYTES = 8 * 1024 * 1024;
const RESIDENT_LIMIT_BYTES = 160 * 1024 * 1024;
const PAGE = 65536;

let residentOwner: object | null = null;

const up4 = (v: number): number => (v + 3) & ~3;
const up2 = (v: number): number => (v + 1) & ~1;

/**
 * Output floats per row of the kernel's product with k rows of B: k rounded up to 2 when B's rows
 * can go through the kernel two at a time with fewer padding rows than four at a time (k = 1, 2,
 * 5, 6, ...), else to 4. Either way each product is summed the same way (wasmDots.ts).
 */
const strideFor = (k: number): number => (up2(k) < up4(k) ? up2(k) : up4(k));

/**
 * `rows` rows of A at byte offset `aAt` times B (at `bAt`, zero-padded to up4(k) rows) into `outAt`,
 * `stride` floats per row (strideFor): pairs of rows through dots2, or with B two rows at a time
 * fours through dots4x2 and a last pair through dots2x2; an odd last row through dots, which writes
 * up4(k) floats (the output region holds rows * up4(k)).
 */
function kernelRows(kernel: WasmDots, aAt: number, bAt: number, outAt: number, rows: number, stride: number, d4: number): void {
  let done = 0;
  const at = (row: number): readonly [number, number] => [aAt + row * d4 * 4, outAt + row * stride * 4];
  if (stride % 4 !== 0) {
    done = rows & ~3;
    if (done > 0) kernel.dots4x2(aAt, bAt, outAt, done, stride, d4);
  }
  const even = rows & ~1;
  if (even > done) {
    const [a, out] = at(done);
    (stride % 4 === 0 ? kernel.dots2 : kernel.dots2x2)(a, bAt, out, even - done, stride, d4);
  }
  if (rows > even) {
    const [a, out] = at(even);
    kernel.dots(a, bAt, out, 1, up4(stride), d4);
  }
}

function ensureBytes(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
}

/** Writes rows [from, to) of `m` into `heap` at float offset `at`, each padded to `stride`. */
function copyRows(heap: Float32Array, at: number, m: Matrix, from: number, to: number, stride: number): void {
  if (stride === m.cols) {
    heap.set(m.data.subarray(from * m.cols, to * m.cols), at);
    return;
  }
  for (let r = from; r < to; r++) {
    const o = at + (r - from) * stride;
    heap.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), o);
    heap.fill(0, o + m.cols, o + stride);
  }
}

function jsProduct(a: Matrix, b: Matrix, out: Float32Array, rowFrom: number, rowTo: number): void {
  const d = a.cols;
  const k = b.rows;
  const A = a.data;
  const B = b.data;
  for (let i = rowFrom; i < rowTo; i++) {
    const xo = i * d;
    let c = 0;
    for (; c + 4 <= k; c += 4) {
      const p0 = c * d;
      const p1 = p0 + d;
      const p2 = p1 + d;
      const p3 = p2 + d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < d; j++) {
        const x = A[xo + j];
        s0 += x * B[p0 + j];
        s1 += x * B[p1 + j];
        s2 += x * B[p2 + j];
        s3 += x * B[p3 + j];
      }
      const o = i * k + c;
      out[o] = s0;
      out[o + 1] = s1;
      out[o + 2] = s2;
      out[o + 3] = s3;
    }
    for (; c < k; c++) {
      let s = 0;
      const p = c * d;
      for (let j = 0; j < d; j++) s += A[xo + j] * B[p + j];
      out[i * k + c] = s;
    }
  }
}

/** Copies the kernel's output rows, `k4` floats apart, into `out` (k-strided). */
function readOut(heap: Float32Array, at: number, rows: number, k: number, k4: number, out: Float32Array, outRow: number): void {
  if (k === k4) {
    out.set(heap.subarray(at, at + rows * k), outRow * k);
    return;
  }
  if (k >= 64) {
    for (let r = 0; r < rows; r++) out.set(heap.subarray(at + r * k4, at + r * k4 + k), (outRow + r) * k);
    return;
  }
  // Few columns (k-means with k = 2, a head's classes): a plain loop; a subarray per row costs more.
  let o = outRow * k;
  for (let r = 0; r < rows; r++) {
    const src = at + r * k4;
    for (let c = 0; c < k; c++) out[o++] = heap[src + c] as number;
  }
}

/** Computes A * B^T for a fixed A, keeping A inside the kernel's memory between calls when it fits. */
export class RowDotter {
  private readonly token = {};
  private readonly stride: number;

  /** `keepResident: false` streams A in chunks on every call (one-off products of large A). */
  constructor(
    readonly a: Matrix,
    private readonly keepResident = true,
  ) {
    this.stride = up4(a.cols);
  }

  /** Row sums per group: out[g] = sum of A_i over rows with groups[i] = g (groups x a.cols). */
  groupSums(groups: Int32Array, groupCount: number): Float32Array {
    const { a } = this;
    const d = a.cols;
    const out = new Float32Array(groupCount * d);
    const kernel = wasmDots();
    const d4 = this.stride;
    const aBytes = a.rows * d4 * 4;
    if (!kernel || !this.keepResident || aBytes > RESIDENT_LIMIT_BYTES) {
      const A = a.data;
      for (let i = 0; i < a.rows; i++) {
        const so = groups[i] * d;
        const xo = i * d;
        for (let j = 0; j < d; j++) out[so + j] += A[xo + j];
      }
      return out;
    }
    const groupsAt = a.rows * d4;
    const sumsAt = groupsAt + a.rows;
    ensureBytes(kernel.memory, (sumsAt + groupCount * d4) * 4);
    const heap = new Float32Array(kernel.memory.buffer);
    if (residentOwner !== this.token) {
      copyRows(heap, 0, a, 0, a.rows, d4);
      residentOwner = this.token;
    }
    new Int32Array(kernel.memory.buffer, groupsAt * 4, a.rows).set(groups);
    heap.fill(0, sumsAt, sumsAt + groupCount * d4);
    kernel.accumulate(0, groupsAt * 4, sumsAt * 4, a.rows, d4);
    if (d4 === d) out.set(heap.subarray(sumsAt, sumsAt + groupCount * d));
    else for (let g = 0; g < groupCount; g++) out.set(heap.subarray(sumsAt + g * d4, sumsAt + g * d4 + d), g * d);
    return out;
  }

  /** out (a.rows x b.rows) = A * B^T. */
  dots(b: Matrix, out: Float32Array = new Float32Array(this.a.rows * b.rows)): Float32Array {
    const { a } = this;
    if (b.cols !== a.cols) throw new RangeError(`cannot multiply ${a.cols}-d rows with ${b.cols}-d rows`);
    if (out.length < a.rows * b.rows) throw new RangeError('output buffer too small');
    if (a.rows === 0 || b.rows === 0) return out;
    const kernel = wasmDots();
    if (!kernel) {
      jsProduct(a, b, out, 0, a.rows);
      return out;
    }
    const d4 = this.stride;
    const k4 = up4(b.rows);
    const stride = strideFor(b.rows);
    const aBytes = a.rows * d4 * 4;
    const resident = this.keepResident && aBytes <= RESIDENT_LIMIT_BYTES;
    const chunkRows = resident ? a.rows : Math.max(16, Math.floor(CHUNK_BYTES / ((d4 + k4) * 4)));
    const aRegion = (resident ? a.rows : chunkRows) * d4;
    const bAt = aRegion;
    const outAt = bAt + k4 * d4;
    ensureBytes(kernel.memory, (outAt + chunkRows * k4) * 4);
    const heap = new Float32Array(kernel.memory.buffer);
    if (resident && residentOwner !== this.token) {
      copyRows(heap, 0, a, 0, a.rows, d4);
      residentOwner = this.token;
    } else if (!resident) {
      residentOwner = null;
    }
    copyRows(heap, bAt, b, 0, b.rows, d4);
    heap.fill(0, bAt + b.rows * d4, bAt + k4 * d4);
    for (let from = 0; from < a.rows; from += chunkRows) {
      const to = Math.min(a.rows, from + chunkRows);
      let aAt = from * d4;
      if (!resident) {
        copyRows(heap, 0, a, from, to, d4);
        aAt = 0;
      }
      kernelRows(kernel, aAt * 4, bAt * 4, outAt * 4, to - from, stride, d4);
      readOut(heap, outAt, to - from, b.rows, stride, out, from);
    }
    return out;
  }
}

/** out (a.rows x b.rows) = A * B^T, one-off (A is streamed through the kernel in chunks; an encoded A is decoded a chunk at a time). */
export function multiplyTransposed(a: Matrix, b: Matrix, out?: Float32Array): Float32Array {
  if (isEncoded(a)) return encodedProduct(a, b, out ?? new Float32Array(a.rows * b.rows));
  return new RowDotter(a, false).dots(b, out);
}

/** Rows of an encoded A decoded per kernel call: their floats stay in cache between the decode and the product. */
const ENCODED_CHUNK_ROWS = 128;

/**
 * A * B^T for an encoded A, bit-identical to the product of its decoded rows (the same kernel on
 * the same floats). Int8 rows are copied into the kernel's memory as stored, a quarter of the
 * bytes of their floats, and decoded there; other encodings are decoded in JavaScript a chunk at
 * a time. A is never decoded whole.
 */
function encodedProduct(a: EncodedMatrix, b: Matrix, out: Float32Array): Float32Array {
  if (b.cols !== a.cols) throw new RangeError(`cannot multiply ${a.cols}-d rows with ${b.cols}-d rows`);
  if (out.length < a.rows * b.rows) throw new RangeError('output buffer too small');
  const kernel = wasmDots();
  const d = a.cols;
  if (kernel === null || !isInt8Rows(a) || d % 8 !== 0) {
    const chunk = Math.max(ENCODED_CHUNK_ROWS, Math.floor(CHUNK_BYTES / (4 * Math.max(1, d))));
    const scratch = new Float32Array(Math.min(a.rows, chunk) * d);
    for (let from = 0; from < a.rows; from += chunk) {
      const to = Math.min(a.rows, from + chunk);
      new RowDotter(rowRange(a, from, to, scratch), false).dots(b, out.subarray(from * b.rows, to * b.rows));
    }
    return out;
  }
  const k = b.rows;
  const k4 = up4(k);
  const stride = 4 + d;
  const chunkRows = Math.min(a.rows, ENCODED_CHUNK_ROWS);
  // Byte regions: the stored rows, their floats, B (k4 x d), the output (chunkRows x k4).
  const xAt = ((chunkRows * stride + 15) & ~15) / 4;
  const bAt = xAt + chunkRows * d;
  const outAt = bAt + k4 * d;
  ensureBytes(kernel.memory, (outAt + chunkRows * k4) * 4);
  residentOwner = null;
  const heap = new Float32Array(kernel.memory.buffer);
  const raw = new Int8Array(kernel.memory.buffer);
  copyRows(heap, bAt, b, 0, k, d);
  heap.fill(0, bAt + k * d, bAt + k4 * d);
  for (let from = 0; from < a.rows; from += chunkRows) {
    const to = Math.min(a.rows, from + chunkRows);
    const rows = to - from;
    a.copyEncodedRows(from, to, raw, 0);
    kernel.decodeInt8(0, xAt * 4, rows, d);
    kernelRows(kernel, xAt * 4, bAt * 4, outAt * 4, rows, strideFor(k), d);
    readOut(heap, outAt, rows, k, strideFor(k), out, from);
  }
  return out;
}
