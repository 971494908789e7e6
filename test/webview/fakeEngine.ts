/**
 * The extension host and its engine worker, played in plain Node for the webview tests: one class
 * that answers each page message the way src/host/panelSession.ts and the worker's EngineService
 * answer it together. test/webview/contract.test.ts runs one script against this class and against
 * the real engine, so the two cannot drift apart; the browser tests' FakeHost only carries its
 * messages to and from the page.
 *
 * What it keeps, as the real engine does:
 * - outstanding: items served and not answered (labeled, flagged, skipped); never served again
 *   until answered, or released by a `ready` with `restored: false` (the page lost its queue) or an
 *   engine restart;
 * - skips are writes: a skipped item is not served again, across restarts too, until
 *   `revisitSkipped` (which lasts until the item is skipped again or the engine restarts);
 * - the strategy: a change (PanelSession.chooseStrategy) sends `init` with the new title at once,
 *   releases what was out and answers with `items` (`replace: true`), as many as the page held,
 *   leaving out the card on screen (the first item out), picked by the new strategy (here: from
 *   the other end of the list, so they differ) and carrying its name as their reason;
 * - the log: one event per request id. A resent write is answered `saved` again and never written
 *   twice; a request id already used for another item or action is refused with `saveFailed`.
 */
import { isDeepStrictEqual } from 'node:util';
import { STRATEGIES } from '../../src/core/sampling/registry';
import { binaryRejectLabel } from '../../src/core/session';
import type { StrategyId } from '../../src/shared/settings';
import {
  DEFAULT_KEYMAP,
  HostToWebview,
  labelKeyForIndex,
  parseWith,
  type Counts,
  type ErrorActionId,
  type InitMessage,
  type LabelMessage,
  type LabelMode,
  type Message,
  type QueueItem,
  type ReviewOrderId,
  type ReviewProgress,
  type ReviewRequest,
  type WebviewToHost,
  REVIEW_ORDER_LIST,
} from '../../src/shared/protocol';

export interface FakeEngineOptions {
  readonly items: readonly QueueItem[];
  readonly labels?: readonly string[];
  readonly mode?: LabelMode;
  /** Answer each needItems with at most this many items, as the real engine does for long texts. */
  readonly itemsPerReply?: number;
  /** The strategy in use at the start; the items keep their own reasons until it changes. */
  readonly strategy?: StrategyId;
  /**
   * The review queue's orders, ranked as the real engine would (items of `items`, with `review` and
   * `suggestion` set). The `flagged` order is computed from the fake's own log, as the real one is.
   */
  readonly review?: Partial<Record<ReviewOrderId, readonly QueueItem[]>>;
}

/** One event in the fake's label log (the request id is the event's id, as in the real log). */
export interface LoggedEvent {
  readonly requestId: string;
  readonly type: 'label' | 'undo' | 'skip' | 'flag';
  /** For an undo: the item whose label, skip or flag it undid. */
  readonly itemId: string;
  readonly labels?: readonly string[];
  readonly source?: string;
  readonly answer?: 'accept' | 'reject';
}

/** The error actions after which the real host restarts the engine (src/host/panelSession.ts). */
const RESTARTS: ReadonlySet<ErrorActionId> = new Set<ErrorActionId>(['retry', 'useLexical', 'chooseLocalModel']);

export class FakeEngine {
  /** The label log, oldest first. */
  readonly log: LoggedEvent[] = [];
  /** When set, every new write fails the way a failed append does (nothing is written). */
  writeError: string | undefined;
  private readonly items: readonly QueueItem[];
  private readonly known: ReadonlySet<string>;
  private readonly labels: readonly string[];
  private readonly mode: LabelMode;
  private readonly outstanding = new Set<string>();
  /** Request ids of labels and skips answering an item that was out with the page (the real writer records their strategy). */
  private readonly servedWrites = new Set<string>();
  /** Skipped items that `revisitSkipped` made servable again, like the real session's `revisit`. */
  private readonly revisit = new Set<string>();
  /** Labels, skips and flags in effect that an undo may take back, oldest first. */
  private readonly undoable: LoggedEvent[] = [];
  /** The real ItemDelivery's flag: once a batch came short, ask the pool again only after an undo. */
  private exhausted = false;
  private strategy: StrategyId;
  /** Set once the strategy changed: items are then picked and explained by it. */
  private changed = false;
  /** The review queue's request while in review mode (src/worker/reviewQueue.ts). */
  private reviewRequest: ReviewRequest | undefined;
  /** Items skipped while reviewing: like the real ReviewQueue, not served again in this mode. */
  private readonly skippedInReview = new Set<string>();
  /** The label key each item had before its first review: a review that changed it fixed an error. */
  private readonly beforeReview = new Map<string, string>();

