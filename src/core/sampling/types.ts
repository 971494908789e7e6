import type { ClassifierHead, HeadOptions, Prediction, Targets } from '../model/types';
import type { LabelMode, Matrix } from '../types';

import type { StrategyName } from './registry';

/** Everything a strategy may look at. Indices in results are rows of `pool`. */
export interface SamplingInput {
  /** Unlabeled candidate embeddings. */
  readonly pool: Matrix;
  readonly poolTexts?: readonly string[];
  /** Labeled embeddings and their targets (rows align). */
  readonly labeled: Matrix;
  readonly targets: Targets;
  readonly classes: readonly string[];
  readonly mode: LabelMode;
  readonly model?: ClassifierHead;
  /** model.predict(pool); computed when absent. */
  readonly poolPrediction?: Prediction;
  /** Held-out items (model-based outliers compare against them; defaults to the labeled set). */
  readonly validation?: { readonly x: Matrix; readonly targets: Targets };
}

export interface BatchRequest {
  readonly strategy: StrategyName;
  readonly batchSize: number;
  /** Share of the batch drawn at random to keep an unbiased view (default 0.1). */
  readonly randomShare?: number;
  readonly seed: number;
  /** Cold start lasts until every label has this many examples (default 3). */
  readonly minPerLabel?: number;
  /** Keywords (case-insensitive) or `/regex/flags` that surface matching items during cold start. */
  readonly seedPatterns?: readonly string[];
  /** Clustered uncertainty: the top share of the pool, in percent, that gets clustered (default 10). */
  readonly uncertainPercent?: number;
  readonly headOptions?: Partial<HeadOptions>;
}

/** What `selectBatch` hands to a strategy once the model state is settled. */
export interface StrategyContext extends SamplingInput {
  readonly prediction: Prediction;
  readonly model: ClassifierHead;
  readonly seed: number;
  readonly uncertainPercent: number;
  readonly headOptions: Partial<HeadOptions>;
}
