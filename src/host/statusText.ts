/**
 * The status bar's text and tooltip, as pure functions of the snapshots (no `vscode` import, so the
 * unit tests run in plain Node). statusBar.ts owns the VS Code item and re-exports these.
 */
import { describeHeldOut, isEvaluationTrusted, PHASE_TITLES, TOO_FEW_EVALUATION_ITEMS, type ModelSnapshot, type ProgressSnapshot } from '../shared/protocol';

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
  const verb = PHASE_TITLES[p.phase];
  const parts = [p.total > 0 ? `${verb} ${count.format(p.done)}/${count.format(p.total)}` : `${verb}…`];
  if (p.itemsPerSecond > 0) parts.push(`${count.format(Math.round(p.itemsPerSecond))}/s`);
  if (p.etaSeconds > 0) parts.push(`ETA ${formatEta(p.etaSeconds)}`);
  return parts.join(' · ');
}

/**
 * `85 labeled · acc 82% on 12 held-out` plus the stopping hint when it fires. With too few
 * held-out items the accuracy gets a `?` and `(too few)`: the status bar cannot grey a part of its
 * text, so it says so in words.
 */
export function formatModel(m: ModelSnapshot): string {
  const parts = [`${count.format(m.labeled)}${m.total > 0 ? `/${count.format(m.total)}` : ''} labeled`];
  if (m.training) parts.push('training…');
  if (m.accuracy !== undefined) parts.push(formatAccuracy(m.accuracy, m.evaluated));
  else if (m.version === 0) parts.push('no model yet');
  if (m.stopping) parts.push('consider stopping');
  return parts.join(' · ');
}

function formatAccuracy(accuracy: number, evaluated: number | undefined): string {
  const figure = `acc ${Math.round(accuracy * 100)}%`;
  if (evaluated === undefined) return figure;
  const on = `on ${count.format(evaluated)} held-out`;
  return isEvaluationTrusted(evaluated) ? `${figure} ${on}` : `${figure}? ${on} (too few)`;
}

/** The tooltip's paragraphs, in Markdown (codicons allowed). */
export function modelTooltip(m: ModelSnapshot): string[] {
  const lines = [`**Active Label**: ${count.format(m.labeled)} of ${count.format(m.total)} items labeled`];
  if (m.accuracy !== undefined) {
    let metrics = `Model v${m.version}: accuracy ${(m.accuracy * 100).toFixed(1)}%`;
    if (m.macroF1 !== undefined) metrics += `, macro-F1 ${(m.macroF1 * 100).toFixed(1)}%`;
    metrics += m.evaluated === undefined ? ' on the held-out evaluation items' : ` ${describeHeldOut(m.evaluated)}`;
    lines.push(metrics);
    if (!isEvaluationTrusted(m.evaluated)) lines.push(`$(warning) ${capitalize(TOO_FEW_EVALUATION_ITEMS)}: each held-out item moves the figure by ${Math.round(100 / Math.max(1, m.evaluated ?? 1))} points.`);
  }
  if (m.stopping) lines.push(`$(lightbulb) ${m.stopping}`);
  lines.push('Click to show the learning curve.');
  return lines;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
