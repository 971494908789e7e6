/**
 * The two engine parts the session drives, named by signature so the session can be read (and
 * tested) on its own: the classifier head trainer (src/core/model) and the batch selector
 * (src/core/sampling). `defaultEngine` wires the real ones.
 */
import { trainHead } from '../model';
import type { ClassifierHead, HeadOptions, Prediction, Targets } from '../model/types';
import { isStrategyName, selectBatch } from '../sampling';
import type { LabelMode, Matrix, RankedItem } from '../types';

export interface SelectionInput {
  readonly pool: Matrix;
  readonly poolTexts?: readonly string[];
  readonly labeled: Matrix;
  readonly targets: Targets;
  readonly classes: readonly string[];
  readonly mode: LabelMode;
  readonly model?: ClassifierHead;
  readonly poolPrediction?: Prediction;
  readonly validation?: { readonly x: Matrix; readonly targets: Targets };
}

export interface SelectionRequest {
  readonly strategy: string;
  readonly batchSize: number;
  readonly randomShare: number;
  readonly seed: number;
  readonly minPerLabel: number;
  readonly seedPatterns?: readonly string[];
  readonly uncertainPercent?: number;
  readonly headOptions?: Partial<HeadOptions>;
}

export interface Engine {
  train(
    x: Matrix,
    targets: Targets,
    classes: readonly string[],
    mode: LabelMode,
    options?: Partial<HeadOptions>,
    previous?: ClassifierHead,
  ): ClassifierHead;
  select(input: SelectionInput, request: SelectionRequest): RankedItem[];
}

export const defaultEngine: Engine = {
  train: (x, targets, classes, mode, options, previous) => trainHead(x, targets, classes, mode, options, previous),
  select: (input, request) => {
    const strategy = request.strategy;
    if (!isStrategyName(strategy)) throw new RangeError(`unknown sampling strategy: ${strategy}`);
    return selectBatch(input, { ...request, strategy });
  },
};
