/**
 * Prodigy's `db-out` JSONL (https://prodi.gy/docs/api-interfaces): every line is a task with an
 * `answer` of `accept`, `reject` or `ignore`.
 * - Choice tasks (`textcat.manual`): `options` [{id, text}] and `accept`, the ids chosen.
 * - Binary tasks (`textcat.teach`, `textcat.correct` with one label): `label`, accepted or rejected.
 * Only accepted answers carry labels: a reject says what the text is not, and an ignore says
 * nothing, so both are reported (kinds `rejected`, `ignored`) and not imported.
 * The annotator is `_annotator_id` (Prodigy's "dataset-session" name), else `_session_id`.
 */
import { parseJsonLines } from './jsonLines';
import { byLine, idOf, isObject, note, stringList, type ImportNote, type ImportRecord, type ParsedImport } from './types';

export function parseProdigy(file: string, content: string): ParsedImport {
  const { lines, notes } = parseJsonLines(file, content);
  const records: ImportRecord[] = [];
  const out: ImportNote[] = [...notes];
  for (const { line, value } of lines) {
    if (!isObject(value)) {
      out.push(note(file, line, 'not-a-record', 'not a JSON object; skipped.'));
      continue;
    }
    const text = typeof value.text === 'string' ? value.text : undefined;
    const meta = isObject(value.meta) ? value.meta : {};
    const id = idOf(value.id) ?? idOf(meta.id);
    if (text === undefined && id === undefined) {
      out.push(note(file, line, 'not-a-record', 'a Prodigy task needs "text" (or an "id") to find its item; skipped.'));
      continue;
    }
    const answer = value.answer;
    if (answer === 'reject' || answer === 'ignore') {
      const what = answer === 'reject' ? 'rejected' : 'ignored';
      out.push(note(file, line, what, `answer "${answer}": only accepted answers carry labels; not imported.`));
      continue;
    }
    if (answer !== 'accept') {
      out.push(note(file, line, 'not-a-record', `no "answer" of accept, reject or ignore (found ${JSON.stringify(answer ?? null)}): not an annotated task; skipped.`));
      continue;
    }
    const labels = acceptedLabels(value);
    if (labels.length === 0) {
      out.push(note(file, line, 'no-label', 'accepted, but with no "accept" option and no "label"; nothing to import.'));
      continue;
    }
    const annotator = idOf(value._annotator_id) ?? idOf(value._session_id);
    records.push({
      itemRef: { ...(id !== undefined ? { id } : {}), ...(text !== undefined ? { text } : {}) },
      labels,
      ...(annotator !== undefined ? { annotator } : {}),
      sourceTool: 'prodigy',
      file,
      line,
    });
  }
  return { tool: 'prodigy', records, notes: byLine(out) };
}

/** Choice tasks: the accepted option ids (a numeric id is shown by its option's text); else `label`. */
function acceptedLabels(task: Record<string, unknown>): string[] {
  if (Array.isArray(task.accept)) {
    const options = Array.isArray(task.options) ? task.options.filter(isObject) : [];
    return task.accept.flatMap((chosen): string[] => {
      if (typeof chosen === 'string') return stringList(chosen);
      const option = options.find((o) => o.id === chosen);
      return stringList(option?.text ?? idOf(chosen));
    });
  }
  return stringList(task.label);
}
