/**
 * What the session has served: the items out with the page (never served twice until answered or
 * released), why each was picked, and the skipped items "serve skipped again" made servable. The
 * session owns one and tells it about every answer; the label state stays the session's.
 */
import type { SampleReason } from '../types';

export class ServedItems {
  /**
   * Skipped items (a `skip` event in effect) that "serve skipped again" made servable. A skip is in
   * the log, so it lasts across sessions; this set lasts until the item is skipped again.
   */
  private readonly revisit = new Set<string>();
  /** Served by nextBatch and not yet answered (never served twice), with why each was picked. */
  private readonly outstanding = new Map<string, SampleReason>();
  /**
   * Why the items of the last release were picked: after a strategy change the page keeps the card
   * on screen, and its label still names the strategy that served it.
   */
  private released = new Map<string, SampleReason>();

  /** Out with the page from now on, picked for `reason`. */
  serve(itemId: string, reason: SampleReason): void {
    this.outstanding.set(itemId, reason);
  }

  /** An event for the item is in effect: it is answered; a skip ends its revisit. */
  answered(itemId: string, skipped: boolean): void {
    this.outstanding.delete(itemId);
    this.released.delete(itemId);
    if (skipped) this.revisit.delete(itemId);
  }

  /** The items left the dataset or changed: returns those that were out with the page. */
  withdraw(ids: readonly string[]): string[] {
    return ids.filter((id) => this.outstanding.delete(id));
  }

  /** The items left the dataset: they are not revisited. */
  forget(ids: readonly string[]): void {
    for (const id of ids) this.revisit.delete(id);
  }

  /** A skipped item may be served again, until it is skipped again. */
  revisitSkipped(itemId: string): void {
    this.revisit.add(itemId);
  }

  mayRevisit(itemId: string): boolean {
    return this.revisit.has(itemId);
  }

  /** Forget what was served but not answered, keeping why each was picked (see `released`). */
  release(): void {
    this.released = new Map(this.outstanding);
    this.outstanding.clear();
  }

  get count(): number {
    return this.outstanding.size;
  }

  /** The unanswered item served first. */
  get oldest(): string | undefined {
    return this.outstanding.keys().next().value;
  }

  /** The items out with the page now. */
  outstandingIds(): IterableIterator<string> {
    return this.outstanding.keys();
  }

  isOutstanding(itemId: string): boolean {
    return this.outstanding.has(itemId);
  }

  /** Why a served, unanswered item was picked. */
  reasonFor(itemId: string): SampleReason | undefined {
    return this.outstanding.get(itemId) ?? this.released.get(itemId);
  }
}
