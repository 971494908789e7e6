import { multiplyTransposed } from '../math/product';
import type { Matrix } from '../types';

/** Row-wise softmax of `logits` (rows x cols) into `out`, max-shifted so it never overflows. */
export function softmaxRows(logits: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) if (logits[o + c] > max) max = logits[o + c];
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(logits[o + c] - max);
      out[o + c] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let c = 0; c < cols; c++) out[o + c] *= inv;
  }
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** out = x W^T + b: x (rows x inDim), W (outDim x inDim). */
export function affine(x: Matrix, weights: Float32Array, bias: Float32Array, outDim: number): Float32Array {
  const out = multiplyTransposed(x, { data: weights, rows: outDim, cols: x.cols });
  for (let i = 0; i < x.rows; i++) {
    const o = i * outDim;
    for (let c = 0; c < outDim; c++) out[o + c] += bias[c];
  }
  return out;
}

/** Transpose of a rows x cols matrix. */
export function transpose(data: Float32Array, rows: number, cols: number): Matrix {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = data[o + j];
  }
  return { data: out, rows: cols, cols: rows };
}

/**
 * Weight gradient dZ^T X (outDim x inDim) for a batch: the contraction runs over the batch rows, so
 * both operands are transposed and handed to the same SIMD product as the forward pass.
 */
export function weightGradient(delta: Float32Array, x: Matrix, outDim: number): Float32Array {
  const dT = transpose(delta, x.rows, outDim);
  const xT = transpose(x.data, x.rows, x.cols);
  return multiplyTransposed(dT, xT);
}

/** Adam over one flat parameter vector; `step` is 1-based. */
export class Adam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private step = 0;

  constructor(
    private readonly params: Float32Array,
    private readonly learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = new Float32Array(params.length);
    this.v = new Float32Array(params.length);
  }

  apply(grad: Float32Array): void {
    this.step++;
    const { params, m, v, beta1, beta2, eps } = this;
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    const lr = (this.learningRate * Math.sqrt(c2)) / c1;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      params[i] -= (lr * m[i]) / (Math.sqrt(v[i]) + eps);
    }
  }
}
