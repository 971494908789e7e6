/**
 * The one interface every embedding backend implements. Vectors are L2-normalised, so a dot product
 * is a cosine similarity everywhere downstream (sampling, clustering, similarity search).
 */
import { ActiveLabelError } from '../errors';
import type { DatasetItem, Matrix } from '../types';

/**
 * `transformer`: transformers.js (a Hugging Face id or local folder); `use-lite`: the bundled
 * Universal Sentence Encoder lite; `lexical`: hashed n-gram TF-IDF; `remote`: an OpenAI-compatible
 * embedding server; `precomputed`: vectors the user supplied in a file.
 */
export type EmbedderKind = 'transformer' | 'use-lite' | 'lexical' | 'remote' | 'precomputed';

export interface Embedder {
  /**
   * The model id or local folder for transformers; `'use-lite'` and `'lexical'` for the built-in
   * embedders; `openai:<base url>#<model>` for a server; `vectors:<file>` for a vector file.
   */
  readonly id: string;
  readonly kind: EmbedderKind;
  readonly dimensions: number;
  /** One row per text, in the order given; each row has unit norm (or is all zeros for no tokens). */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Matrix>;
  dispose(): Promise<void>;
  /** Corpus statistics (the lexical idf); `embedDataset` calls it with every text before embedding. */
  fit?(corpus: readonly string[]): void;
  /**
   * What `fit` computed, as floats to persist beside the cached vectors; undefined before a fit.
   * With `restoreFit`, a later run over the same corpus skips the fit (it tokenizes every text).
   */
  fitState?(): Float32Array | undefined;
  /** Restores a `fitState` of the same corpus; false (and no change) when it does not fit this embedder. */
  restoreFit?(state: Float32Array): boolean;
  /** Anything besides id and dimensions that changes the vectors; stored in the cache header. */
  fingerprint?(): string;
  /**
   * How many texts one `embed` call should get to keep the backend busy (an embedding server:
   * batch size x requests in flight). Callers of `embedDataset` pass it as the batch size.
   */
  readonly callSize?: number;
  /**
   * The vectors of `items`, row k for items[k], when the embedder already holds them (a vector
   * file's): no embedding and no cache. `embedDataset` uses it when it is given no cache.
   */
  vectorsFor?(items: readonly DatasetItem[]): Matrix;
}

/** The model could not be loaded; the message names the model, where we looked and how to fix it. */
export class EmbedderLoadError extends ActiveLabelError {
  constructor(
    readonly model: string,
    readonly lookedIn: readonly string[],
    reason: string,
    options?: { cause?: unknown; advice?: string },
  ) {
    super(`Could not load the embedding model "${model}": ${reason}\nLooked in: ${lookedIn.join(', ')}.\n${options?.advice ?? LOCAL_MODEL_ADVICE}`, options);
  }
}

const LOCAL_MODEL_ADVICE =
  'To use a model offline, download it once and point Active Label at the folder: set ' +
  '`activeLabel.model` (or pass `--model PATH` to the CLI) to a folder holding config.json, ' +
  'tokenizer.json, tokenizer_config.json and onnx/model.onnx or onnx/model_quantized.onnx. ' +
  'Or choose a built-in embedder, which needs no download: `use-lite` (Universal Sentence Encoder lite) or `lexical`.';

/** An empty matrix with the right width, so callers never special-case zero texts. */
export function emptyMatrix(cols: number): Matrix {
  return { data: new Float32Array(0), rows: 0, cols };
}

/** Scales each row of `data` (length rows*cols) to unit L2 norm in place; zero rows stay zero. */
export function normalizeRows(data: Float32Array, cols: number): void {
  for (let start = 0; start < data.length; start += cols) {
    let sum = 0;
    for (let j = start; j < start + cols; j++) sum += data[j] * data[j];
    if (sum === 0) continue;
    const inv = 1 / Math.sqrt(sum);
    for (let j = start; j < start + cols; j++) data[j] *= inv;
  }
}
