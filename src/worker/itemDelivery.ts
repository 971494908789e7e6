/**
 * Serves items to the page: `needItems` is answered from what the session picks, as `items`
 * messages of at most MAX_ITEMS_MESSAGE_CHARS of text (always at least one item). What a batch
 * brings beyond one message waits here, in order, for the next `needItems`.
 *
 * Which items are out with the page is the core session's to know (`outstanding`): a served item
 * is never served again until it is answered, or released because the page lost its queue.
 */
import type { BatchPick, LabelingSession } from '../core/session';
import type { QueueItem } from '../shared/protocol/domain';
import type { WorkerToHost } from '../shared/protocol/engine';
import { MAX_ITEMS_MESSAGE_CHARS } from '../shared/protocol/page';

/** At most this many items replace the page's queue (what one `needItems` may ask for). */
const MAX_REQUEUE = 200;

export class ItemDelivery {
  private backlog: QueueItem[] = [];
  private exhausted = false;
  /** Items asked for and not served because the embedded pool ran out while the rest embeds. */
  private starved = 0;
  /** True while the pool still grows (the background embeds the rest): running out is not the end. */
  growing: () => boolean = () => false;

  constructor(
    private readonly session: LabelingSession,
    private readonly post: (message: WorkerToHost) => void,
    /** The file's labels the user chose to review: shown with their items as suggestions. */
    private readonly toReview: ReadonlyMap<string, readonly string[]> = new Map(),
    /** In review mode the items come from the review queue instead of the sampler. */
    private readonly review?: { readonly active: boolean; next(count: number, budget: number): { items: QueueItem[]; exhausted: boolean } },
  ) {}

  /** Answers one `needItems`: up to `count` items, fewer when the pool or the size cap says so. */
  serve(count: number, options: { replace?: true; exclude?: ReadonlySet<string> } = {}): void {
    if (this.review?.active === true) {
      // Ranked afresh on every request: a review write or a new model reorders what is left.
      const { items, exhausted } = this.review.next(count, MAX_ITEMS_MESSAGE_CHARS);
      this.post({ type: 'items', items, review: true, ...(exhausted ? { exhausted: true } : {}) });
      return;
    }
    if (this.backlog.length === 0 && !this.exhausted) {
      const picks = this.session.nextBatch(count, options.exclude);
      this.backlog = picks.map((p) => this.toQueueItem(p));
      const short = picks.length < count;
      this.exhausted = short && !this.growing();
      this.starved = short && !this.exhausted ? count - picks.length : 0;
    }
    const n = takeWithinBudget(this.backlog, count, MAX_ITEMS_MESSAGE_CHARS);
    const items = this.backlog.slice(0, n);
    this.backlog = this.backlog.slice(n);
    const exhausted = this.exhausted && this.backlog.length === 0;
    this.post({ type: 'items', items, ...(exhausted ? { exhausted: true } : {}), ...(options.replace ? { replace: true as const } : {}) });
  }

  /**
   * The strategy changed: what the page holds, and the backlog, were picked by the old one. They
   * are released and the page gets as many fresh picks, which replace its prefetched items.
   * The card on screen stays with the page, and its label still names the strategy that served
   * it: so the first item served, which the page shows, is left out of the new batch.
   */
  requeue(): void {
    // In review mode the page holds review items, which no strategy picked: the change waits for labeling.
    if (this.review?.active === true) return;
    const held = this.session.outstandingCount - this.backlog.length;
    const onScreen = this.session.oldestOutstanding;
    this.release();
    this.serve(Math.min(MAX_REQUEUE, Math.max(1, held)), { replace: true, ...(onScreen !== undefined ? { exclude: new Set([onScreen]) } : {}) });
  }

  /** The page lost its queue: everything it held, and the backlog, may be served again. */
  release(): void {
    this.session.releaseOutstanding();
    this.backlog = [];
    this.exhausted = false;
    this.starved = 0;
  }

  /** The dataset changed: these items left or changed (the session released them); new ones may have come. */
  withdraw(itemIds: ReadonlySet<string>): void {
    this.backlog = this.backlog.filter((item) => !itemIds.has(item.id));
    this.exhausted = false;
  }

  /**
   * Rows were embedded: a page that asked for more than the embedded pool held gets the rest now,
   * unasked; once the pool stops growing, running out is the end again.
   */
  grew(): void {
    this.exhausted = false;
    const want = this.starved;
    if (want === 0 || this.review?.active === true) return;
    this.starved = 0;
    this.serve(want);
  }

  /** An undo puts an item back in the pool, so the pool is no longer exhausted. */
  reopen(): void {
    this.exhausted = false;
  }

  private toQueueItem(p: BatchPick): QueueItem {
    const s = this.session;
    const question = s.config.mode === 'binary' ? s.config.labels[0] : undefined;
    const suggested = this.toReview.get(p.itemId);
    return {
      id: p.itemId,
      text: (s.items[p.row] as { text: string }).text,
      ...(p.prediction !== undefined ? { prediction: { label: p.prediction.label, confidence: clamp01(p.prediction.confidence) } } : {}),
      reason: {
        strategy: p.reason.strategy,
        score: Number.isFinite(p.reason.score) ? p.reason.score : 0,
        ...(p.reason.cluster !== undefined ? { cluster: p.reason.cluster } : {}),
        detail: p.reason.detail ?? `${p.reason.strategy} (score ${p.reason.score.toFixed(2)})`,
      },
      ...(question !== undefined ? { question } : {}),
      ...(suggested !== undefined ? { suggestion: { labels: [...suggested], from: 'file' as const } } : {}),
    };
  }
}

/** How many of the first items fit in `budget` text characters: at least one, at most `count`. */
export function takeWithinBudget(items: readonly QueueItem[], count: number, budget: number): number {
  let chars = 0;
  let n = 0;
  while (n < items.length && n < count) {
    chars += (items[n] as QueueItem).text.length;
    if (n > 0 && chars > budget) break;
    n++;
  }
  return n;
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