  constructor(private readonly options: FakeEngineOptions) {
    this.strategy = options.strategy ?? 'clustered-uncertainty';
    this.items = options.items;
    this.known = new Set(options.items.map((item) => item.id));
    this.labels = options.labels ?? ['related', 'not related'];
    this.mode = options.mode ?? 'single';
  }

  /** The messages the page receives in answer to `m`, in order; each is valid under HostToWebview. */
  handle(m: WebviewToHost): HostToWebview[] {
    const out = this.answer(m);
    for (const message of out) this.check(message);
    return out;
  }

  /** The fake must never teach the page a message the real host could not send. */
  private check(message: HostToWebview): void {
    const parsed = parseWith(HostToWebview, message);
    if (!parsed.ok) throw new Error(`the fake host would send an invalid message: ${parsed.error}`);
    if (!isDeepStrictEqual(plain(parsed.value), plain(message))) throw new Error(`the fake host would send fields the protocol does not have: ${JSON.stringify(message)}`);
  }

  init(): InitMessage {
    return {
      type: 'init',
      dataset: { name: 'disaster-headlines.csv', total: this.items.length },
      labels: this.labels.map((name, i) => ({ name, key: labelKeyForIndex(i) })),
      mode: this.mode,
      keymap: DEFAULT_KEYMAP,
      strategy: STRATEGIES[this.strategy].title,
      state: { version: 0, training: false, curve: [], ...this.counts() },
    };
  }

  /**
   * Choose Sampling Strategy, as the real host and worker answer it: the page gets `init` (the new
   * title in the header) at once, then the items that replace its prefetched ones. The same
   * strategy again changes nothing.
   */
  changeStrategy(strategy: StrategyId): HostToWebview[] {
    if (strategy === this.strategy) return [];
    this.strategy = strategy;
    this.changed = true;
    const held = this.outstanding.size;
    // The first item served and unanswered is the card on screen: it stays, so it is not picked again.
    const [onScreen] = this.outstanding;
    this.release();
    const out = [this.init(), { ...this.serve(Math.max(1, held), onScreen), replace: true as const }];
    for (const message of out) this.check(message);
    return out;
  }

  /** The counts the real engine sends after every write: items per class, labeled, total. */
  counts(): Counts {
    const classes = this.mode === 'binary' ? [this.labels[0], binaryRejectLabel(this.labels[0])] : [...this.labels];
    const counts: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
    let labeled = 0;
    for (const item of this.items) {
      const label = this.labelInEffect(item.id);
      if (!label) continue;
      labeled++;
      const keys = this.mode === 'multi' ? (label.labels ?? []) : [this.mode === 'binary' ? classes[label.answer === 'reject' ? 1 : 0] : (label.labels ?? [])[0]];
      for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
    }
    return { counts, labeled, total: this.items.length };
  }

  private answer(m: WebviewToHost): HostToWebview[] {
    switch (m.type) {
      case 'ready':
        // The host answers with init; a page that lost its queue makes it send the worker `release`.
        if (!m.restored) this.release();
        return [this.init()];
      case 'needItems':
        return [this.reviewRequest ? this.serveReview(m.count) : this.serve(m.count)];
      case 'reviewMode': {
        // Like the real engine: a changed request releases what was out; the progress follows.
        if (JSON.stringify(m.review ?? undefined) !== JSON.stringify(this.reviewRequest)) {
          this.reviewRequest = m.review ?? undefined;
          this.release();
        }
        return this.reviewProgress();
      }
      case 'label':
        if (m.source === 'review' && !this.beforeReview.has(m.itemId)) this.beforeReview.set(m.itemId, JSON.stringify(this.labelsBefore(m.itemId)));
        return [...this.labelWrite(m), ...this.reviewProgress()];
      case 'undo':
        return [...this.undoWrite(m), ...this.reviewProgress()];
      default:
        return this.other(m);
    }
  }

