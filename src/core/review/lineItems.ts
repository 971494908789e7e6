/**
 * Which item each line of a dataset file is, and which lines each item is on, recomputed from the
 * text after every edit, with the loader's own rules (builder.ts), so a label never lands on the
 * wrong line:
 * - an item's id is its explicit id field when the row has one, else `h:<hash of normalized text>`;
 *   so a row with an explicit id keeps its id (and its labels) when its text is edited, and a row
 *   without one becomes another item (its old labels are not carried over);
 * - inserted and deleted lines move nothing: ids come from content, never from line numbers;
 * - a row whose text repeats an earlier row's is that earlier item (first occurrence wins), so
 *   duplicated lines show the same item;
 * - a row reusing an earlier row's explicit id with another text, a row without usable text and a
 *   row that does not parse are no item (the loader skips them too).
 *
 * A full recompute re-reads only records whose text it has not seen: each record's parse (JSON,
 * CSV fields, normalization, sha256) is cached by its text, so after an edit only the edited lines
 * are parsed again and the rest is a linear pass.
 */
import { hashId, hashNormalized, invisibleCodePoints, normalizeText } from '../dataset/normalize';
import { idValue } from '../dataset/builder';
import { rawMemberValue } from '../dataset/jsonToken';
import { ownField, recordToObject, txtField } from '../dataset/rows';
import type { DatasetFormat } from '../types';
import { csvFields, splitRecords } from './textRecords';

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

/** What one record's text says, independent of the other rows. */
type Parsed =
  | { readonly ok: true; readonly hash: string; readonly explicitId: string | undefined }
  | { readonly ok: false; readonly why: string };

/** The lines of one item occurrence. */
export interface LineItem {
  /** Zero-based first line. */
  readonly line: number;
  /** Zero-based last line (CSV records with quoted line breaks span several). */
  readonly endLine: number;
  readonly itemId: string;
  /** The id is the row's own id field (kept across text edits), not a text hash. */
  readonly explicitId: boolean;
  /** sha256 of the normalized text: compare to tell an edited explicit-id item. */
  readonly textHash: string;
  /** A later copy of an earlier row's text (same item). */
  readonly duplicate: boolean;
}

/** A record that is no item, with why (for a status message, never fatal). */
export interface UnmappedLine {
  readonly line: number;
  readonly why: string;
}

/** The mapping of one version of the text. Lines between items (blank, header, bad rows) map to nothing. */
export class LineItemMap {
  private byItem: Map<string, LineItem[]> | undefined;

  constructor(
    /** In line order. */
    readonly items: readonly LineItem[],
    readonly unmapped: readonly UnmappedLine[],
  ) {}

  /** The item whose record covers the zero-based line, if any. Binary search: O(log n). */
  itemAt(line: number): LineItem | undefined {
    const list = this.items;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const it = list[mid] as LineItem;
      if (line < it.line) hi = mid - 1;
      else if (line > it.endLine) lo = mid + 1;
      else return it;
    }
    return undefined;
  }

  /** The items whose first line is in [from, to] (zero-based, inclusive), in line order. */
  itemsBetween(from: number, to: number): LineItem[] {
    const list = this.items;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as LineItem).endLine < from) lo = mid + 1;
      else hi = mid;
    }
    const out: LineItem[] = [];
    for (let i = lo; i < list.length && (list[i] as LineItem).line <= to; i++) out.push(list[i] as LineItem);
    return out;
  }

  /** Every occurrence of the item (more than one when its text is duplicated). */
  linesOf(itemId: string): readonly LineItem[] {
    if (this.byItem === undefined) {
      this.byItem = new Map();
      for (const it of this.items) {
        const list = this.byItem.get(it.itemId);
        if (list === undefined) this.byItem.set(it.itemId, [it]);
        else list.push(it);
      }
    }
    return this.byItem.get(itemId) ?? [];
  }
}

/** Recomputes the mapping of a document's text; keep one per open document (it caches parses). */
export class LineItemMapper {
  private cache = new Map<string, Parsed>();

  constructor(readonly layout: LineLayout) {}

  map(text: string): LineItemMap {
    const { format } = this.layout;
    const records = splitRecords(text, format);
    const next = new Map<string, Parsed>();
    const items: LineItem[] = [];
    const unmapped: UnmappedLine[] = [];
    const byHash = new Map<string, { readonly id: string; readonly explicit: boolean }>();
    /** id -> one-based line of its first row, for the message. */
    const byId = new Map<string, number>();
    let columns = this.layout.columns ?? [];
    let first = 0;
    const csv = format === 'csv' || format === 'tsv';
    if (csv && this.layout.hasHeader && records.length > 0) {
      const header = csvFields((records[0] as (typeof records)[number]).text, format === 'tsv' ? '\t' : ',') ?? [];
      columns = header.map((c, i) => c.trim() || `column${i + 1}`);
      first = 1;
    }
    // Cache keys carry the columns: a header edit changes what every CSV record means.
    const prefix = csv ? `${columns.join('\u0000')}\u0001` : '';
    for (let r = first; r < records.length; r++) {
      const record = records[r] as (typeof records)[number];
      const key = prefix + record.text;
      let parsed = next.get(key) ?? this.cache.get(key);
      if (parsed === undefined) parsed = this.parse(record.text, columns);
      next.set(key, parsed);
      if (!parsed.ok) {
        unmapped.push({ line: record.line, why: parsed.why });
        continue;
      }
      const same = byHash.get(parsed.hash);
      if (same !== undefined) {
        items.push({ line: record.line, endLine: record.endLine, itemId: same.id, explicitId: same.explicit, textHash: parsed.hash, duplicate: true });
        continue;
      }
      const id = parsed.explicitId ?? hashId(parsed.hash);
      if (byId.has(id)) {
        unmapped.push({ line: record.line, why: `id ${JSON.stringify(id)} is already used by line ${byId.get(id) as number} with a different text` });
        continue;
      }
      byHash.set(parsed.hash, { id, explicit: parsed.explicitId !== undefined });
      byId.set(id, record.line + 1);
      items.push({ line: record.line, endLine: record.endLine, itemId: id, explicitId: parsed.explicitId !== undefined, textHash: parsed.hash, duplicate: false });
    }
    // Only the current records stay cached, so the cache never outgrows the document.
    this.cache = next;
    return new LineItemMap(items, unmapped);
  }

  private parse(text: string, columns: readonly string[]): Parsed {
    const { format, textField, idField } = this.layout;
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
    return { ok: true, hash: hashNormalized(normalized), explicitId };
  }
}
