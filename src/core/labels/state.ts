/**
 * Folds label events, in log order, into the current state of every item. Pure and incremental:
 * replay feeds it a file; a session can feed it each event it appends and ask what to undo next.
 *
 * Semantics (the file order decides, never the clock):
 * - Every `label`, `skip` and `flag` event is "in effect" until an `undo` names it.
 * - Each annotator's last `label`/`skip` event in effect is their decision on the item: a label, or
 *   a skip (a skip after their label clears it, as their last event wins). The item's current label
 *   comes from the annotators' labels by the rule in labelRule.ts (the latest review, else
 *   agreement, else the latest label); with one annotator that is simply their last decision. An
 *   item nobody labeled but somebody skipped is skipped. It is flagged while any `flag` event is in
 *   effect, independent of its labels.
 * - Undoing the latest event of an item therefore reverts the item to what it was before; undoing
 *   twice goes back two steps. Undoing an older event removes just that event's effect.
 * - Undoing an `undo` puts back the event it had removed (a redo); undoing that again removes it
 *   again, and so on.
 */
import type { LabelEvent } from './events';
import { CurrentLabels, grown, NONE } from './currentLabels';
import { decideLabel, type AnnotatorLabel, type LabelDecision } from './labelRule';
import { StringIndex } from './stringIndex';

export interface CurrentLabel {
  readonly itemId: string;
  /** Labels of the deciding `label` event; empty when skipped or never labeled. */
  readonly labels: readonly string[];
  readonly labeled: boolean;
  readonly skipped: boolean;
  readonly flagged: boolean;
  /** The `label` event that set `labels` (annotator, time, source, strategy, score...). */
  readonly labelEvent: LabelEvent | undefined;
  /** Each annotator's latest label, oldest first; annotators whose latest decision is a skip are absent. */
  readonly annotators: readonly AnnotatorLabel[];
  /** The annotators' own (non-review) labels differ. */
  readonly disagree: boolean;
  /** Which step of the rule decided `labels`; undefined when unlabeled. */
  readonly decidedBy: LabelDecision | undefined;
  /** The last event in effect for the item, of any type. */
  readonly lastEvent: LabelEvent;
}

/** Why an event had no effect; replay turns it into a LogProblem with file:line. */
export interface ApplyIssue {
  readonly kind: 'duplicate-event' | 'unknown-undo-target' | 'undo-no-effect';
  readonly detail: string;
}

/**
 * The reducer keeps every event by its index in log order, with flat arrays beside it (no object
 * per event): whether it is in effect, for an undo that had an effect the index of the event it
 * removed, the item it is filed under, and that item's previous event. So an item's history is a
 * chain from its newest event (kept in CurrentLabels) back to its first.
 */
export class LabelState {
  /** eventId -> index in `log`: every event recorded gets the next number, its index. */
  private readonly byId = new StringIndex();
  /** Every event recorded, in log order; scanned from the end to find the next undo or redo. */
  private readonly log: LabelEvent[] = [];
  /** For label/skip/flag: not undone. For undo: its removal currently holds. */
  private active = new Uint8Array(1024);
  private target = new Int32Array(1024);
  /** The item (CurrentLabels' number) whose history holds the event. */
  private itemOf = new Int32Array(1024);
  /** The previous event in the same item's history, or NONE. */
  private previous = new Int32Array(1024);
  private readonly current = new CurrentLabels((itemId, item) => this.compute(itemId, item));

  /** Items with at least one event in effect, keyed by item id. */
  get labels(): ReadonlyMap<string, CurrentLabel> {
    return this.current;
  }

  /** Every event applied (duplicates of an eventId left out), in the order applied. */
  get events(): readonly LabelEvent[] {
    return this.log;
  }

  get(itemId: string): CurrentLabel | undefined {
    return this.current.get(itemId);
  }

  /** The position in `events` of the event with this eventId, or -1 when none was applied. */
  indexOf(eventId: string): number {
    return this.byId.find(eventId);
  }

  /**
   * Calls `visit` with every event that had an effect when it was applied (`apply` returned
   * undefined), in order: every label, skip and flag, and the undos whose target was in effect.
   */
  forEachApplied(visit: (event: LabelEvent) => void): void {
    const log = this.log;
    for (let at = 0; at < log.length; at++) {
      const event = log[at] as LabelEvent;
      if (event.type !== 'undo' || this.target[at] !== NONE) visit(event);
    }
  }

  /** True when the log holds any event for the item, even an undone one. */
  hasHistory(itemId: string): boolean {
    return this.current.itemOf(itemId) !== NONE;
  }

  /** Applies one event; returns why it had no effect, or undefined when it applied. */
  apply(event: LabelEvent): ApplyIssue | undefined {
    const at = this.log.length;
    // One probe: finds an earlier event with this id, or takes the id for this one (numbered `at`).
    if (this.byId.findOrAdd(event.eventId) !== at) {
      return { kind: 'duplicate-event', detail: `eventId ${event.eventId} appears twice; the later copy was ignored` };
    }
    if (event.type !== 'undo') {
      const item = this.current.itemFor(event.itemId);
      this.record(event, item, true);
      this.current.changed(item, true);
      return undefined;
    }
    const found = this.byId.find(event.undoes ?? '');
    // The undo's own id was just taken above: an undo naming itself names nothing earlier.
    const target = found === at ? NONE : found;
    if (target === NONE) {
      this.record(event, this.current.itemFor(event.itemId), false);
      return {
        kind: 'unknown-undo-target',
        detail: `undo of event ${event.undoes ?? '(none)'}, which does not appear earlier in the log; ignored`,
      };
    }
    // The target's item is authoritative, so a mislabeled undo still affects the right item.
    const targetEvent = this.log[target] as LabelEvent;
    const item = this.current.itemFor(targetEvent.itemId);
    if (this.active[target] === 0) {
      this.record(event, item, false);
      return { kind: 'undo-no-effect', detail: `event ${targetEvent.eventId} was already undone; nothing changed` };
    }
    this.record(event, item, true);
    this.target[at] = target;
    this.setInEffect(target, false);
    return undefined;
  }

