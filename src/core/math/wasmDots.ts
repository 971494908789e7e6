/**
 * A tiny hand-assembled WebAssembly SIMD kernel for the one hot loop of the engine: dot products of
 * every row of A with every row of B (out = A * B^T). k-means assignment, k-means++ seeding and the
 * classifier's forward pass are all this product. Plain JavaScript reaches ~4.5 GFLOP/s here; f32x4
 * lanes roughly triple that, which is what brings k-means within reach of scikit-learn's BLAS.
 *
 * The module is emitted from bytes below (no build step, no binary file to ship). It computes, for
 * A (n x d) and B (k x d), both row-major with d a multiple of 4 and k a multiple of 4:
 *   out[i*k + j] = sum_t A[i*d + t] * B[j*d + t]
 * `dots2` does the same two rows of A at a time (n even), with the same additions in the same
 * order, so its sums are bit-identical; sharing each B load between two rows makes it ~1.5x faster
 * (the MLP of active transfer learning spends most of its training in this product). `dots2x2`
 * is `dots2` over B two rows at a time instead of four, for k a multiple of 2: k-means with k = 2
 * (the default batch's clusters) then computes no products with padding rows, half of them at 4;
 * `dots4x2` is the same four rows of A at a time. `decodeInt8` turns int8 rows into float32 rows
 * inside the module's memory, so an int8 pool is copied in at a quarter of its floats' bytes.
 */

import { I32, V128, add, block, br, brIf, end, extract, f32x4add, f32x4mul, geU, get, i32c, loop, name, section, set, simd, uleb, v128load } from './wasmAsm';

// Locals.
const [A, B, OUT, N, K, D] = [0, 1, 2, 3, 4, 5];
const [I, CB, J, XROW, C0, ROWB, OUTP, C1, C2, C3] = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const [ACC0, ACC1, ACC2, ACC3, XV] = [16, 17, 18, 19, 20];
const ACCS = [ACC0, ACC1, ACC2, ACC3];
const CPTRS = [C0, C1, C2, C3];

function horizontalSumStore(acc: number, offset: number, ptr = OUTP): number[] {
  return [
    ...get(ptr),
    ...get(acc), ...extract(0),
    ...get(acc), ...extract(1), 0x92,
    ...get(acc), ...extract(2), 0x92,
    ...get(acc), ...extract(3), 0x92,
    0x38, 0, ...uleb(offset),
  ];
}

