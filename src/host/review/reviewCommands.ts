/**
 * The editor's review commands, the hover and the `activeLabel.datasetFocused` context key (the
 * `when` clause of their keybindings). Each command applies to the current line, every selected
 * line and every cursor; every change is a `review` event through the controller.
 */
import * as vscode from 'vscode';
import { plainText } from '../../shared/plainText';
import { labelKeyForIndex } from '../../shared/protocol/keys';
import { CONFIG_SECTION } from '../../shared/settings';
import type { ReviewDecision } from '../../core/review/reviewEvents';
import { suspectShown } from '../../core/review/itemView';
import { APPLY_COMMAND, hoverMarkdown, type ApplyArgs } from './hoverText';
import { isDatasetDocument, type DatasetView, type ReviewController } from './reviewController';

/** Every command this layer registers (the manifest test checks each is contributed). */
export const REVIEW_COMMAND_IDS = ['activeLabel.setLabel', 'activeLabel.acceptPrediction', 'activeLabel.markReviewed', 'activeLabel.toggleDecorations', 'activeLabel.applyReview'] as const;
export const DATASET_FOCUSED_KEY = 'activeLabel.datasetFocused';

/** The distinct items under the editor's cursors and selections, in line order. */
function selectedItems(editor: vscode.TextEditor, view: DatasetView): string[] {
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const sel of editor.selections) {
    // A selection ending at column 0 of a line does not take that line.
    const end = sel.end.line > sel.start.line && sel.end.character === 0 ? sel.end.line - 1 : sel.end.line;
    for (const it of view.map?.itemsBetween(sel.start.line, end) ?? []) {
      if (!seen.has(it.itemId)) ids.push(it.itemId);
      seen.add(it.itemId);
    }
  }
  return ids;
}

function decisionFor(view: DatasetView, itemId: string, labels: readonly string[]): ReviewDecision {
  const review = view.model.review(itemId);
  const suspect = review.suspect !== undefined && suspectShown(review.suspect, review.human) ? review.suspect : undefined;
  const given = review.human?.labels[0];
  // The score the reviewer saw: the suspect's, else how little the model believes the current label.
  const p = review.top.find((t) => t.label === given)?.probability;
  const score = suspect?.score ?? (given !== undefined && review.top.length > 0 ? 1 - (p ?? 0) : undefined);
  return { itemId, labels, ...(score !== undefined ? { score } : {}), ...(suspect !== undefined ? { fromSuspect: true } : {}) };
}

export function registerReviewCommands(controller: ReviewController): vscode.Disposable[] {
  const withItems = async (run: (file: string, view: DatasetView, ids: string[]) => Promise<void>): Promise<void> => {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || !isDatasetDocument(editor.document)) return;
    const view = await controller.viewOf(editor.document);
    const ids = view !== undefined ? selectedItems(editor, view) : [];
    if (view === undefined || ids.length === 0) {
      void vscode.window.showInformationMessage('Active Label: no item on the selected lines.');
      return;
    }
    try {
      await run(editor.document.uri.fsPath, view, ids);
    } catch (error) {
      void vscode.window.showErrorMessage(`Active Label: ${plainText(error instanceof Error ? error.message : String(error))}`);
    }
  };
  const report = (written: number, skipped: number, what: string): void => {
    const rest = skipped > 0 ? ` (${skipped} without ${what} left as they were)` : '';
    vscode.window.setStatusBarMessage(`Active Label: ${written} item${written === 1 ? '' : 's'} reviewed${rest}`, 4000);
  };

  const updateContext = (editor: vscode.TextEditor | undefined): Thenable<unknown> =>
    vscode.commands.executeCommand('setContext', DATASET_FOCUSED_KEY, editor !== undefined && isDatasetDocument(editor.document));
  void updateContext(vscode.window.activeTextEditor);

  return [
    vscode.window.onDidChangeActiveTextEditor((e) => void updateContext(e)),
    vscode.commands.registerCommand('activeLabel.setLabel', () =>
      withItems(async (file, view, ids) => {
        const labels = await controller.labelsFor(file);
        if (labels.length === 0) {
          void vscode.window.showInformationMessage('Active Label: this dataset has no label set yet; run Configure Labels first.');
          return;
        }
        const current = ids.length === 1 ? view.model.human(ids[0] as string)?.labels[0] : undefined;
        const picked = await vscode.window.showQuickPick(
          labels.map((name, i) => ({ label: name, description: labelKeyForIndex(i), detail: name === current ? 'current label' : undefined })),
          { title: `Active Label: set the label of ${ids.length} item${ids.length === 1 ? '' : 's'}`, placeHolder: 'Type a label or its key', matchOnDescription: true },
        );
        if (picked === undefined) return;
        report(await controller.apply(file, ids.map((id) => decisionFor(view, id, [picked.label]))), 0, '');
      }),
    ),
    vscode.commands.registerCommand('activeLabel.acceptPrediction', () =>
      withItems(async (file, view, ids) => {
        const decisions = ids.flatMap((id) => {
          const best = view.model.top(id)[0];
          return best !== undefined ? [decisionFor(view, id, [best.label])] : [];
        });
        report(await controller.apply(file, decisions), ids.length - decisions.length, 'a prediction');
      }),
    ),
    vscode.commands.registerCommand('activeLabel.markReviewed', () =>
      withItems(async (file, view, ids) => {
        const decisions = ids.flatMap((id) => {
          const labels = view.model.human(id)?.labels;
          return labels !== undefined && labels.length > 0 ? [decisionFor(view, id, labels)] : [];
        });
        report(await controller.apply(file, decisions), ids.length - decisions.length, 'a label');
      }),
    ),
    vscode.commands.registerCommand('activeLabel.toggleDecorations', async () => {
      const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
      await config.update('review.decorations', !config.get<boolean>('review.decorations', true), vscode.ConfigurationTarget.Global);
    }),
    vscode.commands.registerCommand(APPLY_COMMAND, async (args: ApplyArgs) => {
      if (typeof args?.file !== 'string' || !Array.isArray(args.decisions)) return;
      try {
        report(await controller.apply(args.file, args.decisions), 0, '');
      } catch (error) {
        void vscode.window.showErrorMessage(`Active Label: ${plainText(error instanceof Error ? error.message : String(error))}`);
      }
    }),
    vscode.languages.registerHoverProvider(
      [{ scheme: 'file', pattern: '**/*.{jsonl,csv,tsv,txt}' }],
      {
        provideHover: async (doc, position) => {
          const view = await controller.viewOf(doc);
          const it = view?.map?.itemAt(position.line);
          if (view === undefined || it === undefined) return undefined;
          const labels = await controller.labelsFor(doc.uri.fsPath);
          const history = await controller.historyOf(doc.uri.fsPath, it.itemId).catch(() => []);
          const md = new vscode.MarkdownString(
            hoverMarkdown(doc.uri.fsPath, it.itemId, view.model.review(it.itemId), history, labels.map((name, i) => ({ name, key: labelKeyForIndex(i) }))),
          );
          md.isTrusted = { enabledCommands: [APPLY_COMMAND] };
          md.supportHtml = false;
          return new vscode.Hover(md, new vscode.Range(it.line, 0, it.endLine, Number.MAX_SAFE_INTEGER));
        },
      },
    ),
  ];
}
