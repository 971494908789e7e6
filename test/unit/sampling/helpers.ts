import { createRng } from '../../../src/core/random';
import type { Matrix } from '../../../src/core/types';

/** Gaussian blobs: `perBlob` points around each of `blobs` random centres (spread `spread`). */
export function blobs(blobCount: number, perBlob: number, dims: number, spread: number, seed: number): { x: Matrix; truth: Int32Array; centres: Float32Array[] } {
  const rng = createRng(seed);
  const centres = Array.from({ length: blobCount }, () => Float32Array.from({ length: dims }, () => rng.normal() * 5));
  const n = blobCount * perBlob;
  const data = new Float32Array(n * dims);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = i % blobCount;
    truth[i] = b;
    for (let j = 0; j < dims; j++) data[i * dims + j] = centres[b][j] + rng.normal() * spread;
  }
  return { x: { data, rows: n, cols: dims }, truth, centres };
}

/** Adjusted Rand index: label-permutation-invariant agreement of two partitions (1 = identical). */
export function adjustedRand(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const table = new Map<string, number>();
  const rowSums = new Map<number, number>();
  const colSums = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}:${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rowSums.set(a[i], (rowSums.get(a[i]) ?? 0) + 1);
    colSums.set(b[i], (colSums.get(b[i]) ?? 0) + 1);
  }
  const c2 = (v: number): number => (v * (v - 1)) / 2;
  let index = 0;
  for (const v of table.values()) index += c2(v);
  let sa = 0;
  for (const v of rowSums.values()) sa += c2(v);
  let sb = 0;
  for (const v of colSums.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

export function argmaxRow(data: Float32Array, row: number, cols: number): number {
  let best = 0;
  for (let k = 1; k < cols; k++) if (data[row * cols + k] > data[row * cols + best]) best = k;
  return best;
}
