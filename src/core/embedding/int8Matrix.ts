/**
 * The session's pool kept as the embedding cache stores it: one int8 code per value and a float32
 * scale per row (quantize.ts), a quarter of a float32 matrix (1,000,000 x 512 is 512 MB instead of
 * 2 GB). The values a session reads are exactly those the cache decodes (`code * scale`, rounded to
 * float32), so a session over this matrix sees the same numbers as one over the decoded cache.
 *
 * Rows live in byte buffers in the cache's own layout; a row the cache holds in memory is not
 * copied but pointed at (its bytes never change once written: see cacheRows.ts), so a re-opened
 * pool and the cache share one copy of the rows, and the pool keeps them when the cache is released.
 *
 * Code that reads rows goes through `takeRows`, `rowRange` and `readRowInto` (math/matrix.ts),
 * which decode only the rows asked for; a head's forward pass (math/product.ts) copies the stored
 * bytes themselves (`copyEncodedRows`) and decodes them inside its kernel. Reading `data` decodes everything into a float32 copy that
 * is then kept up to date; that is correct but costs the memory this type saves, so it is counted
 * (`encodedFullDecodes` in math/matrix.ts) and the session's paths never do it.
 */
import { type Int8RowsMatrix, noteFullDecode } from '../math/matrix';
import type { Matrix } from '../types';
import type { EmbeddingCache } from './cache';
import { type VectorDtype, decodeRow, encodeInt8, encodeRow, rowBytes } from './quantize';
import { RowLocation } from './rowLocation';

/** Rows written by the matrix itself are packed this many to a buffer. */
const OWN_ROWS_PER_BUFFER = 4096;
/** No buffer is larger: offsets are u32, and a failed allocation of one huge piece is likelier. */
const MAX_BUFFER_BYTES = 1024 * 1024 * 1024;

/**
 * The byte buffers that hold a matrix's rows (shared by its views): each row is the cache's int8
 * layout at some offset of one buffer. A buffer is either one of the cache's own (its rows are never
 * rewritten once written: see StoredRows) or one this matrix filled.
 */
class RowBuffers {
  readonly bytes: Int8Array[] = [];
  /** The same buffers as bytes, for writing a row in the cache's layout in place. */
  readonly unsigned: Uint8Array[] = [];
  readonly views: DataView[] = [];
  private readonly ids = new Map<ArrayBufferLike, number>();
  /** The buffer own rows go to, and the next free offset in it. */
  private ownId = -1;
  private ownAt = 0;
  /** Ids of the buffers this matrix allocated (it may rewrite rows in them in place). */
  readonly owned = new Set<number>();
  /** Rows still to come in buffers sized for them (see `reserve`). */
  private reserved = 0;

  constructor(private readonly rowBytes: number) {}

  /**
   * The next own buffers hold `rows` rows (at most MAX_BUFFER_BYTES each): one allocation instead
   * of hundreds for a matrix that will write every row itself. Each new buffer of external memory
   * may start a full garbage collection, which costs a fifth of a second beside a million items.
   */
  reserve(rows: number): void {
    this.reserved = rows;
  }

  /** The buffer `idOf` was last asked about, and its id: consecutive rows mostly share one. */
  private lastBuffer: ArrayBufferLike | undefined;
  private lastId = 0;

  /** The id of `buffer`, adding it (an id is the index into `bytes` plus one: 0 means no row). */
  idOf(buffer: ArrayBufferLike): number {
    if (buffer === this.lastBuffer) return this.lastId;
    let id = this.ids.get(buffer);
    if (id === undefined) {
      this.bytes.push(new Int8Array(buffer));
      this.unsigned.push(new Uint8Array(buffer));
      this.views.push(new DataView(buffer));
      id = this.bytes.length;
      this.ids.set(buffer, id);
    }
    this.lastBuffer = buffer;
    this.lastId = id;
    return id;
  }

