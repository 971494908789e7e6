/**
 * The unlabeled pool as a compact matrix kept between batches. A strategy wants the pool's rows
 * packed together; building that afresh for every batch copied the whole embedding matrix (about
 * 100 MB at 50,000 x 512) each time. Between two batches the pool usually only loses the rows just
 * served or labeled, so this buffer drops them in place (one `copyWithin` per kept run, no
 * allocation) and only refills from the source when rows come back (undo, a released queue).
 */
import { declareRowSubset, type EncodedMatrix, isEncoded, noteFullDecode, takeRows } from '../math/matrix';
import type { Matrix } from '../types';

export class PoolRows {
  private buffer: Float32Array = new Float32Array(0);
  /** The rows the buffer holds, packed in this order. */
  private current: Int32Array = new Int32Array(0);
  /** Bumped by every `update`: a view packs its rows only while it is the latest. */
  private generation = 0;
  /** How the last update was served (or will be, when its view's data is first read): for tests and diagnostics. */
  lastUpdate: 'compacted' | 'rebuilt' | 'unchanged' = 'rebuilt';

  constructor(private readonly source: Matrix) {}

  /**
   * The rows `rows` (ascending source rows) packed in that order. The returned matrix is a view of
   * a buffer that the next `update` rewrites: use it before calling again.
   *
   * The rows are packed when the view's `data` is first read, not before: a strategy that ranks by
   * the model's scores alone (margin, entropy, random) never reads them, and packing a million
   * rows copies gigabytes (4.5 s and 2 GB at 1,000,000 x 512). A view read after a later `update`
   * still gets its own rows, as a fresh copy.
   */
  update(rows: readonly number[]): Matrix {
    const cols = this.source.cols;
    const wanted = Int32Array.from(rows);
    if (isEncoded(this.source)) return subsetOf(this.source, wanted);
    const kind = sameRows(this.current, wanted) ? 'unchanged' : isSubsequence(wanted, this.current) ? 'compacted' : 'rebuilt';
    this.lastUpdate = kind;
    const generation = ++this.generation;
    let data: Float32Array | undefined;
    const pack = (): Float32Array => {
      if (generation !== this.generation) return takeRows(this.source, wanted).data;
      if (kind === 'compacted') this.compact(wanted);
      else if (kind === 'rebuilt') this.rebuild(wanted);
      // Packed now: a later read of this view or an `unchanged` update needs no work.
      return this.buffer.subarray(0, wanted.length * cols);
    };
    const view: Matrix = {
      get data(): Float32Array {
        data ??= pack();
        return data;
      },
      rows: wanted.length,
      cols,
    };
    // A sample of the view (cold start's clustering) is copied from the source, leaving it unpacked.
    declareRowSubset(view, this.source, wanted);
    return view;
  }

  /** Keeps `rows` (a subsequence of the current rows), moving each run of kept rows down at once. */
  private compact(rows: Int32Array): void {
    const cols = this.source.cols;
    const old = this.current;
    let write = 0;
    let i = 0;
    for (let read = 0; read < old.length && i < rows.length; ) {
      if (old[read] !== rows[i]) {
        read++;
        continue;
      }
      const runStart = read;
      while (read < old.length && i < rows.length && old[read] === rows[i]) {
        read++;
        i++;
      }
      const runLength = read - runStart;
      if (write !== runStart) this.buffer.copyWithin(write * cols, runStart * cols, read * cols);
      write += runLength;
    }
    this.current = rows;
  }

  private rebuild(rows: Int32Array): void {
    const cols = this.source.cols;
    if (this.buffer.length < rows.length * cols) this.buffer = new Float32Array(rows.length * cols);
    const src = this.source.data;
    for (let i = 0; i < rows.length; ) {
      // Copy runs of consecutive source rows in one call.
      let end = i + 1;
      while (end < rows.length && rows[end] === (rows[end - 1] as number) + 1) end++;
      const from = (rows[i] as number) * cols;
      this.buffer.set(src.subarray(from, from + (end - i) * cols), i * cols);
      i = end;
    }
    this.current = rows;
  }
}

/**
 * Rows `wanted` of an encoded (int8) source, read from it by row: nothing is packed, since packing
 * would decode the pool into float32 (2 GB at 1,000,000 x 512). Reading `data` decodes the rows
 * then (once); strategies take rows (`takeRows`) instead.
 */
function subsetOf(source: EncodedMatrix, wanted: Int32Array): EncodedMatrix {
  const cols = source.cols;
  let data: Float32Array | undefined;
  const view: EncodedMatrix = {
    rows: wanted.length,
    cols,
    readRows(from: number, to: number, out: Float32Array, outAt: number): void {
      for (let i = from; i < to; i++) source.readRows(wanted[i] as number, (wanted[i] as number) + 1, out, outAt + (i - from) * cols);
    },
    view: (from: number, to: number): EncodedMatrix => subsetOf(source, wanted.subarray(from, to)),
    get data(): Float32Array {
      if (data === undefined) {
        noteFullDecode();
        data = new Float32Array(wanted.length * cols);
        view.readRows(0, wanted.length, data, 0);
      }
      return data;
    },
  };
  declareRowSubset(view, source, wanted);
  return view;
}

function sameRows(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when every element of `sub` appears in `of`, in the same order (both ascending). */
function isSubsequence(sub: Int32Array, of: Int32Array): boolean {
  if (sub.length > of.length) return false;
  let j = 0;
  for (let i = 0; i < sub.length; i++) {
    while (j < of.length && (of[j] as number) < (sub[i] as number)) j++;
    if (j === of.length || of[j] !== sub[i]) return false;
    j++;
  }
  return true;
}
