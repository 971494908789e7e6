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
import { decideLabel, type AnnotatorLabel, type LabelDecision } from './labelRule';

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

interface Entry {
  readonly event: LabelEvent;
  /** For label/skip/flag: not undone. For undo: its removal currently holds. */
  active: boolean;
  /** For an undo that had an effect: the entry it removed. */
  target: Entry | undefined;
}

export class LabelState {
  private readonly byId = new Map<string, Entry>();
  /** Every entry in log order; scanned from the end to find the next undo or redo. */
  private readonly entries: Entry[] = [];
  private readonly historyByItem = new Map<string, Entry[]>();
  private readonly current = new Map<string, CurrentLabel>();

  /** Items with at least one event in effect, keyed by item id. */
  get labels(): ReadonlyMap<string, CurrentLabel> {
    return this.current;
  }

  get(itemId: string): CurrentLabel | undefined {
    return this.current.get(itemId);
  }

  /** True when the log holds any event for the item, even an undone one. */
  hasHistory(itemId: string): boolean {
    return this.historyByItem.has(itemId);
  }

  /** Applies one event; returns why it had no effect, or undefined when it applied. */
  apply(event: LabelEvent): ApplyIssue | undefined {
    if (this.byId.has(event.eventId)) {
      return { kind: 'duplicate-event', detail: `eventId ${event.eventId} appears twice; the later copy was ignored` };
    }
    const entry: Entry = { event, active: true, target: undefined };
    if (event.type !== 'undo') {
      this.record(entry, event.itemId);
      this.recompute(event.itemId);
      return undefined;
    }
    const target = this.byId.get(event.undoes ?? '');
    if (target === undefined) {
      entry.active = false;
      this.record(entry, event.itemId);
      return {
        kind: 'unknown-undo-target',
        detail: `undo of event ${event.undoes ?? '(none)'}, which does not appear earlier in the log; ignored`,
      };
    }
    // The target's item is authoritative, so a mislabeled undo still affects the right item.
    const itemId = target.event.itemId;
    this.record(entry, itemId);
    if (!target.active) {
      entry.active = false;
      return { kind: 'undo-no-effect', detail: `event ${target.event.eventId} was already undone; nothing changed` };
    }
    entry.target = target;
    this.setInEffect(target, false);
    return undefined;
  }

  /** The most recent label/skip/flag still in effect (of one item, or of any): what undo removes. */
  nextUndo(itemId?: string): LabelEvent | undefined {
    const list = itemId === undefined ? this.entries : (this.historyByItem.get(itemId) ?? []);
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i] as Entry;
      if (e.active && e.event.type !== 'undo') return e.event;
    }
    return undefined;
  }

  /**
   * The most recent undo in effect that currently keeps a label/skip/flag out of effect: undoing it
   * is a redo. (An undo in effect that undid an undo is itself a redo, so it is not returned.)
   */
  nextRedo(itemId?: string): LabelEvent | undefined {
    const list = itemId === undefined ? this.entries : (this.historyByItem.get(itemId) ?? []);
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i] as Entry;
      if (e.event.type !== 'undo' || !e.active) continue;
      let end: Entry = e;
      while (end.target !== undefined) end = end.target;
      if (end !== e && !end.active) return e.event;
    }
    return undefined;
  }

  /**
   * Switches an entry in or out of effect. An undo in effect keeps its target out of effect, so
   * switching an undo flips its target the other way, down the chain (undo of undo of undo...).
   */
  private setInEffect(entry: Entry, on: boolean): void {
    let current: Entry | undefined = entry;
    let state = on;
    // A loop, not recursion: a long undo/redo toggling session makes a long chain.
    while (current !== undefined) {
      current.active = state;
      if (current.target === undefined) this.recompute(current.event.itemId);
      current = current.target;
      state = !state;
    }
  }

  private record(entry: Entry, itemId: string): void {
    this.byId.set(entry.event.eventId, entry);
    this.entries.push(entry);
    const history = this.historyByItem.get(itemId);
    if (history === undefined) this.historyByItem.set(itemId, [entry]);
    else history.push(entry);
  }

  private recompute(itemId: string): void {
    const history = this.historyByItem.get(itemId) ?? [];
    // Each annotator's last label/skip in effect, newest first: the newest one, then any others
    // (an item rarely has more than one annotator, so no Map is built for it).
    let newest: LabelEvent | undefined;
    let others: LabelEvent[] | undefined;
    let lastEvent: LabelEvent | undefined;
    let flagged = false;
    for (let i = history.length - 1; i >= 0; i--) {
      const { event, active } = history[i] as Entry;
      if (!active || event.type === 'undo') continue;
      lastEvent ??= event;
      if (event.type === 'flag') flagged = true;
      else if (newest === undefined) newest = event;
      else if (newest.annotator !== event.annotator && !(others?.some((o) => o.annotator === event.annotator) ?? false)) {
        (others ??= []).push(event);
      }
    }
    if (lastEvent === undefined) {
      this.current.delete(itemId);
      return;
    }
    const votes: AnnotatorLabel[] = [];
    let skipped = false;
    if (others !== undefined) {
      for (let i = others.length - 1; i >= 0; i--) {
        const event = others[i] as LabelEvent;
        if (event.type === 'label') votes.push({ annotator: event.annotator, labels: event.labels, event });
        else skipped = true;
      }
    }
    if (newest !== undefined) {
      if (newest.type === 'label') votes.push({ annotator: newest.annotator, labels: newest.labels, event: newest });
      else skipped = true;
    }
    const ruled = decideLabel(votes);
    const labelEvent = ruled.decider;
    this.current.set(itemId, {
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
    });
  }
}
