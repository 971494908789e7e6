import type { DatasetFormat, RowProblemReason } from '../types';
import type { ReadOptions } from './chunks';
import type { FileFacts } from './inspect';
import { readCsvRecords } from './csvRecords';
import { readLines } from './lines';

/** A row as a plain object (JSONL object, CSV record keyed by column, TXT `{ text }`), or why not. */
export type RowEvent =
  | {
      readonly kind: 'row';
      readonly line: number;
      readonly value: Readonly<Record<string, unknown>>;
      /** JSONL: the line as written, for the source spelling of a number used as text. */
      readonly source?: string;
    }
  | { readonly kind: 'bad'; readonly line: number; readonly reason: RowProblemReason; readonly detail?: string; readonly bytes?: number };

/** How a file's rows are laid out, decided once by sniffing its head (see sniff.ts). */
export interface Layout {
  readonly format: DatasetFormat;
  /** CSV/TSV only: the first record names the columns and is not data. */
  readonly hasHeader: boolean;
  /** CSV/TSV column names (header cells, or `column1..N`); extra cells in ragged rows get `columnN`. */
  readonly columns: readonly string[];
}

/** The field name TXT rows use for their line. */
export const txtField = 'text';

/** Streams the rows of any supported format as batches of plain objects. */
export async function* readRows(file: string, facts: FileFacts, layout: Layout, options: ReadOptions): AsyncGenerator<RowEvent[]> {
  if (layout.format === 'csv' || layout.format === 'tsv') {
    yield* csvRows(file, facts, layout, options);
  } else {
    const jsonl = layout.format === 'jsonl';
    for await (const batch of readLines(file, facts, options)) {
      const out: RowEvent[] = [];
      for (const event of batch) {
        if (event.kind === 'bad') {
          out.push(event);
        } else if (event.text.trim() !== '') {
          // Blank lines separate nothing and mean nothing in JSONL and TXT: skipped silently, not rows.
          out.push(jsonl ? parseJsonLine(event.text, event.line) : { kind: 'row', line: event.line, value: txtRow(event.text) });
        }
      }
      yield out;
    }
  }
}

async function* csvRows(file: string, facts: FileFacts, layout: Layout, options: ReadOptions): AsyncGenerator<RowEvent[]> {
  let headerPending = layout.hasHeader;
  const delimiter = layout.format === 'tsv' ? '\t' : ',';
  for await (const batch of readCsvRecords(file, facts, delimiter, options)) {
    const out: RowEvent[] = [];
    for (const event of batch) {
      if (event.kind === 'bad') {
        out.push(event);
      } else if (headerPending) {
        headerPending = false;
      } else {
        out.push({ kind: 'row', line: event.line, value: recordToObject(event.fields, layout.columns) });
      }
    }
    yield out;
  }
}

/**
 * Maps a CSV record onto column names; ragged rows keep their extra cells as `columnN`. The object
 * has no prototype: a column named `__proto__` is then a plain field (on `{}` the assignment would
 * set the prototype and lose the cell), and no column name can reach Object.prototype.
 */
export function recordToObject(fields: readonly string[], columns: readonly string[]): Record<string, string> {
  const value = Object.create(null) as Record<string, string>;
  for (let i = 0; i < fields.length; i++) value[i < columns.length ? columns[i] : `column${i + 1}`] = fields[i];
  return value;
}

function txtRow(text: string): Record<string, string> {
  const value = Object.create(null) as Record<string, string>;
  value[txtField] = text;
  return value;
}

/**
 * A row's own field, never an inherited one: a JSON object is an ordinary object, so reading
 * `constructor` or `toString` on a row without that key would find Object.prototype's function.
 * Every read of a row's field by name goes through here.
 */
export function ownField(row: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(row, name) ? row[name] : undefined;
}

function parseJsonLine(text: string, line: number): RowEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'bad', line, reason: 'invalid-json', detail: (err as Error).message };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { kind: 'bad', line, reason: 'not-an-object', detail: what };
  }
  return { kind: 'row', line, value: value as Record<string, unknown>, source: text };
}
