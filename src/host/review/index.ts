/** The editor's review layer: decorations, hover, commands, diagnostics and quick fixes. */
import * as vscode from 'vscode';
import type { SessionManager } from '../sessionManager';
import { ReviewDecorations } from './decorations';
import { ReviewDiagnostics } from './diagnostics';
import { ReviewController } from './reviewController';
import { registerReviewCommands } from './reviewCommands';

export function registerReview(sessions: SessionManager): vscode.Disposable[] {
  const controller = new ReviewController(sessions);
  const diagnostics = new ReviewDiagnostics(controller);
  return [
    controller,
    new ReviewDecorations(controller),
    diagnostics,
    vscode.languages.registerCodeActionsProvider([{ scheme: 'file', pattern: '**/*.{jsonl,csv,tsv,txt}' }], diagnostics, {
      providedCodeActionKinds: ReviewDiagnostics.kinds,
    }),
    ...registerReviewCommands(controller),
  ];
}
