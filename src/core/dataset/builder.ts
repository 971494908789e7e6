import type { Dataset, DatasetFormat, DatasetItem, LoadSummary, RowProblem, RowProblemReason } from '../types';
import { rawMemberValue } from './jsonToken';
import { hashId, hashNormalized, invisibleCodePoints, normalizeText } from './normalize';
import { rowProblem } from './problems';
import { ownField } from './rows';

export interface BuilderConfig {
  readonly file: string;
  readonly format: DatasetFormat;
  readonly fields: readonly string[];
  readonly textField: string;
  readonly idField?: string;
  readonly labelField?: string;
  readonly maxRecordBytes: number;
  /** Fields the caller named that the sampled head lacked: `unseenFields` says which no row had. */
  readonly watchFields?: readonly string[];
}

interface MutableItem {
  id: string;
  text: string;
  textHash: string;
  line: number;
  count: number;
  importedLabels?: string[];
}

/**
 * Turns rows into unique items: ids from the id field or the text hash, exact duplicate texts
 * grouped (first occurrence wins, count grows), duplicate ids with other texts rejected, every
 * rejection recorded as a RowProblem.
 */
export class DatasetBuilder {
  private readonly items: MutableItem[] = [];
  /** Item index by text hash. */
  private readonly byHash = new Map<string, number>();
  private readonly byId = new Map<string, MutableItem>();
  private readonly problems: RowProblem[] = [];
  private readonly skippedByReason: Partial<Record<RowProblemReason, number>> = {};
  private rows = 0;
  /** Per row, in the order reported: its line, and its item's index or -1 (see `Dataset.rowItems`). */
  private readonly rowLines: number[] = [];
  private readonly rowItem: number[] = [];
  private duplicateRows = 0;
  private nonStringTexts = 0;
  private readonly unseen: Set<string>;

  constructor(private readonly config: BuilderConfig) {
    this.unseen = new Set(config.watchFields ?? []);
  }

  /** `source` is the JSONL line as written, for the spelling of a number used as text. */
  addRow(line: number, value: Readonly<Record<string, unknown>>, source?: string): void {
    this.rowItem.push(this.addItem(line, value, source));
    this.rowLines.push(line);
  }

  /** The row's item index, or -1 once the row is reported as skipped. */
  private addItem(line: number, value: Readonly<Record<string, unknown>>, source: string | undefined): number {
    this.rows++;
    const { textField, idField, labelField } = this.config;
    if (this.unseen.size > 0) for (const field of this.unseen) if (Object.hasOwn(value, field)) this.unseen.delete(field);
    const raw = ownField(value, textField);
    const text = this.textOf(line, raw, source);
    if (text === undefined) return -1;
    const normalized = normalizeText(text);
    if (normalized === '') {
      this.skip(line, 'empty-text');
      return -1;
    }
    const invisible = invisibleCodePoints(normalized);
    if (invisible !== undefined) {
      this.skip(line, 'empty-text', `it holds only invisible characters: ${invisible}`);
      return -1;
    }
    const hash = hashNormalized(normalized);
    const explicitId = idField !== undefined ? idValue(ownField(value, idField)) : undefined;
    const id = explicitId ?? hashId(hash);
    const labels = labelField !== undefined ? parseLabels(ownField(value, labelField)) : undefined;

    const coerced = typeof raw !== 'string';
    const sameAt = this.byHash.get(hash);
    if (sameAt !== undefined) {
      const same = this.items[sameAt] as MutableItem;
      same.count++;
      this.duplicateRows++;
      if (coerced) this.nonStringTexts++;
      if (same.importedLabels === undefined && labels !== undefined) same.importedLabels = labels;
      return sameAt;
    }
    const clash = this.byId.get(id);
    if (clash !== undefined) {
      this.skip(line, 'duplicate-id', `id ${JSON.stringify(id)} is already used by line ${clash.line} with a different text`);
      return -1;
    }
    const item: MutableItem = { id, text, textHash: hash, line, count: 1 };
    if (labels !== undefined) item.importedLabels = labels;
    const index = this.items.length;
    this.items.push(item);
    this.byHash.set(hash, index);
    this.byId.set(id, item);
    if (coerced) this.nonStringTexts++;
    return index;
  }

