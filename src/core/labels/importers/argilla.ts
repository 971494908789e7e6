/**
 * Argilla 2.x records (https://docs.argilla.io/latest/how_to_guides/import_export): what
 * `dataset.records.to_list()` / `to_datasets()` / `to_hub()` give, saved as JSONL, in either shape:
 * - flattened (`flatten=True`, and every `datasets` export): `text`, `<question>.responses` (one
 *   value per user), `<question>.responses.users`, `<question>.responses.status`,
 *   `<question>.suggestion`, `...suggestion.score`, `...suggestion.agent`;
 * - nested: `fields: {text}`, `responses: {<question>: [{value, user_id, status}]}`,
 *   `suggestions: {<question>: {value, score, agent}}`.
 * Each submitted response is a person's label and becomes its own record (annotator: the user id);
 * draft and discarded responses are not labels. A record with only a suggestion holds a model's
 * guess: reported as `suggestion-only`, never imported as a label.
 */
import { parseJsonLines } from './jsonLines';
import { byLine, idOf, isObject, note, stringList, type ImportNote, type ImportRecord, type ParseOptions, type ParsedImport } from './types';

interface Response {
  readonly value: unknown;
  readonly user?: string;
  readonly status?: string;
}

export function parseArgilla(file: string, content: string, options: ParseOptions = {}): ParsedImport {
  const { lines, notes } = parseJsonLines(file, content);
  const records: ImportRecord[] = [];
  const out: ImportNote[] = [...notes];
  for (const { line, value } of lines) {
    if (!isObject(value)) {
      out.push(note(file, line, 'not-a-record', 'not a JSON object; skipped.'));
      continue;
    }
    const fields = isObject(value.fields) ? value.fields : value;
    const text = typeof fields.text === 'string' ? fields.text : undefined;
    const id = idOf(value.id);
    if (text === undefined && id === undefined) {
      out.push(note(file, line, 'not-a-record', 'an Argilla record needs a "text" field (or an "id"); skipped.'));
      continue;
    }
    const question = options.labelField ?? questionOf(value);
    if (question === undefined) {
      out.push(note(file, line, 'no-label', 'no responses or suggestions in this record; nothing to import.'));
      continue;
    }
    const responses = responsesOf(value, question);
    const submitted = responses.filter((r) => r.status === undefined || r.status === 'submitted');
    if (submitted.length === 0) {
      const suggested = suggestionOf(value, question) !== undefined;
      out.push(suggested
        ? note(file, line, 'suggestion-only', `question "${question}" has only a model suggestion, no submitted response; not imported as a label.`)
        : note(file, line, 'no-label', `question "${question}" has no submitted response${responses.length > 0 ? ` (${responses.map((r) => r.status).join(', ')})` : ''}; nothing to import.`));
      continue;
    }
    for (const response of submitted) {
      const labels = stringList(response.value);
      if (labels.length === 0) continue;
      records.push({
        itemRef: { ...(id !== undefined ? { id } : {}), ...(text !== undefined ? { text } : {}) },
        labels,
        ...(response.user !== undefined ? { annotator: response.user } : {}),
        sourceTool: 'argilla',
        file,
        line,
      });
    }
  }
  return { tool: 'argilla', records, notes: byLine(out) };
}

/** The first question with responses or a suggestion, in either shape. */
function questionOf(record: Record<string, unknown>): string | undefined {
  if (isObject(record.responses)) return Object.keys(record.responses)[0];
  if (isObject(record.suggestions)) return Object.keys(record.suggestions)[0];
  for (const key of Object.keys(record)) {
    const m = /^(.+)\.(responses|suggestion)$/.exec(key);
    if (m) return m[1];
  }
  return undefined;
}

function responsesOf(record: Record<string, unknown>, question: string): Response[] {
  if (isObject(record.responses)) {
    const list = record.responses[question];
    return (Array.isArray(list) ? list : []).filter(isObject).map((r) => ({
      value: r.value,
      ...(idOf(r.user_id) !== undefined ? { user: idOf(r.user_id) as string } : {}),
      ...(typeof r.status === 'string' ? { status: r.status } : {}),
    }));
  }
  const values = record[`${question}.responses`];
  if (!Array.isArray(values)) return [];
  const users = record[`${question}.responses.users`];
  const statuses = record[`${question}.responses.status`];
  return values.map((value, i) => {
    const user = Array.isArray(users) ? idOf(users[i]) : undefined;
    const status = Array.isArray(statuses) && typeof statuses[i] === 'string' ? (statuses[i] as string) : undefined;
    return { value, ...(user !== undefined ? { user } : {}), ...(status !== undefined ? { status } : {}) };
  });
}

function suggestionOf(record: Record<string, unknown>, question: string): unknown {
  if (isObject(record.suggestions)) {
    const s = record.suggestions[question];
    return isObject(s) ? s.value : undefined;
  }
  return record[`${question}.suggestion`] ?? undefined;
}
