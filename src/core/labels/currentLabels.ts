/**
 * The reducer's per-item records, and the read-only map of current labels over them. Each item seen
 * in the log gets a number (in the order first seen); by number, flat arrays hold its newest event,
 * whether it has a current label, the label as last computed, and its place in the map's order. So
 * applying an event finds its item with one probe of a StringIndex and creates no object per item
 * (a million-event replay would otherwise spend much of its time in Map lookups and the garbage
 * collector). A label is computed when it is read and kept until the item's events change:
 * replaying a long history builds each item's current label once, not once per event.
 */
import type { CurrentLabel } from './state';
import { StringIndex } from './stringIndex';

/** No item / no event. */
export const NONE = -1;

/** Builds an item's current label (called only while it has an event in effect). */
export type ComputeLabel = (itemId: string, item: number) => CurrentLabel;

/**
 * Items with a current label, keyed by item id, in the order a Map would hold them had each item
 * been set when it gained a label and deleted when it lost its last one: an item labeled again
 * after all its events were undone comes last. That order is a list linked through `next`/`prev`
 * (nothing applies events while iterating it).
 */
export class CurrentLabels implements ReadonlyMap<string, CurrentLabel> {
  /** Every item with any event, even an undone one: item id -> item number. */
  private readonly ids = new StringIndex();
  /** By item: its newest event (an index in the reducer's log). */
  private newest = new Int32Array(256);
  /** By item: 1 while some event of the item (a label, skip or flag) is in effect. */
  private inEffect = new Uint8Array(256);
  /** By item: the current label as last computed; undefined until read after a change. */
  private readonly cache: (CurrentLabel | undefined)[] = [];
  private next = new Int32Array(256);
  private prev = new Int32Array(256);
  private head = NONE;
  private tail = NONE;
  private count = 0;

  constructor(private readonly compute: ComputeLabel) {}

  get size(): number {
    return this.count;
  }

  get(itemId: string): CurrentLabel | undefined {
    const item = this.ids.find(itemId);
    return item === NONE ? undefined : this.read(item);
  }

  has(itemId: string): boolean {
    const item = this.ids.find(itemId);
    return item !== NONE && this.inEffect[item] === 1;
  }

  /** The item's number, or NONE when it has no event. */
  itemOf(itemId: string): number {
    return this.ids.find(itemId);
  }

  /** The item's number, given one (with no event yet, no label) when it is new. */
  itemFor(itemId: string): number {
    const item = this.ids.findOrAdd(itemId);
    if (item === this.cache.length) this.added(item);
    return item;
  }

  /** The item's newest event. */
  newestOf(item: number): number {
    return this.newest[item] as number;
  }

  setNewest(item: number, at: number): void {
    this.newest[item] = at;
  }

  /** The item's events changed; `inEffect` says whether any of them is in effect now. */
  changed(item: number, inEffect: boolean): void {
    this.cache[item] = undefined;
    const was = this.inEffect[item] === 1;
    if (inEffect === was) return;
    this.inEffect[item] = inEffect ? 1 : 0;
    if (inEffect) {
      // Gaining a label puts the item last, as Map.set after a delete would.
      this.count++;
      this.prev[item] = this.tail;
      this.next[item] = NONE;
      if (this.tail === NONE) this.head = item;
      else this.next[this.tail] = item;
      this.tail = item;
    } else {
      this.count--;
      const before = this.prev[item] as number;
      const after = this.next[item] as number;
      if (before === NONE) this.head = after;
      else this.next[before] = after;
      if (after === NONE) this.tail = before;
      else this.prev[after] = before;
    }
  }

  private added(item: number): void {
    if (item === this.newest.length) {
      this.newest = grown(this.newest);
      this.next = grown(this.next);
      this.prev = grown(this.prev);
      const inEffect = new Uint8Array(this.inEffect.length * 2);
      inEffect.set(this.inEffect);
      this.inEffect = inEffect;
    }
    this.newest[item] = NONE;
    this.cache.push(undefined);
  }

  private read(item: number): CurrentLabel | undefined {
    if (this.inEffect[item] === 0) return undefined;
    return (this.cache[item] ??= this.compute(this.ids.keys[item] as string, item));
  }

  *entries(): MapIterator<[string, CurrentLabel]> {
    const keys = this.ids.keys;
    for (let item = this.head; item !== NONE; item = this.next[item] as number) {
      if (this.inEffect[item] === 1) yield [keys[item] as string, this.read(item) as CurrentLabel];
    }
  }

  *keys(): MapIterator<string> {
    const keys = this.ids.keys;
    for (let item = this.head; item !== NONE; item = this.next[item] as number) if (this.inEffect[item] === 1) yield keys[item] as string;
  }

  *values(): MapIterator<CurrentLabel> {
    for (let item = this.head; item !== NONE; item = this.next[item] as number) if (this.inEffect[item] === 1) yield this.read(item) as CurrentLabel;
  }

  [Symbol.iterator](): MapIterator<[string, CurrentLabel]> {
    return this.entries();
  }

  forEach(callback: (value: CurrentLabel, key: string, map: ReadonlyMap<string, CurrentLabel>) => void, thisArg?: unknown): void {
    for (const [itemId, label] of this.entries()) callback.call(thisArg, label, itemId, this);
  }
}

/** A copy twice as long (the rest zero). */
export function grown(array: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
