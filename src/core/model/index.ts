export { trainHead } from './train';
export { DenseHead, predictInChunks, type HeadParameters } from './head';
export { defaultHeadOptions, resolveHeadOptions } from './options';
export type { ClassifierHead, HeadKind, HeadOptions, Prediction, Targets } from './types';