function body(): number[] {
  const zero = simd(0x0c, ...new Array<number>(16).fill(0));
  const inner: number[] = [
    ...block, ...loop,
    ...get(J), ...get(ROWB), ...geU, ...brIf(1),
    ...get(XROW), ...get(J), ...add, ...v128load(), ...set(XV),
  ];
  for (let c = 0; c < 4; c++) {
    inner.push(
      ...get(ACCS[c]), ...get(XV), ...get(CPTRS[c]), ...get(J), ...add, ...v128load(), ...f32x4mul, ...f32x4add, ...set(ACCS[c]),
    );
  }
  inner.push(...get(J), ...i32c(16), ...add, ...set(J), ...br(0), ...end, ...end);

  const centroidLoop: number[] = [
    ...block, ...loop,
    ...get(CB), ...get(K), ...geU, ...brIf(1),
    ...get(C0), ...get(ROWB), ...add, ...set(C1),
    ...get(C1), ...get(ROWB), ...add, ...set(C2),
    ...get(C2), ...get(ROWB), ...add, ...set(C3),
    ...zero, ...set(ACC0), ...zero, ...set(ACC1), ...zero, ...set(ACC2), ...zero, ...set(ACC3),
    ...i32c(0), ...set(J),
    ...inner,
    ...horizontalSumStore(ACC0, 0), ...horizontalSumStore(ACC1, 4),
    ...horizontalSumStore(ACC2, 8), ...horizontalSumStore(ACC3, 12),
    ...get(OUTP), ...i32c(16), ...add, ...set(OUTP),
    ...get(C3), ...get(ROWB), ...add, ...set(C0),
    ...get(CB), ...i32c(4), ...add, ...set(CB),
    ...br(0), ...end, ...end,
  ];

  const code: number[] = [
    ...get(D), ...i32c(2), 0x74, ...set(ROWB),
    ...get(A), ...set(XROW), ...get(OUT), ...set(OUTP), ...i32c(0), ...set(I),
    ...block, ...loop,
    ...get(I), ...get(N), ...geU, ...brIf(1),
    ...i32c(0), ...set(CB), ...get(B), ...set(C0),
    ...centroidLoop,
    ...get(XROW), ...get(ROWB), ...add, ...set(XROW),
    ...get(I), ...i32c(1), ...add, ...set(I),
    ...br(0), ...end, ...end,
    ...end,
  ];
  const locals = [2, 10, I32, 5, V128];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

/**
 * dots2(a, b, out, n, k, d): the same product `rows` rows of A at a time (n a multiple of `rows`)
 * and `width` rows of B (k a multiple of `width`). Each load of a B vector serves every row of A in
 * the pass (dots2: 6 loads per 8 multiply-adds instead of 5 per 4), and the rows x width
 * accumulators are independent chains of additions, so they overlap: two rows with two of B would
 * be only four, each waiting on its last addition, hence four rows when B goes two at a time. Every
 * product is summed exactly as `dots` sums it.
 */
function dotsRowsBody(rows: 2 | 4, width: 2 | 4): number[] {
  // Locals after the 6 params: i32 first, then v128.
  let next = 6;
  const local = (): number => next++;
  const [I2, CB2, J2, RB, KB] = [local(), local(), local(), local(), local()];
  const ptrs = Array.from({ length: width }, local);
  const xrs = Array.from({ length: rows }, local);
  const ops = Array.from({ length: rows }, local);
  const i32s = next - 6;
  const accs = Array.from({ length: rows }, () => Array.from({ length: width }, local));
  const xs = Array.from({ length: rows }, local);
  const BV = local();
  const v128s = next - 6 - i32s;
  const zero = simd(0x0c, ...new Array<number>(16).fill(0));
  const inner: number[] = [
    ...block, ...loop,
    ...get(J2), ...get(RB), ...geU, ...brIf(1),
    ...xs.flatMap((x, r) => [...get(xrs[r] as number), ...get(J2), ...add, ...v128load(), ...set(x)]),
  ];
  for (let c = 0; c < width; c++) {
    inner.push(...get(ptrs[c] as number), ...get(J2), ...add, ...v128load(), ...set(BV));
    for (let r = 0; r < rows; r++) {
      const acc = (accs[r] as number[])[c] as number;
      inner.push(...get(acc), ...get(xs[r] as number), ...get(BV), ...f32x4mul, ...f32x4add, ...set(acc));
    }
  }
  inner.push(...get(J2), ...i32c(16), ...add, ...set(J2), ...br(0), ...end, ...end);
  const stores: number[] = [];
  for (let c = 0; c < width; c++) for (let r = 0; r < rows; r++) stores.push(...horizontalSumStore((accs[r] as number[])[c] as number, 4 * c, ops[r]));
  const centroidLoop: number[] = [
    ...block, ...loop,
    ...get(CB2), ...get(K), ...geU, ...brIf(1),
    ...ptrs.slice(1).flatMap((ptr, c) => [...get(ptrs[c] as number), ...get(RB), ...add, ...set(ptr)]),
    ...accs.flat().flatMap((acc) => [...zero, ...set(acc)]),
    ...i32c(0), ...set(J2),
    ...inner,
    ...stores,
    ...ops.flatMap((op) => [...get(op), ...i32c(4 * width), ...add, ...set(op)]),
    ...get(ptrs[width - 1] as number), ...get(RB), ...add, ...set(ptrs[0] as number),
    ...get(CB2), ...i32c(width), ...add, ...set(CB2),
    ...br(0), ...end, ...end,
  ];
  const [xr0, op0] = [xrs[0] as number, ops[0] as number];
  const code: number[] = [
    ...get(D), ...i32c(2), 0x74, ...set(RB),
    ...get(K), ...i32c(2), 0x74, ...set(KB),
    ...get(A), ...set(xr0), ...get(OUT), ...set(op0), ...i32c(0), ...set(I2),
    ...block, ...loop,
    ...get(I2), ...get(N), ...geU, ...brIf(1),
    ...xrs.slice(1).flatMap((xr, r) => [...get(xrs[r] as number), ...get(RB), ...add, ...set(xr)]),
    ...ops.slice(1).flatMap((op, r) => [...get(ops[r] as number), ...get(KB), ...add, ...set(op)]),
    ...i32c(0), ...set(CB2), ...get(B), ...set(ptrs[0] as number),
    ...centroidLoop,
    // Each output pointer has walked over its row's outputs: the last one now starts the next pass's first row.
    ...get(ops[rows - 1] as number), ...set(op0),
    ...get(xrs[rows - 1] as number), ...get(RB), ...add, ...set(xr0),
    ...get(I2), ...i32c(rows), ...add, ...set(I2),
    ...br(0), ...end, ...end,
    ...end,
  ];
  const fn = [2, i32s, I32, v128s, V128, ...code];
  return [...uleb(fn.length), ...fn];
}

/** accumulate(a, groups, sums, n, d): sums[groups[i]] += A_i for every row (f32x4 adds). */
function accumulateBody(): number[] {
  const [GA, GROUPS, SUMS, GN, GD] = [0, 1, 2, 3, 4];
  const [GI, GJ, GXROW, GSP, GROWB] = [5, 6, 7, 8, 9];
  /** sums[j + offset bytes] += A_i[j + offset bytes], one f32x4. */
  const addVector = (offset: number): number[] => [
    ...get(GSP), ...get(GJ), ...add,
    ...get(GSP), ...get(GJ), ...add, ...simd(0x00, 0, ...uleb(offset)),
    ...get(GXROW), ...get(GJ), ...add, ...simd(0x00, 0, ...uleb(offset)),
    ...f32x4add, ...simd(0x0b, 0, ...uleb(offset)),
  ];
  const code: number[] = [
    ...get(GD), ...i32c(2), 0x74, ...set(GROWB),
    ...get(GA), ...set(GXROW), ...i32c(0), ...set(GI),
    ...block, ...loop,
    ...get(GI), ...get(GN), ...geU, ...brIf(1),
    ...get(SUMS), ...get(GROUPS), ...get(GI), ...i32c(2), 0x74, ...add, 0x28, 0, 0, ...get(GROWB), 0x6c, ...add, ...set(GSP),
    ...i32c(0), ...set(GJ),
    // Four vectors per pass while they fit (a quarter of the loop's bookkeeping), then one at a time.
    ...block, ...loop,
    ...get(GJ), ...i32c(64), ...add, ...get(GROWB), 0x4b, ...brIf(1),
    ...[0, 16, 32, 48].flatMap(addVector),
    ...get(GJ), ...i32c(64), ...add, ...set(GJ),
    ...br(0), ...end, ...end,
    ...block, ...loop,
    ...get(GJ), ...get(GROWB), ...geU, ...brIf(1),
    ...addVector(0),
    ...get(GJ), ...i32c(16), ...add, ...set(GJ),
    ...br(0), ...end, ...end,
    ...get(GXROW), ...get(GROWB), ...add, ...set(GXROW),
    ...get(GI), ...i32c(1), ...add, ...set(GI),
    ...br(0), ...end, ...end,
    ...end,
  ];
  const fn = [1, 5, I32, ...code];
  return [...uleb(fn.length), ...fn];
}

/**
 * decodeInt8(src, dst, n, d): n rows in the int8 layout of embedding/quantize.ts (a float32 scale,
 * then d int8 codes; rows 4 + d bytes apart) decoded to float32 rows d floats apart, d a multiple
 * of 8. Each value is f32(code * scale), the product JavaScript's decode rounds to float32 (a code
 * times a float32 is exact in double), so the floats are bit-identical to Int8Matrix.readRows'.
 */
function decodeInt8Body(): number[] {
  const [SRC, DST, DN, DD] = [0, 1, 2, 3];
  const [DI, DJ, SROW, DROW, STRIDE, OUTP2] = [4, 5, 6, 7, 8, 9];
  const [SCALE, CODES] = [10, 11];
  const f32load = [0x2a, 0, 0];
  const splat = simd(0x13);
  const load8x8s = simd(0x01, 0, 4);
  const store = (offset: number): number[] => simd(0x0b, 0, ...uleb(offset));
  const widen = (high: boolean): number[] => [
    ...get(CODES), ...simd(high ? 0xa8 : 0xa7), ...simd(0xfa), ...get(SCALE), ...f32x4mul,
  ];
  const code: number[] = [
    ...get(DD), ...i32c(4), ...add, ...set(STRIDE),
    ...get(SRC), ...set(SROW), ...get(DST), ...set(DROW), ...i32c(0), ...set(DI),
    ...block, ...loop,
    ...get(DI), ...get(DN), ...geU, ...brIf(1),
    ...get(SROW), ...f32load, ...splat, ...set(SCALE),
    ...get(DROW), ...set(OUTP2), ...i32c(0), ...set(DJ),
    ...block, ...loop,
    ...get(DJ), ...get(DD), ...geU, ...brIf(1),
    // Eight codes (after the 4-byte scale), sign-extended to i16x8; each half becomes four floats.
    ...get(SROW), ...get(DJ), ...add, ...load8x8s, ...set(CODES),
    ...get(OUTP2), ...widen(false), ...store(0),
    ...get(OUTP2), ...widen(true), ...store(16),
    ...get(OUTP2), ...i32c(32), ...add, ...set(OUTP2),
    ...get(DJ), ...i32c(8), ...add, ...set(DJ),
    ...br(0), ...end, ...end,
    ...get(SROW), ...get(STRIDE), ...add, ...set(SROW),
    ...get(DROW), ...get(DD), ...i32c(2), 0x74, ...add, ...set(DROW),
    ...get(DI), ...i32c(1), ...add, ...set(DI),
    ...br(0), ...end, ...end,
    ...end,
  ];
  const fn = [2, 6, I32, 2, V128, ...code];
  return [...uleb(fn.length), ...fn];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [3, 0x60, 6, I32, I32, I32, I32, I32, I32, 0, 0x60, 5, I32, I32, I32, I32, I32, 0, 0x60, 4, I32, I32, I32, I32, 0]),
    ...section(3, [6, 0, 1, 0, 2, 0, 0]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [7, ...name('dots'), 0x00, 0, ...name('accumulate'), 0x00, 1, ...name('dots2'), 0x00, 2, ...name('decodeInt8'), 0x00, 3, ...name('dots2x2'), 0x00, 4, ...name('dots4x2'), 0x00, 5, ...name('mem'), 0x02, 0]),
    ...section(10, [6, ...body(), ...accumulateBody(), ...dotsRowsBody(2, 4), ...decodeInt8Body(), ...dotsRowsBody(2, 2), ...dotsRowsBody(4, 2)]),
  ];
  return new Uint8Array(bytes);
}

