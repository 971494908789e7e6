import { defaultHeadOptions } from '../model/options';

/**
 * The training budget of active transfer learning's models, in optimiser steps rather than epochs.
 *
 * Active transfer trains six MLPs per batch (five out-of-fold folds and the full model) and six
 * logistic error heads (the ranking head and five for calibration; ATLAS again per step). With a
 * fixed number of epochs their cost grows with the labels: at 2,000 labels an MLP's 20 epochs are
 * 160 Adam steps of 256 rows, eight times what the same recipe takes at 256 labels, and that was
 * the whole of a 4-7 s batch at a million items (docs/benchmarks.md, "Scale: sampling at a
 * million"). Past a few hundred labels the extra passes only memorise: on the scale benchmark's
 * pool (2,000 labels, 10% label noise) held-out accuracy is 73.5% after 5 epochs and 71.2% after
 * 20, with training accuracy going from 91% to 100%.
 *
 * So each model gets `epochs` as before while an epoch is at most a few mini-batches, and past that
 * as many epochs as it takes to make `steps` optimiser steps, never fewer than `minEpochs`:
 *   - MLPs: 20 epochs up to 512 labels (2 batches), then 40 steps, at least 5 epochs;
 *   - error heads: 60 epochs up to 256 rows (one batch), then 64 steps, at least 8 epochs.
 * Every fold model and the full model follow the same rule, so the out-of-fold errors stay those
 * of the same recipe as the model that scores the pool.
 */
export interface StepBudget {
  readonly steps: number;
  readonly minEpochs: number;
}

export const MLP_BUDGET: StepBudget = { steps: 40, minEpochs: 5 };
export const ERROR_HEAD_BUDGET: StepBudget = { steps: 64, minEpochs: 8 };

/** Epochs for `rows` training rows: `epochs` capped by the step budget (but at least minEpochs). */
export function budgetEpochs(rows: number, epochs: number, budget: StepBudget, batchSize = defaultHeadOptions.batchSize): number {
  const batches = Math.max(1, Math.ceil(rows / batchSize));
  const fit = Math.max(budget.minEpochs, Math.ceil(budget.steps / batches));
  return Math.min(epochs, fit);
}
