/**
 * The engine's defaults, in one place. The settings schema (src/shared/settings.ts, and from it
 * package.json), the session config, batch composition and the CLI all read them from here.
 */
export const ENGINE_DEFAULTS = {
  /** The sentence encoder users get unless they choose another. */
  model: 'Xenova/all-MiniLM-L6-v2',
  strategy: 'clustered-uncertainty',
  batchSize: 10,
  retrainEvery: 10,
  /** Share of each batch drawn at random, for an unbiased view of the pool. */
  randomShare: 0.1,
  /** Cold start lasts until every label has this many examples. */
  minPerLabel: 3,
  /** Clustered uncertainty clusters the top share of the pool, in percent. */
  uncertainPercent: 10,
} as const;
