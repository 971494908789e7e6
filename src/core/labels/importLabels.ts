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
    const labels = (item.importedLabels ?? []).filter((label) => label.trim() !== '');
    if (labels.length === 0 || seen.has(item.id)) continue;
    seen.add(item.id);
    out.push({ type: 'label', itemId: item.id, labels: [...new Set(labels)], annotator: options.annotator, source: 'import' });
  }
  return out;
}
