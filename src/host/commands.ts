/**
 * The `activeLabel.*` commands. Each is a thin adapter onto the controller or the active session;
 * every failure ends in a message, never in a silent rejection.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_SECTION, SettingKey } from './config';
import type { Controller } from './controller';
import { STRATEGY_IDS, type StrategyId } from '../shared/workerProtocol';

export const COMMAND_IDS = [
  'activeLabel.startLabeling',
  'activeLabel.configureLabels',
  'activeLabel.chooseStrategy',
  'activeLabel.exportLabels',
  'activeLabel.showLearningCurve',
  'activeLabel.openSettings',
  'activeLabel.openSample',
] as const;
export type CommandId = (typeof COMMAND_IDS)[number];

/** Strategy descriptions come from package.json's enumDescriptions: one source of truth. */
function strategyDescriptions(context: vscode.ExtensionContext): Map<string, string> {
  const prop = (context.extension.packageJSON as { contributes?: { configuration?: { properties?: Record<string, unknown> } } })
    .contributes?.configuration?.properties?.[`${CONFIG_SECTION}.${SettingKey.strategy}`] as
    | { enum?: string[]; enumDescriptions?: string[] }
    | undefined;
  const out = new Map<string, string>();
  prop?.enum?.forEach((id, i) => out.set(id, prop.enumDescriptions?.[i] ?? ''));
  return out;
}

async function chooseStrategy(context: vscode.ExtensionContext, controller: Controller): Promise<void> {
  const current = controller.settings().strategy;
  const descriptions = strategyDescriptions(context);
  const items = STRATEGY_IDS.map((id) => ({
    label: id,
    description: id === current ? '(current)' : undefined,
    detail: descriptions.get(id),
    id,
  }));
  const chosen = await vscode.window.showQuickPick(items, {
    title: 'Active Label: sampling strategy',
    placeHolder: 'Which items should the engine pick next?',
    matchOnDetail: true,
  });
  if (!chosen) return;
  const strategy: StrategyId = chosen.id;
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  // The configuration listener forwards the change to a running session.
  await vscode.workspace.getConfiguration(CONFIG_SECTION).update(SettingKey.strategy, strategy, target);
  controller.activeSession?.setStrategy(strategy);
}

async function exportLabels(controller: Controller): Promise<void> {
  const session = controller.activeSession;
  if (!session) {
    void vscode.window.showInformationMessage('Start labeling a dataset first: Active Label exports the labels of the open session.');
    return;
  }
  const base = session.datasetFile.replace(/\.[^.]+$/, '');
  const uri = await vscode.window.showSaveDialog({
    title: 'Active Label: export labels',
    defaultUri: vscode.Uri.file(`${base}.labels.jsonl`),
    filters: { 'JSON Lines (Hugging Face datasets, Prodigy, doccano)': ['jsonl'], CSV: ['csv'] },
  });
  if (!uri) return;
  const format = path.extname(uri.fsPath).toLowerCase() === '.csv' ? 'csv' : 'jsonl';
  const count = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Exporting labels to ${path.basename(uri.fsPath)}…` },
    () => session.exportLabels(uri.fsPath, format),
  );
  const open = await vscode.window.showInformationMessage(`Exported ${count} labeled items to ${path.basename(uri.fsPath)}.`, 'Open');
  if (open) await vscode.window.showTextDocument(uri);
}

function showLearningCurve(controller: Controller): void {
  const session = controller.activeSession;
  if (!session) {
    void vscode.window.showInformationMessage('The learning curve appears in the labeling panel once you start labeling.', 'Start Labeling').then(
      (choice) => choice && vscode.commands.executeCommand('activeLabel.startLabeling'),
    );
    return;
  }
  // The chart lives in the labeling panel, beside the queue.
  session.showLearningCurve();
}

/** Wraps a handler so an exception becomes an error message (and a log line), not a lost promise. */
function guarded(controller: Controller, id: string, run: (...args: unknown[]) => unknown): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    try {
      await run(...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      controller.output.error(`${id} failed: ${message}`);
      void vscode.window.showErrorMessage(`Active Label: ${message}`);
    }
  };
}

export function registerCommands(context: vscode.ExtensionContext, controller: Controller): vscode.Disposable[] {
  const handlers: Record<CommandId, (...args: unknown[]) => unknown> = {
    'activeLabel.startLabeling': (uri) => controller.start(uri),
    'activeLabel.configureLabels': (uri) => controller.configure(uri),
    'activeLabel.chooseStrategy': () => chooseStrategy(context, controller),
    'activeLabel.exportLabels': () => exportLabels(controller),
    'activeLabel.showLearningCurve': () => showLearningCurve(controller),
    'activeLabel.openSettings': () => vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${context.extension.id}`),
    'activeLabel.openSample': () => controller.openSample(),
  };
  return COMMAND_IDS.map((id) => vscode.commands.registerCommand(id, guarded(controller, id, handlers[id])));
}
