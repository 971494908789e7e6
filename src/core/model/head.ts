import { rowRange } from '../math/matrix';
import type { LabelMode, Matrix } from '../types';
import { affine, sigmoid, softmaxRows } from './ops';
import type { ClassifierHead, HeadKind, Prediction } from './types';

/** The trainable numbers of a head. Logistic heads use only `w2`/`b2` (classes x inputSize). */
export interface HeadParameters {
  /** hidden x inputSize (MLP only). */
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  /** classes x (hidden or inputSize). */
  readonly w2: Float32Array;
  readonly b2: Float32Array;
}

/** Converts logits to probabilities in place of `out`: softmax (single/binary) or sigmoid (multi). */
export function activate(logits: Float32Array, rows: number, classes: number, mode: LabelMode, out: Float32Array): void {
  if (mode === 'multi') {
    for (let i = 0; i < rows * classes; i++) out[i] = sigmoid(logits[i]);
  } else {
    softmaxRows(logits, rows, classes, out);
  }
}

/** A trained head: immutable parameters plus the forward pass. */
export class DenseHead implements ClassifierHead {
  readonly hiddenSize: number;

  constructor(
    readonly kind: HeadKind,
    readonly mode: LabelMode,
    readonly classes: readonly string[],
    readonly inputSize: number,
    readonly version: number,
    readonly parameters: HeadParameters,
  ) {
    this.hiddenSize = kind === 'mlp' ? parameters.b1.length : inputSize;
  }

  /** Post-ReLU hidden activations (MLP) or the input itself (logistic). */
  hidden(x: Matrix): Matrix {
    if (this.kind === 'logistic') return x;
    const h = this.hiddenSize;
    const z = affine(x, this.parameters.w1, this.parameters.b1, h);
    for (let i = 0; i < z.length; i++) if (z[i] < 0) z[i] = 0;
    return { data: z, rows: x.rows, cols: h };
  }

  /** An encoded (int8) `x` is read as stored, never decoded whole (math/product.ts); a logistic head's hidden is then `x` itself. */
  predict(x: Matrix): Prediction {
    if (x.cols !== this.inputSize) {
      throw new RangeError(`model expects ${this.inputSize}-d embeddings, got ${x.cols}-d`);
    }
    const c = this.classes.length;
    const hidden = this.hidden(x);
    const logits = affine(hidden, this.parameters.w2, this.parameters.b2, c);
    const probs = new Float32Array(logits.length);
    activate(logits, x.rows, c, this.mode, probs);
    return {
      probs: { data: probs, rows: x.rows, cols: c },
      logits: { data: logits, rows: x.rows, cols: c },
      hidden,
    };
  }
}

/** Predicts `x` in row chunks and hands each chunk to `onChunk` (bounded memory for huge pools). */
export function predictInChunks(
  head: ClassifierHead,
  x: Matrix,
  chunkRows: number,
  onChunk: (prediction: Prediction, firstRow: number) => void,
): void {
  const step = Math.max(1, Math.floor(chunkRows));
  for (let from = 0; from < x.rows; from += step) {
    const to = Math.min(x.rows, from + step);
    const part = rowRange(x, from, to);
    onChunk(head.predict(part), from);
  }
}
