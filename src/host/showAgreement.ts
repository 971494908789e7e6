/**
 * "Active Label: Show Agreement": replays a dataset's label log and shows the agreement report, which
 * core builds (src/core/evaluation/agreementReport.ts), as a read-only Markdown preview. The document
 * lives under its own URI scheme, so it is never dirty and never asks to be saved.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { agreementReport } from '../core/evaluation/agreementReport';
import { labelLogPath, replay } from '../core/labels';
import type { SessionManager } from './sessionManager';

export const AGREEMENT_SCHEME = 'activelabel-agreement';

export class AgreementView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(AGREEMENT_SCHEME, this);

  constructor(private readonly sessions: SessionManager) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** The dataset: the command's argument, the active dataset editor, the open session, or a picker. */
  async show(arg?: unknown): Promise<void> {
    const file = await this.sessions.resolveDataset(arg);
    if (!file) return;
    const log = labelLogPath(this.sessions.workspaceRootOf(file), file);
    const replayed = await replay(log);
    const content = agreementReport({
      datasetName: path.basename(file),
      state: replayed.state,
      problems: replayed.problems.map((p) => p.message),
    });
    const uri = vscode.Uri.from({ scheme: AGREEMENT_SCHEME, path: `/${path.basename(file)} agreement.md`, query: file });
    this.contents.set(uri.toString(), content);
    this.changed.fire(uri);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      // The built-in Markdown extension is disabled: the source is readable too.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
    this.contents.clear();
  }
}
