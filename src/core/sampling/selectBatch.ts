import { trainHead } from '../model/train';
import type { ClassifierHead } from '../model/types';
import { ENGINE_DEFAULTS } from '../defaults';
import { createRng } from '../random';
import type { RankedItem } from '../types';
import { coldStartReason, coldStartSampling } from './coldStart';
import { randomSampling } from './randomSampling';
import { STRATEGIES } from './registry';
import type { BatchRequest, SamplingInput, StrategyContext } from './types';

export const defaultBatchRequest = {
  randomShare: ENGINE_DEFAULTS.randomShare,
  minPerLabel: ENGINE_DEFAULTS.minPerLabel,
  uncertainPercent: ENGINE_DEFAULTS.uncertainPercent,
} as const;

/**
 * One batch for the annotator: the chosen strategy for (1 - randomShare) of it and random items
 * for the rest, deduplicated, ranked strategy-first. Until every label has `minPerLabel` examples
 * (or there is no model) it is a cold-start batch: seed-pattern matches, cluster centroids, random.
 * Indices are rows of `input.pool`; an empty pool gives [], a small pool is returned whole.
 */
export function selectBatch(input: SamplingInput, request: BatchRequest): RankedItem[] {
  const rng = createRng(request.seed);
  const want = Math.min(Math.max(0, Math.floor(request.batchSize)), input.pool.rows);
  if (want === 0) return [];
  const randomShare = Math.min(1, Math.max(0, request.randomShare ?? defaultBatchRequest.randomShare));
  const entry = STRATEGIES[request.strategy];
  if (!entry.composed) return entry.run(input, want, rng);

  const minPerLabel = request.minPerLabel ?? defaultBatchRequest.minPerLabel;
  const why = coldStartReason(input.targets, input.classes, minPerLabel, input.model !== undefined);
  if (why !== null) {
    return coldStartSampling(input.pool, want, { seed: request.seed, why, randomShare, seedPatterns: request.seedPatterns, texts: input.poolTexts }, rng);
  }
  const model: ClassifierHead = input.model ?? trainHead(input.labeled, input.targets, input.classes, input.mode, request.headOptions);
  const ctx: StrategyContext = {
    ...input,
    model,
    prediction: input.poolPrediction ?? model.predict(input.pool),
    seed: request.seed,
    uncertainPercent: request.uncertainPercent ?? defaultBatchRequest.uncertainPercent,
    headOptions: request.headOptions ?? {},
  };
  const randomCount = Math.min(want, Math.round(want * randomShare));
  const main = entry.run(ctx, want - randomCount, rng);
  const seen = new Set<number>();
  const out: RankedItem[] = [];
  for (const item of main) {
    if (out.length >= want - randomCount || seen.has(item.index)) continue;
    seen.add(item.index);
    out.push(item);
  }
  // The random share, plus any shortfall of the strategy, keeps the batch full.
  out.push(...randomSampling(input.pool.rows, want - out.length, rng, seen));
  return out;
}
