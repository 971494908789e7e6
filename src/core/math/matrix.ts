import type { Matrix } from '../types';

/** A rows x cols matrix, zero-filled or wrapping `data` (not copied). */
export function matrix(rows: number, cols: number, data?: Float32Array): Matrix {
  const values = data ?? new Float32Array(rows * cols);
  if (values.length !== rows * cols) {
    throw new RangeError(`matrix data has ${values.length} values, expected ${rows} x ${cols}`);
  }
  return { data: values, rows, cols };
}

/** Builds a matrix from nested arrays (tests, small inputs). */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows.length > 0 ? rows[0].length : 0;
  const out = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new RangeError(`row ${i} has ${r.length} values, expected ${cols}`);
    out.set(r, i * cols);
  });
  return { data: out, rows: rows.length, cols };
}

/** A view of row i (no copy). */
export function row(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/**
 * A matrix kept in another form than float32 (the session's pool is int8 with a scale per row: see
 * core/embedding/int8Matrix.ts). Reading its `data` decodes the whole of it into a float32 copy, so
 * the helpers below (`takeRows`, `rowRange`, `readRowInto`) decode only the rows they are asked for,
 * and the pool's hot paths use them instead of `data`.
 */
export interface EncodedMatrix extends Matrix {
  /** Decodes rows [from, to) into `out[outAt ..]`, row-major. */
  readRows(from: number, to: number, out: Float32Array, outAt: number): void;
  /** Rows [from, to) as another encoded matrix over the same storage (no copy, nothing decoded). */
  view(from: number, to: number): EncodedMatrix;
}

/**
 * An encoded matrix whose rows are stored in the int8 layout of embedding/quantize.ts (a float32
 * scale, little endian, then `cols` int8 codes): kernels can read the bytes instead of decoded
 * floats (math/product.ts), a quarter of the memory traffic.
 */
export interface Int8RowsMatrix extends EncodedMatrix {
  /** Copies rows [from, to) as stored, 4 + cols bytes each, into `out[outAt ..]`; a row never written is zeros. */
  copyEncodedRows(from: number, to: number, out: Int8Array, outAt: number): void;
}

export function isInt8Rows(m: Matrix): m is Int8RowsMatrix {
  return isEncoded(m) && typeof (m as Partial<Int8RowsMatrix>).copyEncodedRows === 'function';
}

let fullDecodes = 0;

/** An encoded matrix's `data` was decoded whole: counted, as the session's paths must never do it. */
export function noteFullDecode(): void {
  fullDecodes++;
}

/** How many times any encoded matrix's `data` was decoded whole (tests check the session's paths). */
export function encodedFullDecodes(): number {
  return fullDecodes;
}

export function isEncoded(m: Matrix): m is EncodedMatrix {
  return typeof (m as Partial<EncodedMatrix>).readRows === 'function';
}

/** Row i of `m` into `out[at ..]` (decoded when `m` is encoded). */
export function readRowInto(m: Matrix, i: number, out: Float32Array, at = 0): void {
  if (isEncoded(m)) m.readRows(i, i + 1, out, at);
  else out.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), at);
}

/**
 * Rows [from, to) of `m` as a float32 matrix: a view of `m` (no copy) when it is float32, else
 * decoded into `scratch` when that is large enough (the result is then a view of it) or a new array.
 */
export function rowRange(m: Matrix, from: number, to: number, scratch?: Float32Array): Matrix {
  const rows = to - from;
  const cols = m.cols;
  if (!isEncoded(m)) return { data: m.data.subarray(from * cols, to * cols), rows, cols };
  const out = scratch !== undefined && scratch.length >= rows * cols ? scratch.subarray(0, rows * cols) : new Float32Array(rows * cols);
  m.readRows(from, to, out, 0);
  return { data: out, rows, cols };
}

/** Rows [from, to) of `m` without copying: a view of its data, or of its encoded storage. */
export function rowsView(m: Matrix, from: number, to: number): Matrix {
  return isEncoded(m) ? m.view(from, to) : { data: m.data.subarray(from * m.cols, to * m.cols), rows: to - from, cols: m.cols };
}

/**
 * Matrices whose row i is row `sourceRows[i]` of `source` (the session's packed pool, which packs
 * its rows only when its `data` is read; see session/poolRows.ts): `takeRows` copies from the
 * source instead, so taking a sample of a million-row pool does not first pack all of it.
 */