  private labelWrite(m: LabelMessage): HostToWebview[] {
    return this.write(m.requestId, m.itemId, 'label', () => this.checkLabel(m), () => ({
          requestId: m.requestId,
          type: 'label',
          itemId: m.itemId,
          labels: m.labels,
          source: m.source,
          ...(m.answer ? { answer: m.answer } : {}),
        }));
  }

  private undoWrite(m: Extract<WebviewToHost, { type: 'undo' }>): HostToWebview[] {
    // Like the real writer: undoes the named item's latest label, skip or flag in effect.
    const target = [...this.undoable].reverse().find((e) => e.itemId === m.itemId);
    return this.write(m.requestId, m.itemId, 'undo', () => (target ? undefined : 'There is nothing to undo.'), () => ({
      requestId: m.requestId,
      type: 'undo',
      itemId: (target as LoggedEvent).itemId,
    }));
  }

  private other(m: Exclude<WebviewToHost, { type: 'ready' | 'needItems' | 'reviewMode' | 'label' | 'undo' }>): HostToWebview[] {
    switch (m.type) {
      case 'flag':
        return this.write(m.requestId, m.itemId, 'flag', () => (this.known.has(m.itemId) ? undefined : unknownItem(m.itemId)), () => ({
          requestId: m.requestId,
          type: 'flag',
          itemId: m.itemId,
        }));
      case 'skip':
        if (this.reviewRequest !== undefined && this.known.has(m.itemId)) this.skippedInReview.add(m.itemId);
        return this.write(m.requestId, m.itemId, 'skip', () => (this.known.has(m.itemId) ? undefined : unknownItem(m.itemId)), () => ({
          requestId: m.requestId,
          type: 'skip',
          itemId: m.itemId,
        }));
      case 'errorAction':
        if (!RESTARTS.has(m.actionId)) return [];
        // A restart is a new engine session over the same log: what was out is forgotten, and the
        // skipped items wait again (the log keeps the skips); the page gets `init` at once.
        this.release();
        this.revisit.clear();
        // The new engine session starts in labeling mode; the page resends its review mode on init.
        this.reviewRequest = undefined;
        this.beforeReview.clear();
        this.skippedInReview.clear();
        return [this.init()];
      case 'revisitSkipped':
        this.skippedInReview.clear();
        for (const item of this.items) if (this.decision(item.id)?.type === 'skip') this.revisit.add(item.id);
        this.exhausted = false;
        return [];
      case 'cancel':
      case 'openSettings':
      case 'chooseStrategy':
      case 'exportLabels':
      case 'configureLabels':
        return [];
    }
  }

  // ---- the review queue (src/worker/reviewQueue.ts, src/core/review/reviewOrder.ts) -----------

  private serveReview(count: number): HostToWebview {
    const request = this.reviewRequest as ReviewRequest;
    const eligible = this.reviewCandidates(request).filter((item) => !this.outstanding.has(item.id) && !this.skippedInReview.has(item.id));
    const items = eligible.slice(0, Math.min(count, this.options.itemsPerReply ?? count));
    for (const item of items) this.outstanding.add(item.id);
    return { type: 'items', items: items.map((item) => structuredClone(item)), review: true, ...(items.length < count ? { exhausted: true } : {}) };
  }

  /** The order's items that are not reviewed, with the filters. */
  private reviewCandidates(request: ReviewRequest): QueueItem[] {
    const f = request.filters;
    const list = request.order === 'flagged' ? this.flagged() : (this.options.review?.[request.order] ?? []).filter((item) => !this.reviewed(item.id));
    return list.filter((item) => {
      const current = item.review?.current;
      const underReview = current?.labels ?? (item.suggestion?.from === 'file' ? item.suggestion.labels : []);
      if (f.label !== undefined && !underReview.includes(f.label)) return false;
      if (f.predicted !== undefined && item.prediction?.label !== f.predicted) return false;
      if (f.source !== undefined && current?.source !== f.source) return false;
      if (f.annotator !== undefined && current?.annotator !== f.annotator) return false;
      if (f.disagreementOnly === true && (item.prediction === undefined || current === undefined || current.labels.includes(item.prediction.label))) return false;
      const p = item.prediction?.confidence;
      if ((f.minConfidence !== undefined || f.maxConfidence !== undefined) && (p === undefined || p < (f.minConfidence ?? 0) || p > (f.maxConfidence ?? 1))) return false;
      return true;
    });
  }

