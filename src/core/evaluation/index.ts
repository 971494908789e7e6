/** Evaluation: metrics, the out-of-fold estimate and its Wilson band, learning curves, stopping signal, label-error detection. */
export * from './metrics';
export * from './agreement';
export * from './stopping';
export * from './split';
export * from './curve';
export * from './labelErrors';
export * from './errorRanking';
export * from './reviewLabels';
export * from './comparison';
export * from './estimate';
export * from './wilson';
export * from './trust';