  /**
   * The row's text, or undefined once the row is reported. A JSON number or boolean is read as text
   * in its source spelling (counted, and said so in the summary); a number whose spelling cannot be
   * found and that a double cannot hold (`1e400`) is refused rather than loaded as "Infinity".
   */
  private textOf(line: number, raw: unknown, source: string | undefined): string | undefined {
    if (typeof raw === 'string') return raw;
    if (typeof raw === 'boolean') return String(raw);
    if (typeof raw === 'number') {
      const spelled = source !== undefined ? rawMemberValue(source, this.config.textField) : undefined;
      if (spelled !== undefined) return spelled;
      if (Number.isFinite(raw)) return String(raw);
      this.skip(line, 'missing-text-field', 'it is a number too large to read; write it as a string');
      return undefined;
    }
    const detail = raw === null ? 'it is null' : Array.isArray(raw) ? 'it is an array' : raw !== undefined ? `it is ${typeof raw === 'object' ? 'an object' : `a ${typeof raw}`}` : undefined;
    this.skip(line, 'missing-text-field', detail);
    return undefined;
  }

  /** Watched fields (see BuilderConfig.watchFields) that no row so far has had. */
  unseenFields(): string[] {
    return [...this.unseen];
  }

  /** A row the reader could not turn into an object (bad JSON, bad bytes, too long, CSV syntax). */
  addBad(line: number, reason: RowProblemReason, detail?: string, bytes?: number): void {
    this.rows++;
    this.rowItem.push(-1);
    this.rowLines.push(line);
    this.skip(line, reason, detail, bytes);
  }

  /** Each row's item in file order (rows are reported in line order but for a bad one now and then). */
  private rowItems(): Int32Array {
    const { rowLines, rowItem } = this;
    const out = Int32Array.from(rowItem);
    let ordered = true;
    for (let r = 1; r < rowLines.length && ordered; r++) ordered = (rowLines[r - 1] as number) < (rowLines[r] as number);
    if (ordered) return out;
    const order = Array.from(rowLines.keys()).sort((a, b) => (rowLines[a] as number) - (rowLines[b] as number));
    order.forEach((from, r) => (out[r] = rowItem[from] as number));
    return out;
  }

  finish(): Dataset {
    const skipped = this.problems.length;
    const summary: LoadSummary = {
      rows: this.rows,
      loaded: this.rows - skipped,
      skipped,
      skippedByReason: { ...this.skippedByReason },
      duplicateRows: this.duplicateRows,
      ...(this.nonStringTexts > 0 ? { nonStringTexts: this.nonStringTexts } : {}),
    };
    // Readers may report a bad record before the good ones parsed in the same chunk.
    const problems = this.problems.slice().sort((a, b) => a.line - b.line);
    return {
      file: this.config.file,
      format: this.config.format,
      textField: this.config.textField,
      fields: this.config.fields,
      items: this.items as DatasetItem[],
      problems,
      summary,
      rowItems: this.rowItems(),
    };
  }

  private skip(line: number, reason: RowProblemReason, detail?: string, bytes?: number): void {
    const { file, textField, fields, maxRecordBytes } = this.config;
    this.problems.push(rowProblem(file, line, reason, { textField, fields, maxRecordBytes, detail, bytes }));
    this.skippedByReason[reason] = (this.skippedByReason[reason] ?? 0) + 1;
  }
}

/** An explicit id as the loader reads it: a finite number or a non-blank string, trimmed. */
export function idValue(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  return undefined;
}

/** `label: "x"`, `label: 3`, `labels: ["a", "b"]` all become string arrays; empty means none. */
export function parseLabels(v: unknown): string[] | undefined {
  const values = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const x of values) {
    if (typeof x === 'string' && x.trim() !== '') out.push(x.trim());
    else if (typeof x === 'number' || typeof x === 'boolean') out.push(String(x));
  }
  const unique = [...new Set(out)];
  return unique.length > 0 ? unique : undefined;
}
