/**
 * Turns the labels a dataset file already carries (its `label`/`labels` field) into `import` events.
 * Only items the log has never seen get one, so loading the same file again adds nothing, and a
 * label the annotator changed or undid is never overwritten by the file's old value.
 */
import type { DatasetItem } from '../types';
import type { LabelEvent, LabelEventInput } from './events';

export interface ImportOptions {
  /** Recorded as the events' annotator, e.g. `import:<file name>`. */
  readonly annotator: string;
  /** Raw value in the file -> label name; a value missing from the map is not imported. */
  readonly map?: Readonly<Record<string, string>>;
  /** Label names that may be imported (the session's label set); others are dropped. */
  readonly allowed?: readonly string[];
}

/** The labels a raw file value list becomes under `options` (empty: nothing to import). */
export function mapImported(raw: readonly string[], options: Pick<ImportOptions, 'map' | 'allowed'>): string[] {
  const mapped = raw
    .map((value) => value.trim())
    .filter((value) => value !== '')
    .map((value) => (options.map === undefined ? value : Object.hasOwn(options.map, value) ? options.map[value] : undefined))
    .filter((label): label is string => label !== undefined && label !== '');
  const allowed = options.allowed;
  return [...new Set(allowed === undefined ? mapped : mapped.filter((l) => allowed.includes(l)))];
}

/**
 * The events to append for `items`; `events` is the log as replayed (every event, undone ones
 * included, so an undone import is not imported again). Pure: the caller appends the result.
 */
export function importLabels(
  items: Iterable<Pick<DatasetItem, 'id' | 'importedLabels'>>,
  events: Iterable<Pick<LabelEvent, 'itemId'>>,
  options: ImportOptions,
): LabelEventInput[] {
  const seen = new Set<string>();
  for (const event of events) seen.add(event.itemId);
  const out: LabelEventInput[] = [];
  for (const item of items) {
    const labels = mapImported(item.importedLabels ?? [], options);
    if (labels.length === 0 || seen.has(item.id)) continue;
    seen.add(item.id);
    out.push({ type: 'label', itemId: item.id, labels, annotator: options.annotator, source: 'import', tool: 'dataset' });
  }
  return out;
}
