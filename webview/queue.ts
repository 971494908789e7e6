/**
 * The webview's labeling queue: the item on screen, the prefetched upcoming items, recent history
 * and the write requests (label, skip, flag, undo) with their pending/saved/failed status.
 *
 * Pure state, no DOM: every keypress is applied here locally (so the next item shows without a round
 * trip) and returns the messages to post to the host. The whole state is plain data, so it goes
 * into `vscode.setState` as is and a restored panel resumes exactly where it was.
 */
import type { FlagMessage, LabelMessage, NeedItemsMessage, QueueItem, SkipMessage, UndoMessage, WebviewToHost } from '../src/shared/protocol';

/** The writes the page tracks until the engine answers: each carries its request id. */
export type WriteMessage = LabelMessage | SkipMessage | FlagMessage | UndoMessage;

/** Ask for more items when fewer than this many are upcoming. */
export const PREFETCH_MIN = 5;
/** How many upcoming items a request tops the queue up to. */
export const PREFETCH_TARGET = 12;
/** Recent items kept for ←/→ navigation and relabeling. */
export const HISTORY_LIMIT = 50;
/** A request for items that got no answer may be repeated after this long. */
export const NEED_ITEMS_RETRY_MS = 3000;

export type Outcome =
  | { readonly kind: 'label'; readonly labels: readonly string[]; readonly answer?: 'accept' | 'reject' }
  | { readonly kind: 'skip' }
  | { readonly kind: 'flag' };

export type WriteStatus = 'pending' | 'saved' | 'failed';

export interface WriteRecord {
  readonly requestId: string;
  readonly itemId: string;
  /** The exact message posted; a retry resends it unchanged (same requestId). */
  readonly message: WriteMessage;
  readonly status: WriteStatus;
  /** The host's reason when status is 'failed'. */
  readonly error?: string;
}

export interface HistoryEntry {
  readonly item: QueueItem;
  readonly outcome: Outcome;
  /** The write behind the outcome (absent for a skip restored from a page of an earlier version). */
  readonly requestId?: string;
  /** Order among history and undone entries, for the Recent list (absent in older saved states). */
  readonly seq?: number;
}

/** An action taken back with undo: Recent shows it struck through, in its place. */
export interface UndoneEntry {
  readonly item: QueueItem;
  readonly outcome: Outcome;
  /** The `undo` write, when the action may have reached the log (none for a failed write). */
  readonly requestId?: string;
  readonly seq: number;
}

/** Undone actions kept for Recent. */
export const UNDONE_LIMIT = 20;

/** Everything the queue knows; plain data for `setState`. */
export interface QueueSnapshot {
  readonly current: QueueItem | null;
  readonly upcoming: readonly QueueItem[];
  /** Oldest first. */
  readonly history: readonly HistoryEntry[];
  /** Index into history while browsing with ←/→; null when the current item is shown. */
  readonly cursor: number | null;
  readonly exhausted: boolean;
  /** Recent writes, oldest first; failed and pending ones are never dropped. */
  readonly writes: readonly WriteRecord[];
  /** Recent undos, oldest first. */
  readonly undone: readonly UndoneEntry[];
}

export const EMPTY_QUEUE: QueueSnapshot = {
  current: null,
  upcoming: [],
  history: [],
  cursor: null,
  exhausted: false,
  writes: [],
  undone: [],
};

/** What a user action did: messages to post, and whether a different item is now on screen. */
export interface StepResult {
  readonly messages: readonly WebviewToHost[];
  readonly moved: boolean;
}

const NOTHING: StepResult = { messages: [], moved: false };

export class LabelQueue {
  private state: QueueSnapshot;
  private lastNeedAt = -Infinity;
  private awaitingItems = false;

  constructor(
    snapshot: QueueSnapshot = EMPTY_QUEUE,
    private readonly newRequestId: () => string,
  ) {
    this.state = snapshot;
  }

  snapshot(): QueueSnapshot {
    return this.state;
  }

  /** The item on screen: a history entry while browsing, else the current item. */
  get shown(): QueueItem | null {
    const { cursor, history, current } = this.state;
    return cursor === null ? current : history[cursor].item;
  }

  /** The history entry on screen, or null when the current item is shown. */
  get browsing(): HistoryEntry | null {
    const { cursor, history } = this.state;
    return cursor === null ? null : history[cursor];
  }

  /** The most recent undo (Recent lists it; the card says what it took back). */
  get lastUndone(): UndoneEntry | undefined {
    return this.state.undone.at(-1);
  }

  get upcomingCount(): number {
    return this.state.upcoming.length;
  }

  write(requestId: string | undefined): WriteRecord | undefined {
    return requestId === undefined ? undefined : this.state.writes.find((w) => w.requestId === requestId);
  }

  /**
   * Every item id the webview holds: an item it already holds is not taken twice. A skipped item in
   * history is not held: the engine serves it again only when asked to serve the skipped items.
   */
  heldIds(): string[] {
    const { current, upcoming, history } = this.state;
    const ids = upcoming.map((item) => item.id).concat(history.flatMap((entry) => (entry.outcome.kind === 'skip' ? [] : [entry.item.id])));
    if (current) ids.push(current.id);
    return ids;
  }

