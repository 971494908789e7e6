import type { Dataset, DatasetFormat, DatasetItem, LoadSummary, RowProblem, RowProblemReason } from '../types';
import { hashId, hashNormalized, normalizeText } from './normalize';
import { rowProblem } from './problems';

export interface BuilderConfig {
  readonly file: string;
  readonly format: DatasetFormat;
  readonly fields: readonly string[];
  readonly textField: string;
  readonly idField?: string;
  readonly labelField?: string;
  readonly maxRecordBytes: number;
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
  private readonly byHash = new Map<string, MutableItem>();
  private readonly byId = new Map<string, MutableItem>();
  private readonly problems: RowProblem[] = [];
  private readonly skippedByReason: Partial<Record<RowProblemReason, number>> = {};
  private rows = 0;
  private duplicateRows = 0;

  constructor(private readonly config: BuilderConfig) {}

  addRow(line: number, value: Readonly<Record<string, unknown>>): void {
    this.rows++;
    const { textField, idField, labelField } = this.config;
    const raw = value[textField];
    if (raw === undefined || raw === null || typeof raw === 'object') {
      const detail = raw === null ? 'it is null' : Array.isArray(raw) ? 'it is an array' : raw !== undefined ? 'it is an object' : undefined;
      this.skip(line, 'missing-text-field', detail);
      return;
    }
    const text = typeof raw === 'string' ? raw : String(raw);
    const normalized = normalizeText(text);
    if (normalized === '') {
      this.skip(line, 'empty-text');
      return;
    }
    const hash = hashNormalized(normalized);
    const explicitId = idField !== undefined ? idValue(value[idField]) : undefined;
    const id = explicitId ?? hashId(hash);
    const labels = labelField !== undefined ? parseLabels(value[labelField]) : undefined;

    const same = this.byHash.get(hash);
    if (same !== undefined) {
      same.count++;
      this.duplicateRows++;
      if (same.importedLabels === undefined && labels !== undefined) same.importedLabels = labels;
      return;
    }
    const clash = this.byId.get(id);
    if (clash !== undefined) {
      this.skip(line, 'duplicate-id', `id ${JSON.stringify(id)} is already used by line ${clash.line} with a different text`);
      return;
    }
    const item: MutableItem = { id, text, textHash: hash, line, count: 1 };
    if (labels !== undefined) item.importedLabels = labels;
    this.items.push(item);
    this.byHash.set(hash, item);
    this.byId.set(id, item);
  }

  /** A row the reader could not turn into an object (bad JSON, bad bytes, too long, CSV syntax). */
  addBad(line: number, reason: RowProblemReason, detail?: string, bytes?: number): void {
    this.rows++;
    this.skip(line, reason, detail, bytes);
  }

  finish(): Dataset {
    const skipped = this.problems.length;
    const summary: LoadSummary = {
      rows: this.rows,
      loaded: this.rows - skipped,
      skipped,
      skippedByReason: { ...this.skippedByReason },
      duplicateRows: this.duplicateRows,
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
    };
  }

  private skip(line: number, reason: RowProblemReason, detail?: string, bytes?: number): void {
    const { file, textField, fields, maxRecordBytes } = this.config;
    this.problems.push(rowProblem(file, line, reason, { textField, fields, maxRecordBytes, detail, bytes }));
    this.skippedByReason[reason] = (this.skippedByReason[reason] ?? 0) + 1;
  }
}

function idValue(v: unknown): string | undefined {
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
