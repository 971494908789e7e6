/**
 * The label log's memory of which eventIds the file at the path holds: the events replay read from
 * it, and those the log has written since. The replayed ones are looked up in the replay's own
 * reducer (its eventId index) instead of a second index of a possibly million-event file. That
 * reducer may go on taking events (a session adopts it), so only its first `replayedCount` events,
 * the file as it was read, count here; an index entry, once made, never changes.
 */
import type { LabelEvent } from './events';
import type { ReplayResult } from './replay';
import type { LabelState } from './state';

export class KnownEvents {
  /** Written by the log after the replay, in the order written. */
  private readonly written = new Map<string, LabelEvent>();
  private readonly replayedCount: number;
  private readonly events: readonly LabelEvent[];
  private readonly index: LabelState;

  constructor(replayed: Pick<ReplayResult, 'events' | 'labelState'>) {
    this.events = replayed.events;
    this.index = replayed.labelState;
    this.replayedCount = replayed.events.length;
  }

  /** The file's event with this eventId, as far as the log knows. */
  get(eventId: string): LabelEvent | undefined {
    const at = this.index.indexOf(eventId);
    if (at >= 0 && at < this.replayedCount) {
      const event = this.events[at] as LabelEvent;
      // The reducer numbers events in the order it records them; should that ever change, a label
      // the file does not hold would look written: refuse loudly instead.
      if (event.eventId !== eventId) throw new Error(`label log index out of step: event ${at} is ${event.eventId}, not ${eventId}`);
      return event;
    }
    return this.written.get(eventId);
  }

  has(eventId: string): boolean {
    return this.get(eventId) !== undefined;
  }

  /** An event the log wrote (its eventId not known before). */
  add(event: LabelEvent): void {
    this.written.set(event.eventId, event);
  }

  /** Every known event: the replayed ones in file order, then the written ones. */
  *values(): IterableIterator<LabelEvent> {
    const events = this.events;
    for (let at = 0; at < this.replayedCount; at++) yield events[at] as LabelEvent;
    yield* this.written.values();
  }
}
