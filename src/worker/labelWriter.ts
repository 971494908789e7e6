/**
 * The one owner of writes to a session's label log. Every write (label, skip, flag, undo) arrives with a
 * request id; the writer enforces every rule before anything reaches the disk, appends (fsync),
 * applies the event to the session and only then acknowledges with `saved`.
 *
 * The single ledger of "already written": the log itself. A request id is stored in the log as the
 * event id (`req-<requestId>`), and `written` maps each event id in the log to its item and action,
 * so a resent request (a restored panel, a retry, a restarted worker) is answered `saved` again and
 * never written twice, and a request id reused for another item or action is refused.
 */
import type { LabelEvent, LabelEventInput, LabelLog, LogReplacement, ReplacementDecision } from '../core/labels';
import type { LabelingSession } from '../core/session';
import type { Counts } from '../shared/protocol/domain';
import type { Message } from '../shared/protocol/page';
import type { HostToWorker, WorkerToHost } from '../shared/protocol/engine';
import { LabelTally } from './labelTally';
import { reviewEvent } from '../core/review/reviewEvents';

type Post = (message: WorkerToHost) => void;
type WriteAction = LabelEvent['type'];

interface Written {
  readonly itemId: string;
  readonly action: WriteAction;
}

/** The log's event id for a request: request ids are unique per write, so the log remembers them. */
export function eventIdOf(requestId: string): string {
  return `req-${requestId}`;
}

export class LabelWriter {
  private readonly written = new Map<string, Written>();
  /**
   * Review-queue passes over a labeled item, answered `saved` with nothing written: a `skip` event
   * would replace the item's label (an annotator's latest event is their answer). Request event id
   * -> item, so a resend (or the resend of the undo that took a pass back) is answered again.
   */
  private readonly passes = new Map<string, string>();
  private readonly passedItems = new Set<string>();
  private tally: LabelTally;

  constructor(
    private readonly session: LabelingSession,
    private readonly log: LabelLog,
    events: readonly LabelEvent[],
    /** Written into each event; the host changes it when `activeLabel.annotator` changes. */
    public annotator: string,
    private readonly post: Post,
    /** Called after each applied write with its item (the retrain scheduler and the review publisher listen). */
    private readonly onApplied: (itemId: string) => void,
  ) {
    for (const e of events) this.remember(e);
    this.tally = new LabelTally(session, events.length);
  }

  counts(): Counts {
    return this.tally.counts();
  }

  get labelsInUse(): number {
    return this.tally.labelsInUse;
  }

  async label(m: Message<HostToWorker, 'label'>): Promise<void> {
    if (this.answeredAgain(m.requestId, m.itemId, 'label')) return;
    const problem = this.checkLabel(m);
    if (problem !== undefined) return this.fail(m.requestId, m.itemId, problem);
    const labels = this.session.classMap.normalize(
      this.session.config.mode === 'binary' && m.answer === 'reject' ? [] : m.labels,
    );
    const reason = this.session.servedReason(m.itemId);
    const latest = this.session.latest;
    await this.append(m.requestId, {
      type: 'label',
      itemId: m.itemId,
      labels,
      source: m.source,
      ...(reason !== undefined ? { strategy: reason.strategy, score: Number.isFinite(reason.score) ? reason.score : 0 } : {}),
      ...(reason?.cluster !== undefined ? { cluster: reason.cluster } : {}),
      ...(latest !== undefined ? { modelVersion: String(latest.version) } : {}),
    });
  }

  async flag(m: Message<HostToWorker, 'flag'>): Promise<void> {
    if (this.answeredAgain(m.requestId, m.itemId, 'flag')) return;
    if (this.session.rowOfItem(m.itemId) === undefined) return this.fail(m.requestId, m.itemId, unknownItem(m.itemId));
    await this.append(m.requestId, { type: 'flag', itemId: m.itemId, labels: [], source: 'queue' });
  }

  /**
   * Passes over an item: it is not served again, in this session or a later one, until the user asks
   * for the skipped items again (`revisitSkipped`); labeling it later overrides the skip.
   */
  async skip(m: Message<HostToWorker, 'skip'>): Promise<void> {
    if (this.answeredAgain(m.requestId, m.itemId, 'skip')) return;
    if (this.session.rowOfItem(m.itemId) === undefined) return this.fail(m.requestId, m.itemId, unknownItem(m.itemId));
    const reason = this.session.servedReason(m.itemId);
    await this.append(m.requestId, {
      type: 'skip',
      itemId: m.itemId,
      labels: [],
      source: 'queue',
      ...(reason !== undefined ? { strategy: reason.strategy, score: Number.isFinite(reason.score) ? reason.score : 0 } : {}),
    });
  }

  /**
   * A skip in the review queue: an item that has a label is passed over without a write (the label
   * stays, the queue moves on); false when the item has none, and `skip` writes as usual.
   */
  passOver(m: Message<HostToWorker, 'skip'>): boolean {
    const id = eventIdOf(m.requestId);
    const before = this.passes.get(id);
    if (before !== undefined) {
      this.post({ type: 'saved', requestId: m.requestId, itemId: before });
      return true;
    }
    if (this.written.has(id) || !this.session.isLabeled(m.itemId)) return false;
    this.passes.set(id, m.itemId);
    this.passedItems.add(m.itemId);
    this.post({ type: 'saved', requestId: m.requestId, itemId: m.itemId });
    return true;
  }

