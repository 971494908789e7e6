/**
 * The labels a dataset file carries itself (its `label`/`labels` field), as the user chose to use
 * them at setup (`existingLabels`): imported as `import` events, or kept as predictions to review.
 * A session's start applies them to every item; a reload of the file applies them to the items it
 * added or changed, so a row added later gets its file label too. The one owner of the
 * predictions to review is the `FileLabels` a session starts with; the reload updates it in place.
 */
import { basename } from 'node:path';
import { importLabels, mapImported, type LabelEventInput } from '../core/labels';
import { binaryRejectLabel } from '../core/session/targets';
import type { DatasetItem } from '../core/types';
import type { SessionInit } from '../shared/protocol/sessionInit';

type Setup = Pick<SessionInit, 'existingLabels' | 'mode' | 'labels' | 'datasetFile'>;

export class FileLabels {
  /** The file's labels the user chose to review (item id -> mapped labels); never in the log. */
  readonly toReview = new Map<string, readonly string[]>();

  constructor(private readonly init: Setup) {}

  private get mapping(): { map: Readonly<Record<string, string>>; allowed: readonly string[] } {
    const { init } = this;
    const allowed = init.mode === 'binary' ? [init.labels[0] as string, binaryRejectLabel(init.labels[0] as string)] : init.labels;
    return { map: init.existingLabels?.map ?? {}, allowed };
  }

  /**
   * The `import` events to append for `items` (none unless the user chose to import); items the
   * log has ever seen (`logged`, any event, undone ones included) are left alone.
   */
  imports(items: Iterable<DatasetItem>, logged: Iterable<{ readonly itemId: string }>): LabelEventInput[] {
    if (this.init.existingLabels?.use !== 'import') return [];
    return importLabels(items, logged, { annotator: `import:${basename(this.init.datasetFile)}`, ...this.mapping });
  }

  /**
   * Keeps the predictions to review in step with `items` (the file as read now): an item gone or
   * changed loses its old suggestion, and each of `items` with a file label has it as a suggestion.
   */
  update(items: Iterable<DatasetItem>, gone: Iterable<string> = []): void {
    if (this.init.existingLabels?.use !== 'review') return;
    for (const id of gone) this.toReview.delete(id);
    const mapping = this.mapping;
    for (const item of items) {
      const labels = mapImported(item.importedLabels ?? [], mapping);
      if (labels.length > 0) this.toReview.set(item.id, labels);
      else this.toReview.delete(item.id);
    }
  }
}
