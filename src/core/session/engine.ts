/**
 * The two engine parts the session drives, named by signature so the session can be read (and
 * tested) on its own: the classifier head trainer (src/core/model) and the batch selector
 * (src/core/sampling). `defaultEngine` wires the real ones.
 */
import { trainHead } from '../model';
import type { ClassifierHead, HeadOptions, Targets } from '../model/types';
import { isStrategyName, selectBatch, type BatchRequest, type SamplingInput } from '../sampling';
import type { LabelMode, Matrix, RankedItem } from '../types';

/** The batch request as the session holds it: the strategy name is checked when a batch is selected. */
export type SelectionRequest = Omit<BatchRequest, 'strategy' | 'randomShare' | 'minPerLabel'> & {
  readonly strategy: string;
  readonly randomShare: number;
  readonly minPerLabel: number;
};

export interface Engine {
  train(
    x: Matrix,
    targets: Targets,
    classes: readonly string[],
    mode: LabelMode,
    options?: Partial<HeadOptions>,
    previous?: ClassifierHead,
  ): ClassifierHead;
  select(input: SamplingInput, request: SelectionRequest): RankedItem[];
}

export const defaultEngine: Engine = {
  train: (x, targets, classes, mode, options, previous) => trainHead(x, targets, classes, mode, options, previous),
  select: (input, request) => {
    const strategy = request.strategy;
    if (!isStrategyName(strategy)) throw new RangeError(`unknown sampling strategy: ${strategy}`);
    return selectBatch(input, { ...request, strategy });
  },
};
