/**
 * Sentence embeddings with transformers.js: `feature-extraction`, mean pooling over the attention
 * mask, L2 normalisation, in batches. The model is a Hugging Face id (downloaded once into the
 * caller's cache directory) or a local folder. Loading never hangs: it fails with an
 * `EmbedderLoadError` after `loadTimeoutMs` without progress.
 */
import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { throwIfCancelled } from '../errors';
import type { Matrix } from '../types';
import { type Embedder, EmbedderLoadError, emptyMatrix } from './embedder';

type Transformers = typeof import('@huggingface/transformers', { with: { 'resolution-mode': 'import' } });
type Extractor = Awaited<ReturnType<Transformers['pipeline']>>;

export type ModelDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'bnb4' | 'q4f16';

export interface TransformersOptions {
  /** Hugging Face id (`Xenova/all-MiniLM-L6-v2`) or a local model folder. */
  model: string;
  /** Where downloads are cached (the extension's global storage, or `defaultCacheDir()`). */
  cacheDir: string;
  /** Quantisation to load; a local folder falls back to whichever ONNX file it has. */
  dtype: ModelDtype;
  batchSize: number;
  /** Give up when loading makes no progress for this long (download stalls included). */
  loadTimeoutMs: number;
  /** false: only the cache and local folders are used; nothing is fetched. */
  allowRemoteModels: boolean;
  onLoadProgress?: (progress: { file: string; loaded?: number; total?: number }) => void;
}

export const DEFAULT_MODEL = 'Xenova/all-MiniLM-L6-v2';

export const defaultTransformersOptions: Readonly<Omit<TransformersOptions, 'model' | 'cacheDir'>> = {
  dtype: 'q8',
  batchSize: 32,
  loadTimeoutMs: 120_000,
  allowRemoteModels: true,
};

/** `$XDG_CACHE_HOME/active-label`, else `~/.cache/active-label`: the CLI's download cache. */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'active-label');
}

/** A model setting names a local folder when it looks like a path or is an existing folder. */
export function isLocalModelPath(model: string): boolean {
  if (path.isAbsolute(model) || /^(\.{1,2}[\\/]|~[\\/])/.test(model) || model.includes('\\')) return true;
  return existsSync(path.join(model, 'config.json'));
}

/** Suffixes transformers.js appends to `onnx/model` for each dtype. */
const DTYPE_SUFFIX: Record<ModelDtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  bnb4: '_bnb4',
  q4f16: '_q4f16',
};

function resolveLocal(model: string): string {
  const expanded = model.startsWith('~') ? path.join(os.homedir(), model.slice(1)) : model;
  return path.resolve(expanded);
}

/**
 * The id an embedder loaded for `model` has (a local folder resolved to an absolute path), which
 * also names its cache file: known without loading anything.
 */
export function transformersIdFor(model: string): string {
  return isLocalModelPath(model) ? resolveLocal(model) : model;
}

/** For a local folder, the requested dtype if its file exists, else fp32, else q8. */
function localDtype(folder: string, wanted: ModelDtype): ModelDtype {
  const has = (d: ModelDtype): boolean => existsSync(path.join(folder, 'onnx', `model${DTYPE_SUFFIX[d]}.onnx`));
  if (has(wanted)) return wanted;
  return (['fp32', 'q8'] as const).find(has) ?? wanted;
}

export class TransformersEmbedder implements Embedder {
  readonly kind = 'transformer' as const;

  private constructor(
    readonly id: string,
    readonly dimensions: number,
    private readonly extractor: Extractor,
    private readonly batchSize: number,
  ) {}

