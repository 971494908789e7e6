/**
 * Suspected label errors in the Problems panel, with quick fixes. The records come from core
 * (suspectDiagnostics); a file's diagnostics are replaced only when its fingerprint changed, so a
 * retrain that changes nothing for a file leaves it alone (no flicker).
 */
import * as vscode from 'vscode';
import { diagnosticsFingerprint, suspectDiagnostics, type DiagnosticRecord } from '../../core/review/diagnostics';
import { APPLY_COMMAND, type ApplyArgs } from './hoverText';
import type { DatasetView, ReviewController } from './reviewController';

export const DIAGNOSTIC_SOURCE = 'Active Label';
export const DIAGNOSTIC_CODE = 'suspected-label-error';
/** Opens the file's labeling panel in review mode (suspected label errors first). */
export const OPEN_QUEUE_COMMAND = 'activeLabel.reviewQueue';

export class ReviewDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = vscode.languages.createDiagnosticCollection('activeLabel.review');
  private readonly shown = new Map<string, { fingerprint: string; records: DiagnosticRecord[] }>();
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor(private readonly controller: ReviewController) {
    this.disposables.push(controller.onDidChange((view) => this.refresh(view)));
  }

  private refresh(view: DatasetView): void {
    if (view.map === undefined) return;
    const records = suspectDiagnostics(view.map, view.model.suspects, (id) => view.model.human(id));
    const fingerprint = diagnosticsFingerprint(records);
    const uri = vscode.Uri.file(view.file);
    if (this.shown.get(uri.toString())?.fingerprint === fingerprint) return;
    this.shown.set(uri.toString(), { fingerprint, records });
    this.collection.set(
      uri,
      records.map((r) => {
        const d = new vscode.Diagnostic(new vscode.Range(r.line, 0, r.line, Number.MAX_SAFE_INTEGER), r.message, vscode.DiagnosticSeverity.Warning);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = DIAGNOSTIC_CODE;
        return d;
      }),
    );
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const records = this.shown.get(doc.uri.toString())?.records ?? [];
    const out: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      const r = records.find((x) => x.line === d.range.start.line);
      if (r === undefined) continue;
      out.push(...quickFixes(doc.uri.fsPath, r, d));
    }
    return out;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function quickFixes(file: string, r: DiagnosticRecord, d: vscode.Diagnostic): vscode.CodeAction[] {
  const apply = (title: string, labels: string[]): vscode.CodeAction => {
    const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
    const args: ApplyArgs = { file, decisions: [{ itemId: r.itemId, labels, score: r.score, fromSuspect: true }] };
    action.command = { command: APPLY_COMMAND, title, arguments: [args] };
    action.diagnostics = [d];
    return action;
  };
  const change = apply(`Change label to ${r.suggested}`, [r.suggested]);
  change.isPreferred = true;
  const keep = apply(`Keep ${r.given} (reviewed)`, [r.given]);
  const open = new vscode.CodeAction('Open in review queue', vscode.CodeActionKind.QuickFix);
  open.command = { command: OPEN_QUEUE_COMMAND, title: 'Open in review queue', arguments: [vscode.Uri.file(file)] };
  open.diagnostics = [d];
  return [change, keep, open];
}