  /**
   * The same buffers, for a matrix that reads them (`Int8Matrix.gather`): none is owned, so a row
   * written there takes a fresh slot instead of overwriting a row this one's matrix holds.
   */
  readOnlyCopy(): RowBuffers {
    const copy = new RowBuffers(this.rowBytes);
    for (let i = 0; i < this.bytes.length; i++) copy.idOf((this.bytes[i] as Int8Array).buffer);
    return copy;
  }

  /** A fresh slot for a row this matrix writes: [id, offset]. */
  ownSlot(): readonly [number, number] {
    if (this.ownId < 0 || this.ownAt + this.rowBytes > (this.bytes[this.ownId - 1] as Int8Array).length) {
      const rows = this.reserved > 0 ? Math.min(this.reserved, Math.max(1, Math.floor(MAX_BUFFER_BYTES / this.rowBytes))) : OWN_ROWS_PER_BUFFER;
      this.reserved = Math.max(0, this.reserved - rows);
      this.ownId = this.idOf(new ArrayBuffer(rows * this.rowBytes));
      this.ownAt = 0;
      this.owned.add(this.ownId);
    }
    const at = this.ownAt;
    this.ownAt += this.rowBytes;
    return [this.ownId, at];
  }
}

export class Int8Matrix implements Int8RowsMatrix {
  private readonly buffers: RowBuffers;
  /** Row r is at `rowAt[r]` of buffer `rowBuffer[r]` (an id of `buffers`; 0: not written, zeros). */
  private readonly rowBuffer: Uint32Array;
  private readonly rowAt: Uint32Array;
  private decoded: Float32Array | undefined;
  /** Bytes of one row in the cache's int8 layout (scale, then codes). */
  private readonly rowLength: number;

  /** A matrix of zero rows, or rows over another matrix's storage (see `view`). */
  constructor(
    readonly rows: number,
    readonly cols: number,
    storage?: { readonly buffers: RowBuffers; readonly rowBuffer: Uint32Array; readonly rowAt: Uint32Array },
  ) {
    this.rowLength = rowBytes('int8', cols);
    this.buffers = storage?.buffers ?? new RowBuffers(this.rowLength);
    this.rowBuffer = storage?.rowBuffer ?? new Uint32Array(rows);
    this.rowAt = storage?.rowAt ?? new Uint32Array(rows);
  }

  /** For a matrix that will write its `rows` rows itself: their storage is allocated at once (see RowBuffers.reserve). */
  static filled(rows: number, cols: number): Int8Matrix {
    const m = new Int8Matrix(rows, cols);
    m.buffers.reserve(rows);
    return m;
  }

  /** Bytes of row storage this matrix (with its views) allocated itself, beside the rows it shares with a cache. */
  get ownBytes(): number {
    let total = 0;
    for (const id of this.buffers.owned) total += (this.buffers.bytes[id - 1] as Int8Array).length;
    return total;
  }

  /** Every row decoded (a float32 copy, kept up to date by later writes): see the file's comment. */
  get data(): Float32Array {
    if (this.decoded === undefined) {
      noteFullDecode();
      const out = new Float32Array(this.rows * this.cols);
      this.readRows(0, this.rows, out, 0);
      this.decoded = out;
    }
    return this.decoded;
  }

  readRows(from: number, to: number, out: Float32Array, outAt: number): void {
    const { cols, rowBuffer, rowAt } = this;
    const { bytes, views } = this.buffers;
    let k = outAt;
    for (let r = from; r < to; r++) {
      const id = rowBuffer[r] as number;
      if (id === 0) {
        out.fill(0, k, k + cols);
        k += cols;
        continue;
      }
      const at = rowAt[r] as number;
      const s = (views[id - 1] as DataView).getFloat32(at, true);
      const codes = bytes[id - 1] as Int8Array;
      // Four at a time: a third faster in V8 than one per iteration (rescoring a million rows decodes them all).
      const o = at + 4;
      let j = 0;
      for (; j + 4 <= cols; j += 4) {
        out[k] = (codes[o + j] as number) * s;
        out[k + 1] = (codes[o + j + 1] as number) * s;
        out[k + 2] = (codes[o + j + 2] as number) * s;
        out[k + 3] = (codes[o + j + 3] as number) * s;
        k += 4;
      }
      for (; j < cols; j++) out[k++] = (codes[o + j] as number) * s;
    }
  }

