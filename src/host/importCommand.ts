/**
 * "Active Label: Import Labels…": picks another tool's export and hands it to the running session,
 * whose worker owns the label log (it parses, matches and appends in core). This adapter only asks
 * for the file and presents the reply: counts in a notification, every line left out (file:line)
 * in the "Active Label: Import" output channel behind "Show Details".
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { plainText } from '../shared/plainText';
import type { SessionManager } from './sessionManager';

const SHOW_DETAILS = 'Show Details';

export async function importLabels(sessions: SessionManager, details: vscode.OutputChannel, arg?: unknown): Promise<void> {
  const session = sessions.activeSession;
  if (!session) {
    const start = await vscode.window.showInformationMessage(
      'Start labeling the dataset first: the import matches the export to its items and labels, and the open session writes them to its label log.',
      'Start Labeling',
    );
    if (start) await vscode.commands.executeCommand('activeLabel.startLabeling');
    return;
  }
  const file = arg instanceof vscode.Uri && arg.scheme === 'file' ? arg.fsPath : await pickExport(session.datasetFile);
  if (!file) return;
  const reply = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Importing labels from ${path.basename(file)}…` },
    () => session.importLabels(file),
  );
  details.clear();
  details.appendLine(`${reply.summary}`);
  details.appendLine(`Dataset: ${session.datasetFile}`);
  details.appendLine(`Export: ${file}`);
  if (reply.problems.length > 0) details.appendLine('');
  for (const p of reply.problems) details.appendLine(p.message);
  if (reply.moreProblems > 0) details.appendLine(`... and ${reply.moreProblems} more lines not imported.`);
  const notify = reply.imported === 0 && reply.alreadyImported === 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const choice = await notify(plainText(reply.summary), ...(reply.problems.length > 0 ? [SHOW_DETAILS] : []));
  if (choice === SHOW_DETAILS) details.show(true);
}

async function pickExport(datasetFile: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    title: 'Active Label: import labels (Prodigy, doccano, Label Studio, Argilla or Hugging Face datasets export)',
    defaultUri: vscode.Uri.file(path.dirname(datasetFile)),
    filters: { 'Label exports (JSONL, JSON, CSV)': ['jsonl', 'json', 'csv'], 'All files': ['*'] },
  });
  return picked?.[0]?.fsPath;
}
