/**
 * The status bar item: embedding progress while the engine works, otherwise labeled count, model
 * out-of-fold accuracy (or how many items are still to score) and the stopping hint.
 * The text is built by the pure functions in statusText.ts; this class only owns the VS Code item.
 */
import * as vscode from 'vscode';
import type { ModelSnapshot, PoolEmbeddingSnapshot, ProgressSnapshot } from '../shared/protocol';
import { poolStatus } from '../shared/poolText';
import { formatModel, formatProgress, modelTooltip } from './statusText';

export { formatEta, formatModel, formatProgress, modelTooltip } from './statusText';

export class LabelingStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('activeLabel.status', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Active Label';
    this.item.command = 'activeLabel.showLearningCurve';
  }

  showProgress(p: ProgressSnapshot): void {
    this.item.text = `$(sync~spin) ${formatProgress(p)}`;
    this.item.tooltip = 'Active Label is preparing the dataset in a background thread.';
    this.item.show();
  }

  showModel(m: ModelSnapshot, pool?: PoolEmbeddingSnapshot): void {
    // While the pool embeds in the background, labeling goes on: the counts, then the pool.
    this.item.text = pool === undefined ? `$(tag) ${formatModel(m)}` : `$(tag) ${formatModel(m)} · ${pool.state === 'embedding' ? '$(sync~spin) ' : ''}${poolStatus(pool)}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(modelTooltip(m).join('\n\n'));
    if (pool?.reason !== undefined) tooltip.appendText(`\n\n${pool.reason}`);
    this.item.tooltip = tooltip;
    this.item.show();
  }

  showError(message: string): void {
    this.item.text = '$(error) Active Label';
    this.item.tooltip = message;
    this.item.show();
  }

  hide(): void {
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
