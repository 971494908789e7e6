/**
 * How many rows of a file already carry a label in a field, and which values they hold: what the
 * setup shows before the user decides to import those labels, review them, or ignore them. It
 * streams the whole file (rows only, no hashing or item building), so it also counts a label
 * field that is sparse in the head.
 */
import { parseLabels } from './builder';
import { defaultMaxRecordBytes } from './chunks';
import { detectFormat } from './format';
import { inspectFile } from './inspect';
import { ownField, readRows } from './rows';
import { sniff } from './sniff';

export interface LabelCensus {
  readonly field: string;
  /** Data rows read. */
  readonly rows: number;
  /** Rows with at least one label value in the field. */
  readonly labeled: number;
  /** Distinct values, most frequent first (at most `maxValues`; `moreValues` counts the rest). */
  readonly values: readonly { readonly value: string; readonly count: number }[];
  readonly moreValues: number;
}

export async function labelCensus(file: string, field: string, options: { signal?: AbortSignal; maxValues?: number } = {}): Promise<LabelCensus> {
  const facts = await inspectFile(file);
  const read = { maxRecordBytes: defaultMaxRecordBytes, signal: options.signal };
  const sniffed = await sniff(file, detectFormat(file), facts, read, [field]);
  const counts = new Map<string, number>();
  let rows = 0;
  let labeled = 0;
  for await (const batch of readRows(file, facts, sniffed.layout, read)) {
    for (const event of batch) {
      if (event.kind !== 'row') continue;
      rows++;
      const labels = parseLabels(ownField(event.value, field));
      if (labels === undefined) continue;
      labeled++;
      for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    }
  }
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const max = options.maxValues ?? 50;
  return {
    field,
    rows,
    labeled,
    values: sorted.slice(0, max).map(([value, count]) => ({ value, count })),
    moreValues: Math.max(0, sorted.length - max),
  };
}
