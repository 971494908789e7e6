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

/** A model's prediction for an unlabeled item: the label(s) it would give, and how sure it is. */
export interface ExportPrediction {
  readonly labels: readonly string[];
  /** Probability of the predicted label (multi: the lowest of the chosen labels'). */
  readonly confidence: number;
  readonly modelVersion?: string;
}

export interface ExportOptions {
  readonly mode: LabelMode;
  /** CSV only: joins the labels of a multi-label item into one cell. Default `|`. */
  readonly multiLabelSeparator?: string;
  /** Predictions for unlabeled items, written as `source: "prediction"` rows. */
  readonly predictions?: ReadonlyMap<string, ExportPrediction>;
}

export interface ExportSummary {
  readonly file: string;
  /** Rows written: labeled items, flagged unlabeled ones and predictions. */
  readonly written: number;
  /** Labeled items written. */
  readonly labeled: number;
  /** Flagged items without a label, written with `label: null`. */
  readonly flaggedUnlabeled: number;
  /** Unlabeled items written with a model's prediction. */
  readonly predicted: number;
  /** Items of the dataset without a label (unlabeled or skipped) that were not written. */
  readonly unlabeled: number;
  /** Labeled item ids that the dataset no longer contains, left out. */
  readonly orphaned: number;
  /** Single/binary items that carried more than one label; the first was exported. */
  readonly truncatedMulti: number;
}

export interface ExportRow {
  readonly text: string;
  /** Null only for a flagged item without a label. */
  readonly label: string | readonly string[] | null;
  readonly meta: {
    readonly id: string;
    readonly annotator: string | null;
    readonly time: string | null;
    /** queue, review, import, edit; `prediction` for a model's guess; null for a flag alone. */
    readonly source: string | null;
    /** For imports: the tool whose export the label came from. */
    readonly tool: string | null;
    readonly strategy: string | null;
    readonly score: number | null;
    readonly cluster: number | null;
    readonly modelVersion: string | null;
    /** The label was set or confirmed in review (a `review` event). */
    readonly reviewed: boolean;
    readonly flagged: boolean;
    /** A prediction's probability; null on human labels. */
    readonly confidence: number | null;
  };
}

export const CSV_COLUMNS = ['id', 'text', 'label', 'annotator', 'time', 'source', 'strategy', 'score', 'tool', 'reviewed', 'flagged', 'confidence'] as const;

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
      const cells = [meta.id, text, label === null ? '' : typeof label === 'string' ? label : label.join(separator)];
      cells.push(meta.annotator ?? '', meta.time ?? '', meta.source ?? '', meta.strategy ?? '');
      cells.push(meta.score === null ? '' : String(meta.score), meta.tool ?? '', String(meta.reviewed), String(meta.flagged));
      cells.push(meta.confidence === null ? '' : String(meta.confidence));
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

/**
 * The export row of one item: its label in effect, else (flagged) a null label, else its
 * prediction; undefined when none applies.
 */
export function toExportRow(
  item: ExportItem,
  current: CurrentLabel | undefined,
  mode: LabelMode,
  prediction?: ExportPrediction,
): ExportRow | undefined {
  const event = current?.labeled === true ? current.labelEvent : undefined;
  const flagged = current?.flagged ?? false;
  const labelOf = (labels: readonly string[]): string | readonly string[] => (mode === 'multi' ? [...labels] : (labels[0] as string));
  if (current !== undefined && event !== undefined) {
    return {
      text: item.text,
      label: labelOf(current.labels),
      meta: meta(item.id, {
        annotator: event.annotator,
        time: event.time,
        source: event.source,
        tool: event.tool ?? null,
        strategy: event.strategy ?? null,
        score: event.score ?? null,
        cluster: event.cluster ?? null,
        modelVersion: event.modelVersion ?? null,
        reviewed: event.source === 'review',
        flagged,
      }),
    };
  }
  if (prediction !== undefined && prediction.labels.length > 0) {
    const fields = { source: 'prediction', modelVersion: prediction.modelVersion ?? null, flagged, confidence: prediction.confidence };
    return { text: item.text, label: labelOf(prediction.labels), meta: meta(item.id, fields) };
  }
  if (flagged) return { text: item.text, label: null, meta: meta(item.id, { flagged }) };
  return undefined;
}

/** Every key on every row, always in this order, null when unknown (one Arrow type per column). */
function meta(id: string, known: Partial<Omit<ExportRow['meta'], 'id'>>): ExportRow['meta'] {
  return {
    id,
    annotator: known.annotator ?? null,
    time: known.time ?? null,
    source: known.source ?? null,
    tool: known.tool ?? null,
    strategy: known.strategy ?? null,
    score: known.score ?? null,
    cluster: known.cluster ?? null,
    modelVersion: known.modelVersion ?? null,
    reviewed: known.reviewed ?? false,
    flagged: known.flagged ?? false,
    confidence: known.confidence ?? null,
  };
}

async function exportRows(
  items: Iterable<ExportItem>,
  state: ReadonlyMap<string, CurrentLabel>,
  outFile: string,
  options: ExportOptions,
  format: (write: (text: string) => Promise<void>, rows: Iterable<ExportRow>) => Promise<void>,
): Promise<ExportSummary> {
  let labeled = 0;
  let flaggedUnlabeled = 0;
  let predicted = 0;
  let unlabeled = 0;
  let truncatedMulti = 0;
  const seen = new Set<string>();
  function* rows(): Iterable<ExportRow> {
    for (const item of items) {
      seen.add(item.id);
      const current = state.get(item.id);
      const row = toExportRow(item, current, options.mode, options.predictions?.get(item.id));
      if (row === undefined) {
        unlabeled++;
        continue;
      }
      if (row.meta.source === 'prediction') predicted++;
      else if (row.label === null) flaggedUnlabeled++;
      else {
        labeled++;
        if (options.mode !== 'multi' && (current?.labels.length ?? 0) > 1) truncatedMulti++;
      }
      yield row;
    }
  }
  await writeFileAtomic(outFile, (write) => format(write, rows()));
  let orphaned = 0;
  for (const [id, current] of state) if (current.labeled && !seen.has(id)) orphaned++;
  const written = labeled + flaggedUnlabeled + predicted;
  return { file: outFile, written, labeled, flaggedUnlabeled, predicted, unlabeled, orphaned, truncatedMulti };
}
