/**
 * A simulation's split without copying the embeddings: the matrix's rows are permuted in place so
 * that the pool's rows come first (in their order) and the test rows after them. The session and the
 * test predictions then read views of one buffer. Copying the two parts instead held the matrix
 * twice (8 GB more at 1,000,000 x 2048 float32).
 *
 * `withSplitLayout` restores the original row order before it returns, also when `run` throws, so
 * the caller's matrix is unchanged afterwards. While `run` runs, the matrix must not be read by row
 * number from anywhere else.
 */
import { Int8Matrix } from '../embedding/int8Matrix';
import type { Matrix } from '../types';

export interface SplitViews {
  /** Rows `pool` of the matrix, packed in that order (a view, no copy). */
  readonly pool: Matrix;
  /** Rows `test` of the matrix, packed in that order (a view, no copy). */
  readonly test: Matrix;
}

/**
 * Runs `run` with views of `pool` and `test` (disjoint rows that together cover every row of `x`).
 */
export function withSplitLayout<T>(x: Matrix, pool: readonly number[], test: readonly number[], run: (views: SplitViews) => T): T {
  if (pool.length + test.length !== x.rows) throw new RangeError(`the split has ${pool.length + test.length} rows, the matrix ${x.rows}`);
  // order[p] = the original row placed at position p.
  const order = new Int32Array(x.rows);
  order.set(pool, 0);
  order.set(test, pool.length);
  const seen = new Uint8Array(x.rows);
  for (const r of order) {
    if (r < 0 || r >= x.rows || seen[r] === 1) throw new RangeError(`row ${r} is outside the matrix or in the split twice`);
    seen[r] = 1;
  }
  gather(x, order);
  try {
    const cols = x.cols;
    return run(
      x instanceof Int8Matrix
        ? { pool: x.view(0, pool.length), test: x.view(pool.length, x.rows) }
        : {
            pool: { data: x.data.subarray(0, pool.length * cols), rows: pool.length, cols },
            test: { data: x.data.subarray(pool.length * cols, x.rows * cols), rows: test.length, cols },
          },
    );
  } finally {
    const inverse = new Int32Array(x.rows);
    for (let p = 0; p < order.length; p++) inverse[order[p] as number] = p;
    gather(x, inverse);
  }
}

/** In place: row p becomes what row order[p] was. One row of scratch; each cycle is followed once. */
export function gather(x: Matrix, order: Int32Array): void {
  if (x instanceof Int8Matrix) {
    x.permute(order);
    return;
  }
  const cols = x.cols;
  const data = x.data;
  const done = new Uint8Array(x.rows);
  const scratch = new Float32Array(cols);
  for (let start = 0; start < x.rows; start++) {
    if (done[start] === 1) continue;
    if (order[start] === start) {
      done[start] = 1;
      continue;
    }
    scratch.set(data.subarray(start * cols, (start + 1) * cols));
    let p = start;
    for (;;) {
      done[p] = 1;
      const from = order[p] as number;
      if (from === start) {
        data.set(scratch, p * cols);
        break;
      }
      data.copyWithin(p * cols, from * cols, (from + 1) * cols);
      p = from;
    }
  }
}
