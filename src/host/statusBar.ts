/**
 * The status bar item: embedding progress while the engine works, otherwise labeled count, model
 * accuracy on the evaluation items and the stopping hint. Text formatting is pure and exported
 * for tests; the class only owns the VS Code item.
 */
import * as vscode from 'vscode';
import type { ModelSnapshot, ProgressSnapshot } from '../shared/webviewProtocol';

const count = new Intl.NumberFormat('en-US');

/** "45s", "1m", "1h 5m". */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))}s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** `Embedding 4,210/10,000 · 85/s · ETA 1m` (rate and ETA only once known). */
export function formatProgress(p: ProgressSnapshot): string {
  const verb = p.phase === 'loading-model' ? 'Loading model' : p.phase === 'training' ? 'Training' : 'Embedding';
  const parts = [p.total > 0 ? `${verb} ${count.format(p.done)}/${count.format(p.total)}` : `${verb}…`];
  if (p.itemsPerSecond > 0) parts.push(`${count.format(Math.round(p.itemsPerSecond))}/s`);
  if (p.etaSeconds > 0) parts.push(`ETA ${formatEta(p.etaSeconds)}`);
  return parts.join(' · ');
}

/** `85 labeled · acc 82%` plus the stopping hint when it fires. */
export function formatModel(m: ModelSnapshot): string {
  const parts = [`${count.format(m.labeled)}${m.total > 0 ? `/${count.format(m.total)}` : ''} labeled`];
  if (m.training) parts.push('training…');
  if (m.accuracy !== undefined) parts.push(`acc ${Math.round(m.accuracy * 100)}%`);
  else if (m.version === 0) parts.push('no model yet');
  if (m.stopping) parts.push('consider stopping');
  return parts.join(' · ');
}

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

  showModel(m: ModelSnapshot): void {
    this.item.text = `$(tag) ${formatModel(m)}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**Active Label**: ${m.labeled} of ${m.total} items labeled`);
    if (m.accuracy !== undefined) {
      tooltip.appendMarkdown(`\n\nModel v${m.version}: accuracy ${(m.accuracy * 100).toFixed(1)}%`);
      if (m.macroF1 !== undefined) tooltip.appendMarkdown(`, macro-F1 ${(m.macroF1 * 100).toFixed(1)}%`);
      tooltip.appendMarkdown(' on the held-out evaluation items');
    }
    if (m.stopping) tooltip.appendMarkdown(`\n\n$(lightbulb) ${m.stopping}`);
    tooltip.appendMarkdown('\n\nClick to show the learning curve.');
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
