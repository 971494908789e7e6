/** The session's options, with defaults, so every caller (worker, CLI, tests) agrees on them. */
import { ENGINE_DEFAULTS } from '../defaults';
import type { EstimateOptions } from '../evaluation/estimate';
import type { StoppingOptions } from '../evaluation/stopping';
import type { HeadOptions } from '../model/types';
import type { LabelMode } from '../types';

export interface SessionConfig {
  /** Label names, in key order. Binary mode: the one label being accepted or rejected. */
  readonly labels: readonly string[];
  readonly mode: LabelMode;
  /** A sampling strategy name (see src/core/sampling). */
  readonly strategy: string;
  readonly batchSize: number;
  /** Retrain after this many label changes. */
  readonly retrainEvery: number;
  /** Share of each batch picked at random, for an unbiased view of the data. */
  readonly randomShare: number;
  readonly seed: number;
  /** Until every label has this many examples, sampling favours centroids and random items. */
  readonly minPerLabel: number;
  /** Unlabeled items whose predictions are compared across versions for the stopping signal. */
  readonly stopSetSize: number;
  /** Rows scored per retrain step: a worker serves its messages between steps. */
  readonly chunkRows: number;
  readonly headOptions?: Partial<HeadOptions>;
  readonly seedPatterns?: readonly string[];
  readonly uncertainPercent?: number;
  readonly stopping?: Partial<StoppingOptions>;
  /**
   * The out-of-fold accuracy estimate at each retrain (folds, cap on items scored); `false` turns
   * it off (the `simulate` command scores its own held-out test split instead).
   */
  readonly estimate?: Partial<EstimateOptions> | false;
}

export type SessionConfigInput = Partial<SessionConfig> & Pick<SessionConfig, 'labels' | 'mode'>;

export const defaultSessionConfig: Omit<SessionConfig, 'labels' | 'mode'> = {
  strategy: ENGINE_DEFAULTS.strategy,
  batchSize: ENGINE_DEFAULTS.batchSize,
  retrainEvery: ENGINE_DEFAULTS.retrainEvery,
  randomShare: ENGINE_DEFAULTS.randomShare,
  seed: 1,
  minPerLabel: ENGINE_DEFAULTS.minPerLabel,
  stopSetSize: 1000,
  chunkRows: 4096,
};

export function resolveConfig(input: SessionConfigInput): SessionConfig {
  const c: SessionConfig = { ...defaultSessionConfig, ...input };
  if (!(c.batchSize >= 1)) throw new RangeError(`batchSize must be at least 1, got ${c.batchSize}`);
  if (!(c.retrainEvery >= 1)) throw new RangeError(`retrainEvery must be at least 1, got ${c.retrainEvery}`);
  if (!(c.randomShare >= 0 && c.randomShare <= 1)) throw new RangeError(`randomShare must be in [0, 1]`);
  if (c.mode === 'binary' && c.labels.length !== 1) {
    throw new RangeError(`binary mode accepts or rejects exactly one label, got ${c.labels.length}`);
  }
  return c;
}