  /**
   * Adds items from the host, dropping ids already held. With `replace` (the strategy changed) the
   * items take the place of the upcoming ones: the item on screen, the history and the writes stay,
   * so the next item comes from the new strategy and no pending write is lost. Returns true when
   * the screen changed.
   */
  receive(items: readonly QueueItem[], options: { exhausted?: boolean; replace?: boolean } = {}): boolean {
    this.awaitingItems = false;
    const kept = options.replace ? [] : this.state.upcoming;
    const held = new Set(this.heldIds());
    // The upcoming items being replaced are no longer held: a new batch may bring one again.
    if (options.replace) for (const item of this.state.upcoming) held.delete(item.id);
    const fresh: QueueItem[] = [];
    for (const item of items) {
      if (held.has(item.id)) continue;
      held.add(item.id);
      fresh.push(item);
    }
    let upcoming = kept.concat(fresh);
    let current = this.state.current;
    const filled = current === null && upcoming.length > 0;
    if (filled) {
      current = upcoming[0];
      upcoming = upcoming.slice(1);
    }
    this.state = { ...this.state, current, upcoming, exhausted: options.exhausted ?? (items.length > 0 ? false : this.state.exhausted) };
    return filled && this.state.cursor === null;
  }

  /**
   * Drops the current and upcoming items (none of them answered) and forgets that the pool was
   * exhausted: the review mode changed, and the engine serves the next items afresh. History and
   * writes stay.
   */
  dropUnanswered(): void {
    this.awaitingItems = false;
    this.state = { ...this.state, current: null, upcoming: [], exhausted: false };
  }

  /**
   * The dataset file changed: these items left it or their text changed, so the upcoming items (and
   * the current one) drop them; Recent keeps what was done. The pool may hold new items again.
   * Returns true when the screen changed.
   */
  withdraw(itemIds: readonly string[]): boolean {
    const gone = new Set(itemIds);
    const { current, cursor } = this.state;
    let upcoming = this.state.upcoming.filter((item) => !gone.has(item.id));
    let next = current;
    if (current !== null && gone.has(current.id)) {
      next = upcoming[0] ?? null;
      upcoming = upcoming.slice(1);
    }
    this.awaitingItems = false;
    this.state = { ...this.state, current: next, upcoming, exhausted: false };
    return next !== current && cursor === null;
  }

  /** A request for more items when the queue runs low and none is in flight. */
  needItems(now: number): NeedItemsMessage | null {
    if (this.state.upcoming.length >= PREFETCH_MIN || this.state.exhausted) return null;
    if (this.awaitingItems && now - this.lastNeedAt < NEED_ITEMS_RETRY_MS) return null;
    this.awaitingItems = true;
    this.lastNeedAt = now;
    return { type: 'needItems', count: PREFETCH_TARGET - this.state.upcoming.length };
  }

  /** The engine was asked to serve the skipped items again: the pool is open once more. */
  reopen(): void {
    this.awaitingItems = false;
    this.state = { ...this.state, exhausted: false };
  }

  /** Labels the item on screen: a fresh item (source 'queue') or a history entry (source 'edit'). */
  label(labels: readonly string[], answer?: 'accept' | 'reject'): StepResult {
    const item = this.shown;
    if (!item) return NOTHING;
    const editing = this.state.cursor !== null;
    const message: LabelMessage = {
      type: 'label',
      requestId: this.newRequestId(),
      itemId: item.id,
      labels: [...labels],
      // A decision on the file's own label, or in the review queue, is a review; relabeling from history is an edit.
      source: item.review ? 'review' : editing ? 'edit' : item.suggestion ? 'review' : 'queue',
      ...(answer ? { answer } : {}),
    };
    const outcome: Outcome = answer ? { kind: 'label', labels: message.labels, answer } : { kind: 'label', labels: message.labels };
    this.addWrite(message);
    this.finish(item, outcome, message.requestId);
    return { messages: [message], moved: true };
  }

  skip(): StepResult {
    const item = this.shown;
    if (!item) return NOTHING;
    if (this.state.cursor !== null) return this.forward();
    // A skip is a write: the engine logs it, so the item is passed over in later sessions too.
    const message: SkipMessage = { type: 'skip', requestId: this.newRequestId(), itemId: item.id };
    this.addWrite(message);
    this.finish(item, { kind: 'skip' }, message.requestId);
    return { messages: [message], moved: true };
  }

  flag(): StepResult {
    const item = this.shown;
    if (!item) return NOTHING;
    const entry = this.browsing;
    const message: FlagMessage = { type: 'flag', requestId: this.newRequestId(), itemId: item.id };
    this.addWrite(message);
    // A labeled history entry keeps its label; the flag is an extra event in the log.
    if (entry && entry.outcome.kind === 'label') return { messages: [message], moved: this.forward().moved };
    this.finish(item, { kind: 'flag' }, message.requestId);
    return { messages: [message], moved: true };
  }

