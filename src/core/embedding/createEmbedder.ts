/**
 * Picks the embedder a setting names: `use-lite`, `lexical`, a Hugging Face id, a local folder, or
 * an OpenAI-compatible embedding server (`openai:<base url>#<model>`).
 * When the configured model cannot be loaded and fallback is allowed, the bundled use-lite embedder
 * stands in (offline, semantic), and lexical only when use-lite itself fails; the result carries a
 * warning, so the caller can say "using use-lite embeddings because ..." instead of failing.
 */
import type { Embedder } from './embedder';
import { EmbedderLoadError } from './embedder';
import { type LexicalOptions, LexicalEmbedder } from './lexicalEmbedder';
import { type OpenAIOptions, OpenAIEmbedder, isOpenAIModel, parseOpenAIModel } from './openaiEmbedder';
import { type TransformersOptions, TransformersEmbedder, transformersIdFor } from './transformersEmbedder';
import { type UseLiteOptions, USE_LITE_MODEL, UseLiteEmbedder, isUseLiteModel, useLiteFingerprint } from './useLiteEmbedder';

export const LEXICAL_MODEL = 'lexical';

export interface CreateEmbedderOptions extends Partial<Omit<TransformersOptions, 'model' | 'cacheDir'>> {
  /** Hugging Face id, local folder path, `use-lite`, `lexical`, or `openai:<base url>#<model>`. */
  model: string;
  cacheDir: string;
  /**
   * When the model cannot be loaded, fall back (use-lite, then lexical) with a warning instead of
   * throwing the `EmbedderLoadError`. Default false.
   */
  allowFallback?: boolean;
  /** @deprecated The former name of `allowFallback` (the fallback is now use-lite first). */
  fallbackToLexical?: boolean;
  lexical?: Partial<LexicalOptions>;
  /** use-lite options; its batch size defaults to `batchSize` when that is given. */
  useLite?: Partial<UseLiteOptions>;
  /** Embedding-server options (API key, batch size, requests in flight, timeout, retries, progress). */
  openai?: Partial<Omit<OpenAIOptions, 'baseUrl' | 'model'>>;
}

export interface CreatedEmbedder {
  readonly embedder: Embedder;
  /** Set when a fallback stands in for the requested model; says which and why. */
  readonly warning?: string;
  /** The load failure behind the warning, for callers that offer a fix (choose a local folder). */
  readonly loadError?: EmbedderLoadError;
  /** The model asked for, as given; differs from `embedder.id` after a fallback. */
  readonly requested: string;
  /** Which fallback was used, if any. */
  readonly fallback?: typeof USE_LITE_MODEL | typeof LEXICAL_MODEL;
}

export function isLexicalModel(model: string): boolean {
  return model.trim().toLowerCase() === LEXICAL_MODEL;
}

/**
 * The cache identity (id and fingerprint, not the width) the embedder `createEmbedder` would load
 * for `model` has, found without loading it, so a session whose vectors are all cached need not load
 * a model at all. Undefined where only loading tells: `lexical` (cheap to build; its fingerprint is
 * its options) and embedding servers (the server names its model).
 */
export function identityWithoutLoading(options: Pick<CreateEmbedderOptions, 'model' | 'useLite'>): { readonly id: string; readonly fingerprint: string } | undefined {
  const { model } = options;
  if (isLexicalModel(model) || isOpenAIModel(model)) return undefined;
  if (isUseLiteModel(model)) return { id: USE_LITE_MODEL, fingerprint: useLiteFingerprint(options.useLite?.maxChars) };
  // Transformers embedders have no fingerprint: the cache binds them with ''.
  return { id: transformersIdFor(model), fingerprint: '' };
}

export async function createEmbedder(options: CreateEmbedderOptions): Promise<CreatedEmbedder> {
  const { model, cacheDir, allowFallback, fallbackToLexical, lexical, useLite, openai, ...transformerOptions } = options;
  const requested = model;
  const useLiteOptions: Partial<UseLiteOptions> = {
    ...(transformerOptions.batchSize !== undefined ? { batchSize: transformerOptions.batchSize } : {}),
    ...useLite,
  };
  if (isLexicalModel(model)) return { embedder: new LexicalEmbedder(lexical), requested };
  if (isUseLiteModel(model)) {
    try {
      return { embedder: await UseLiteEmbedder.load(useLiteOptions), requested };
    } catch (error) {
      if (!(allowFallback ?? fallbackToLexical ?? false) || !(error instanceof EmbedderLoadError)) throw error;
      return lexicalFallback(requested, error, lexical);
    }
  }
  try {
    if (isOpenAIModel(model)) {
      // A malformed model string is a usage error (RangeError), not a load failure to fall back from.
      return { embedder: await OpenAIEmbedder.load({ ...openai, ...parseOpenAIModel(model) }), requested };
    }
    return { embedder: await TransformersEmbedder.load({ ...transformerOptions, model, cacheDir }), requested };
  } catch (error) {
    if (!(allowFallback ?? fallbackToLexical ?? false) || !(error instanceof EmbedderLoadError)) throw error;
    try {
      const embedder = await UseLiteEmbedder.load(useLiteOptions);
      return {
        embedder,
        warning: `using the built-in use-lite embeddings (Universal Sentence Encoder lite, offline) because ${reasonOf(error)}`,
        loadError: error,
        requested,
        fallback: USE_LITE_MODEL,
      };
    } catch (useLiteError) {
      if (!(useLiteError instanceof EmbedderLoadError)) throw useLiteError;
      const created = lexicalFallback(requested, error, lexical);
      const first = (created.warning ?? '').replace(/\.$/, '');
      return { ...created, warning: `${first}, and the use-lite fallback did not load either: ${reasonOf(useLiteError)}` };
    }
  }
}

function lexicalFallback(requested: string, error: EmbedderLoadError, lexical: Partial<LexicalOptions> | undefined): CreatedEmbedder {
  return {
    embedder: new LexicalEmbedder(lexical),
    warning: `using lexical embeddings because ${reasonOf(error)}`,
    loadError: error,
    requested,
    fallback: LEXICAL_MODEL,
  };
}

/** The first line of a load error, as the tail of a sentence. */
function reasonOf(error: EmbedderLoadError): string {
  const reason = error.message.split('\n')[0] ?? error.message;
  return `${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
}