  /** Flags in effect whose item was not reviewed after the flag, in log order, as the real order serves them. */
  private flagged(): QueueItem[] {
    const out: QueueItem[] = [];
    for (const item of this.items) {
      const events = this.undoable.filter((e) => e.itemId === item.id);
      const last = events.at(-1);
      if (!events.some((e) => e.type === 'flag') || (last?.type === 'label' && last.source === 'review')) continue;
      const label = this.labelInEffect(item.id);
      out.push({
        ...structuredClone(item),
        reason: { strategy: 'review:flagged', score: 0.5, detail: `Flagged by tester${label ? `; labeled "${(label.labels ?? []).join(', ')}"` : '; not labeled yet'}` },
        review: { order: 'flagged', ...(label ? { current: { labels: [...(label.labels ?? [])], annotator: 'tester', source: label.source === 'review' ? 'review' : label.source === 'edit' ? 'edit' : 'queue' } } : {}) },
      });
    }
    const firstSeen = (id: string): number => this.log.findIndex((e) => e.itemId === id);
    return out.sort((a, b) => firstSeen(a.id) - firstSeen(b.id));
  }

  private reviewed(itemId: string): boolean {
    return this.labelInEffect(itemId)?.source === 'review';
  }

  private labelsBefore(itemId: string): readonly string[] {
    const label = this.labelInEffect(itemId);
    if (label) return label.labels ?? [];
    // The label the real log holds and the fake's does not: the one the review item carries.
    const item = Object.values(this.options.review ?? {}).flat().find((i) => i.id === itemId);
    if (item?.review?.current) return item.review.current.labels;
    return item?.suggestion?.from === 'file' ? item.suggestion.labels : [];
  }

  /** The real engine posts the progress after each write while in review mode. */
  private reviewProgress(): HostToWebview[] {
    const request = this.reviewRequest;
    if (request === undefined) return [];
    const orders: Record<string, number> = {};
    for (const id of REVIEW_ORDER_LIST) orders[id] = this.reviewCandidates({ order: id, filters: request.filters }).length;
    let reviewed = 0;
    let fixed = 0;
    for (const [itemId, before] of this.beforeReview) {
      if (!this.reviewed(itemId)) continue;
      reviewed++;
      if (JSON.stringify(this.labelInEffect(itemId)?.labels ?? []) !== before) fixed++;
    }
    const reviewedTotal = this.items.filter((i) => this.reviewed(i.id)).length;
    const progress: ReviewProgress = { order: request.order, reviewed, toReview: orders[request.order] ?? 0, fixed, reviewedTotal, orders, annotators: this.undoable.some((e) => e.type === 'label') ? ['tester'] : [] };
    return [{ type: 'reviewProgress', ...progress }];
  }

  private release(): void {
    this.outstanding.clear();
    this.exhausted = false;
  }

  private serve(count: number, exclude?: string): Message<HostToWebview, 'items'> {
    const order = this.changed ? [...this.items].reverse() : this.items;
    const eligible = this.exhausted
      ? []
      : order.filter((item) => item.id !== exclude && !this.outstanding.has(item.id) && this.servable(item.id));
    const items = eligible.slice(0, Math.min(count, this.options.itemsPerReply ?? count));
    for (const item of items) this.outstanding.add(item.id);
    // The real engine says `exhausted` once a pick came short of what was asked and all of it is out.
    const exhausted = this.exhausted || (eligible.length < count && items.length === eligible.length);
    this.exhausted = exhausted;
    const strategy = this.strategy;
    const explained = (item: QueueItem): QueueItem =>
      this.changed ? { ...structuredClone(item), reason: { strategy, score: 0, detail: `${STRATEGIES[strategy].title} pick` } } : structuredClone(item);
    return { type: 'items', items: items.map(explained), ...(exhausted ? { exhausted: true } : {}) };
  }

