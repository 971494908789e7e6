/**
 * The unlabeled pool as a compact matrix kept between batches. A strategy wants the pool's rows
 * packed together; building that afresh for every batch copied the whole embedding matrix (about
 * 100 MB at 50,000 x 512) each time. Between two batches the pool usually only loses the rows just
 * served or labeled, so this buffer drops them in place (one `copyWithin` per kept run, no
 * allocation) and only refills from the source when rows come back (undo, a released queue).
 */
import type { Matrix } from '../types';

export class PoolRows {
  private buffer: Float32Array = new Float32Array(0);
  private current: Int32Array = new Int32Array(0);
  /** How the last update was served: for tests and diagnostics. */
  lastUpdate: 'compacted' | 'rebuilt' | 'unchanged' = 'rebuilt';

  constructor(private readonly source: Matrix) {}

  /**
   * The rows `rows` (ascending source rows) packed in that order. The returned matrix is a view of
   * a buffer that the next `update` rewrites: use it before calling again.
   */
  update(rows: readonly number[]): Matrix {
    const cols = this.source.cols;
    if (sameRows(this.current, rows)) {
      this.lastUpdate = 'unchanged';
    } else if (isSubsequence(rows, this.current)) {
      this.compact(rows);
      this.lastUpdate = 'compacted';
    } else {
      this.rebuild(rows);
      this.lastUpdate = 'rebuilt';
    }
    return { data: this.buffer.subarray(0, rows.length * cols), rows: rows.length, cols };
  }

  /** Keeps `rows` (a subsequence of the current rows), moving each run of kept rows down at once. */
  private compact(rows: readonly number[]): void {
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
    this.current = Int32Array.from(rows);
  }

  private rebuild(rows: readonly number[]): void {
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
    this.current = Int32Array.from(rows);
  }
}

function sameRows(a: Int32Array, b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when every element of `sub` appears in `of`, in the same order (both ascending). */
function isSubsequence(sub: readonly number[], of: Int32Array): boolean {
  if (sub.length > of.length) return false;
  let j = 0;
  for (let i = 0; i < sub.length; i++) {
    while (j < of.length && (of[j] as number) < (sub[i] as number)) j++;
    if (j === of.length || of[j] !== sub[i]) return false;
    j++;
  }
  return true;
}

/** Copies the given rows (the pool handed to a strategy is a fresh, compact matrix). */
export function takeRowsOf(x: Matrix, rows: readonly number[]): Matrix {
  const data = new Float32Array(rows.length * x.cols);
  rows.forEach((r, i) => data.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), i * x.cols));
  return { data, rows: rows.length, cols: x.cols };
}