  copyEncodedRows(from: number, to: number, out: Int8Array, outAt: number): void {
    const { rowBuffer, rowAt } = this;
    const { bytes } = this.buffers;
    const stride = this.rowLength;
    let k = outAt;
    for (let r = from; r < to; ) {
      const id = rowBuffer[r] as number;
      if (id === 0) {
        out.fill(0, k, k + stride);
        k += stride;
        r++;
        continue;
      }
      // Rows written one after another sit side by side in one buffer: one copy per run, not per row.
      const start = rowAt[r] as number;
      let end = start + stride;
      for (r++; r < to && rowBuffer[r] === id && rowAt[r] === end; r++) end += stride;
      out.set((bytes[id - 1] as Int8Array).subarray(start, end), k);
      k += end - start;
    }
  }

  /**
   * Stores `vector` as the cache would store it (int8, quantize.ts). A vector with NaN or infinite
   * values is stored as zeros (the cache does not keep it either); false then.
   */
  putVector(r: number, vector: Float32Array): boolean {
    const [id, to] = this.slotFor(r);
    const target = this.buffers.unsigned[id - 1] as Uint8Array;
    let stored = true;
    try {
      encodeRow('int8', vector, target, to);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      target.fill(0, to, to + this.rowLength);
      stored = false;
    }
    this.point(r, id, to);
    return stored;
  }

  /** Stores `vector * factor`, whose values are finite and at most `maxAbs` in magnitude (`vector`'s own, before the factor). */
  putUnit(r: number, vector: Float32Array, maxAbs: number, factor: number): void {
    const [id, to] = this.slotFor(r);
    encodeInt8(vector, maxAbs, factor, this.buffers.unsigned[id - 1] as Uint8Array, to);
    this.point(r, id, to);
  }

  /** Where row r may be written: its own slot when it has one, else a fresh one (never a cache's bytes). */
  private slotFor(r: number): readonly [number, number] {
    const id = this.rowBuffer[r] as number;
    return this.buffers.owned.has(id) ? [id, this.rowAt[r] as number] : this.buffers.ownSlot();
  }

  /** Copies a row already in the cache's int8 layout: `bytes[at ..]` is the float32 scale (little endian), then `cols` codes. */
  putEncoded(r: number, bytes: Uint8Array, at: number): void {
    const [id, to] = this.slotFor(r);
    (this.buffers.unsigned[id - 1] as Uint8Array).set(bytes.subarray(at, at + this.rowLength), to);
    this.point(r, id, to);
  }

  /**
   * Row `r` from `cache` (the row of `textHash`): the cache's own bytes, shared rather than copied
   * when the cache keeps them in memory in int8 (a re-opened pool then costs no second copy of the
   * cache's rows), copied from its spill file, re-encoded from another dtype; false when the cache
   * has no such row. `share` false copies even those: when the cache holds far more rows than the
   * pool, pointing at them would keep all of the cache's buffers alive for the pool's sake.
   */
  putFromCache(r: number, cache: EmbeddingCache, textHash: string, share = true): boolean {
    if (!cache.locate(textHash, SCRATCH)) return false;
    this.putLocated(r, SCRATCH, share);
    return true;
  }

