/** The embedding folder's public surface. */
export { type Embedder, type EmbedderKind, EmbedderLoadError, normalizeRows } from './embedder';
export { LexicalEmbedder, type LexicalOptions, defaultLexicalOptions } from './lexicalEmbedder';
export {
  TransformersEmbedder,
  type TransformersOptions,
  type ModelDtype,
  DEFAULT_MODEL,
  defaultCacheDir,
  isLocalModelPath,
} from './transformersEmbedder';
export { UseLiteEmbedder, type UseLiteOptions, defaultUseLiteOptions, isUseLiteModel, USE_LITE_MODEL } from './useLiteEmbedder';
export { createEmbedder, identityWithoutLoading, type CreateEmbedderOptions, type CreatedEmbedder, isLexicalModel, LEXICAL_MODEL } from './createEmbedder';
export { vectorsFromCache } from './cachedVectors';
export { EmbeddingCache, cacheFileFor, corpusKey, type CacheIdentity, type CachedFit } from './cache';
export { embedDataset, embedToCache, type EmbedToCacheResult, type EmbedProgress, type EmbedDatasetOptions, type EmbedDatasetResult } from './embedDataset';
export { StagedEmbedding, defaultStagedOptions, type StagedEmbeddingOptions } from './stagedEmbedding';
export { firstSampleSize, sampleFirstOrder, FIRST_SAMPLE_MIN, type EmbedOrder } from './embedOrder';
export { type VectorFile, type VectorFormat, type ReadVectorOptions, readVectorFile, vectorFormatOf, VECTOR_FIELDS } from './vectorFile';
export { VectorFileError } from './vectorFileError';
export {
  PrecomputedVectors,
  type PrecomputedLoad,
  type PrecomputedOptions,
  type VectorsMeta,
  findSidecarVectors,
  loadPrecomputedVectors,
  metaFileFor,
  readVectorsMeta,
} from './precomputedVectors';
export {
  OpenAIEmbedder,
  type OpenAIOptions,
  type OpenAIModelRef,
  type RemoteProgress,
  type RetryInfo,
  defaultOpenAIOptions,
  isOpenAIModel,
  parseOpenAIModel,
  OPENAI_PREFIX,
} from './openaiEmbedder';
export { RemoteEmbedderError } from './openaiResponse';
export { cacheDtypeFor, DEFAULT_VECTOR_DTYPE, type VectorDtype } from './quantize';
export { Int8Matrix, poolMatrix } from './int8Matrix';
