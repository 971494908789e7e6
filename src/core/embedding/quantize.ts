/**
 * Vector storage types: how one row of floats is kept as bytes, in the embedding cache file and its
 * spill file. `float32` is the float as is; `float16` is IEEE 754 half precision (round to nearest
 * even, relative error at most 2^-11 for |x| >= 2^-14); `int8` is a per-row symmetric scale (a
 * float32 `s = max|x| / 127`) followed by `round(x / s)` in [-127, 127], so every element is off by
 * at most `s / 2`. docs/benchmarks.md ("Quantized vectors") measures what each costs the head and
 * the strategies' picks; DEFAULT_VECTOR_DTYPE is chosen from those figures.
 *
 * All byte layouts are little endian. Encoding refuses NaN and infinities (and, for float16, values
 * beyond its range, ±65504) with a RangeError: a row is stored faithfully or not at all.
 */

export const VECTOR_DTYPES = ['float32', 'float16', 'int8'] as const;
export type VectorDtype = (typeof VECTOR_DTYPES)[number];

/** What new caches store: see docs/benchmarks.md, "Quantized vectors". */
export const DEFAULT_VECTOR_DTYPE: VectorDtype = 'int8';

/**
 * How an embedder's vectors are kept, in the cache and in a session's pool: a model's in
 * DEFAULT_VECTOR_DTYPE; the user's own vectors (a `.npy`/`.jsonl` file) as their loader chose
 * (`precomputedStorage`), float32 when it did not say.
 */
export function cacheDtypeFor(embedder: { readonly kind: string; readonly storage?: VectorDtype }): VectorDtype {
  return embedder.kind === 'precomputed' ? (embedder.storage ?? 'float32') : DEFAULT_VECTOR_DTYPE;
}

/**
 * Above this many bytes of float32, the user's own vectors are kept as int8 (a quarter of it)
 * instead of exactly as given: 256 MiB is 175,000 rows of 384 floats. At a million rows float32
 * alone would be 1.5 GB, past what the worker may hold; int8 moves a head's accuracy by at most
 * 1.8 points in docs/benchmarks.md ("Quantized vectors"), the same trade a model's vectors make.
 */
export const PRECOMPUTED_FLOAT32_BYTES = 256 * 1024 * 1024;

/** How `rows` x `cols` vectors from the user's file are kept in memory. */
export function precomputedStorage(rows: number, cols: number): VectorDtype {
  return rows * cols * 4 <= PRECOMPUTED_FLOAT32_BYTES ? 'float32' : 'int8';
}

/** The largest finite float16. */
export const FLOAT16_MAX = 65504;

export function isVectorDtype(value: unknown): value is VectorDtype {
  return typeof value === 'string' && (VECTOR_DTYPES as readonly string[]).includes(value);
}