  /**
   * Undoes the most recent action and puts its item back on screen. Only a write that may be on disk
   * (pending or saved) needs an `undo` write; a failed one never reached the log.
   */
  undo(): StepResult {
    const { history, current, upcoming } = this.state;
    const last = history[history.length - 1];
    if (!last) return NOTHING;
    const messages: WebviewToHost[] = [];
    let writes = this.state.writes;
    const write = this.write(last.requestId);
    if (write && write.status === 'failed') {
      writes = writes.filter((w) => w.requestId !== write.requestId);
    }
    const undo: UndoMessage | undefined = write !== undefined && write.status !== 'failed' ? { type: 'undo', requestId: this.newRequestId(), itemId: last.item.id } : undefined;
    const undone: UndoneEntry = { item: last.item, outcome: last.outcome, seq: last.seq ?? this.nextSeq(), ...(undo ? { requestId: undo.requestId } : {}) };
    this.state = {
      ...this.state,
      writes,
      history: history.slice(0, -1),
      current: last.item,
      upcoming: current ? [current, ...upcoming] : upcoming,
      cursor: null,
      undone: [...this.state.undone, undone].slice(-UNDONE_LIMIT),
    };
    if (undo !== undefined) {
      this.addWrite(undo);
      messages.push(undo);
    }
    return { messages, moved: true };
  }

  back(): StepResult {
    const { cursor, history } = this.state;
    const target = (cursor ?? history.length) - 1;
    if (target < 0) return NOTHING;
    this.state = { ...this.state, cursor: target };
    return { messages: [], moved: true };
  }

  forward(): StepResult {
    const { cursor, history } = this.state;
    if (cursor === null) return NOTHING;
    this.state = { ...this.state, cursor: cursor + 1 >= history.length ? null : cursor + 1 };
    return { messages: [], moved: true };
  }

  /** The host confirmed the write. Unknown ids (e.g. from before a reload) are ignored. */
  saved(requestId: string): boolean {
    return this.setStatus(requestId, 'saved');
  }

  failed(requestId: string, error: string): boolean {
    return this.setStatus(requestId, 'failed', error);
  }

  /** Marks a failed write pending again and returns the identical message to resend. */
  retry(requestId: string): WriteMessage | undefined {
    const write = this.write(requestId);
    if (!write || write.status !== 'failed') return undefined;
    this.setStatus(requestId, 'pending');
    return write.message;
  }

  /** Writes still unconfirmed; a restored webview resends them (the host answers idempotently). */
  pendingWrites(): WriteRecord[] {
    return this.state.writes.filter((w) => w.status === 'pending');
  }

  failedWrites(): WriteRecord[] {
    return this.state.writes.filter((w) => w.status === 'failed');
  }

  private setStatus(requestId: string, status: WriteStatus, error?: string): boolean {
    let found = false;
    const writes = this.state.writes.map((w) => {
      if (w.requestId !== requestId) return w;
      found = true;
      return error === undefined ? { requestId: w.requestId, itemId: w.itemId, message: w.message, status } : { ...w, status, error };
    });
    if (found) this.state = { ...this.state, writes: trimWrites(writes) };
    return found;
  }

  private addWrite(message: WriteMessage): void {
    const record: WriteRecord = { requestId: message.requestId, itemId: message.itemId, message, status: 'pending' };
    this.state = { ...this.state, writes: trimWrites([...this.state.writes, record]) };
  }

  private nextSeq(): number {
    let max = 0;
    for (const e of this.state.history) max = Math.max(max, e.seq ?? 0);
    for (const e of this.state.undone) max = Math.max(max, e.seq);
    return max + 1;
  }

  /** Records the outcome of the item on screen and moves on. */
  private finish(item: QueueItem, outcome: Outcome, requestId?: string): void {
    const { cursor, history } = this.state;
    // A relabel from history keeps its place in Recent.
    const seq = cursor !== null ? history[cursor].seq : this.nextSeq();
    const entry: HistoryEntry = { item, outcome, ...(requestId !== undefined ? { requestId } : {}), ...(seq !== undefined ? { seq } : {}) };
    if (cursor !== null) {
      const updated = history.map((old, i) => (i === cursor ? entry : old));
      this.state = { ...this.state, history: updated, cursor: cursor + 1 >= history.length ? null : cursor + 1 };
      return;
    }
    const [next, ...rest] = this.state.upcoming;
    this.state = {
      ...this.state,
      history: [...history, entry].slice(-HISTORY_LIMIT),
      current: next ?? null,
      upcoming: rest,
    };
  }
}

/** Keeps the last HISTORY_LIMIT settled writes and every unsettled one. */
function trimWrites(writes: readonly WriteRecord[]): WriteRecord[] {
  const saved = writes.filter((w) => w.status === 'saved');
  const drop = new Set(saved.slice(0, Math.max(0, saved.length - HISTORY_LIMIT)).map((w) => w.requestId));
  return writes.filter((w) => !drop.has(w.requestId));
}
