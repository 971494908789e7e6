/**
 * The dataset seen row by row, as a user's vector file sees it: one entry per data row (header
 * excluded, blank JSONL/TXT lines excluded, skipped and duplicate rows included), holding the
 * index of the row's item, or -1 for a row the loader skipped. The loader records it
 * (`Dataset.rowItems`); for a dataset that lacks it, this re-reads the file with the dataset
 * module's own readers: the rows are exactly the ones the loader counted, never a second opinion
 * of what a row is.
 */
import { type LoadOptions, DatasetError } from '../dataset';
import { defaultMaxRecordBytes } from '../dataset/chunks';
import { inspectFile } from '../dataset/inspect';
import { detectFormat } from '../dataset/format';
import { hashNormalized, normalizeText } from '../dataset/normalize';
import { readRows } from '../dataset/rows';
import { sniff } from '../dataset/sniff';
import type { Dataset } from '../types';

/**
 * The item of each row of `dataset.file` (see the file's comment): `dataset.rowItems` when the
 * loader recorded it, else from the rows' text hashes. `options` must be the ones the dataset was
 * loaded with.
 */
export async function datasetRowItems(dataset: Dataset, options: LoadOptions = {}): Promise<Int32Array> {
  if (dataset.rowItems !== undefined && dataset.rowItems.length === dataset.summary.rows) return dataset.rowItems;
  const itemOf = new Map<string, number>();
  dataset.items.forEach((item, i) => itemOf.set(item.textHash, i));
  const hashes = await datasetRowHashes(dataset, options);
  return Int32Array.from(hashes, (hash) => (hash === null ? -1 : (itemOf.get(hash) ?? -1)));
}

/**
 * One text hash (or null) per row of `dataset.file`. `options` must be the ones the dataset was
 * loaded with (they decide the text field and, for CSV, whether the first record is a header).
 */
export async function datasetRowHashes(dataset: Dataset, options: LoadOptions = {}): Promise<(string | null)[]> {
  const file = dataset.file;
  const format = options.format ?? detectFormat(file);
  const facts = await inspectFile(file);
  const read = { maxRecordBytes: options.maxRecordBytes ?? defaultMaxRecordBytes, signal: options.signal };
  const hashes: (string | null)[] = [];
  if (facts.size > 0) {
    const hints = [options.textField, options.idField, options.labelField].filter((h): h is string => h !== undefined);
    const { layout } = await sniff(file, format, facts, read, hints);
    for await (const batch of readRows(file, facts, layout, read)) {
      for (const event of batch) hashes.push(event.kind === 'row' ? rowHash(event.value[dataset.textField]) : null);
    }
  }
  if (hashes.length !== dataset.summary.rows) {
    throw new DatasetError(
      `${file} has ${hashes.length} rows now but ${dataset.summary.rows} when it was loaded; it changed on disk. Reload it and try again.`,
      file,
    );
  }
  return hashes;
}

/** The builder's text rule: a missing, null or object field, or an empty normalised text, is no text. */
function rowHash(raw: unknown): string | null {
  if (raw === undefined || raw === null || typeof raw === 'object') return null;
  const normalized = normalizeText(typeof raw === 'string' ? raw : String(raw));
  return normalized === '' ? null : hashNormalized(normalized);
}
