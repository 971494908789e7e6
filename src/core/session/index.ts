/** The labeling loop as a pure state machine, and its oracle-driven simulation. */
export { LabelingSession, takeRowsOf } from './session';
export type { BatchPick, CurvePointV, ItemPrediction, ModelUpdate, SessionProgress } from './session';
export { diffItems, type ItemsChange, type ItemsReplaced } from './itemPool';
export { defaultSessionConfig, resolveConfig, type SessionConfig, type SessionConfigInput } from './config';
export { defaultEngine, type Engine, type SelectionRequest } from './engine';
export { ClassMap, binaryRejectLabel } from './targets';
export { runSimulation, fullPoolReference, defaultSimulationOptions } from './simulation';
export type { SimulationData, SimulationOptions, SimulationRun } from './simulation';
