/**
 * What the user is told when the session followed an edited dataset file (`datasetReloaded`): one
 * sentence for the panel, the problems of the new file (each naming file:line) for the log, and a
 * warning when rows were skipped. Plain strings: the callers pass them through `plainText`.
 */
import type { DatasetReloadedMessage } from '../shared/protocol/engine';

export interface ReloadReport {
  /** The panel's notice, e.g. "news.jsonl changed: 2 new items, 1 removed, 1 edited with the same id (re-embedded, labels kept)." */
  readonly notice: string;
  /** Lines for the output channel. */
  readonly log: readonly string[];
  /** A warning notification (a failure, or rows skipped), if one is due. */
  readonly warning?: string;
}

export function reloadReport(m: DatasetReloadedMessage, datasetName: string): ReloadReport {
  if (m.failed !== undefined) return { notice: m.failed, log: [m.failed], warning: m.failed };
  const parts: string[] = [];
  if (m.added > 0) parts.push(`${n(m.added)} new item${m.added === 1 ? '' : 's'}`);
  if (m.removed > 0) parts.push(`${n(m.removed)} removed`);
  if (m.changed > 0) parts.push(`${n(m.changed)} edited with the same id (re-embedded, labels kept)`);
  const notice = parts.length > 0 ? `${datasetName} changed: ${parts.join(', ')}.` : `${datasetName} was saved; no item changed.`;
  const log = [`Reloaded ${datasetName}: ${m.summary.loaded} items, ${m.summary.skipped} rows skipped; ${parts.join(', ') || 'no item changed'}.`, ...m.problems.map((p) => p.message)];
  if (m.summary.skipped === 0) return { notice, log };
  const first = m.problems[0];
  const where = first !== undefined ? ` First: ${first.message}` : '';
  return { notice, log, warning: `Active Label skipped ${n(m.summary.skipped)} of ${n(m.summary.rows)} rows of ${datasetName}; the valid rows are used.${where}` };
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}
