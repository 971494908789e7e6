import type { DatasetFormat } from '../types';
import type { ReadOptions } from './chunks';
import type { FileFacts } from './inspect';
import { readCsvRecords } from './csvRecords';
import { detectTextField, findNamedField, guessLabelColumn, idFieldNames, labelFieldNames, looksLikeHeader } from './detect';
import { type Layout, readRows, recordToObject, txtField } from './rows';

/** What the head of a file says about its layout; loadDataset and previewDataset both start here. */
export interface Sniffed {
  readonly layout: Layout;
  /** Field names seen: CSV columns, JSONL keys in order of first appearance; `[]` for TXT. */
  readonly fields: readonly string[];
  /** The first data rows (header excluded), as the loader will see them. */
  readonly sample: readonly Readonly<Record<string, unknown>>[];
  readonly detectedTextField: string;
  readonly detectedIdField?: string;
  /** A field named `label`/`labels`: imported by default. */
  readonly namedLabelField?: string;
  /** A headerless CSV's likely label column: offered in the preview, imported only on request. */
  readonly guessedLabelField?: string;
  /** The sample is the whole file: a field it lacks is in no row at all. */
  readonly complete: boolean;
}

const sampleRows = 1000;
/** Stop sampling early on huge rows: the guesses need shapes, not megabytes. */
const sampleChars = 4 * 1024 * 1024;

export async function sniff(
  file: string,
  format: DatasetFormat,
  facts: FileFacts,
  options: ReadOptions,
  hints: readonly string[],
): Promise<Sniffed> {
  const quiet: ReadOptions = { maxRecordBytes: options.maxRecordBytes, signal: options.signal };
  if (format === 'txt' || format === 'jsonl') {
    const layout: Layout = { format, hasHeader: false, columns: [] };
    const sample: Readonly<Record<string, unknown>>[] = [];
    const fields = new Set<string>();
    let chars = 0;
    let complete = true;
    outer: for await (const batch of readRows(file, facts, layout, quiet)) {
      for (const event of batch) {
        if (event.kind !== 'row') continue;
        sample.push(event.value);
        if (format === 'jsonl') for (const key of Object.keys(event.value)) fields.add(key);
        chars += roughSize(event.value);
        if (sample.length >= sampleRows || chars >= sampleChars) {
          complete = false;
          break outer;
        }
      }
    }
    if (format === 'txt') return { layout, fields: [], sample, detectedTextField: txtField, complete };
    return describe(layout, [...fields], sample, false, complete);
  }

  const records: string[][] = [];
  let chars = 0;
  let complete = true;
  outer: for await (const batch of readCsvRecords(file, facts, format === 'tsv' ? '\t' : ',', quiet)) {
    for (const event of batch) {
      if (event.kind !== 'record') continue;
      records.push(event.fields);
      chars += event.fields.reduce((sum, f) => sum + f.length, 0);
      if (records.length > sampleRows || chars >= sampleChars) {
        complete = false;
        break outer;
      }
    }
  }
  const hasHeader = looksLikeHeader(records, hints);
  const width = records.reduce((w, r) => Math.max(w, r.length), 0);
  const columns = hasHeader
    ? records[0].map((c, i) => c.trim() || `column${i + 1}`)
    : Array.from({ length: width }, (_, i) => `column${i + 1}`);
  for (let i = columns.length; i < width; i++) columns.push(`column${i + 1}`);
  const layout: Layout = { format, hasHeader, columns };
  const sample = records.slice(hasHeader ? 1 : 0).map((r) => recordToObject(r, columns));
  return describe(layout, columns, sample, !hasHeader, complete);
}

function describe(
  layout: Layout,
  fields: readonly string[],
  sample: Readonly<Record<string, unknown>>[],
  anonymous: boolean,
  complete: boolean,
): Sniffed {
  if (anonymous) {
    // Headerless: names carry no meaning, so only the values decide.
    const detectedTextField = detectTextField(fields, sample, new Set());
    const guessedLabelField = guessLabelColumn(fields, sample, detectedTextField);
    return { layout, fields, sample, detectedTextField, guessedLabelField, complete };
  }
  const detectedIdField = findNamedField(fields, idFieldNames);
  const namedLabelField = findNamedField(fields, labelFieldNames);
  const exclude = new Set([detectedIdField, namedLabelField].filter((f): f is string => f !== undefined));
  const detectedTextField = detectTextField(fields, sample, exclude);
  return { layout, fields, sample, detectedTextField, detectedIdField, namedLabelField, complete };
}

function roughSize(value: Readonly<Record<string, unknown>>): number {
  let n = 0;
  for (const v of Object.values(value)) n += typeof v === 'string' ? v.length : 16;
  return n;
}