  static async load(options: Partial<TransformersOptions> & Pick<TransformersOptions, 'model' | 'cacheDir'>): Promise<TransformersEmbedder> {
    const o: TransformersOptions = { ...defaultTransformersOptions, ...options };
    const local = isLocalModelPath(o.model);
    const modelRef = local ? resolveLocal(o.model) : o.model;
    const lookedIn = local
      ? [modelRef]
      : [path.join(o.cacheDir, o.model), ...(o.allowRemoteModels ? [`https://huggingface.co/${o.model}`] : [])];
    const fail = (reason: string, cause?: unknown): EmbedderLoadError =>
      new EmbedderLoadError(o.model, lookedIn, reason, { cause });

    if (local) {
      if (!existsSync(modelRef) || !statSync(modelRef).isDirectory()) throw fail('the folder does not exist.');
      if (!existsSync(path.join(modelRef, 'config.json'))) throw fail('the folder has no config.json.');
    }

    let transformers: Transformers;
    try {
      transformers = await import('@huggingface/transformers');
    } catch (error) {
      throw fail(`the transformers.js runtime did not load (${(error as Error).message}).`, error);
    }

    let timer: NodeJS.Timeout | undefined;
    let rejectStall: (error: Error) => void = () => undefined;
    const stalled = new Promise<never>((_, reject) => {
      rejectStall = reject;
    });
    const armTimer = (): void => {
      clearTimeout(timer);
      timer = setTimeout(
        () => rejectStall(fail(`no progress for ${formatSeconds(o.loadTimeoutMs)} (offline, or a stalled download?).`)),
        o.loadTimeoutMs,
      );
    };
    armTimer();

    // transformers.js 4.3.1 does not pass `local_files_only` and `cache_dir` down to every file it
    // reads (the config is fetched through env), so the process-wide settings must say the same
    // for the duration of the load, or an offline load would still try the network.
    const { env } = transformers;
    const saved = { allowRemoteModels: env.allowRemoteModels, cacheDir: env.cacheDir };
    env.allowRemoteModels = o.allowRemoteModels && !local;
    env.cacheDir = o.cacheDir;
    const loading = (async (): Promise<Extractor> => {
      const extractor = await transformers.pipeline('feature-extraction', modelRef, {
        dtype: local ? localDtype(modelRef, o.dtype) : o.dtype,
        device: 'cpu',
        cache_dir: o.cacheDir,
        local_files_only: local || !o.allowRemoteModels,
        progress_callback: (info: unknown) => {
          armTimer();
          const p = info as { file?: string; loaded?: number; total?: number };
          if (p.file) o.onLoadProgress?.({ file: p.file, loaded: p.loaded, total: p.total });
        },
      });
      return extractor as Extractor;
    })();
    // If the stall timer wins, the load may still finish later; release it then.
    let abandoned = false;
    loading.then(
      (extractor) => (abandoned ? void extractor.dispose() : undefined),
      () => undefined,
    );

    let extractor: Extractor;
    try {
      extractor = await Promise.race([loading, stalled]);
    } catch (error) {
      abandoned = true;
      if (error instanceof EmbedderLoadError) throw error;
      throw fail(explainLoadFailure(error, local, o.allowRemoteModels), error);
    } finally {
      clearTimeout(timer);
      env.allowRemoteModels = saved.allowRemoteModels;
      env.cacheDir = saved.cacheDir;
    }

    // A probe finds the width and proves the whole path (tokenizer -> ONNX -> pooling) works now,
    // rather than on the first real batch.
    let dimensions: number;
    try {
      const probe = await runBatch(extractor, ['dimension probe']);
      dimensions = probe.cols;
    } catch (error) {
      await extractor.dispose();
      throw fail(`the model loaded but could not embed text (${firstLine((error as Error).message)}).`, error);
    }
    return new TransformersEmbedder(transformersIdFor(o.model), dimensions, extractor, o.batchSize);
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Matrix> {
    throwIfCancelled(signal);
    if (texts.length === 0) return emptyMatrix(this.dimensions);
    const data = new Float32Array(texts.length * this.dimensions);
    for (let start = 0; start < texts.length; start += this.batchSize) {
      throwIfCancelled(signal);
      const batch = await runBatch(this.extractor, texts.slice(start, start + this.batchSize));
      if (batch.cols !== this.dimensions) throw new Error(`model returned ${batch.cols} dimensions, expected ${this.dimensions}`);
      data.set(batch.data, start * this.dimensions);
    }
    return { data, rows: texts.length, cols: this.dimensions };
  }

  async dispose(): Promise<void> {
    await this.extractor.dispose();
  }
}

async function runBatch(extractor: Extractor, texts: string[]): Promise<Matrix> {
  // Empty strings would give a zero-length mean; a space tokenises to [CLS] [SEP] instead.
  const inputs = texts.map((t) => (t.length === 0 ? ' ' : t));
  const run = extractor as unknown as (
    input: string[],
    options: { pooling: 'mean'; normalize: boolean },
  ) => Promise<{ data: Float32Array; dims: number[]; dispose?: () => void }>;
  const output = await run(inputs, { pooling: 'mean', normalize: true });
  const [rows, cols] = output.dims;
  if (rows !== texts.length || cols === undefined) throw new Error(`unexpected output shape [${output.dims.join(', ')}]`);
  const data = Float32Array.from(output.data);
  output.dispose?.();
  return { data, rows, cols };
}

/** Says what a raw loader error means for the user; the original stays in parentheses. */
function explainLoadFailure(error: unknown, local: boolean, allowRemote: boolean): string {
  const raw = firstLine(error instanceof Error ? error.message : String(error));
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause?.code ?? '';
  if (/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT/.test(`${raw} ${cause}`)) {
    return `it is not in the cache and huggingface.co could not be reached (offline?) (${raw}${cause ? `: ${cause}` : ''}).`;
  }
  if (/not found locally|Local file missing/.test(raw)) {
    return local
      ? `a required file is missing from the folder (${raw}).`
      : allowRemote
        ? `a required file is missing (${raw}).`
        : `it is not in the cache and downloads are turned off (${raw}).`;
  }
  if (/\b(401|403|404)\b|Could not locate file/.test(raw)) {
    return `no such model on the Hugging Face Hub, or it is private (${raw}).`;
  }
  return raw;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${(ms / 1000).toFixed(3)} s` : `${Math.round(ms / 1000)} s`;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
