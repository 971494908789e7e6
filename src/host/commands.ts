/**
 * The `activeLabel.*` commands. Each is a thin adapter onto the session manager or the active session;
 * every failure ends in a message, never in a silent rejection.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { STRATEGIES, STRATEGY_NAMES } from '../core/sampling/registry';
import { plainText } from '../shared/plainText';
import { CONFIG_SECTION, type StrategyId } from '../shared/settings';
import { importLabels } from './importCommand';
import { pick } from './quickPick';
import type { SessionManager } from './sessionManager';
import { AgreementView } from './showAgreement';
import { API_KEY_SECRET } from './vscodeSessionUi';

export const COMMAND_IDS = [
  'activeLabel.startLabeling',
  'activeLabel.configureLabels',
  'activeLabel.chooseStrategy',
  'activeLabel.exportLabels',
  'activeLabel.importLabels',
  'activeLabel.showLearningCurve',
  'activeLabel.openSettings',
  'activeLabel.openSample',
  'activeLabel.setApiKey',
  'activeLabel.showAgreement',
  'activeLabel.reviewQueue',
] as const;
export type CommandId = (typeof COMMAND_IDS)[number];

/**
 * The quick pick lists the registry's strategies, the one in use marked and active. The choice is
 * the open dataset's (remembered with its setup answers, never written to settings) and applies to
 * its next item.
 */
async function chooseStrategy(sessions: SessionManager): Promise<void> {
  const session = sessions.activeSession;
  if (!session) {
    const choice = await vscode.window.showInformationMessage(
      'Start labeling a dataset first: the sampling strategy is chosen per dataset (a new dataset starts with the activeLabel.strategy setting).',
      'Start Labeling',
      'Open Settings',
    );
    if (choice === 'Start Labeling') await vscode.commands.executeCommand('activeLabel.startLabeling');
    if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', `${CONFIG_SECTION}.strategy`);
    return;
  }
  const current = session.strategy;
  const items = STRATEGY_NAMES.map((id) => ({
    label: id === current ? `$(check) ${STRATEGIES[id].title}` : STRATEGIES[id].title,
    description: id === current ? `${id} (current)` : id,
    detail: STRATEGIES[id].description,
    id,
  }));
  const chosen = await pick(items, {
    title: `Active Label: sampling strategy for ${path.basename(session.datasetFile)}`,
    placeholder: 'Which items should the engine pick next? The next item comes from the strategy you choose.',
    active: items.find((item) => item.id === current),
  });
  if (!chosen) return;
  const strategy: StrategyId = chosen.id;
  await session.chooseStrategy(strategy);
}

async function exportLabels(sessions: SessionManager): Promise<void> {
  const session = sessions.activeSession;
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
  const open = await vscode.window.showInformationMessage(`Exported ${count} items (labeled and flagged) to ${plainText(path.basename(uri.fsPath))}.`, 'Open');
  if (open) await vscode.window.showTextDocument(uri);
}

/** Stores the embedding server's API key in SecretStorage (empty input removes it). */
async function setApiKey(context: vscode.ExtensionContext): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: 'Active Label: embedding server API key',
    prompt: 'Sent as a Bearer token to the server in activeLabel.model (openai:…). Kept in VS Code\'s secret storage, never in settings. Leave empty to remove it.',
    password: true,
    ignoreFocusOut: true,
  });
  if (key === undefined) return;
  if (key.trim() === '') await context.secrets.delete(API_KEY_SECRET);
  else await context.secrets.store(API_KEY_SECRET, key.trim());
  void vscode.window.showInformationMessage(key.trim() === '' ? 'Active Label: the API key was removed.' : 'Active Label: the API key is stored; the next session start uses it.');
}

function showLearningCurve(sessions: SessionManager): void {
  const session = sessions.activeSession;
  if (!session) {
    void vscode.window.showInformationMessage('The learning curve appears in the labeling panel once you start labeling.', 'Start Labeling').then(
      (choice) => choice && vscode.commands.executeCommand('activeLabel.startLabeling'),
    );
    return;
  }
  // The chart lives in the labeling panel, beside the queue.
  session.showLearningCurve();
}

/** The labeling panel in review mode: its order and filter selects choose what comes first. */
function reviewQueue(sessions: SessionManager, uri?: unknown): void {
  // From a quick fix in a dataset editor: that file's session, else the panel in front.
  const session = (uri instanceof vscode.Uri ? sessions.sessionFor(uri.fsPath) : undefined) ?? sessions.activeSession;
  if (!session) {
    void vscode.window.showInformationMessage('The review queue is a mode of the labeling panel: start labeling a dataset first.', 'Start Labeling').then(
      (choice) => choice && vscode.commands.executeCommand('activeLabel.startLabeling'),
    );
    return;
  }
  session.showReviewQueue();
}

/** Wraps a handler so an exception becomes an error message (and a log line), not a lost promise. */
function guarded(sessions: SessionManager, id: string, run: (...args: unknown[]) => unknown): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    try {
      await run(...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      sessions.output.error(`${id} failed: ${message}`);
      void vscode.window.showErrorMessage(`Active Label: ${plainText(message)}`);
    }
  };
}

export function registerCommands(context: vscode.ExtensionContext, sessions: SessionManager): vscode.Disposable[] {
  const agreement = new AgreementView(sessions);
  const importDetails = vscode.window.createOutputChannel('Active Label: Import');
  const handlers: Record<CommandId, (...args: unknown[]) => unknown> = {
    'activeLabel.startLabeling': (uri) => sessions.start(uri),
    'activeLabel.configureLabels': (uri) => sessions.configure(uri),
    'activeLabel.chooseStrategy': () => chooseStrategy(sessions),
    'activeLabel.exportLabels': () => exportLabels(sessions),
    'activeLabel.importLabels': (uri) => importLabels(sessions, importDetails, uri),
    'activeLabel.showLearningCurve': () => showLearningCurve(sessions),
    'activeLabel.reviewQueue': (uri) => reviewQueue(sessions, uri),
    'activeLabel.openSettings': () => vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${context.extension.id}`),
    'activeLabel.openSample': () => sessions.openSample(),
    'activeLabel.setApiKey': () => setApiKey(context),
    'activeLabel.showAgreement': (uri) => agreement.show(uri),
  };
  return [agreement, importDetails, ...COMMAND_IDS.map((id) => vscode.commands.registerCommand(id, guarded(sessions, id, handlers[id])))];
}
