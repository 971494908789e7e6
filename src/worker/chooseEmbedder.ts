/**
 * Which embedder a session uses: vectors the user already has (the `activeLabel.vectors` setting,
 * or a `<dataset>.vectors.npy` sidecar), else the configured model. A model that cannot be loaded
 * falls back to the bundled use-lite encoder (offline, semantic), then to lexical, and the session
 * says so: it never stops for want of a download.
 */
import { createEmbedder, findSidecarVectors, loadPrecomputedVectors, VectorFileError, type Embedder } from '../core/embedding';
import type { Dataset } from '../core/types';
import type { SessionInit } from '../shared/protocol/sessionInit';
import { InitError } from './initError';

export interface ChosenEmbedder {
  readonly embedder: Embedder;
  /** What the panel shows, e.g. `use-lite (fallback)` or `vectors: news.vectors.npy`. */
  readonly label: string;
  /** Set when a fallback stands in for the configured model: what was asked for and why not. */
  readonly fallback?: { readonly requested: string; readonly reason: string };
  /** Things to tell the user that do not stop the session. */
  readonly notes: readonly string[];
}

export async function chooseEmbedder(init: SessionInit, dataset: Dataset, signal: AbortSignal): Promise<ChosenEmbedder> {
  const vectors = init.vectors ?? (await findSidecarVectors(init.datasetFile));
  if (vectors !== undefined) {
    try {
      // No sha256 of the file: the session keeps no cache of these vectors (the file is one), so nothing is keyed by it.
      const load = await loadPrecomputedVectors(vectors, dataset, { loadOptions: { textField: init.textField }, signal, hash: false });
      return { embedder: load.embedder, label: `vectors: ${load.embedder.id}`, notes: [load.summary, ...load.warnings] };
    } catch (error) {
      if (error instanceof VectorFileError) throw new InitError(`${error.message} (vectors from ${vectors})`, 'dataset');
      throw error;
    }
  }
  const created = await createEmbedder({
    model: init.model,
    cacheDir: init.cacheDir,
    allowFallback: true,
    ...(init.server !== undefined
      ? { openai: { batchSize: init.server.batchSize, concurrency: init.server.concurrency, ...(init.apiKey ? { apiKey: init.apiKey } : {}) } }
      : {}),
  });
  const fallback = created.fallback !== undefined ? { requested: created.requested, reason: created.warning ?? '' } : undefined;
  return {
    embedder: created.embedder,
    label: created.fallback !== undefined ? `${created.embedder.id} (fallback)` : created.embedder.id,
    ...(fallback ? { fallback } : {}),
    notes: [],
  };
}