  /** Whether the item's latest action here is a review-queue pass (its undo writes nothing). */
  isPassed(itemId: string): boolean {
    return this.passedItems.has(itemId);
  }

  /**
   * Undoes the named item's latest label, skip or flag still in effect: the item the page puts back on
   * screen (after a relabel from history, that is not always the most recent write).
   */
  async undo(m: Message<HostToWorker, 'undo'>): Promise<void> {
    if (this.answeredAgain(m.requestId, m.itemId, 'undo')) return;
    const passed = this.passes.get(eventIdOf(m.requestId));
    if (passed !== undefined) return void this.post({ type: 'saved', requestId: m.requestId, itemId: passed });
    if (this.passedItems.delete(m.itemId)) {
      // Taking back a pass: nothing was written, so nothing is undone in the log.
      this.passes.set(eventIdOf(m.requestId), m.itemId);
      return void this.post({ type: 'saved', requestId: m.requestId, itemId: m.itemId });
    }
    if (this.session.rowOfItem(m.itemId) === undefined) return this.fail(m.requestId, m.itemId, unknownItem(m.itemId));
    const event = this.session.undoEventFor(m.itemId, this.annotator);
    if (event === undefined) return this.fail(m.requestId, m.itemId, 'This item has no label, skip or flag of yours to undo.');
    const target = this.session.labelState.nextUndo(m.itemId);
    await this.append(m.requestId, event);
    // The page shows the item again: it is out with the page once more, and its next answer records
    // why it was picked (the undone event's strategy and score), as the first answer did.
    const undone = target !== undefined && this.session.labelState.nextUndo(m.itemId) !== target;
    if (undone && target.strategy !== undefined) {
      this.session.markServed(m.itemId, { strategy: target.strategy, score: target.score ?? 0, ...(target.cluster !== undefined ? { cluster: target.cluster } : {}) });
    }
  }

  /** The item of every event in the log as this writer knows it (undone ones included). */
  loggedItems(): Iterable<{ readonly itemId: string }> {
    return this.written.values();
  }

  /** Every event id in the log as this writer knows it (imports use it to skip repeats). */
  eventIds(): ReadonlySet<string> {
    return new Set(this.written.keys());
  }

  /**
   * Appends already-checked `import` events (another tool's export, matched in core) in one fsynced
   * write, applies them, and reports the counts; resolves with how many were new in the file.
   */
  async importEvents(events: readonly LabelEventInput[]): Promise<number> {
    if (events.length === 0) return 0;
    const outcome = await this.log.appendNew(events);
    for (const written of outcome.written) {
      this.applyWritten(written);
      this.onApplied(written.itemId);
    }
    this.post({ type: 'counts', ...this.tally.counts() });
    return outcome.written.length;
  }

  /** Which rule a label breaks, or undefined when it may be written. */
  private checkLabel(m: Message<HostToWorker, 'label'>): string | undefined {
    const s = this.session;
    if (s.rowOfItem(m.itemId) === undefined) return unknownItem(m.itemId);
    const known = s.config.labels;
    const unknown = m.labels.find((l) => !known.includes(l));
    if (unknown !== undefined) return `Unknown label "${unknown.slice(0, 80)}": this session's labels are ${known.map((l) => `"${l}"`).join(', ')}.`;
    switch (s.config.mode) {
      case 'single':
        return m.labels.length === 1 ? undefined : `Single-label mode takes exactly one label, got ${m.labels.length}.`;
      case 'multi':
        return m.labels.length >= 1 && new Set(m.labels).size === m.labels.length
          ? undefined
          : 'Multi-label mode takes one or more different labels.';
      case 'binary':
        return m.labels.length === 1 && m.answer !== undefined ? undefined : 'Binary mode takes the label asked about and an accept or reject answer.';
    }
  }

  /**
   * A request already in the log is acknowledged again (it was written once); one whose id is bound
   * to another item or action is refused. True when the request has been answered here.
   */
  private answeredAgain(requestId: string, itemId: string, action: WriteAction): boolean {
    const before = this.written.get(eventIdOf(requestId));
    if (before === undefined) return false;
    if (before.action !== action || (action !== 'undo' && before.itemId !== itemId)) {
      this.fail(requestId, itemId, `Request id ${requestId.slice(0, 80)} was already used for another ${before.action}; nothing was written.`);
      return true;
    }
    this.post({ type: 'saved', requestId, itemId: before.itemId });
    return true;
  }

