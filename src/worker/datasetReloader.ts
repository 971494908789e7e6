/**
 * `reloadDataset`: the dataset file changed under a running session (saved in the editor, a git
 * checkout). The file is read again with the session's setup, and only what the embedding cache
 * lacks (new lines, edited texts) is embedded, with the session's own embedder; then, in the
 * engine's message order and between two retrain steps, the session goes on with the new items
 * (`LabelingSession.replaceItems`: labels are keyed by item id, so none moves to another item).
 *
 * Reading and embedding run beside labeling; only the swap waits its turn among the writes. A
 * change that comes while one is being read is read after it, once.
 */
import { CancelledError } from '../core/errors';
import { datasetStoreDir } from '../core/labels';
import { diffItems, type ItemsChange, type LabelingSession } from '../core/session';
import type { OpenedDataset } from '../core/dataset';
import type { Dataset, Matrix } from '../core/types';
import type { DatasetReloadedMessage, WorkerToHost } from '../shared/protocol/engine';
import type { SessionInit } from '../shared/protocol/sessionInit';
import { embedItems } from './embedItems';
import type { FileLabels } from './fileLabels';
import type { ItemDelivery } from './itemDelivery';
import type { LabelWriter } from './labelWriter';
import type { Retrainer } from './retrainer';
import type { ReviewPublisher } from './reviewPublisher';
import type { SnapshotSaver } from './snapshotSaver';
import { readDataset } from './startSession';

type Post = (message: WorkerToHost) => void;

/** The parts of a running session a reload touches. */
export interface ReloadParts {
  readonly session: LabelingSession;
  readonly writer: LabelWriter;
  readonly delivery: ItemDelivery;
  readonly retrainer: Retrainer;
  readonly review: ReviewPublisher;
  /** The file's own labels as the setup chose to use them: applied to the rows a reload adds or changes. */
  readonly fileLabels: FileLabels;
  readonly snapshots: SnapshotSaver;
}

interface Prepared {
  readonly dataset: Dataset;
  /** Writes the new file's snapshot, once the reload is applied. */
  readonly save: OpenedDataset['save'];
  /** Undefined when no item changed (only the file's problems may have). */
  readonly matrix: Matrix | undefined;
}

export class DatasetReloader {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private abort: AbortController | undefined;

  constructor(
    private readonly init: SessionInit,
    private readonly parts: ReloadParts,
    /** The embedder the session started with, as `engineReady` named it. */
    private readonly embedder: string,
    private readonly post: Post,
    /** Runs `step` in the engine's message order (after the writes already received). */
    private readonly inOrder: (step: () => Promise<void>) => Promise<void>,
  ) {}