  /** The most recent label/skip/flag still in effect (of one item, or of any): what undo removes. */
  nextUndo(itemId?: string): LabelEvent | undefined {
    return this.findLast(itemId, (at) => this.active[at] === 1 && (this.log[at] as LabelEvent).type !== 'undo');
  }

  /**
   * The most recent undo in effect that currently keeps a label/skip/flag out of effect: undoing it
   * is a redo. (An undo in effect that undid an undo is itself a redo, so it is not returned.)
   */
  nextRedo(itemId?: string): LabelEvent | undefined {
    return this.findLast(itemId, (at) => {
      if ((this.log[at] as LabelEvent).type !== 'undo' || this.active[at] === 0) return false;
      let end = at;
      while (this.target[end] !== NONE) end = this.target[end] as number;
      return end !== at && this.active[end] === 0;
    });
  }

  /** The latest event (of one item, or of any) that passes `test`, given its index. */
  private findLast(itemId: string | undefined, test: (at: number) => boolean): LabelEvent | undefined {
    if (itemId === undefined) {
      for (let at = this.log.length - 1; at >= 0; at--) if (test(at)) return this.log[at];
      return undefined;
    }
    const item = this.current.itemOf(itemId);
    if (item === NONE) return undefined;
    for (let at = this.current.newestOf(item); at !== NONE; at = this.previous[at] as number) if (test(at)) return this.log[at];
    return undefined;
  }

  /**
   * Switches an event in or out of effect. An undo in effect keeps its target out of effect, so
   * switching an undo flips its target the other way, down the chain (undo of undo of undo...).
   */
  private setInEffect(at: number, on: boolean): void {
    let current = at;
    let state = on;
    // A loop, not recursion: a long undo/redo toggling session makes a long chain.
    for (;;) {
      this.active[current] = state ? 1 : 0;
      const next = this.target[current] as number;
      if (next === NONE) {
        // The end of a chain is a label, skip or flag: filed under its own item.
        const item = this.itemOf[current] as number;
        this.current.changed(item, this.anyInEffect(item));
        return;
      }
      current = next;
      state = !state;
    }
  }

  /** Adds the event to the log and to the front of its item's history. */
  private record(event: LabelEvent, item: number, active: boolean): void {
    const at = this.log.length;
    if (at === this.active.length) this.grow();
    this.log.push(event);
    this.active[at] = active ? 1 : 0;
    this.target[at] = NONE;
    this.itemOf[at] = item;
    this.previous[at] = this.current.newestOf(item);
    this.current.setNewest(item, at);
  }

  private grow(): void {
    const active = new Uint8Array(this.active.length * 2);
    active.set(this.active);
    this.active = active;
    this.target = grown(this.target);
    this.itemOf = grown(this.itemOf);
    this.previous = grown(this.previous);
  }

  /** Whether any label, skip or flag of the item is in effect. */
  private anyInEffect(item: number): boolean {
    for (let at = this.current.newestOf(item); at !== NONE; at = this.previous[at] as number) {
      if (this.active[at] === 1 && (this.log[at] as LabelEvent).type !== 'undo') return true;
    }
    return false;
  }

  /** The item's current label, from its events in effect (called while some are). */
  private compute(itemId: string, item: number): CurrentLabel {
    // Each annotator's last label/skip in effect, newest first: the newest one, then any others
    // (an item rarely has more than one annotator, so no Map is built for it).
    let newest: LabelEvent | undefined;
    let others: LabelEvent[] | undefined;
    let lastEvent: LabelEvent | undefined;
    let flagged = false;
    for (let at = this.current.newestOf(item); at !== NONE; at = this.previous[at] as number) {
      const event = this.log[at] as LabelEvent;
      if (this.active[at] === 0 || event.type === 'undo') continue;
      lastEvent ??= event;
      if (event.type === 'flag') flagged = true;
      else if (newest === undefined) newest = event;
      else if (newest.annotator !== event.annotator && !(others?.some((o) => o.annotator === event.annotator) ?? false)) {
        (others ??= []).push(event);
      }
    }
    if (lastEvent === undefined) throw new Error(`internal: no event of item ${itemId} is in effect`);
    let skipped = false;
    // One annotator (nearly every item): the list is made at its size, not grown.
    const votes: AnnotatorLabel[] = others === undefined && newest?.type === 'label' ? [{ annotator: newest.annotator, labels: newest.labels, event: newest }] : [];
    if (others === undefined) skipped = newest !== undefined && newest.type !== 'label';
    else {
      for (let i = others.length - 1; i >= 0; i--) {
        const event = others[i] as LabelEvent;
        if (event.type === 'label') votes.push({ annotator: event.annotator, labels: event.labels, event });
        else skipped = true;
      }
      if (newest !== undefined) {
        if (newest.type === 'label') votes.push({ annotator: newest.annotator, labels: newest.labels, event: newest });
        else skipped = true;
      }
    }
    const ruled = decideLabel(votes);
    const labelEvent = ruled.decider;
    return {
      itemId,
      labels: labelEvent?.labels ?? [],
      labeled: labelEvent !== undefined,
      skipped: labelEvent === undefined && skipped,
      flagged,
      labelEvent,
      lastEvent,
      annotators: votes,
      disagree: ruled.disagree,
      decidedBy: ruled.decidedBy,
    };
  }
}
