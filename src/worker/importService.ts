/**
 * `importLabels` in the worker, which owns the log while a session runs: read the export, parse and
 * match it in core against the session's dataset and labels, append through the LabelWriter, and
 * answer with the counts and every line left out (file:line), so the host only presents.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { matchImport, parseImport, summaryText } from '../core/labels/importers';
import { MAX_IMPORT_PROBLEMS, type ImportLabelsMessage, type WorkerToHost } from '../shared/protocol/engine';
import type { LabelWriter } from './labelWriter';
import type { StartedSession } from './startSession';

export async function importInto(started: StartedSession, writer: LabelWriter, msg: ImportLabelsMessage, post: (m: WorkerToHost) => void): Promise<void> {
  try {
    const name = basename(msg.file);
    const content = await readFile(msg.file, 'utf8');
    const parsed = parseImport(name, content, msg.format !== undefined ? { format: msg.format } : {});
    const session = started.session;
    const labels = session.config.mode === 'binary' ? session.classMap.classes : session.config.labels;
    const result = matchImport(
      parsed,
      started.session.items,
      { state: session.labelState.labels, eventIds: writer.eventIds() },
      { labels, mode: session.config.mode, defaultAnnotator: `import:${name}`, ...(msg.overwrite === true ? { overwrite: true } : {}) },
    );
    const written = await writer.importEvents(result.events);
    // Events the file already had (a concurrent writer, a merge) count as imported before.
    const summary = { ...result.summary, imported: written, alreadyImported: result.summary.alreadyImported + result.events.length - written };
    post({
      type: 'imported',
      requestId: msg.requestId,
      tool: parsed.tool,
      imported: summary.imported,
      alreadyImported: summary.alreadyImported,
      unmatched: summary.unmatched,
      summary: summaryText(summary, name),
      problems: result.problems.slice(0, MAX_IMPORT_PROBLEMS).map((p) => ({ line: p.line, kind: p.kind, message: p.message })),
      moreProblems: Math.max(0, result.problems.length - MAX_IMPORT_PROBLEMS),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    post({ type: 'error', kind: 'internal', message: `Could not import ${msg.file}: ${message}`, actions: [], requestId: msg.requestId });
  }
}
