import type { HeadOptions } from './types';

/**
 * Defaults chosen for frozen sentence embeddings (384-d, unit length): a logistic head converges in
 * a few passes with Adam, and the MLP stays small because active transfer learning trains it k times.
 */
export const defaultHeadOptions: Required<HeadOptions> = {
  kind: 'logistic',
  hidden: 64,
  epochs: 20,
  learningRate: 0.02,
  l2: 1e-4,
  classWeighting: true,
  seed: 0,
  batchSize: 256,
  warmEpochs: 8,
};

/** Fills defaults and fails fast on values that would silently produce garbage. */
export function resolveHeadOptions(options: Partial<HeadOptions> = {}): Required<HeadOptions> {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: Required<HeadOptions> = { ...defaultHeadOptions, ...defined };
  if (o.kind !== 'logistic' && o.kind !== 'mlp') throw new RangeError(`unknown head kind: ${String(o.kind)}`);
  if (!Number.isInteger(o.hidden) || o.hidden < 1) throw new RangeError(`hidden must be a positive integer, got ${o.hidden}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 0) throw new RangeError(`epochs must be a non-negative integer, got ${o.epochs}`);
  if (!Number.isInteger(o.warmEpochs) || o.warmEpochs < 0) throw new RangeError(`warmEpochs must be a non-negative integer, got ${o.warmEpochs}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${o.batchSize}`);
  if (!(o.learningRate > 0)) throw new RangeError(`learningRate must be positive, got ${o.learningRate}`);
  if (!(o.l2 >= 0)) throw new RangeError(`l2 must be non-negative, got ${o.l2}`);
  return o;
}