/** Bytes one row of `dims` floats takes in `dtype`. */
export function rowBytes(dtype: VectorDtype, dims: number): number {
  switch (dtype) {
    case 'float32':
      return dims * 4;
    case 'float16':
      return dims * 2;
    case 'int8':
      return 4 + dims;
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bytes4 = new Uint8Array(f32.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Every half's value, indexed by its 16 bits (NaN and ±Infinity included, so decoding can check). */
const HALF_TO_FLOAT = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    table[h] = exp === 0 ? sign * mant * 2 ** -24 : exp === 31 ? (mant !== 0 ? NaN : sign * Infinity) : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return table;
})();

function notFinite(value: number, index: number): RangeError {
  return new RangeError(`element ${index} is ${value}: only finite numbers can be stored`);
}

/** The float16 bits nearest to `x` (ties to even); throws for NaN, infinities and |x| beyond FLOAT16_MAX. */
export function toFloat16Bits(x: number, index = 0): number {
  if (!Number.isFinite(x)) throw notFinite(x, index);
  f32[0] = x;
  const bits = u32[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exp = ((bits >>> 23) & 0xff) - 127 + 15;
  let mant = bits & 0x7fffff;
  let half: number;
  if (exp <= 0) {
    // Subnormal half (or zero): shift the full 24-bit significand down, rounding to nearest even.
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
  } else {
    half = (exp << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    // A carry out of the mantissa correctly bumps the exponent.
    if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  }
  if (half >= 0x7c00) throw new RangeError(`element ${index} is ${x}: beyond float16's range (±${FLOAT16_MAX})`);
  return sign | half;
}

export function fromFloat16Bits(bits: number): number {
  return HALF_TO_FLOAT[bits & 0xffff] as number;
}

/** The float32 just below positive `x` (x > 0). */
function nextDown(x: number): number {
  f32[0] = x;
  u32[0] = (u32[0] as number) - 1;
  return f32[0];
}

/**
 * The int8 scale of a row whose largest magnitude is `maxAbs`: a float32 with 127·s <= maxAbs (so
 * decoding never overflows float32), and never 0 for a row that is not all zeros.
 */
function int8Scale(maxAbs: number): number {
  if (maxAbs === 0) return 0;
  let scale = Math.fround(maxAbs / 127);
  if (scale === 0) return 2 ** -149;
  if (Math.fround(scale * 127) > maxAbs) scale = nextDown(scale);
  return scale;
}

/** Writes `vector` in `dtype` at `out[at ..]` (rowBytes(dtype, vector.length) bytes). */
export function encodeRow(dtype: VectorDtype, vector: Float32Array, out: Uint8Array, at: number): void {
  const dims = vector.length;
  switch (dtype) {
    case 'float32': {
      for (let i = 0; i < dims; i++) if (!Number.isFinite(vector[i])) throw notFinite(vector[i] as number, i);
      if (LITTLE_ENDIAN) {
        out.set(new Uint8Array(vector.buffer, vector.byteOffset, dims * 4), at);
      } else {
        for (let i = 0; i < dims; i++) writeFloat32(vector[i] as number, out, at + i * 4);
      }
      return;
    }
    case 'float16': {
      for (let i = 0; i < dims; i++) {
        const h = toFloat16Bits(vector[i] as number, i);
        out[at + 2 * i] = h & 0xff;
        out[at + 2 * i + 1] = h >>> 8;
      }
      return;
    }
    case 'int8': {
      let maxAbs = 0;
      for (let i = 0; i < dims; i++) {
        const v = vector[i] as number;
        if (!Number.isFinite(v)) throw notFinite(v, i);
        const a = Math.abs(v);
        if (a > maxAbs) maxAbs = a;
      }
      encodeInt8(vector, maxAbs, 1, out, at);
      return;
    }
  }
}

/**
 * The int8 row of `vector * factor` at `out[at ..]`, given `maxAbs`, the largest |value| of
 * `vector` (finite, checked by the caller): a caller that has made a pass over the row already
 * (a vector file's reader) saves encodeRow's.
 */
export function encodeInt8(vector: Float32Array, maxAbs: number, factor: number, out: Uint8Array, at: number): void {
  const dims = vector.length;
  const scale = int8Scale(factor === 1 ? maxAbs : maxAbs * factor);
  writeFloat32(scale, out, at);
  const inv = scale === 0 ? 0 : factor / scale;
  for (let i = 0; i < dims; i++) {
    // Math.round(x), computed as floor(x + 0.5) (three times faster in V8), corrected for the
    // one case where they differ: x + 0.5 rounded up to an integer, for x just below k + 0.5.
    const x = (vector[i] as number) * inv;
    let q = Math.floor(x + 0.5);
    if (q - 0.5 > x) q -= 1;
    out[at + 4 + i] = (q > 127 ? 127 : q < -127 ? -127 : q) & 0xff;
  }
}

/** Reads one row of `dims` floats in `dtype` from `bytes[at ..]` into `out[outAt ..]`. */
export function decodeRow(dtype: VectorDtype, bytes: Uint8Array, at: number, dims: number, out: Float32Array, outAt = 0): void {
  switch (dtype) {
    case 'float32': {
      if (LITTLE_ENDIAN) new Uint8Array(out.buffer, out.byteOffset + outAt * 4, dims * 4).set(bytes.subarray(at, at + dims * 4));
      else for (let i = 0; i < dims; i++) out[outAt + i] = readFloat32(bytes, at + i * 4);
      return;
    }
    case 'float16': {
      for (let i = 0; i < dims; i++) out[outAt + i] = HALF_TO_FLOAT[(bytes[at + 2 * i] as number) | ((bytes[at + 2 * i + 1] as number) << 8)] as number;
      return;
    }
    case 'int8': {
      const scale = readFloat32(bytes, at);
      for (let i = 0; i < dims; i++) out[outAt + i] = (((bytes[at + 4 + i] as number) << 24) >> 24) * scale;
      return;
    }
  }
}

/** A row in `dtype` as a new Float32Array. */
export function decodeRowCopy(dtype: VectorDtype, bytes: Uint8Array, at: number, dims: number): Float32Array {
  const out = new Float32Array(dims);
  decodeRow(dtype, bytes, at, dims, out);
  return out;
}

/** Every row of a row-major `data` (rows x dims) encoded back to back. */
export function encodeRows(dtype: VectorDtype, data: Float32Array, dims: number): Uint8Array {
  const rows = dims === 0 ? 0 : data.length / dims;
  const size = rowBytes(dtype, dims);
  const out = new Uint8Array(rows * size);
  for (let r = 0; r < rows; r++) encodeRow(dtype, data.subarray(r * dims, (r + 1) * dims), out, r * size);
  return out;
}

/** The inverse of `encodeRows`. */
export function decodeRows(dtype: VectorDtype, bytes: Uint8Array, dims: number): Float32Array {
  const size = rowBytes(dtype, dims);
  const rows = bytes.length / size;
  const out = new Float32Array(rows * dims);
  for (let r = 0; r < rows; r++) decodeRow(dtype, bytes, r * size, dims, out, r * dims);
  return out;
}

function writeFloat32(value: number, out: Uint8Array, at: number): void {
  f32[0] = value;
  if (LITTLE_ENDIAN) out.set(bytes4, at);
  else for (let b = 0; b < 4; b++) out[at + b] = bytes4[3 - b] as number;
}

function readFloat32(bytes: Uint8Array, at: number): number {
  if (LITTLE_ENDIAN) for (let b = 0; b < 4; b++) bytes4[b] = bytes[at + b] as number;
  else for (let b = 0; b < 4; b++) bytes4[3 - b] = bytes[at + b] as number;
  return f32[0] as number;
}

/** Whether the row at `bytes[at ..]` decodes to finite numbers only (a float16 NaN/Inf pattern, an int8 scale that is not finite or would overflow). */
export function rowIsFinite(dtype: VectorDtype, bytes: Uint8Array, at: number, dims: number): boolean {
  switch (dtype) {
    case 'float32': {
      for (let i = 0; i < dims; i++) if (!Number.isFinite(readFloat32(bytes, at + i * 4))) return false;
      return true;
    }
    case 'float16': {
      // Exponent bits all ones: infinity or NaN.
      for (let i = 0; i < dims; i++) if (((bytes[at + 2 * i + 1] as number) & 0x7c) === 0x7c) return false;
      return true;
    }
    case 'int8': {
      const scale = readFloat32(bytes, at);
      return Number.isFinite(scale) && Number.isFinite(Math.fround(scale * 127));
    }
  }
}

/** Whether `encodeRow(dtype, vector, ...)` would store it (all finite; within ±65504 after rounding, for float16). */
export function canEncode(dtype: VectorDtype, vector: Float32Array): boolean {
  const limit = dtype === 'float16' ? 65520 : Infinity;
  for (let i = 0; i < vector.length; i++) {
    const v = vector[i] as number;
    if (!Number.isFinite(v) || Math.abs(v) >= limit) return false;
  }
  return true;
}
