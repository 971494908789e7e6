/**
 * Label Studio's JSON export (https://labelstud.io/guide/task_format, "Export annotations": the
 * JSON format): one array of tasks. A task's `data` holds the text (`data.text`, or the only string
 * field) and any id the imported data carried (`data.id`); each of its `annotations` is one
 * person's answer, `completed_by` (a user id, or an object with an `email` in some versions), and
 * its `result` entries of type `choices` hold `value.choices`, the class names.
 * - An annotation with `was_cancelled: true` was skipped in Label Studio: reported, not imported.
 * - A task with only `predictions` holds a model's guesses, not labels: reported.
 * Every annotation becomes its own record, so several annotators of one task stay apart.
 */
import { arrayElementLines, stripBom } from './jsonLines';
import { idOf, isObject, note, stringList, type ImportNote, type ImportRecord, type ParsedImport } from './types';

export function parseLabelStudio(file: string, content: string, textKey?: string): ParsedImport {
  const text = stripBom(content);
  let tasks: unknown;
  try {
    tasks = JSON.parse(text);
  } catch (error) {
    const notes = [note(file, 1, 'invalid-json', `not valid JSON (${(error as Error).message}); a Label Studio export is one JSON array of tasks. Nothing was imported.`)];
    return { tool: 'label-studio', records: [], notes };
  }
  const list = Array.isArray(tasks) ? tasks : [tasks];
  const lines = Array.isArray(tasks) ? arrayElementLines(text) : [1];
  const records: ImportRecord[] = [];
  const notes: ImportNote[] = [];
  list.forEach((task, index) => {
    const line = lines[index] ?? 1;
    if (!isObject(task) || !isObject(task.data)) {
      notes.push(note(file, line, 'not-a-record', 'a Label Studio task needs a "data" object; skipped (export with the JSON format, not JSON-MIN or CSV).'));
      return;
    }
    const itemText = taskText(task.data, textKey);
    const id = idOf(task.data.id);
    if (itemText === undefined && id === undefined) {
      notes.push(note(file, line, 'not-a-record', `task ${String(task.id ?? index + 1)} has no text in "data" (looked for ${textKey ?? 'text'}); skipped.`));
      return;
    }
    const annotations = Array.isArray(task.annotations) ? task.annotations.filter(isObject) : [];
    if (annotations.length === 0) {
      const predicted = Array.isArray(task.predictions) && task.predictions.length > 0;
      notes.push(predicted
        ? note(file, line, 'suggestion-only', `task ${String(task.id ?? index + 1)} has only model predictions, no annotation; not imported as a label.`)
        : note(file, line, 'no-label', `task ${String(task.id ?? index + 1)} has no annotations; nothing to import.`));
      return;
    }
    for (const annotation of annotations) {
      if (annotation.was_cancelled === true) {
        notes.push(note(file, line, 'cancelled', `an annotation of task ${String(task.id ?? index + 1)} was cancelled (skipped) in Label Studio; not imported.`));
        continue;
      }
      const results = Array.isArray(annotation.result) ? annotation.result.filter(isObject) : [];
      const labels = [...new Set(results.flatMap((r) => (isObject(r.value) ? stringList(r.value.choices) : [])))];
      if (labels.length === 0) {
        notes.push(note(file, line, 'no-label', `an annotation of task ${String(task.id ?? index + 1)} has no "choices" result (only choices are class labels); not imported.`));
        continue;
      }
      const annotator = annotatorOf(annotation.completed_by);
      records.push({
        itemRef: { ...(id !== undefined ? { id } : {}), ...(itemText !== undefined ? { text: itemText } : {}) },
        labels,
        ...(annotator !== undefined ? { annotator } : {}),
        sourceTool: 'label-studio',
        file,
        line,
      });
    }
  });
  return { tool: 'label-studio', records, notes };
}

/** `data[textKey]`, else `data.text`, else the only string value of `data`. */
function taskText(data: Record<string, unknown>, textKey: string | undefined): string | undefined {
  for (const key of [textKey, 'text']) {
    if (key !== undefined && typeof data[key] === 'string') return data[key];
  }
  const strings = Object.entries(data).filter(([k, v]) => k !== 'id' && typeof v === 'string');
  return strings.length === 1 ? (strings[0]?.[1] as string) : undefined;
}

/** A user id becomes `label-studio:<id>`; an expanded user object gives its email. */
function annotatorOf(completedBy: unknown): string | undefined {
  if (isObject(completedBy)) {
    if (typeof completedBy.email === 'string' && completedBy.email !== '') return completedBy.email;
    const id = idOf(completedBy.id);
    return id === undefined ? undefined : `label-studio:${id}`;
  }
  const id = idOf(completedBy);
  return id === undefined ? undefined : `label-studio:${id}`;
}
