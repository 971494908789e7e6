/**
 * Review mode: the page's own mode (labeling, or reviewing in an order with filters), the review
 * queue's latest progress and the review bar that shows both. Switching modes drops the items the
 * page holds unanswered, since they belong to the mode it leaves; the engine, told first, releases
 * them and serves the new mode's items.
 */
import type { InitMessage, ItemsMessage, ReviewProgress, ReviewProgressMessage, ReviewRequest, WebviewToHost } from '../src/shared/protocol';
import type { LabelQueue } from './queue';
import { ReviewBar, type ReviewBarCallbacks } from './reviewBar';

/** What review mode uses of the page. */
export interface ReviewModeHost {
  readonly queue: LabelQueue;
  config(): InitMessage | null;
  post(message: WebviewToHost): void;
  /** After a switch: the multi-mode selection for the new mode's first item. */
  resetSelection(): void;
  paintCard(): void;
  requestItemsIfLow(): void;
  schedulePersist(): void;
}

export class ReviewMode {
  private readonly bar: ReviewBar;
  /** The review queue's order and filters while in review mode; null while labeling. */
  private current: ReviewRequest | null;
  private progress: ReviewProgress | null = null;

  constructor(
    private readonly host: ReviewModeHost,
    restored: ReviewRequest | null,
    callbacks: Pick<ReviewBarCallbacks, 'toggle' | 'done'>,
  ) {
    this.current = restored;
    this.bar = new ReviewBar({ change: (request) => this.set(request), ...callbacks });
  }

  get element(): HTMLElement {
    return this.bar.element;
  }

  /** The order and filters while reviewing; null while labeling. */
  get request(): ReviewRequest | null {
    return this.current;
  }

  /** The end state's view of the mode: null while labeling. */
  endView(): { readonly request: ReviewRequest; readonly progress: ReviewProgress | null } | null {
    return this.current === null ? null : { request: this.current, progress: this.progress };
  }

  /**
   * Into review mode with this order and filters, or back to labeling (null). The items the page
   * holds unanswered belong to the mode it leaves: they are dropped, and the engine, told first,
   * releases them and serves the new mode's items.
   */
  set(request: ReviewRequest | null): void {
    // The same request again (a filter retyped to the same value): the engine keeps what the page
    // holds out, so the page keeps it too (dropping it would strand those items as served).
    if (JSON.stringify(request) === JSON.stringify(this.current)) return;
    if (request !== null && this.current !== null && this.current.order !== request.order) this.progress = null;
    if (request === null) this.progress = null;
    this.current = request;
    this.host.queue.dropUnanswered();
    this.host.post({ type: 'reviewMode', review: request });
    this.host.resetSelection();
    this.host.paintCard();
    this.paint();
    this.host.requestItemsIfLow();
    this.host.schedulePersist();
  }

  /** The review key: into review mode (in the last order seen), or back to labeling. */
  toggle(): void {
    this.set(this.current === null ? { order: this.progress?.order ?? 'suspects', filters: {} } : null);
  }

  /** The host asked to show the review queue: into review mode unless already there. */
  reveal(): void {
    if (this.current === null) this.set({ order: 'suspects', filters: {} });
  }

  /** After init: an engine that restarted is back to labeling; one that did not ignores this. */
  resend(): void {
    if (this.current !== null) this.host.post({ type: 'reviewMode', review: this.current });
  }

  /** False for an answer to a request made in the mode the page has since left (its items were released). */
  accepts(message: ItemsMessage): boolean {
    return (message.review === true) === (this.current !== null);
  }

  onProgress(message: ReviewProgressMessage): void {
    if (this.current === null || message.order !== this.current.order) return;
    const { type: _progress, ...progress } = message;
    this.progress = progress;
    this.paint();
    // A new model or a review elsewhere brought items to an order the page had seen run dry.
    const queue = this.host.queue;
    if (!queue.shown && queue.snapshot().exhausted && progress.toReview > 0) {
      queue.dropUnanswered();
      this.host.requestItemsIfLow();
    }
  }

  paint(): void {
    this.bar.render({ config: this.host.config(), request: this.current, progress: this.progress });
  }
}
