import { trainHead } from '../model/train';
import type { ClassifierHead } from '../model/types';
import { createRng, type Rng } from '../random';
import type { RankedItem } from '../types';
import { atlasSampling, activeTransferSampling } from './activeTransfer';
import { clusterSampling } from './clusterSampling';
import { clusteredUncertaintySampling } from './clusteredUncertainty';
import { coldStartReason, coldStartSampling } from './coldStart';
import { modelOutlierSampling } from './modelOutliers';
import { randomSampling } from './randomSampling';
import { representativeSampling } from './representative';
import type { BatchRequest, SamplingInput, StrategyContext, StrategyName } from './types';
import { uncertaintySampling } from './uncertaintySampling';

export const defaultBatchRequest = { randomShare: 0.1, minPerLabel: 3, uncertainPercent: 10 } as const;

function assertUnreachable(value: never): never {
  throw new Error(`unhandled strategy: ${String(value)}`);
}

/** Runs one strategy for `count` items. */
function runStrategy(name: Exclude<StrategyName, 'random'>, ctx: StrategyContext, count: number, rng: Rng): RankedItem[] {
  const transfer = { pool: ctx.pool, labeled: ctx.labeled, targets: ctx.targets, classes: ctx.classes, mode: ctx.mode, headOptions: ctx.headOptions, seed: ctx.seed };
  switch (name) {
    case 'least-confidence':
    case 'margin':
    case 'ratio':
    case 'entropy':
      return uncertaintySampling(ctx.prediction.probs, count, { method: name, mode: ctx.mode }, rng);
    case 'cluster':
      return clusterSampling(ctx.pool, count, { seed: ctx.seed }, rng);
    case 'representative':
      return representativeSampling(ctx.pool, ctx.labeled, count, rng);
    case 'model-outlier': {
      const reference = ctx.validation?.x ?? ctx.labeled;
      return modelOutlierSampling(ctx.prediction.logits, ctx.model.predict(reference).logits, count, rng);
    }
    case 'clustered-uncertainty':
      return clusteredUncertaintySampling(ctx.pool, ctx.prediction.probs, count, { mode: ctx.mode, seed: ctx.seed, uncertainPercent: ctx.uncertainPercent }, rng);
    case 'active-transfer':
      return activeTransferSampling(transfer, count, rng);
    case 'atlas':
      return atlasSampling(transfer, count, rng);
    default:
      return assertUnreachable(name);
  }
}

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
  if (request.strategy === 'random') return randomSampling(input.pool.rows, want, rng);

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
  const main = runStrategy(request.strategy, ctx, want - randomCount, rng);
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
