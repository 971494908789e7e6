/**
 * The built-in offline embedder: Universal Sentence Encoder lite (Google; transformer encoder over a
 * SentencePiece vocabulary, 512 dimensions), whose weights ship inside the extension. It needs no
 * download and no native module, so it is what Active Label falls back to when the configured
 * transformer cannot be loaded. The runtime itself is isolated in useLiteRuntime.ts.
 */
import { throwIfCancelled } from '../errors';
import type { Matrix } from '../types';
import { type Embedder, EmbedderLoadError, emptyMatrix, normalizeRows } from './embedder';
import { USE_LITE_DIMENSIONS, USE_LITE_PACKAGE, type UseLiteRuntime, loadUseLiteRuntime } from './useLiteRuntime';

export const USE_LITE_MODEL = 'use-lite';

export interface UseLiteOptions {
  /** Texts per model call. Throughput is flat from 16 to 64 here; larger batches only add latency. */
  batchSize: number;
  /**
   * Longer texts are cut to this many characters. The encoder pools over every token, so the tail of
   * a 100 KB email moves the vector little but costs time and wasm memory in proportion.
   */
  maxChars: number;
}

export const defaultUseLiteOptions: Readonly<UseLiteOptions> = { batchSize: 32, maxChars: 10_000 };

/** The cache fingerprint of use-lite vectors made with `maxChars`: known without loading the model. */
export function useLiteFingerprint(maxChars = defaultUseLiteOptions.maxChars): string {
  return `${USE_LITE_PACKAGE};maxChars=${maxChars}`;
}

export function isUseLiteModel(model: string): boolean {
  return model.trim().toLowerCase() === USE_LITE_MODEL;
}

export class UseLiteEmbedder implements Embedder {
  readonly id = USE_LITE_MODEL;
  readonly kind = 'use-lite' as const;
  readonly dimensions = USE_LITE_DIMENSIONS;

  private constructor(
    private readonly runtime: UseLiteRuntime,
    private readonly options: UseLiteOptions,
  ) {}

  static async load(options: Partial<UseLiteOptions> = {}): Promise<UseLiteEmbedder> {
    const o = { ...defaultUseLiteOptions, ...options };
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${o.batchSize}`);
    const fail = (reason: string, cause: unknown): EmbedderLoadError =>
      new EmbedderLoadError(USE_LITE_MODEL, [`the bundled ${USE_LITE_PACKAGE} package`], reason, {
        cause,
        advice: 'The extension\'s files may be incomplete: reinstall it, or choose `lexical` (built in, no model files).',
      });
    let runtime: UseLiteRuntime;
    try {
      runtime = await loadUseLiteRuntime();
    } catch (error) {
      throw fail(`the Universal Sentence Encoder runtime did not load (${firstLine(error)}).`, error);
    }
    const embedder = new UseLiteEmbedder(runtime, o);
    // A probe proves tokenizer -> wasm -> output works now, not on the first real batch.
    try {
      await embedder.embed(['dimension probe']);
    } catch (error) {
      throw fail(`the model loaded but could not embed text (${firstLine(error)}).`, error);
    }
    return embedder;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Matrix> {
    throwIfCancelled(signal);
    const dims = this.dimensions;
    if (texts.length === 0) return emptyMatrix(dims);
    const data = new Float32Array(texts.length * dims);
    for (let start = 0; start < texts.length; start += this.options.batchSize) {
      throwIfCancelled(signal);
      const batch = texts.slice(start, start + this.options.batchSize).map((t) => this.prepare(t));
      const rows = await this.runtime.embed(batch);
      if (rows.length !== batch.length) throw new Error(`use-lite returned ${rows.length} vectors for ${batch.length} texts`);
      rows.forEach((vector, i) => {
        if (vector.length !== dims) throw new Error(`use-lite returned ${vector.length} dimensions, expected ${dims}`);
        data.set(vector, (start + i) * dims);
      });
    }
    normalizeRows(data, dims);
    return { data, rows: texts.length, cols: dims };
  }

  fingerprint(): string {
    return useLiteFingerprint(this.options.maxChars);
  }

  /** The weights are shared process-wide (see useLiteRuntime.ts), so there is nothing to free here. */
  async dispose(): Promise<void> {}

  /**
   * A text with no tokens would get no row at all (the model sizes its output by the last row that
   * has a token), shifting every vector after it; a space tokenises to the word separator instead.
   */
  private prepare(text: string): string {
    if (text.length === 0) return ' ';
    if (text.length <= this.options.maxChars) return text;
    const cut = text.slice(0, this.options.maxChars);
    // Never end on half a surrogate pair.
    return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
