/**
 * The page's status besides items, labels and the model: the engine step in progress, the pool's
 * background embedding and its one-time slow warning, errors, notices, invalid host messages and
 * the slow start. It owns that state and the banners region that shows it, and works out from it
 * the card's end state (what the card says while no item is on screen).
 */
import type { ErrorMessage, InitMessage, PoolEmbeddingSnapshot, ProgressSnapshot, SlowEmbeddingMessage } from '../src/shared/protocol';
import { el } from './dom';
import { endState, type EndState, type EndView } from './endState';
import { renderBanners, type PanelCallbacks } from './panels';
import type { WriteRecord } from './queue';

const NOTICE_MS = 6000;
const SLOW_START_MS = 3000;

/** What the end state needs from the rest of the page. */
export type EndContext = Pick<EndView, 'config' | 'model' | 'exhausted' | 'review'>;

export class PageStatus {
  readonly element = el('div', { className: 'al-banners', attrs: { 'data-testid': 'banners' } });
  private progress: ProgressSnapshot | null = null;
  /** The pool's background embedding until it is done, and the one-time warning that it is slow. */
  private pool: PoolEmbeddingSnapshot | null = null;
  private slowEmbedding: SlowEmbeddingMessage | null = null;
  private errors: ErrorMessage[] = [];
  private notice: string | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private invalid: string | null = null;
  /** Set a few seconds after load: a card still without an item then says what is going on. */
  private slow = false;
  /** How many failed writes the banners show, to repaint them when that changes. */
  private failedShown = 0;

  constructor(
    private readonly failedWrites: () => readonly WriteRecord[],
    private readonly callbacks: PanelCallbacks,
  ) {}

  /** A new session (init): its progress and pool; the old errors and invalid message go. */
  init(state: InitMessage['state']): void {
    this.progress = state.progress ?? null;
    this.pool = state.pool ?? null;
    this.errors = [];
    this.invalid = null;
  }

  setProgress(progress: ProgressSnapshot): void {
    this.progress = progress.phase === 'idle' ? null : progress;
  }

  addError(error: ErrorMessage): void {
    this.errors = [...this.errors.filter((e) => e.message !== error.message), error];
    // The step that failed is over: its progress banner goes with it.
    this.progress = null;
  }

  dismissError(index: number): void {
    this.errors = this.errors.filter((_, i) => i !== index);
    this.paint();
  }

  setPool(pool: PoolEmbeddingSnapshot): void {
    this.pool = pool.state === 'done' ? null : pool;
    if (pool.state === 'done') this.slowEmbedding = null;
  }

  setSlowEmbedding(message: SlowEmbeddingMessage): void {
    this.slowEmbedding = message;
  }

  dismissSlowEmbedding(): void {
    this.slowEmbedding = null;
    this.paint();
  }

  /** A message from the host that failed validation: shown, never silently dropped. */
  setInvalid(error: string): void {
    this.invalid = error;
    this.paint();
  }

  showNotice(message: string): void {
    this.notice = message;
    this.paint();
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.notice = null;
      this.paint();
    }, NOTICE_MS);
  }

  /** Marks the start as slow after a few seconds, then calls `onSlow` (to repaint the card). */
  startSlowClock(onSlow: () => void): void {
    setTimeout(() => {
      this.slow = true;
      onSlow();
    }, SLOW_START_MS);
  }

  /** True when the failed writes differ in number from those the banners show. */
  failedChanged(): boolean {
    return this.failedShown !== this.failedWrites().length;
  }

  paint(): void {
    const failedWrites = this.failedWrites();
    this.failedShown = failedWrites.length;
    renderBanners(this.element, { errors: this.errors, failedWrites, notice: this.notice, progress: this.progress, invalid: this.invalid, pool: this.pool, slow: this.slowEmbedding }, this.callbacks);
  }

  endState(context: EndContext): EndState {
    return endState({ ...context, progress: this.progress, errors: this.errors, slow: this.slow, pool: this.pool });
  }
}
