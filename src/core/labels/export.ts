/**
 * Exports the labeled items of a dataset, in dataset order, written atomically.
 *
 * JSONL: one `{"text", "label", "meta"}` object per line, the shape Prodigy and doccano text
 * classification exports share, and loadable by Hugging Face `datasets.load_dataset("json")`. That
 * loader infers one Arrow type per column, so every line has the same keys and types: `label` is a
 * string in single and binary mode and an array of strings in multi mode, and every `meta` key is
 * present (null when unknown). Binary mode writes the chosen class name as `label`; Prodigy's
 * `answer: accept|reject` is not emitted because our binary labels are class names, not verdicts.
 *
 * CSV: a header and one row per labeled item, quoted per RFC 4180 (multi labels joined by `|`).
 */
import type { DatasetItem, LabelMode } from '../types';
import { writeFileAtomic } from './atomicWrite';
import type { CurrentLabel } from './state';

export type ExportItem = Pick<DatasetItem, 'id' | 'text'>;

export interface ExportOptions {
  readonly mode: LabelMode;
  /** CSV only: joins the labels of a multi-label item into one cell. Default `|`. */
  readonly multiLabelSeparator?: string;
}

export interface ExportSummary {
  readonly file: string;
  /** Items written (labeled ones). */
  readonly written: number;
  /** Items of the dataset without a label (unlabeled or skipped), left out. */
  readonly unlabeled: number;
  /** Labeled item ids that the dataset no longer contains, left out. */
  readonly orphaned: number;
  /** Single/binary items that carried more than one label; the first was exported. */
  readonly truncatedMulti: number;
}

export interface ExportRow {
  readonly text: string;
  readonly label: string | readonly string[];
  readonly meta: {
    readonly id: string;
    readonly annotator: string | null;
    readonly time: string | null;
    readonly source: string | null;
    readonly strategy: string | null;
    readonly score: number | null;
    readonly cluster: number | null;
    readonly modelVersion: string | null;
    readonly flagged: boolean;
  };
}

export const CSV_COLUMNS = ['id', 'text', 'label', 'annotator', 'time', 'source', 'strategy', 'score'] as const;

export async function exportJsonl(
  items: Iterable<ExportItem>,
  state: ReadonlyMap<string, CurrentLabel>,
  outFile: string,
  options: ExportOptions,
): Promise<ExportSummary> {
  return exportRows(items, state, outFile, options, async (write, rows) => {
    for (const row of rows) await write(JSON.stringify(row) + '\n');
  });
}

export async function exportCsv(
  items: Iterable<ExportItem>,
  state: ReadonlyMap<string, CurrentLabel>,
  outFile: string,
  options: ExportOptions,
): Promise<ExportSummary> {
  const separator = options.multiLabelSeparator ?? '|';
  return exportRows(items, state, outFile, options, async (write, rows) => {
    await write(csvLine(CSV_COLUMNS));
    for (const { text, label, meta } of rows) {
      const cells = [meta.id, text, typeof label === 'string' ? label : label.join(separator)];
      cells.push(meta.annotator ?? '', meta.time ?? '', meta.source ?? '', meta.strategy ?? '');
      cells.push(meta.score === null ? '' : String(meta.score));
      await write(csvLine(cells));
    }
  });
}

/** One CSV record: a field is quoted when it holds a quote, comma, line break or edge spaces. */
export function csvLine(cells: readonly string[]): string {
  return cells.map(csvField).join(',') + '\n';
}

function csvField(value: string): string {
  if (!/[",\r\n]|^\s|\s$/.test(value)) return value;
  return `"${value.replace(/"/g, '""')}"`;
}

/** The export row of one item, or undefined when it has no label in effect. */
export function toExportRow(item: ExportItem, current: CurrentLabel | undefined, mode: LabelMode): ExportRow | undefined {
  const event = current?.labelEvent;
  if (current === undefined || !current.labeled || event === undefined) return undefined;
  return {
    text: item.text,
    label: mode === 'multi' ? [...current.labels] : (current.labels[0] as string),
    meta: {
      id: item.id,
      annotator: event.annotator,
      time: event.time,
      source: event.source,
      strategy: event.strategy ?? null,
      score: event.score ?? null,
      cluster: event.cluster ?? null,
      modelVersion: event.modelVersion ?? null,
      flagged: current.flagged,
    },
  };
}

async function exportRows(
  items: Iterable<ExportItem>,
  state: ReadonlyMap<string, CurrentLabel>,
  outFile: string,
  options: ExportOptions,
  format: (write: (text: string) => Promise<void>, rows: Iterable<ExportRow>) => Promise<void>,
): Promise<ExportSummary> {
  let written = 0;
  let unlabeled = 0;
  let truncatedMulti = 0;
  const seen = new Set<string>();
  function* rows(): Iterable<ExportRow> {
    for (const item of items) {
      seen.add(item.id);
      const current = state.get(item.id);
      const row = toExportRow(item, current, options.mode);
      if (row === undefined) {
        unlabeled++;
        continue;
      }
      if (options.mode !== 'multi' && (current?.labels.length ?? 0) > 1) truncatedMulti++;
      written++;
      yield row;
    }
  }
  await writeFileAtomic(outFile, (write) => format(write, rows()));
  let orphaned = 0;
  for (const [id, current] of state) if (current.labeled && !seen.has(id)) orphaned++;
  return { file: outFile, written, unlabeled, orphaned, truncatedMulti };
}
