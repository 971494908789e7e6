/**
 * Hugging Face `datasets` JSONL or CSV (what `Dataset.to_json` / `to_csv` write, one row per line,
 * https://huggingface.co/docs/datasets/loading): a `text` column and a `label` column holding a
 * class name, a list of names (multi-label), or a ClassLabel index; an index becomes a name only
 * with the class names (`classNames`, the ClassLabel's `names` in order), else it is reported.
 * Active Label's own JSONL export reads back the same way (its `meta.annotator` is the annotator).
 */
import { parse } from 'csv-parse/sync';
import { parseJsonLines, stripBom } from './jsonLines';
import { byLine, idOf, isObject, note, stringList, type ImportNote, type ImportRecord, type ParseOptions, type ParsedImport } from './types';

export const TEXT_KEYS: readonly string[] = ['text', 'content', 'sentence'];

export function parseHfJsonl(file: string, content: string, options: ParseOptions = {}): ParsedImport {
  const { lines, notes } = parseJsonLines(file, content);
  const rows = lines.map(({ line, value }) => ({ line, row: isObject(value) ? value : undefined }));
  return rowsToImport(file, rows, notes, options);
}

export function parseHfCsv(file: string, content: string, options: ParseOptions = {}): ParsedImport {
  const notes: ImportNote[] = [];
  const parsed = parse(stripBom(content), {
    columns: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      const line = (error as { lines?: number } | undefined)?.lines ?? 0;
      notes.push(note(file, line, 'invalid-json', `not a valid CSV record (${error?.message ?? 'syntax error'}); skipped, the rest imported.`));
    },
  }) as { info: { lines: number }; record: Record<string, string> }[];
  const rows = parsed.map(({ info, record }) => {
    // info.lines is the record's last line; a quoted field's line breaks move its start up.
    const breaks = Object.values(record).reduce((n, v) => n + (v.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    return { line: info.lines - breaks, row: record as Record<string, unknown> };
  });
  return rowsToImport(file, rows, notes, options);
}

function rowsToImport(
  file: string,
  rows: readonly { line: number; row: Record<string, unknown> | undefined }[],
  notes: ImportNote[],
  options: ParseOptions,
): ParsedImport {
  const labelField = options.labelField ?? 'label';
  const records: ImportRecord[] = [];
  for (const { line, row } of rows) {
    const text = row === undefined ? undefined : TEXT_KEYS.map((k) => row[k]).find((v): v is string => typeof v === 'string');
    const meta = row !== undefined && isObject(row.meta) ? row.meta : {};
    const id = row === undefined ? undefined : (idOf(row.id) ?? idOf(meta.id));
    if (row === undefined || (text === undefined && id === undefined)) {
      notes.push(note(file, line, 'not-a-record', `needs a "text" column (or an "id") to find its item; skipped.`));
      continue;
    }
    const raw = row[labelField];
    if (raw === undefined || raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0)) {
      notes.push(note(file, line, 'no-label', `no value in "${labelField}"; nothing to import.`));
      continue;
    }
    if (meta.source === 'prediction') {
      notes.push(note(file, line, 'suggestion-only', 'an exported model prediction (meta.source "prediction"), not a label; not imported.'));
      continue;
    }
    const labels = labelsOf(raw, options.classNames);
    if (labels === undefined) {
      notes.push(note(file, line, 'class-index', `"${labelField}" is the class index ${JSON.stringify(raw)}, and no class names were given to turn it into a label; not imported.`));
      continue;
    }
    if (labels.length === 0) {
      notes.push(note(file, line, 'no-label', `no label name in "${labelField}"; nothing to import.`));
      continue;
    }
    const annotator = typeof meta.annotator === 'string' && meta.annotator !== '' ? meta.annotator : undefined;
    records.push({
      itemRef: { ...(id !== undefined ? { id } : {}), ...(text !== undefined ? { text } : {}) },
      labels,
      ...(annotator !== undefined ? { annotator } : {}),
      sourceTool: 'hf-datasets',
      file,
      line,
    });
  }
  return { tool: 'hf-datasets', records, notes: byLine(notes) };
}

/**
 * Names for a label value: a string, a list, or class indexes (JSON numbers, or an all-digit CSV
 * cell when class names are given). Undefined when an index has no name to map to.
 */
export function labelsOf(raw: unknown, classNames: readonly string[] | undefined): string[] | undefined {
  const values = Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (const value of values) {
    const isIndex = typeof value === 'number' || (classNames !== undefined && typeof value === 'string' && /^\d+$/.test(value.trim()));
    if (!isIndex) {
      out.push(...stringList(value));
      continue;
    }
    const index = Number(value);
    const name = Number.isInteger(index) ? classNames?.[index] : undefined;
    if (name === undefined) return undefined;
    out.push(name);
  }
  return [...new Set(out)];
}