export interface WasmDots {
  readonly memory: WebAssembly.Memory;
  /** Byte offsets into `memory`; see the module comment for the layout contract. */
  dots(a: number, b: number, out: number, n: number, k: number, d: number): void;
  /** The same as `dots` for an even n, two rows of A per pass (faster). */
  dots2(a: number, b: number, out: number, n: number, k: number, d: number): void;
  /** `dots2` with k a multiple of 2 (not 4): the same sums. */
  dots2x2(a: number, b: number, out: number, n: number, k: number, d: number): void;
  /** `dots2x2` four rows of A at a time (n a multiple of 4): the same sums. */
  dots4x2(a: number, b: number, out: number, n: number, k: number, d: number): void;
  /** sums (groups x d, f32) += row i of A into row groups[i] (i32). d a multiple of 4. */
  accumulate(a: number, groups: number, sums: number, n: number, d: number): void;
  /** n int8 rows at src (4 + d bytes each) decoded to float32 rows at dst (d floats each); d a multiple of 8. */
  decodeInt8(src: number, dst: number, n: number, d: number): void;
}

let cached: WasmDots | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is unavailable (callers fall back to JS). */
export function wasmDots(): WasmDots | null {
  if (cached !== undefined) return cached;
  try {
    const module = new WebAssembly.Module(moduleBytes());
    const instance = new WebAssembly.Instance(module, {});
    const exports = instance.exports as unknown as {
      dots: (a: number, b: number, out: number, n: number, k: number, d: number) => void;
      dots2: (a: number, b: number, out: number, n: number, k: number, d: number) => void;
      dots2x2: (a: number, b: number, out: number, n: number, k: number, d: number) => void;
      dots4x2: (a: number, b: number, out: number, n: number, k: number, d: number) => void;
      accumulate: (a: number, groups: number, sums: number, n: number, d: number) => void;
      decodeInt8: (src: number, dst: number, n: number, d: number) => void;
      mem: WebAssembly.Memory;
    };
    cached = { memory: exports.mem, dots: exports.dots, dots2: exports.dots2, dots2x2: exports.dots2x2, dots4x2: exports.dots4x2, accumulate: exports.accumulate, decodeInt8: exports.decodeInt8 };
  } catch {
    cached = null;
  }
  return cached;
}

/** Lets tests exercise the JavaScript fallback on a machine that has SIMD. */
export function disableWasmForTesting(disabled: boolean): void {
  cached = disabled ? null : undefined;
}
