/**
 * What one record's text says, independent of the other rows, with the loader's rules
 * (builder.ts): the text field (normalized and hashed) and the explicit id, or why it is no item.
 */
import { idValue } from '../dataset/builder';
import { rawMemberValue } from '../dataset/jsonToken';
import { hashId, hashNormalized, invisibleCodePoints, normalizeText } from '../dataset/normalize';
import { ownField, recordToObject, txtField } from '../dataset/rows';
import type { DatasetFormat } from '../types';
import { csvFields } from './textRecords';

/** How to read a file's rows: the setup answers and the sniffed layout. */
export interface LineLayout {
  readonly format: DatasetFormat;
  readonly textField: string;
  /** The explicit id field, when the file has one (`id`, `_id`, `uuid`, or as configured). */
  readonly idField?: string;
  /** CSV/TSV: the first record names the columns (read from the text itself, as it is now). */
  readonly hasHeader: boolean;
  /** CSV/TSV without a header: `column1..N`. */
  readonly columns?: readonly string[];
}

export type Parsed =
  | {
      readonly ok: true;
      /** sha256 of the normalized text. */
      readonly hash: string;
      readonly explicitId: string | undefined;
      /** The id the row has unless it is a duplicate: the explicit id, else `h:<hash>`. */
      readonly candidate: string;
    }
  | { readonly ok: false; readonly why: string };

export function isCsv(format: DatasetFormat): boolean {
  return format === 'csv' || format === 'tsv';
}

/** The columns a CSV header record names (blank names become `columnN`, as the loader does). */
export function headerColumns(text: string, format: DatasetFormat): string[] {
  const header = csvFields(text, format === 'tsv' ? '\t' : ',') ?? [];
  return header.map((c, i) => c.trim() || `column${i + 1}`);
}

export function parseRecord(layout: LineLayout, text: string, columns: readonly string[]): Parsed {
  const { format, textField, idField } = layout;
  let row: Readonly<Record<string, unknown>>;
  if (format === 'txt') {
    row = { [txtField]: text };
  } else if (format === 'jsonl') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, why: 'not valid JSON' };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, why: 'not a JSON object' };
    row = value as Record<string, unknown>;
  } else {
    const fields = csvFields(text, format === 'tsv' ? '\t' : ',');
    if (fields === undefined) return { ok: false, why: 'malformed CSV' };
    row = recordToObject(fields, columns);
  }
  const raw = ownField(row, textField);
  let value: string | undefined;
  if (typeof raw === 'string') value = raw;
  else if (typeof raw === 'boolean') value = String(raw);
  else if (typeof raw === 'number') value = (format === 'jsonl' ? rawMemberValue(text, textField) : undefined) ?? (Number.isFinite(raw) ? String(raw) : undefined);
  if (value === undefined) return { ok: false, why: `no text in field "${textField}"` };
  const normalized = normalizeText(value);
  if (normalized === '' || invisibleCodePoints(normalized) !== undefined) return { ok: false, why: 'empty text' };
  const explicitId = idField !== undefined ? idValue(ownField(row, idField)) : undefined;
  const hash = hashNormalized(normalized);
  return { ok: true, hash, explicitId, candidate: explicitId ?? hashId(hash) };
}
