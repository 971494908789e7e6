/** Evaluation: metrics, learning curves, stopping signal, held-out split, label-error detection. */
export * from './metrics';
export * from './agreement';
export * from './stopping';
export * from './split';
export * from './curve';
export * from './labelErrors';
export * from './errorRanking';
export * from './reviewLabels';
export * from './comparison';
