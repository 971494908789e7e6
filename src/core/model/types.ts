import type { LabelMode, Matrix } from '../types';

/**
 * Training targets. `single` covers single-label and binary modes (one class index per row);
 * `multi` is multi-label: a rows x classes 0/1 matrix, one sigmoid per class.
 */
export type Targets =
  | { readonly kind: 'single'; readonly y: Int32Array }
  | { readonly kind: 'multi'; readonly y: Uint8Array };

export type HeadKind = 'logistic' | 'mlp';

export interface HeadOptions {
  readonly kind: HeadKind;
  /** MLP hidden width (ignored by logistic). */
  readonly hidden: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  /** Weight classes by inverse frequency, for imbalanced data. */
  readonly classWeighting: boolean;
  readonly seed: number;
  /** Epochs when continuing from a compatible previous head and `epochs` is not given (default 8). */
  readonly warmEpochs?: number;
  /** Mini-batch size (default 256). */
  readonly batchSize?: number;
}

export interface Prediction {
  /** rows x classes: softmax (single) or per-class sigmoid (multi). */
  readonly probs: Matrix;
  /** rows x classes, pre-activation. */
  readonly logits: Matrix;
  /** rows x hidden, the MLP's post-ReLU activations; for logistic heads, the input itself. */
  readonly hidden: Matrix;
}

/** A trained head. Immutable: retraining returns a new head with version + 1. */
export interface ClassifierHead {
  readonly kind: HeadKind;
  readonly mode: LabelMode;
  readonly classes: readonly string[];
  readonly inputSize: number;
  readonly version: number;
  /** MLP hidden width; for logistic heads, inputSize. */
  readonly hiddenSize?: number;
  predict(x: Matrix): Prediction;
}
