/**
 * The status bar's text and tooltip, as pure functions of the snapshots (no `vscode` import, so the
 * unit tests run in plain Node). statusBar.ts owns the VS Code item and re-exports these.
 */
import {
  describeInterval,
  describeScored,
  isEvaluationTrusted,
  itemsToScore,
  MIN_TRUSTED_EVALUATION_ITEMS,
  TOO_FEW_EVALUATION_ITEMS,
  WHY_ITEMS_TO_SCORE,
  type ModelSnapshot,
  type ProgressSnapshot,
} from '../shared/protocol';
import { roughDuration } from '../shared/poolText';
import { progressText } from '../shared/progressText';

const count = new Intl.NumberFormat('en-US');

/** "45s", "1m", "1h 5m". */
export function formatEta(seconds: number): string {
  return roughDuration(seconds, { s: 's', min: 'm', h: 'h' });
}

/** `Embedding 4,210/10,000 · 85/s · ETA 1m`, `Reading dataset 12.4 MB of 48.0 MB · …` (src/shared/progressText.ts). */
export function formatProgress(p: ProgressSnapshot): string {
  return progressText(p, formatEta);
}

/**
 * `85 labeled · acc 82% on 25 scored`, or `7/20 items to score` before the estimate can be trusted,
 * plus `consider stopping` when the stopping hint fires.
 */
export function formatModel(m: ModelSnapshot): string {
  const parts = [`${count.format(m.labeled)}${m.total > 0 ? `/${count.format(m.total)}` : ''} labeled`];
  if (m.training) parts.push('training…');
  if (m.accuracy !== undefined) parts.push(formatAccuracy(m.accuracy, m.evaluated));
  else if (m.version === 0) parts.push('no model yet');
  else if (m.evaluated !== undefined) parts.push(`${count.format(m.evaluated)}/${MIN_TRUSTED_EVALUATION_ITEMS} items to score`);
  if (m.stopping?.stop) parts.push('consider stopping');
  return parts.join(' · ');
}

function formatAccuracy(accuracy: number, evaluated: number | undefined): string {
  const figure = `acc ${Math.round(accuracy * 100)}%`;
  if (evaluated === undefined) return figure;
  const on = `on ${count.format(evaluated)} scored`;
  return isEvaluationTrusted(evaluated) ? `${figure} ${on}` : `${figure}? ${on} (too few)`;
}

/** The tooltip's paragraphs, in Markdown (codicons allowed). */
export function modelTooltip(m: ModelSnapshot): string[] {
  const lines = [`**Active Label**: ${count.format(m.labeled)} of ${count.format(m.total)} items labeled`];
  if (m.accuracy !== undefined) {
    let metrics = `Model v${m.version}: accuracy ${(m.accuracy * 100).toFixed(1)}%`;
    if (m.accuracyLow !== undefined && m.accuracyHigh !== undefined) metrics += ` (${describeInterval(m.accuracyLow, m.accuracyHigh)})`;
    if (m.macroF1 !== undefined) metrics += `, macro-F1 ${(m.macroF1 * 100).toFixed(1)}%`;
    metrics += m.evaluated === undefined ? ' out of fold' : ` ${describeScored(m.evaluated)} out of fold`;
    lines.push(metrics);
    if (!isEvaluationTrusted(m.evaluated)) lines.push(`$(warning) ${capitalize(TOO_FEW_EVALUATION_ITEMS)}: each item moves the figure by ${Math.round(100 / Math.max(1, m.evaluated ?? 1))} points.`);
  } else if (m.version > 0 && m.evaluated !== undefined) {
    lines.push(`Model v${m.version}: ${itemsToScore(m.evaluated)}. ${WHY_ITEMS_TO_SCORE}`);
  }
  if (m.stopping) lines.push(`$(lightbulb) ${m.stopping.message}`);
  lines.push('Click to show the learning curve.');
  return lines;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
