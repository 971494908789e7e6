import type { Dataset, DatasetFormat } from '../types';
import { DatasetBuilder } from './builder';
import { type ReadOptions, defaultMaxRecordBytes } from './chunks';
import { type FileFacts, inspectFile } from './inspect';
import { DatasetError } from './errors';
import { detectFormat } from './format';
import { readRows } from './rows';
import { type Sniffed, sniff } from './sniff';

/**
 * The loader's output version. BUMP IT whenever a change here or in the readers, the builder,
 * normalization, ids, hashes or problem messages changes what `loadDataset` returns for some file:
 * dataset snapshots (snapshot.ts, cachedLoad.ts) are keyed on it, and an unbumped change would let
 * a snapshot written by the old loader stand in for the new loader's result.
 */
export const LOADER_VERSION = 1;

/** Every option that changes the result must also be in the snapshot key (`keyBase` in cachedLoad.ts). */
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
  /**
   * Every byte the rows were read from, in order, once (the head the format is sniffed from is not
   * passed again): a snapshot is keyed on the hash of exactly what was parsed (cachedLoad.ts).
   */
  readonly onBytes?: (chunk: Buffer) => void;
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
  const named: NamedField[] = [{ field: textField, role: 'text' }];
  if (options.labelField !== undefined) named.push({ field: options.labelField, role: 'label' });
  if (options.idField !== undefined) named.push({ field: options.idField, role: 'id' });
  const late = named.filter(({ field }) => !inSample(sniffed, field));
  for (const { field, role } of late) if (!canAppearLater(sniffed, field)) throw notInFile(file, sniffed.fields, field, role);

  const builder = new DatasetBuilder({
    file,
    format,
    fields: sniffed.fields,
    textField,
    idField: options.idField ?? sniffed.detectedIdField,
    labelField: options.labelField ?? sniffed.namedLabelField,
    maxRecordBytes: read.maxRecordBytes,
    watchFields: late.map(({ field }) => field),
  });
  await feed(builder, file, facts, sniffed, options.onBytes !== undefined ? { ...read, onBytes: options.onBytes } : read);
  const unseen = new Set(builder.unseenFields());
  const missing = late.find(({ field }) => unseen.has(field));
  if (missing !== undefined) throw notInFile(file, sniffed.fields, missing.field, missing.role);
  const dataset = builder.finish();
  // Fields first met after the sampled head are in the file all the same.
  return late.length > 0 ? { ...dataset, fields: [...new Set([...dataset.fields, ...late.map(({ field }) => field)])] } : dataset;
}

async function feed(builder: DatasetBuilder, file: string, facts: FileFacts, sniffed: Sniffed, read: ReadOptions): Promise<void> {
  if (facts.size === 0) {
    read.onProgress?.(0, 0);
    return;
  }
  for await (const batch of readRows(file, facts, sniffed.layout, read)) {
    for (const event of batch) {
      if (event.kind === 'row') builder.addRow(event.line, event.value, event.source);
      else builder.addBad(event.line, event.reason, event.detail, event.bytes);
    }
  }
}

interface NamedField {
  readonly field: string;
  readonly role: 'text' | 'label' | 'id';
}

function inSample(sniffed: Sniffed, field: string): boolean {
  return sniffed.layout.format === 'txt' || sniffed.sample.length === 0 || sniffed.fields.includes(field);
}

/**
 * Whether a field the sampled head lacks may still be in a later row: a JSONL key first used after
 * the sample, or a CSV `columnN` past the widest sampled row. A header's names are all known up
 * front, so any other CSV field is a typo, refused before reading the whole file.
 */
function canAppearLater(sniffed: Sniffed, field: string): boolean {
  if (sniffed.complete) return false;
  if (sniffed.layout.format === 'jsonl') return true;
  const n = /^column(\d+)$/.exec(field);
  return n !== null && Number(n[1]) > sniffed.layout.columns.length;
}

/**
 * A field name that no row has is almost always a typo; refusing with the list of fields beats
 * reporting every row as missing its text. Rows that lack a field some other row has are each
 * reported instead (missing-text-field).
 */
function notInFile(file: string, fields: readonly string[], field: string, role: string): DatasetError {
  return new DatasetError(
    `Cannot load ${file}: the ${role} field "${field}" is not in the file. Fields found: ${fields.join(', ') || '(none)'}.`,
    file,
  );
}
