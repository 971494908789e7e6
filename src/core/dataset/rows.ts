import type { DatasetFormat, RowProblemReason } from '../types';
import type { FileFacts, ReadOptions } from './chunks';
import { readCsvRecords } from './csvRecords';
import { readLines } from './lines';

/** A row as a plain object (JSONL object, CSV record keyed by column, TXT `{ text }`), or why not. */
export type RowEvent =
  | { readonly kind: 'row'; readonly line: number; readonly value: Readonly<Record<string, unknown>> }
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
          out.push(jsonl ? parseJsonLine(event.text, event.line) : { kind: 'row', line: event.line, value: { [txtField]: event.text } });
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

/** Maps a CSV record onto column names; ragged rows keep their extra cells as `columnN`. */
export function recordToObject(fields: readonly string[], columns: readonly string[]): Record<string, string> {
  const value: Record<string, string> = {};
  for (let i = 0; i < fields.length; i++) value[i < columns.length ? columns[i] : `column${i + 1}`] = fields[i];
  return value;
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
  return { kind: 'row', line, value: value as Record<string, unknown> };
}
