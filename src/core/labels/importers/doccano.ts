/**
 * doccano's text classification JSONL export (doccano/doccano `backend/data_export`: the category
 * column is renamed `label` and written as a sorted list of label names): `{"id", "text",
 * "label": [...]}`, plus the example's metadata and `Comments`. Without collaborative annotation
 * doccano writes one file per user (`<username>.jsonl`), so the file, not the line, names the
 * annotator; the records carry none and the import names the file. Span lists (`[[0, 5, "LOC"]]`,
 * sequence labeling) are not class labels and are reported.
 */
import { parseJsonLines } from './jsonLines';
import { byLine, idOf, isObject, note, stringList, type ImportNote, type ImportRecord, type ParsedImport } from './types';

export function parseDoccano(file: string, content: string): ParsedImport {
  const { lines, notes } = parseJsonLines(file, content);
  const records: ImportRecord[] = [];
  const out: ImportNote[] = [...notes];
  for (const { line, value } of lines) {
    if (!isObject(value) || (typeof value.text !== 'string' && idOf(value.id) === undefined)) {
      out.push(note(file, line, 'not-a-record', 'a doccano record needs "text" (or an "id"); skipped.'));
      continue;
    }
    const raw = value.label ?? value.labels;
    if (Array.isArray(raw) && raw.some((l) => Array.isArray(l))) {
      out.push(note(file, line, 'not-a-record', 'the labels are spans ([start, end, label]) from sequence labeling, not text classes; skipped.'));
      continue;
    }
    const labels = stringList(raw);
    if (labels.length === 0) {
      out.push(note(file, line, 'no-label', 'no label in "label" (unlabeled in doccano); nothing to import.'));
      continue;
    }
    const id = idOf(value.id);
    records.push({
      itemRef: { ...(id !== undefined ? { id } : {}), ...(typeof value.text === 'string' ? { text: value.text } : {}) },
      labels,
      sourceTool: 'doccano',
      file,
      line,
    });
  }
  return { tool: 'doccano', records, notes: byLine(out) };
}
