/**
 * The engine's `start` message, built from the dataset's setup answers and the settings: which
 * model and vectors, the sampling and retrain settings, the server options for `openai:` models.
 */
import * as path from 'node:path';
import type { SessionInit } from '../shared/protocol/sessionInit';
import type { Settings, StrategyId } from '../shared/settings';
import type { SetupAnswers } from './setupAnswers';

export interface StartInputs {
  readonly datasetFile: string;
  readonly workspaceRoot: string;
  readonly cacheDir: string;
  readonly answers: SetupAnswers;
  readonly settings: Settings;
  /** The strategy in use (the dataset's choice, else the setting). */
  readonly strategy: StrategyId;
  readonly annotator: string;
  /** Overrides the configured model for this session only; vectors are then not used. */
  readonly modelOverride: string | undefined;
  readonly apiKey: string | undefined;
}

export function startMessage(i: StartInputs): SessionInit & { type: 'start' } {
  const s = i.settings;
  const model = i.modelOverride ?? s.model;
  const vectors = s.vectors !== '' ? path.resolve(path.dirname(i.datasetFile), s.vectors) : undefined;
  return {
    type: 'start',
    datasetFile: i.datasetFile,
    workspaceRoot: i.workspaceRoot,
    textField: i.answers.textField,
    ...(i.answers.existingLabels ? { existingLabels: i.answers.existingLabels } : {}),
    labels: [...i.answers.labels],
    mode: i.answers.mode,
    strategy: i.strategy,
    batchSize: s.batchSize,
    retrainEvery: s.retrainEvery,
    randomShare: s.randomShare,
    annotator: i.annotator,
    model,
    ...(vectors !== undefined && i.modelOverride === undefined ? { vectors } : {}),
    ...(model.startsWith('openai:') ? { server: { batchSize: s.serverBatchSize, concurrency: s.serverConcurrency }, ...(i.apiKey ? { apiKey: i.apiKey } : {}) } : {}),
    cacheDir: i.cacheDir,
    warnAfterMinutes: s['embedding.warnAfterMinutes'],
    seed: i.answers.seed,
    ...(i.answers.seedPatterns.length > 0 ? { seedPatterns: [...i.answers.seedPatterns] } : {}),
  };
}
