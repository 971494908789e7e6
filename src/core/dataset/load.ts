import type { Dataset, DatasetFormat } from '../types';
import { DatasetBuilder } from './builder';
import { type FileFacts, type ReadOptions, defaultMaxRecordBytes, inspectFile } from './chunks';
import { DatasetError } from './errors';
import { detectFormat } from './format';
import { readRows } from './rows';
import { type Sniffed, sniff } from './sniff';

export interface LoadOptions {
  /** Overrides the detected text field (for headerless CSV: `column1..N`). */
  readonly textField?: string;
  /** Overrides the id field (default: `id`, `_id` or `uuid` when present, else text hashes). */
  readonly idField?: string;
  /** Imports this field as labels. Default: a field named `label`/`labels`; never a guessed column. */
  readonly labelField?: string;
  /** Overrides detection by extension. */
  readonly format?: DatasetFormat;
  /** A longer row is reported as `line-too-long` and skipped, never loaded. Default 16 MiB. */
  readonly maxRecordBytes?: number;
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Cancels between chunks with `CancelledError`. */
  readonly signal?: AbortSignal;
}

/**
 * Loads a dataset file into unique items. Bad rows are reported (`problems`, with file:line, reason
 * and fix) and skipped; the rest always loads. Throws `DatasetError` only when the file as a whole
 * cannot be read: unknown format, missing, binary, or a text field that no row has.
 *
 * An empty file (or one holding only a BOM or blank lines) is not an error: it loads as a dataset
 * with 0 items and a summary of 0 rows, which `formatSummary` words as "empty". A user who opens an
 * empty file expects to be told it is empty, not to see a crash or a stack trace.
 */
export async function loadDataset(file: string, options: LoadOptions = {}): Promise<Dataset> {
  const format = options.format ?? detectFormat(file);
  const facts = await inspectFile(file);
  const read: ReadOptions = {
    maxRecordBytes: options.maxRecordBytes ?? defaultMaxRecordBytes,
    onProgress: options.onProgress,
    signal: options.signal,
  };
  const hints = [options.textField, options.idField, options.labelField].filter((h): h is string => h !== undefined);
  const sniffed = await sniff(file, format, facts, read, hints);
  const textField = options.textField ?? sniffed.detectedTextField;
  checkFieldExists(file, sniffed, textField, 'text');
  if (options.labelField !== undefined) checkFieldExists(file, sniffed, options.labelField, 'label');
  if (options.idField !== undefined) checkFieldExists(file, sniffed, options.idField, 'id');

  const builder = new DatasetBuilder({
    file,
    format,
    fields: sniffed.fields,
    textField,
    idField: options.idField ?? sniffed.detectedIdField,
    labelField: options.labelField ?? sniffed.namedLabelField,
    maxRecordBytes: read.maxRecordBytes,
  });
  await feed(builder, file, facts, sniffed, read);
  return builder.finish();
}

async function feed(builder: DatasetBuilder, file: string, facts: FileFacts, sniffed: Sniffed, read: ReadOptions): Promise<void> {
  if (facts.size === 0) {
    read.onProgress?.(0, 0);
    return;
  }
  for await (const batch of readRows(file, facts, sniffed.layout, read)) {
    for (const event of batch) {
      if (event.kind === 'row') builder.addRow(event.line, event.value);
      else builder.addBad(event.line, event.reason, event.detail, event.bytes);
    }
  }
}

/**
 * A field name that no sampled row has is almost always a typo; refusing with the list of fields
 * beats reporting every row as missing its text.
 */
function checkFieldExists(file: string, sniffed: Sniffed, field: string, role: string): void {
  if (sniffed.layout.format === 'txt' || sniffed.sample.length === 0) return;
  if (sniffed.fields.includes(field)) return;
  throw new DatasetError(
    `Cannot load ${file}: the ${role} field "${field}" is not in the file. Fields found: ${sniffed.fields.join(', ') || '(none)'}.`,
    file,
  );
}
