/**
 * The review mode of the labeling panel, on the worker's side: which order and filters the page
 * asked for, the items it serves from them (core/review/reviewOrder.ts, most likely wrong first)
 * and the review progress. What is out with the page stays the core session's to know: a served
 * review item is marked outstanding there, so it is not served twice and its review event records
 * the order that surfaced it.
 */
import { labelKey } from '../core/labels/labelRule';
import { isReviewed, REVIEW_ORDER_IDS, reviewCandidates, type ReviewCandidate, type ReviewContext, type SuspectRow } from '../core/review/reviewOrder';
import type { LabelingSession } from '../core/session';
import type { QueueItem, ReviewProgress, ReviewRequest } from '../shared/protocol/domain';
import type { WorkerToHost } from '../shared/protocol/engine';

/** The strategy a review event records: the order that surfaced the item. */
export function reviewStrategy(order: string): string {
  return `review:${order}`;
}

export class ReviewQueue {
  private request: ReviewRequest | undefined;
  private suspects: readonly SuspectRow[] = [];
  /** Passed over in review mode in this session (a labeled item's skip writes nothing: see LabelWriter.passOver). */
  private readonly skipped = new Set<string>();
  /** Each item's label before its first review in this session: a review that changed it fixed an error. */
  private readonly before = new Map<string, string>();

  constructor(
    private readonly session: LabelingSession,
    private readonly toReview: ReadonlyMap<string, readonly string[]>,
    private readonly post: (message: WorkerToHost) => void,
  ) {}

  get active(): boolean {
    return this.request !== undefined;
  }

  /** Switches mode (null: back to labeling); true when that changed the request. */
  set(review: ReviewRequest | null): boolean {
    const next = review ?? undefined;
    if (JSON.stringify(next) === JSON.stringify(this.request)) return false;
    this.request = next;
    return true;
  }

  /** The latest suspected label errors (rows of the session's items), most suspicious first. */
  suspectsChanged(suspects: readonly SuspectRow[]): void {
    this.suspects = suspects;
    this.publish();
  }

  /** A review label for the item is about to be written: remember what it had before the first one. */
  beforeReview(itemId: string): void {
    if (this.before.has(itemId)) return;
    const labels = this.session.isLabeled(itemId) ? this.session.labelsOf(itemId) : (this.toReview.get(itemId) ?? []);
    this.before.set(itemId, labelKey(labels));
  }

  skip(itemId: string): void {
    if (this.session.rowOfItem(itemId) !== undefined) this.skipped.add(itemId);
  }

  /** A pass taken back (undo): the item may be served again in this mode. */
  unskip(itemId: string): void {
    this.skipped.delete(itemId);
  }

  forgetSkips(): void {
    this.skipped.clear();
  }

  /**
   * Up to `count` items of the order that are neither out with the page nor skipped, within
   * `budget` text characters (always at least one); each is marked outstanding in the session.
   */
  next(count: number, budget: number): { items: QueueItem[]; exhausted: boolean } {
    const request = this.request;
    if (request === undefined) return { items: [], exhausted: true };
    const out: QueueItem[] = [];
    let chars = 0;
    // Exhausted only when the order ran out, not when the count or the size cap stopped it.
    let exhausted = true;
    for (const c of reviewCandidates(request.order, this.context(), request.filters)) {
      if (this.skipped.has(c.itemId) || this.session.isOutstanding(c.itemId)) continue;
      if (out.length >= count) {
        exhausted = false;
        break;
      }
      const item = this.toQueueItem(request, c);
      chars += item.text.length;
      if (out.length > 0 && chars > budget) {
        exhausted = false;
        break;
      }
      this.session.markServed(c.itemId, item.reason);
      out.push(item);
    }
    return { items: out, exhausted };
  }

  /** Posts the progress while review mode is on. */
  publish(): void {
    const p = this.progress();
    if (p !== undefined) this.post({ type: 'reviewProgress', ...p });
  }

  progress(): ReviewProgress | undefined {
    const request = this.request;
    if (request === undefined) return undefined;
    const ctx = this.context();
    const orders: Record<string, number> = {};
    for (const id of REVIEW_ORDER_IDS) orders[id] = reviewCandidates(id, ctx, request.filters).length;
    let reviewed = 0;
    let fixed = 0;
    for (const [itemId, before] of this.before) {
      const current = this.session.labelState.get(itemId);
      if (!isReviewed(current)) continue;
      reviewed++;
      if (labelKey(current?.labels ?? []) !== before) fixed++;
    }
    let reviewedTotal = 0;
    const annotators = new Set<string>();
    for (const current of this.session.labelState.labels.values()) {
      if (isReviewed(current)) reviewedTotal++;
      for (const a of current.annotators) if (a.annotator !== '') annotators.add(a.annotator);
    }
    return { order: request.order, reviewed, toReview: orders[request.order] ?? 0, fixed, reviewedTotal, orders, annotators: [...annotators].sort() };
  }

  private context(): ReviewContext {
    const s = this.session;
    const head = s.model;
    return {
      itemIds: s.items.map((i) => i.id),
      rowOf: (id) => s.rowOfItem(id),
      mode: s.config.mode,
      state: s.labelState.labels,
      ...(head !== undefined ? { model: { classes: head.classes, probs: (row: number) => s.classProbabilities(row) } } : {}),
      suspects: this.suspects,
      toReview: this.toReview,
    };
  }

  private toQueueItem(request: ReviewRequest, c: ReviewCandidate): QueueItem {
    const s = this.session;
    const question = s.config.mode === 'binary' ? s.config.labels[0] : undefined;
    return {
      id: c.itemId,
      text: (s.items[c.row] as { text: string }).text,
      ...(c.predicted !== undefined ? { prediction: { label: c.predicted.label, confidence: c.predicted.confidence } } : {}),
      reason: { strategy: reviewStrategy(request.order), score: c.score, detail: c.detail },
      ...(question !== undefined ? { question } : {}),
      ...(c.suggestion !== undefined
        ? {
            suggestion: {
              labels: [...c.suggestion.labels],
              from: c.suggestion.from,
              ...(c.suggestion.score !== undefined ? { score: c.suggestion.score } : {}),
              ...(c.suggestion.annotator !== undefined ? { annotator: c.suggestion.annotator } : {}),
            },
          }
        : {}),
      review: { order: request.order, ...(c.current !== undefined ? { current: { labels: [...c.current.labels], annotator: c.current.annotator, source: c.current.source } } : {}) },
    };
  }
}
