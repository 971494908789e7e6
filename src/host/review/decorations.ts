/**
 * Decorations after each item line of the visible ranges of open dataset files: the text comes
 * from core (decorationFor, plain text in `contentText`, never markup); this file only decides
 * where and when. Redrawn on scroll (debounced), on edits (after the remap) and on new review data.
 */
import * as vscode from 'vscode';
import { decorationFor, type DecorationKind } from '../../core/review/itemView';
import { CONFIG_SECTION } from '../../shared/settings';
import type { ReviewController } from './reviewController';

const SCROLL_DELAY_MS = 50;
/** Lines above and below the visible range decorated too, so a small scroll shows no gap. */
const MARGIN_LINES = 20;

const STYLE: Record<DecorationKind, vscode.ThemableDecorationAttachmentRenderOptions> = {
  suspect: { color: new vscode.ThemeColor('editorWarning.foreground'), margin: '0 0 0 2em' },
  human: { color: new vscode.ThemeColor('descriptionForeground'), margin: '0 0 0 2em' },
  prediction: { color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic', margin: '0 0 0 2em' },
};

export class ReviewDecorations implements vscode.Disposable {
  private readonly types: Record<DecorationKind, vscode.TextEditorDecorationType>;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly controller: ReviewController) {
    this.types = {
      suspect: vscode.window.createTextEditorDecorationType({ after: STYLE.suspect }),
      human: vscode.window.createTextEditorDecorationType({ after: STYLE.human }),
      prediction: vscode.window.createTextEditorDecorationType({ after: STYLE.prediction }),
    };
    this.disposables.push(
      ...Object.values(this.types),
      vscode.window.onDidChangeTextEditorVisibleRanges(() => this.schedule()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()),
      controller.onDidChange(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${CONFIG_SECTION}.review.decorations`)) this.schedule();
      }),
    );
    this.schedule();
  }

  private get enabled(): boolean {
    return vscode.workspace.getConfiguration(CONFIG_SECTION).get<boolean>('review.decorations', true) !== false;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const editor of vscode.window.visibleTextEditors) void this.draw(editor);
    }, SCROLL_DELAY_MS);
  }

  private async draw(editor: vscode.TextEditor): Promise<void> {
    const view = await this.controller.viewOf(editor.document);
    if (view === undefined) return;
    const out: Record<DecorationKind, vscode.DecorationOptions[]> = { suspect: [], human: [], prediction: [] };
    if (this.enabled && view.map !== undefined) {
      const last = editor.document.lineCount - 1;
      for (const range of editor.visibleRanges) {
        const from = Math.max(0, range.start.line - MARGIN_LINES);
        const to = Math.min(last, range.end.line + MARGIN_LINES);
        for (const it of view.map.itemsBetween(from, to)) {
          const text = decorationFor(view.model.review(it.itemId));
          if (text === undefined || it.endLine > last) continue;
          const end = editor.document.lineAt(it.endLine).range.end;
          out[text.kind].push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: text.text } } });
        }
      }
    }
    for (const kind of Object.keys(out) as DecorationKind[]) editor.setDecorations(this.types[kind], out[kind]);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