  /** `putFromCache` of a row already located (EmbeddingCache.locate). */
  putLocated(r: number, row: RowLocation, share = true): void {
    if (row.dtype !== 'int8') this.putVector(r, decodeAs(row.dtype, row.bytes, row.at, this.cols));
    else if (!row.shared || !share) this.putEncoded(r, row.bytes, row.at);
    else this.point(r, this.buffers.idOf(row.bytes.buffer), row.bytes.byteOffset + row.at);
  }

  private point(r: number, id: number, at: number): void {
    this.rowBuffer[r] = id;
    this.rowAt[r] = at;
    if (this.decoded !== undefined) this.readRows(r, r + 1, this.decoded, r * this.cols);
  }

  /** In place: row p becomes what row order[p] was (a permutation of the rows). */
  permute(order: Int32Array): void {
    const ids = this.rowBuffer.slice();
    const ats = this.rowAt.slice();
    for (let p = 0; p < this.rows; p++) {
      const from = order[p] as number;
      this.rowBuffer[p] = ids[from] as number;
      this.rowAt[p] = ats[from] as number;
    }
    this.decoded = undefined;
  }

  /**
   * The given rows, in order, as another Int8Matrix over this one's bytes: no row is copied. Its
   * buffers are its own list with none of them owned, so writing one of its rows goes to a fresh
   * slot and never changes this matrix (a row this matrix rewrites in place does show in both).
   */
  gather(indices: ArrayLike<number>): Int8Matrix {
    const rowBuffer = new Uint32Array(indices.length);
    const rowAt = new Uint32Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      const r = indices[k] as number;
      if (!(r >= 0 && r < this.rows)) throw new RangeError(`row ${r} is outside 0..${this.rows - 1}`);
      rowBuffer[k] = this.rowBuffer[r] as number;
      rowAt[k] = this.rowAt[r] as number;
    }
    return new Int8Matrix(indices.length, this.cols, { buffers: this.buffers.readOnlyCopy(), rowBuffer, rowAt });
  }

  /** Rows [from, to) as another Int8Matrix over this one's storage (no copy; writes to either show in both, but not in a decoded `data` copy). */
  view(from: number, to: number): Int8Matrix {
    return new Int8Matrix(to - from, this.cols, { buffers: this.buffers, rowBuffer: this.rowBuffer.subarray(from, to), rowAt: this.rowAt.subarray(from, to) });
  }
}

function decodeAs(dtype: VectorDtype, bytes: Uint8Array, at: number, cols: number): Float32Array {
  const out = new Float32Array(cols);
  decodeRow(dtype, bytes, at, cols, out);
  return out;
}

/** The row `putFromCache` and `putPoolRow` look up (filled and read at once, so one serves every call). */
const SCRATCH = new RowLocation();

/**
 * Whether a pool of `rows` rows may point at `cache`'s rows instead of copying them: when the cache
 * holds at most twice as many rows (a cache of an earlier, larger version of the dataset would
 * otherwise stay in memory whole, for the few rows the pool uses of each buffer).
 */
function mayShare(cache: EmbeddingCache, rows: number): boolean {
  return cache.size <= 2 * rows;
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
    return m.putFromCache(r, source.cache, source.textHash, mayShare(source.cache, m.rows));
  }
  if (source instanceof Float32Array) {
    m.data.set(source, r * m.cols);
    return true;
  }
  if (!source.cache.locate(source.textHash, SCRATCH)) return false;
  decodeRow(SCRATCH.dtype, SCRATCH.bytes, SCRATCH.at, m.cols, m.data, r * m.cols);
  return true;
}

/**
 * `putPoolRow` of a row the caller located in `cache` itself (to count the records it hit, see
 * StagedEmbedding): the same bytes, shared or copied, as `putPoolRow` writes.
 */
export function putLocatedRow(m: Matrix, r: number, cache: EmbeddingCache, row: RowLocation): void {
  if (m instanceof Int8Matrix) m.putLocated(r, row, mayShare(cache, m.rows));
  else decodeRow(row.dtype, row.bytes, row.at, m.cols, m.data, r * m.cols);
}