  /** Resolves when no reload is running (tests, `EngineService.idle`). */
  get idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** The file changed: read it (again, once, if a read is already under way). */
  request(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.request();
      }
    });
  }

  /** `cancel` from the page: stops reading or embedding; the session keeps its items. */
  cancel(): void {
    this.abort?.abort();
  }

  /** The session closes: nothing more is read or applied (never awaited inside the message order). */
  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private async run(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    let prepared: Prepared;
    try {
      prepared = await this.prepare(abort.signal);
    } catch (error) {
      if (!this.stopped) this.post(failed(error));
      return;
    } finally {
      this.abort = undefined;
    }
    await this.inOrder(() => this.apply(prepared));
    if (!this.stopped) this.parts.snapshots.save(prepared.save);
  }

  private async prepare(signal: AbortSignal): Promise<Prepared> {
    const { dataset, save } = await readDataset(this.init, signal);
    const session = this.parts.session;
    const change = diffItems(session.items, dataset.items);
    if (change.added.length === 0 && change.removed.length === 0 && change.changed.length === 0) return { dataset, save, matrix: undefined };
    let shown = false;
    const storeDir = datasetStoreDir(this.init.workspaceRoot, this.init.datasetFile);
    const embedded = await embedItems(this.init, dataset, storeDir, signal, (p) => {
      // All from the cache is no news; a model load or rows to embed are shown, with Cancel.
      if (!shown && p.phase === 'embedding' && p.done === p.total) return;
      shown = true;
      this.post({ type: 'progress', ...p });
    });
    if (shown) this.post({ type: 'progress', phase: 'idle', done: 1, total: 1, itemsPerSecond: 0, etaSeconds: -1 });
    for (const warning of embedded.warnings) this.post({ type: 'log', level: 'warn', message: warning });
    if (modelOf(embedded.label) !== modelOf(this.embedder) || embedded.matrix.cols !== session.embeddings.cols) {
      throw new Error(
        `Its new rows would be embedded with ${embedded.label}, but the session's vectors come from ${this.embedder}. Close the panel and run Start Labeling again to start over on the new file.`,
      );
    }
    return { dataset, save, matrix: embedded.matrix };
  }

  private async apply(prepared: Prepared): Promise<void> {
    if (this.stopped) return;
    const { session, writer, delivery, retrainer, review } = this.parts;
    if (prepared.matrix === undefined) {
      this.post(reloaded(prepared.dataset, { added: [], removed: [], changed: [] }));
      return;
    }
    // The items change under the rows a retrain or a review computation is using: let them finish.
    do {
      await retrainer.idle;
      await review.idle();
    } while (retrainer.busy || review.busy);
    if (this.stopped) return;
    const result = session.replaceItems(prepared.dataset.items, prepared.matrix);
    delivery.withdraw(new Set([...result.removed, ...result.changed]));
    this.post({ type: 'poolChanged', withdrawn: [...result.withdrawn] });
    writer.itemsReplaced();
    // A row added (or edited) since the start carries the file's label too: imported or kept to review, as chosen.
    const touched = new Set([...result.added, ...result.changed]);
    const fresh = prepared.dataset.items.filter((item) => touched.has(item.id));
    this.parts.fileLabels.update(fresh, [...result.removed, ...result.changed]);
    try {
      await writer.importEvents(this.parts.fileLabels.imports(fresh, writer.loggedItems()));
    } catch (error) {
      // The reload itself stands; only these rows' file labels wait for the next reload or start.
      const why = error instanceof Error ? error.message : String(error);
      this.post({ type: 'log', level: 'warn', message: `The new rows' labels from the file could not be written to the label log: ${why}. They are imported at the next reload or start.` });
    }
    this.post(reloaded(prepared.dataset, result));
    // The editor's rows follow the new file: ids and labels, then the predictions of the new rows.
    review.reset();
    if (session.model !== undefined) review.modelChanged();
    retrainer.maybeRetrain();
  }
}

/** `Xenova/x (fallback)` and `Xenova/x` are the same vectors: a cached start names no fallback. */
function modelOf(label: string): string {
  return label.replace(/ \(fallback\)$/, '');
}

function reloaded(dataset: Dataset, change: ItemsChange): DatasetReloadedMessage {
  const s = dataset.summary;
  return {
    type: 'datasetReloaded',
    summary: { rows: s.rows, loaded: s.loaded, skipped: s.skipped, duplicateRows: s.duplicateRows },
    problems: dataset.problems.slice(0, 100),
    added: change.added.length,
    removed: change.removed.length,
    changed: change.changed.length,
  };
}

function failed(error: unknown): DatasetReloadedMessage {
  const reason = error instanceof CancelledError ? 'Cancelled.' : error instanceof Error ? error.message : String(error);
  return {
    type: 'datasetReloaded',
    summary: { rows: 0, loaded: 0, skipped: 0, duplicateRows: 0 },
    problems: [],
    added: 0,
    removed: 0,
    changed: 0,
    failed: `The dataset file changed but could not be followed: ${reason.replace(/\.*$/, '.')} The session goes on with the items it had.`,
  };
}
