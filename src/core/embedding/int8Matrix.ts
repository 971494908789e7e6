/**
 * The session's pool kept as the embedding cache stores it: one int8 code per value and a float32
 * scale per row (quantize.ts), a quarter of a float32 matrix (1,000,000 x 512 is 512 MB instead of
 * 2 GB). The values a session reads are exactly those the cache decodes (`code * scale`, rounded to
 * float32), so a session over this matrix sees the same numbers as one over the decoded cache.
 *
 * Code that reads rows goes through `takeRows`, `rowRange` and `readRowInto` (math/matrix.ts),
 * which decode only the rows asked for. Reading `data` decodes everything into a float32 copy that
 * is then kept up to date; that is correct but costs the memory this type saves, so it is counted
 * (`fullDecodes`) and the session's paths never do it.
 */
import type { EncodedMatrix } from '../math/matrix';
import type { Matrix } from '../types';
import type { EmbeddingCache } from './cache';
import { type VectorDtype, decodeRow, encodeRow, rowBytes } from './quantize';

let fullDecodes = 0;

/** How many times any Int8Matrix's `data` was decoded whole (tests check that the session's paths never do). */
export function int8FullDecodes(): number {
  return fullDecodes;
}

export class Int8Matrix implements EncodedMatrix {
  readonly codes: Int8Array;
  readonly scales: Float32Array;
  private decoded: Float32Array | undefined;
  /** One row in the cache's int8 layout (scale, then codes), for `putVector`. */
  private readonly row: Uint8Array;
  private readonly rowView: DataView;

  /** A zero matrix, or rows over `storage` (shared, not copied: see `view`). */
  constructor(
    readonly rows: number,
    readonly cols: number,
    storage?: { readonly codes: Int8Array; readonly scales: Float32Array },
  ) {
    this.codes = storage?.codes ?? new Int8Array(rows * cols);
    this.scales = storage?.scales ?? new Float32Array(rows);
    if (this.codes.length !== rows * cols || this.scales.length !== rows) throw new RangeError(`int8 storage does not match ${rows} x ${cols}`);
    this.row = new Uint8Array(rowBytes('int8', cols));
    this.rowView = new DataView(this.row.buffer);
  }

  /** Every row decoded (a float32 copy, kept up to date by later writes): see the file's comment. */
  get data(): Float32Array {
    if (this.decoded === undefined) {
      fullDecodes++;
      const out = new Float32Array(this.rows * this.cols);
      this.readRows(0, this.rows, out, 0);
      this.decoded = out;
    }
    return this.decoded;
  }

  readRows(from: number, to: number, out: Float32Array, outAt: number): void {
    const { codes, scales, cols } = this;
    let k = outAt;
    for (let r = from; r < to; r++) {
      const s = scales[r] as number;
      const o = r * cols;
      for (let j = 0; j < cols; j++) out[k++] = (codes[o + j] as number) * s;
    }
  }

  /**
   * Stores `vector` as the cache would store it (int8, quantize.ts). A vector with NaN or infinite
   * values is stored as zeros (the cache does not keep it either); false then.
   */
  putVector(r: number, vector: Float32Array): boolean {
    try {
      encodeRow('int8', vector, this.row, 0);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      this.row.fill(0);
      this.putEncoded(r, this.row, 0);
      return false;
    }
    this.putEncoded(r, this.row, 0);
    return true;
  }

  /** Stores a row already in the cache's int8 layout: `bytes[at ..]` is the float32 scale (little endian), then `cols` codes. */
  putEncoded(r: number, bytes: Uint8Array, at: number): void {
    const cols = this.cols;
    const view = bytes === this.row ? this.rowView : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.scales[r] = view.getFloat32(at, true);
    this.codes.set(new Int8Array(bytes.buffer, bytes.byteOffset + at + 4, cols), r * cols);
    if (this.decoded !== undefined) this.readRows(r, r + 1, this.decoded, r * cols);
  }

  /**
   * Row `r` from `cache` (the row of `textHash`), copied as stored when the cache keeps it in int8
   * and re-encoded otherwise; false when the cache has no such row.
   */
  putFromCache(r: number, cache: EmbeddingCache, textHash: string): boolean {
    const stored = cache.encoded(textHash);
    if (stored === undefined) return false;
    if (stored.dtype === 'int8') this.putEncoded(r, stored.bytes, 0);
    else this.putVector(r, decodeAs(stored.dtype, stored.bytes, this.cols));
    return true;
  }

  /** In place: row p becomes what row order[p] was (a permutation of the rows). */
  permute(order: Int32Array): void {
    const { codes, scales, cols } = this;
    const done = new Uint8Array(this.rows);
    const scratch = new Int8Array(cols);
    for (let start = 0; start < this.rows; start++) {
      if (done[start] === 1) continue;
      if (order[start] === start) {
        done[start] = 1;
        continue;
      }
      scratch.set(codes.subarray(start * cols, (start + 1) * cols));
      const scale = scales[start] as number;
      let p = start;
      for (;;) {
        done[p] = 1;
        const from = order[p] as number;
        if (from === start) {
          codes.set(scratch, p * cols);
          scales[p] = scale;
          break;
        }
        codes.copyWithin(p * cols, from * cols, (from + 1) * cols);
        scales[p] = scales[from] as number;
        p = from;
      }
    }
    this.decoded = undefined;
  }

  /** Rows [from, to) as another Int8Matrix over this one's storage (no copy; writes to either show in both, but not in a decoded `data` copy). */
  view(from: number, to: number): Int8Matrix {
    const cols = this.cols;
    return new Int8Matrix(to - from, cols, { codes: this.codes.subarray(from * cols, to * cols), scales: this.scales.subarray(from, to) });
  }
}

function decodeAs(dtype: VectorDtype, bytes: Uint8Array, cols: number): Float32Array {
  const out = new Float32Array(cols);
  decodeRow(dtype, bytes, 0, cols, out);
  return out;
}

/** The in-memory storage of a pool whose vectors the cache keeps in `dtype`: int8 as int8, anything else as float32. */
export function poolMatrix(dtype: VectorDtype, rows: number, cols: number): Matrix {
  return dtype === 'int8' ? new Int8Matrix(rows, cols) : { data: new Float32Array(rows * cols), rows, cols };
}

/**
 * Writes row `r` of a pool built by `poolMatrix`: from the cache's row of `textHash` when `vector` is
 * undefined (false when the cache has none), else `vector`.
 */
export function putPoolRow(m: Matrix, r: number, source: { readonly cache: EmbeddingCache; readonly textHash: string } | Float32Array): boolean {
  if (m instanceof Int8Matrix) {
    if (source instanceof Float32Array) return m.putVector(r, source);
    return m.putFromCache(r, source.cache, source.textHash);
  }
  if (source instanceof Float32Array) {
    m.data.set(source, r * m.cols);
    return true;
  }
  return source.cache.readInto(source.textHash, m.data, r * m.cols);
}
