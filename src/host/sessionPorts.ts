/**
 * The ports PanelSession talks through: the labeling panel, the engine worker and VS Code's UI.
 * Each has one real implementation (LabelingPanel, WorkerClient, VscodeSessionUi) and the unit
 * tests supply recording ones, so the session itself never imports `vscode`.
 */
import type { Message, ProgressSnapshot } from '../shared/protocol';
import type { HostToWorker, WorkerToHost } from '../shared/protocol/engine';
import type { PagePort } from './presenter';

/** The labeling panel, as the session uses it (LabelingPanel implements it). */
export interface PanelPort extends PagePort {
  onMessage(listener: (raw: unknown) => void): void;
  onDidDispose(listener: () => void): void;
  reveal(): void;
  dispose(): void;
}

/** The engine worker, as the session uses it (WorkerClient implements it). */
export interface EnginePort {
  readonly isAlive: boolean;
  post(message: HostToWorker): void;
  onMessage(listener: (message: WorkerToHost) => void): void;
  exportLabels(format: 'jsonl' | 'csv', outFile: string): Promise<Message<WorkerToHost, 'exported' | 'error'>>;
  importLabels(file: string): Promise<Message<WorkerToHost, 'imported' | 'error'>>;
  dispose(): Promise<void>;
}

/** What the session needs of VS Code's UI (vscodeSessionUi.ts implements it). */
export interface SessionUi {
  executeCommand(id: string): void;
  /** An error notification with buttons; resolves with the clicked title. */
  showError(message: string, actions: readonly string[]): Promise<string | undefined>;
  showWarning(message: string, actions: readonly string[]): Promise<string | undefined>;
  /** Asks for a local model folder and remembers it in the settings; undefined when cancelled. */
  chooseModelFolder(): Promise<string | undefined>;
  /** Sets `activeLabel.model` for this workspace (the setting that failed is the one changed). */
  setModel(model: string): Promise<void>;
  /** The embedding server's API key from SecretStorage, if one was set. */
  apiKey(): Promise<string | undefined>;
  /** The notification with Cancel for the load-and-embed phase. */
  showProgress(p: ProgressSnapshot, onCancel: () => void): void;
  endProgress(): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  showLog(): void;
}