  /** The write rules of src/worker/labelWriter.ts, in its order: already written, then valid, then the disk. */
  private write(requestId: string, itemId: string, action: LoggedEvent['type'], problem: () => string | undefined, event: () => LoggedEvent): HostToWebview[] {
    const before = this.log.find((e) => e.requestId === requestId);
    if (before) {
      if (before.type !== action || (action !== 'undo' && before.itemId !== itemId)) {
        return [this.failed(requestId, itemId, `Request id ${requestId} was already used for another ${before.type}; nothing was written.`)];
      }
      return [{ type: 'saved', requestId, itemId: before.itemId }];
    }
    const reason = problem() ?? this.writeError;
    if (reason !== undefined) return [this.failed(requestId, itemId, reason)];
    const written = event();
    // Like the real writer: a label or skip of an item out with the page records why it was served.
    if ((action === 'label' || action === 'skip') && this.outstanding.has(itemId)) this.servedWrites.add(requestId);
    this.log.push(written);
    this.apply(written);
    return [{ type: 'saved', requestId, itemId: written.itemId }, { type: 'counts', ...this.counts() }];
  }

  private apply(e: LoggedEvent): void {
    this.outstanding.delete(e.itemId);
    if (e.type === 'undo') {
      const at = this.undoable.map((u) => u.itemId).lastIndexOf(e.itemId);
      const [undone] = at >= 0 ? this.undoable.splice(at, 1) : [];
      // The page shows the item again: an answer that was served is out with the page once more.
      if (undone !== undefined && this.servedWrites.has(undone.requestId)) this.outstanding.add(e.itemId);
      this.exhausted = false;
    } else {
      this.undoable.push(e);
      if (e.type === 'skip') this.revisit.delete(e.itemId);
    }
  }

  /** The real session's rule: neither labeled, flagged (it waits for review) nor skipped, unless revisited. */
  private servable(itemId: string): boolean {
    if (this.undoable.some((e) => e.itemId === itemId && e.type === 'flag')) return false;
    const decision = this.decision(itemId);
    return decision === undefined || (decision.type === 'skip' && this.revisit.has(itemId));
  }

  /** The item's last label or skip in effect: the one that decides it (the last event wins). */
  private decision(itemId: string): LoggedEvent | undefined {
    for (let i = this.undoable.length - 1; i >= 0; i--) {
      const e = this.undoable[i];
      if (e.itemId === itemId && (e.type === 'label' || e.type === 'skip')) return e;
    }
    return undefined;
  }

  /** The item's label event still in effect, if it has one (a later skip clears it). */
  private labelInEffect(itemId: string): LoggedEvent | undefined {
    const decision = this.decision(itemId);
    return decision?.type === 'label' ? decision : undefined;
  }

  private checkLabel(m: LabelMessage): string | undefined {
    if (!this.known.has(m.itemId)) return unknownItem(m.itemId);
    const unknown = m.labels.find((l) => !this.labels.includes(l));
    if (unknown !== undefined) return `Unknown label "${unknown}": this session's labels are ${this.labels.map((l) => `"${l}"`).join(', ')}.`;
    switch (this.mode) {
      case 'single':
        return m.labels.length === 1 ? undefined : `Single-label mode takes exactly one label, got ${m.labels.length}.`;
      case 'multi':
        return m.labels.length >= 1 && new Set(m.labels).size === m.labels.length ? undefined : 'Multi-label mode takes one or more different labels.';
      case 'binary':
        return m.labels.length === 1 && m.answer !== undefined ? undefined : 'Binary mode takes the label asked about and an accept or reject answer.';
    }
  }

  private failed(requestId: string, itemId: string, message: string): HostToWebview {
    return { type: 'saveFailed', requestId, itemId, message };
  }
}

/** As the message arrives on the other side of postMessage: no undefined-valued keys. */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function unknownItem(itemId: string): string {
  return `Unknown item ${JSON.stringify(itemId)}: it is not in this dataset (was the file changed?).`;
}
