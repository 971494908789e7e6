import type { DatasetFormat } from '../types';
import { parseLabels } from './builder';
import { defaultMaxRecordBytes } from './chunks';
import { inspectFile } from './inspect';
import { detectFormat } from './format';
import { ownField } from './rows';
import { sniff } from './sniff';

export interface DatasetPreview {
  readonly format: DatasetFormat;
  readonly fields: string[];
  readonly detectedTextField: string;
  /** `label`/`labels`, or for a headerless CSV a likely label column (imported only if chosen). */
  readonly detectedLabelField?: string;
  /** The first rows, every value as a string (non-strings JSON-encoded). */
  readonly rows: Record<string, string>[];
  /** Distinct existing label values seen in the sampled head (up to ~1000 rows). */
  readonly labelValues: string[];
}

/** A cheap look at the head of a file, for the set-up quick pick: reads at most ~1000 rows. */
export async function previewDataset(file: string, rows = 5, format?: DatasetFormat): Promise<DatasetPreview> {
  const fmt = format ?? detectFormat(file);
  const facts = await inspectFile(file);
  const sniffed = await sniff(file, fmt, facts, { maxRecordBytes: defaultMaxRecordBytes }, []);
  const labelField = sniffed.namedLabelField ?? sniffed.guessedLabelField;
  const labelValues = new Set<string>();
  if (labelField !== undefined) {
    for (const row of sniffed.sample) for (const label of parseLabels(ownField(row, labelField)) ?? []) labelValues.add(label);
  }
  return {
    format: fmt,
    fields: [...sniffed.fields],
    detectedTextField: sniffed.detectedTextField,
    detectedLabelField: labelField,
    rows: sniffed.sample.slice(0, Math.max(0, rows)).map(stringifyRow),
    labelValues: [...labelValues].sort(),
  };
}

/**
 * An ordinary object (callers compare and clone it), but every key is defined, never assigned: an
 * assignment to `__proto__` would set the prototype and lose the field.
 */
function stringifyRow(row: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(row)) {
    Object.defineProperty(out, k, { value: typeof v === 'string' ? v : JSON.stringify(v) ?? '', enumerable: true, writable: true, configurable: true });
  }
  return out;
}