const rowSubsets = new WeakMap<Matrix, { readonly source: Matrix; readonly sourceRows: Int32Array }>();

/** Declares that row i of `m` is row `sourceRows[i]` of `source` (and stays so while `m` is used). */
export function declareRowSubset(m: Matrix, source: Matrix, sourceRows: Int32Array): void {
  rowSubsets.set(m, { source, sourceRows });
}

/** Copies the given rows, in order, into a new matrix. */
export function takeRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const cols = m.cols;
  const out = new Float32Array(indices.length * cols);
  const subset = rowSubsets.get(m);
  const source = subset !== undefined ? subset.source : m;
  const encoded = isEncoded(source) ? source : undefined;
  const data = encoded === undefined ? source.data : undefined;
  for (let i = 0; i < indices.length; i++) {
    const r = subset !== undefined ? (subset.sourceRows[indices[i] as number] as number) : (indices[i] as number);
    if (data !== undefined) out.set(data.subarray(r * cols, (r + 1) * cols), i * cols);
    else encoded?.readRows(r, r + 1, out, i * cols);
  }
  return { data: out, rows: indices.length, cols };
}

/**
 * Squared L2 norm of every row, each summed in float64 from its first value to its last. Four rows
 * go through one loop: a row's sum is a chain of dependent additions, so one row at a time waits on
 * each addition, while four independent chains (each in the same order, so the same bits) overlap.
 */
export function rowSquaredNorms(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows);
  const { data, cols } = m;
  let i = 0;
  for (; i + 4 <= m.rows; i += 4) {
    const o = i * cols;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < cols; j++) {
      const a = data[o + j] as number;
      const b = data[o + cols + j] as number;
      const c = data[o + 2 * cols + j] as number;
      const d = data[o + 3 * cols + j] as number;
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += d * d;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < m.rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) s += data[o + j] * data[o + j];
    out[i] = s;
  }
  return out;
}

/**
 * A copy with every row scaled to unit length. Zero rows stay zero, and so do rows holding NaN or
 * Infinity: one such row would otherwise turn a cosine centroid, and every distance to it, into NaN.
 * `inPlace` scales `m` itself instead (a caller's own scratch copy: no second array to allocate).
 */
export function normalizeRows(m: Matrix, inPlace = false): Matrix {
  const { data, cols } = m;
  const out = inPlace ? data : new Float32Array(m.rows * cols);
  const norms = rowSquaredNorms(m);
  for (let i = 0; i < m.rows; i++) {
    const o = i * cols;
    if (!(norms[i] > 0 && norms[i] < Infinity)) {
      // A zero row stays as it is (its -0s included); a non-finite one becomes zeros.
      if (norms[i] === 0) {
        if (!inPlace) out.set(data.subarray(o, o + cols), o);
      } else if (inPlace) {
        out.fill(0, o, o + cols);
      }
      continue;
    }
    const inv = 1 / Math.sqrt(norms[i]);
    for (let j = 0; j < cols; j++) out[o + j] = data[o + j] * inv;
  }
  return { data: out, rows: m.rows, cols };
}

/** Mean of all rows (zeros for an empty matrix). */
export function meanRow(m: Matrix): Float64Array {
  const out = new Float64Array(m.cols);
  const { data, cols } = m;
  for (let i = 0; i < m.rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[j] += data[o + j];
  }
  if (m.rows > 0) for (let j = 0; j < m.cols; j++) out[j] /= m.rows;
  return out;
}

/** Dot product of matrix row i with a vector. */
export function rowDot(m: Matrix, i: number, v: ArrayLike<number>): number {
  let s = 0;
  const o = i * m.cols;
  for (let j = 0; j < m.cols; j++) s += m.data[o + j] * v[j];
  return s;
}

/** Vertical concatenation of matrices with the same column count. */
export function stackRows(parts: readonly Matrix[], cols: number): Matrix {
  const rows = parts.reduce((s, p) => s + p.rows, 0);
  const out = new Float32Array(rows * cols);
  let offset = 0;
  for (const p of parts) {
    if (p.rows === 0) continue;
    if (p.cols !== cols) throw new RangeError(`cannot stack a ${p.cols}-column matrix onto ${cols} columns`);
    out.set(p.data, offset);
    offset += p.data.length;
  }
  return { data: out, rows, cols };
}
