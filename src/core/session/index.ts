/** The labeling loop as a pure state machine, its oracle-driven simulation, and model.json (its version and curve beside the log). */
export { LabelingSession } from './session';
export type { BatchPick, CurvePointV, ItemPrediction, ModelUpdate, RestoredModel, SessionProgress } from './session';
export { MODEL_FILE_NAME, modelStatePath, readModelState, writeModelState } from './modelStore';
export type { ReadModelState } from './modelStore';
export { diffItems, type ItemsChange, type ItemsReplaced } from './itemPool';
export { defaultSessionConfig, resolveConfig, type SessionConfig, type SessionConfigInput } from './config';
export { defaultEngine, type Engine, type SelectionRequest } from './engine';
export { ClassMap, binaryRejectLabel } from './targets';
export { runSimulation, fullPoolReference, defaultSimulationOptions } from './simulation';
export type { SimulationData, SimulationOptions, SimulationRun } from './simulation';
