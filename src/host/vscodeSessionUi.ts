/**
 * The VS Code side of a panel session's UI: commands, notifications, the model-folder dialog, the
 * progress notification and the output channel. Everything here is a direct call into `vscode`.
 */
import * as vscode from 'vscode';
import { plainText } from '../shared/plainText';
import type { ProgressSnapshot } from '../shared/protocol';
import { CONFIG_SECTION } from '../shared/settings';
import type { SessionUi } from './sessionPorts';
import { ProgressNotification } from './progressNotification';

/** Where the embedding server's API key lives: VS Code's SecretStorage, never the settings. */
export const API_KEY_SECRET = 'activeLabel.embeddingApiKey';

export class VscodeSessionUi implements SessionUi {
  private progress: ProgressNotification | undefined;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly secrets: vscode.SecretStorage,
  ) {}

  executeCommand(id: string): void {
    void vscode.commands.executeCommand(id);
  }

  showError(message: string, actions: readonly string[]): Promise<string | undefined> {
    // Messages quote file names and fields from the data: never let them become links.
    return Promise.resolve(vscode.window.showErrorMessage(plainText(message), ...actions));
  }

  showWarning(message: string, actions: readonly string[]): Promise<string | undefined> {
    return Promise.resolve(vscode.window.showWarningMessage(plainText(message), ...actions));
  }

  async chooseModelFolder(): Promise<string | undefined> {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      title: 'Choose a model folder (with onnx/model.onnx and tokenizer.json)',
      openLabel: 'Use this model',
    });
    const folder = picked?.[0]?.fsPath;
    if (folder === undefined) return undefined;
    await Promise.resolve(vscode.workspace.getConfiguration(CONFIG_SECTION).update('model', folder, vscode.ConfigurationTarget.Global)).catch(
      () => undefined,
    );
    return folder;
  }

  async setModel(model: string): Promise<void> {
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration(CONFIG_SECTION).update('model', model, target);
  }

  async apiKey(): Promise<string | undefined> {
    return this.secrets.get(API_KEY_SECRET);
  }

  showProgress(p: ProgressSnapshot, onCancel: () => void): void {
    this.progress ??= new ProgressNotification(() => {
      this.progress = undefined;
      onCancel();
    });
    this.progress.show(p);
  }

  endProgress(): void {
    this.progress?.dispose();
    this.progress = undefined;
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.output[level](message);
  }

  showLog(): void {
    this.output.show(true);
  }
}
