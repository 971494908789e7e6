/**
 * Publishes the per-item review data the editor shows (`reviewData`): the human labels, the top-3
 * predictions of every item and the suspected label errors. Off the label keypress path:
 * - after a write, only the changed items' labels go out, batched LABEL_FLUSH_MS later;
 * - after a retrain (a `model` message), the predictions and the suspects are computed in bounded
 *   steps (a chunk of rows or one fold per step, yielding to the message loop between steps), so a
 *   label is saved between two steps, never after the whole computation.
 */
import { rowRange, takeRows } from '../core/math/matrix';
import { predictInChunks } from '../core/model';
import { defaultEngine, type Engine } from '../core/session/engine';
import type { LabelingSession } from '../core/session';
import { suspectSteps, topK } from '../core/review/suspects';
import type { FitPredict } from '../core/evaluation/labelErrors';
import type { ReviewDataMessage, WorkerToHost } from '../shared/protocol/engine';
import type { DatasetItem } from '../core/types';

export const LABEL_FLUSH_MS = 250;
const TOP_K = 3;
const PREDICT_CHUNK_ROWS = 4096;

const yieldToMessages = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type Labels = ReviewDataMessage['labels'];

export class ReviewPublisher {
  private readonly dirty = new Set<string>();
  private full = true;
  private timer: NodeJS.Timeout | undefined;
  private computing: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly session: LabelingSession,
    private readonly datasetFile: string,
    private readonly post: (message: WorkerToHost) => void,
    private readonly engine: Engine = defaultEngine,
  ) {}

  /** Resolves when no computation or pending flush is left (tests, dispose). */
  async idle(): Promise<void> {
    while (this.computing !== undefined || this.timer !== undefined) {
      await this.computing;
      if (this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.flush();
      }
    }
  }

  /** True while predictions or suspects are being computed (over the session's current rows). */
  get busy(): boolean {
    return this.computing !== undefined;
  }

  /** Everything again (the session started, its log was replaced, its dataset changed): ids and every label. */
  reset(): void {
    this.full = true;
    this.dirty.clear();
    this.schedule();
  }

  /** A write was applied to the item. */
  labelChanged(itemId: string): void {
    this.dirty.add(itemId);
    this.schedule();
  }

  /** A new model version: compute and publish its predictions and suspects. */
  modelChanged(): void {
    if (this.stopped) return;
    if (this.computing !== undefined) {
      this.again = true;
      return;
    }
    this.computing = this.compute()
      .catch((error: unknown) => {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        this.post({ type: 'log', level: 'warn', message: `Review data not computed: ${message}` });
      })
      .finally(() => {
        this.computing = undefined;
        if (this.again) {
          this.again = false;
          this.modelChanged();
        }
      });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, LABEL_FLUSH_MS);
    this.timer.unref?.();
  }

  private flush(extra: Pick<ReviewDataMessage, 'predictions' | 'suspects'> = {}): void {
    if (this.stopped) return;
    const items = this.session.items;
    const message: ReviewDataMessage = {
      type: 'reviewData',
      datasetFile: this.datasetFile,
      labels: this.full ? this.allLabels() : this.labelsOf([...this.dirty]),
      ...(this.full ? { itemIds: items.map((i) => i.id) } : {}),
      ...extra,
    };
    this.full = false;
    this.dirty.clear();
    this.post(message);
  }

  private allLabels(): Labels {
    return this.labelsOf([...this.session.labelState.labels.keys()]).filter((l) => l.labels.length > 0);
  }

  private labelsOf(ids: readonly string[]): Labels {
    const out: Labels = [];
    for (const id of ids) {
      const row = this.session.rowOfItem(id);
      if (row === undefined) continue;
      const current = this.session.labelState.get(id);
      const e = current?.labeled ? current.labelEvent : undefined;
      if (e === undefined) out.push({ row, labels: [], annotator: '', source: 'queue', time: '' });
      else out.push({ row, labels: [...e.labels], annotator: e.annotator, source: e.source, time: e.time, ...(e.source === 'review' && e.score !== undefined ? { score: e.score } : {}) });
    }
    return out;
  }

  private async compute(): Promise<void> {
    const s = this.session;
    const head = s.model;
    if (head === undefined) return;
    const classes = [...head.classes];
    const k = Math.min(TOP_K, classes.length);
    const rows = s.embeddings.rows;
    const top = new Int16Array(rows * k);
    const missing = s.embeddedCount < rows ? Uint8Array.from({ length: rows }, (_, row) => (s.isEmbedded(row) ? 0 : 1)) : undefined;
    const probs = new Float32Array(rows * k);
    const chunks: number[] = [];
    for (let from = 0; from < rows; from += PREDICT_CHUNK_ROWS) chunks.push(from);
    // An int8 pool is decoded one chunk at a time into this.
    const scratch = new Float32Array(Math.min(rows, PREDICT_CHUNK_ROWS) * s.embeddings.cols);
    for (const from of chunks) {
      const n = Math.min(PREDICT_CHUNK_ROWS, rows - from);
      predictInChunks(head, rowRange(s.embeddings, from, from + n, scratch), n, (p) => topK(p.probs, k, top, probs, from));
      await yieldToMessages();
      if (this.stopped) return;
    }
    // A row the background had not embedded when this began was predicted from zeros: no prediction (-1: none).
    if (missing !== undefined) for (let row = 0; row < rows; row++) if (missing[row] === 1) top.fill(-1, row * k, (row + 1) * k);
    const suspects = s.config.mode === 'multi' ? [] : await this.suspects(classes);
    if (this.stopped || suspects === undefined) return;
    this.flush({ predictions: { version: head.version, classes, k, top, probs }, suspects });
  }

  /** Out-of-fold suspects of the labeled items, as the label they have now; undefined when stopped. */
  private async suspects(classes: readonly string[]): Promise<ReviewDataMessage['suspects']> {
    const s = this.session;
    const labeledRows: number[] = [];
    const y: number[] = [];
    s.items.forEach((item: DatasetItem, row) => {
      const current = s.labelState.get(item.id);
      if (!current?.labeled || !s.isEmbedded(row)) return;
      const c = s.classMap.classOf(current.labels);
      if (c < 0 || c >= classes.length) return;
      labeledRows.push(row);
      y.push(c);
    });
    const x = takeRows(s.embeddings, labeledRows);
    const options = s.config.headOptions;
    const fit: FitPredict = (train, ty, test) => this.engine.train(train, { kind: 'single', y: ty }, classes, s.config.mode, options).predict(test).probs;
    const steps = suspectSteps(x, Int32Array.from(y), classes.length, fit, { seed: s.config.seed });
    for (;;) {
      const step = steps.next();
      if (step.done) {
        return step.value.map((e) => ({
          row: labeledRows[e.row] as number,
          given: classes[e.given] as string,
          suggested: classes[e.suggested] as string,
          score: clamp01(e.score),
          suggestedProb: clamp01(e.suggestedProb),
        }));
      }
      await yieldToMessages();
      if (this.stopped) return undefined;
    }
  }
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}
