/**
 * The one strategy registry: each strategy's name, display title, description and implementation.
 * The CLI's `--strategy` list, the quick pick, dispatch in `selectBatch` and the `package.json`
 * enum (synced by scripts/sync-manifest.ts, checked by a test) all come from here, so a new
 * strategy is one entry below plus its own file.
 *
 * Batch composition (the random share, cold start, seed terms, subsampling of a large pool) is not
 * part of any entry: `selectBatch` wraps every strategy in it. `random` is the one exception,
 * marked `composed: false`: it is the unbiased baseline, so it is served as it is.
 */
import type { Rng } from '../random';
import type { RankedItem } from '../types';
import { activeTransferSampling, atlasSampling } from './activeTransfer';
import { clusterSampling } from './clusterSampling';
import { clusteredUncertaintySampling } from './clusteredUncertainty';
import { modelOutlierSampling } from './modelOutliers';
import { randomSampling } from './randomSampling';
import { representativeSampling } from './representative';
import type { SamplingInput, StrategyContext } from './types';
import { uncertaintySampling } from './uncertaintySampling';

interface EntryText {
  /** Shown in the quick pick and the panel's header. */
  readonly title: string;
  /** One sentence: what it picks (the quick pick's detail and the setting's enumDescription). */
  readonly description: string;
}

/** Most strategies: wrapped in batch composition, given the model's predictions. */
interface ComposedEntry extends EntryText {
  readonly composed: true;
  /** The ranked picks, best first; indices are rows of `ctx.pool`. */
  run(ctx: StrategyContext, count: number, rng: Rng): RankedItem[];
}

/** `random` only: needs no model, served as it is. */
interface PlainEntry extends EntryText {
  readonly composed: false;
  run(input: SamplingInput, count: number, rng: Rng): RankedItem[];
}

export type StrategyEntry = ComposedEntry | PlainEntry;

const uncertainty =
  (method: 'least-confidence' | 'margin' | 'ratio' | 'entropy') =>
  (ctx: StrategyContext, count: number, rng: Rng): RankedItem[] =>
    uncertaintySampling(ctx.prediction.probs, count, { method, mode: ctx.mode }, rng);

const transferInput = (ctx: StrategyContext) => ({
  pool: ctx.pool,
  labeled: ctx.labeled,
  targets: ctx.targets,
  classes: ctx.classes,
  mode: ctx.mode,
  headOptions: ctx.headOptions,
  seed: ctx.seed,
  poolProbs: ctx.prediction.probs,
});

export const STRATEGIES = {
  random: {
    title: 'Random',
    description: 'Uniform random sample (a baseline; also used for the cold start).',
    composed: false,
    run: (input: SamplingInput, count: number, rng: Rng) => randomSampling(input.pool.rows, count, rng),
  },
  'least-confidence': {
    title: 'Least confidence',
    description: 'Items whose top prediction has the lowest confidence.',
    composed: true,
    run: uncertainty('least-confidence'),
  },
  margin: {
    title: 'Margin',
    description: 'Items with the smallest gap between the two most likely labels.',
    composed: true,
    run: uncertainty('margin'),
  },
  ratio: {
    title: 'Ratio',
    description: 'Items with the highest ratio of second to first confidence.',
    composed: true,
    run: uncertainty('ratio'),
  },
  entropy: {
    title: 'Entropy',
    description: 'Items with the highest prediction entropy.',
    composed: true,
    run: uncertainty('entropy'),
  },
  cluster: {
    title: 'Cluster-based',
    description:
      "Cluster the embeddings (k-means) and take each cluster's centroid item, its outlier, then random members (diversity).",
    composed: true,
    run: (ctx, count, rng) => clusterSampling(ctx.pool, count, { seed: ctx.seed }, rng),
  },
  representative: {
    title: 'Representative',
    description: 'Items most representative of the unlabeled pool relative to the labeled set.',
    composed: true,
    run: (ctx, count, rng) => representativeSampling(ctx.pool, ctx.labeled, count, rng),
  },
  'model-outlier': {
    title: 'Model-based outliers',
    description: "Items whose logits rank lowest against the labeled held-out items' logits: what the model knows least about.",
    composed: true,
    run: (ctx, count, rng) => {
      const reference = ctx.validation?.x ?? ctx.labeled;
      return modelOutlierSampling(ctx.prediction.logits, ctx.model.predict(reference).logits, count, rng);
    },
  },
  'clustered-uncertainty': {
    title: 'Clustered uncertainty',
    description: 'The most uncertain items by margin (smallest gap between the two likeliest labels), spread across clusters so a batch is not near-duplicates (recommended).',
    composed: true,
    run: (ctx, count, rng) =>
      clusteredUncertaintySampling(ctx.pool, ctx.prediction.probs, count, { mode: ctx.mode, seed: ctx.seed, uncertainPercent: ctx.uncertainPercent }, rng),
  },
  'active-transfer': {
    title: 'Active transfer (uncertainty)',
    description:
      'Items an error head, trained on which labeled items the model gets wrong (out-of-fold), predicts it gets wrong.',
    composed: true,
    run: (ctx, count, rng) => activeTransferSampling(transferInput(ctx), count, rng),
  },
  atlas: {
    title: 'ATLAS',
    description:
      'ATLAS (Active Transfer Learning for Adaptive Sampling): active transfer in small steps (10 items); each step\'s picks count as "seen" (correct) before the error head retrains, so one batch does not pile into one error region.',
    composed: true,
    run: (ctx, count, rng) => atlasSampling(transferInput(ctx), count, rng),
  },
} as const satisfies Record<string, StrategyEntry>;

export type StrategyName = keyof typeof STRATEGIES;

/** Every strategy name, in registry order. */
export const STRATEGY_NAMES = Object.keys(STRATEGIES) as [StrategyName, ...StrategyName[]];

export function isStrategyName(value: string): value is StrategyName {
  return Object.hasOwn(STRATEGIES, value);
}

export function strategyEntry(name: StrategyName): StrategyEntry {
  return STRATEGIES[name];
}
