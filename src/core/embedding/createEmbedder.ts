/**
 * Picks the embedder a setting names: `lexical`, a Hugging Face id, or a local folder. When the
 * transformer cannot be loaded and fallback is allowed, the lexical embedder is returned with a
 * warning, so the caller can say "using lexical embeddings because ..." instead of failing.
 */
import type { Embedder } from './embedder';
import { EmbedderLoadError } from './embedder';
import { type LexicalOptions, LexicalEmbedder } from './lexicalEmbedder';
import { type TransformersOptions, TransformersEmbedder } from './transformersEmbedder';

export const LEXICAL_MODEL = 'lexical';

export interface CreateEmbedderOptions extends Partial<Omit<TransformersOptions, 'model' | 'cacheDir'>> {
  /** Hugging Face id, local folder path, or `lexical`. */
  model: string;
  cacheDir: string;
  fallbackToLexical: boolean;
  lexical?: Partial<LexicalOptions>;
}

export interface CreatedEmbedder {
  readonly embedder: Embedder;
  /** Set when the lexical embedder stands in for the requested model; says why. */
  readonly warning?: string;
  /** The load failure behind the warning, for callers that offer a fix (choose a local folder). */
  readonly loadError?: EmbedderLoadError;
}

export function isLexicalModel(model: string): boolean {
  return model.trim().toLowerCase() === LEXICAL_MODEL;
}

export async function createEmbedder(options: CreateEmbedderOptions): Promise<CreatedEmbedder> {
  const { model, cacheDir, fallbackToLexical, lexical, ...transformerOptions } = options;
  if (isLexicalModel(model)) return { embedder: new LexicalEmbedder(lexical) };
  try {
    return { embedder: await TransformersEmbedder.load({ ...transformerOptions, model, cacheDir }) };
  } catch (error) {
    if (!fallbackToLexical || !(error instanceof EmbedderLoadError)) throw error;
    const reason = error.message.split('\n')[0] ?? error.message;
    return {
      embedder: new LexicalEmbedder(lexical),
      warning: `using lexical embeddings because ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`,
      loadError: error,
    };
  }
}