  /**
   * The log file was replaced (a git pull, a sync tool) or removed under the open session, found
   * just before a write: the session's labels become what the file at the path now holds, the user
   * is told once, and the pending write goes into that file, unless it is an undo whose event the
   * new file no longer has (then nothing is written and the undo fails with the reason).
   */
  logReplaced(r: LogReplacement): ReplacementDecision {
    this.session.replaceLabels(r.replayed.events);
    this.written.clear();
    for (const e of r.replayed.events) this.remember(e);
    this.tally = new LabelTally(this.session, r.replayed.events.length);
    this.post({ type: 'log', level: 'warn', message: r.message });
    this.post({ type: 'notice', message: r.message });
    this.post({ type: 'counts', ...this.tally.counts() });
    const ids = new Set(r.replayed.events.map((e) => e.eventId));
    const orphanUndo = r.pending.some((e) => e.type === 'undo' && e.undoes !== undefined && !ids.has(e.undoes));
    return orphanUndo ? 'cancel' : 'write';
  }

  /** The dataset changed under the session (`replaceItems`): the counts become those of its new items. */
  itemsReplaced(): void {
    this.tally = new LabelTally(this.session, this.tally.eventCount);
    this.post({ type: 'counts', ...this.tally.counts() });
  }

  /** Appends (fsync), applies, then acknowledges; never acknowledges what is not on disk. */
  private async append(requestId: string, input: Omit<LabelEventInput, 'annotator'> & { annotator?: string }): Promise<void> {
    let outcome;
    try {
      outcome = await this.log.appendNew({ annotator: this.annotator, ...input, eventId: eventIdOf(requestId) });
    } catch (error) {
      return this.fail(requestId, input.itemId, error instanceof Error ? error.message : String(error));
    }
    const [written] = outcome.events;
    if (written === undefined) return this.fail(requestId, input.itemId, 'The label log did not confirm the write.');
    if (outcome.written.length === 0) {
      // Already in the file at the path (a replacement brought it in, and the rebuild applied it).
      this.post({ type: 'saved', requestId, itemId: written.itemId });
      return;
    }
    this.applyWritten(written);
    this.post({ type: 'saved', requestId, itemId: written.itemId });
    // The counts follow every write, so the panel and the status bar never wait for a retrain.
    this.post({ type: 'counts', ...this.tally.counts() });
    this.onApplied(written.itemId);
  }

  /**
   * A reviewer's decisions from the editor: each valid one becomes a `review` label event, all in
   * one append (one fsync); the invalid ones are reported, never written. Event ids are
   * `req-<requestId>-<index>`, so a resent request is answered again and not written twice.
   */
  async review(m: Message<HostToWorker, 'reviewLabel'>): Promise<void> {
    const answer = (written: number, failed: { itemId: string; message: string }[]): void =>
      this.post({ type: 'reviewSaved', requestId: m.requestId, written, failed });
    const already = m.decisions.filter((_, i) => this.written.has(eventIdOf(`${m.requestId}-${i}`))).length;
    if (already > 0) return answer(already, []);
    const failed: { itemId: string; message: string }[] = [];
    const inputs: LabelEventInput[] = [];
    const latest = this.session.latest;
    const binary = this.session.config.mode === 'binary';
    m.decisions.forEach((d, i) => {
      // Binary mode: the editor names the reject class ("not spam") where the panel says reject.
      const rejects = binary && d.labels.length === 1 && d.labels[0] === this.session.classMap.classes[1];
      const labels = rejects ? [this.session.config.labels[0] as string] : d.labels;
      const problem = this.checkLabel({ type: 'label', requestId: m.requestId, itemId: d.itemId, labels, source: 'review', ...(binary ? { answer: rejects ? ('reject' as const) : ('accept' as const) } : {}) });
      if (problem !== undefined) {
        failed.push({ itemId: d.itemId.slice(0, 200), message: problem });
        return;
      }
      const event = reviewEvent({ ...d, ...(latest !== undefined ? { modelVersion: latest.version } : {}) }, this.annotator);
      inputs.push({ ...event, labels: this.session.classMap.normalize(event.labels), eventId: eventIdOf(`${m.requestId}-${i}`) });
    });
    if (inputs.length === 0) return answer(0, failed);
    let outcome;
    try {
      outcome = await this.log.appendNew(inputs);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return answer(0, [...failed, ...inputs.map((e) => ({ itemId: e.itemId.slice(0, 200), message }))]);
    }
    for (const written of outcome.written) {
      this.applyWritten(written);
      this.onApplied(written.itemId);
    }
    this.post({ type: 'counts', ...this.tally.counts() });
    answer(outcome.events.length, failed);
  }

  /** An event now in the file: into the ledger, the session and the counts. */
  private applyWritten(written: LabelEvent): void {
    this.remember(written);
    const before = this.tally.before(written.itemId);
    this.session.applyLabel(written);
    this.tally.after(written.itemId, before);
  }

  private remember(e: LabelEvent): void {
    this.written.set(e.eventId, { itemId: e.itemId, action: e.type });
  }

  private fail(requestId: string, itemId: string, message: string): void {
    this.post({ type: 'saveFailed', requestId, itemId: itemId.slice(0, 200), message });
  }
}

function unknownItem(itemId: string): string {
  return `Unknown item ${JSON.stringify(itemId.slice(0, 80))}: it is not in this dataset (was the file changed?).`;
}
