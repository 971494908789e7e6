/**
 * The reducer's per-item record, and the read-only map of current labels over it. One Map entry per
 * item holds both the item's history and its current label, so applying an event looks the item up
 * once (a million-event replay spends much of its time in Map lookups). A label is computed when it
 * is read and kept until the item's events change: replaying a long history builds each item's
 * current label once, not once per event.
 */
import type { CurrentLabel } from './state';

export interface ItemSlot {
  /** Indices of the item's events in log order; a single number while it has one. */
  history: number | number[];
  /** Some event of the item (a label, skip or flag) is in effect: the item has a current label. */
  inEffect: boolean;
  /** The current label as last computed; undefined until read after a change. */
  label: CurrentLabel | undefined;
}

/** Builds an item's current label from its history (called only while `inEffect`). */
export type ComputeLabel = (itemId: string, slot: ItemSlot) => CurrentLabel;

/**
 * Items with a current label, keyed by item id, in the order a Map would hold them had each item
 * been set when it gained a label and deleted when it lost its last one: an item labeled again
 * after all its events were undone comes last.
 */
export class CurrentLabels implements ReadonlyMap<string, CurrentLabel> {
  /** Every item with any event, even an undone one. */
  private readonly slots = new Map<string, ItemSlot>();
  private count = 0;
  /** The slot last in the map's order (so gaining a label there needs no move). */
  private tail: ItemSlot | undefined;

  constructor(private readonly compute: ComputeLabel) {}

  get size(): number {
    return this.count;
  }

  get(itemId: string): CurrentLabel | undefined {
    const slot = this.slots.get(itemId);
    return slot === undefined ? undefined : this.read(itemId, slot);
  }

  has(itemId: string): boolean {
    return this.slots.get(itemId)?.inEffect === true;
  }

  /** The item's record, if it has any event. */
  slot(itemId: string): ItemSlot | undefined {
    return this.slots.get(itemId);
  }

  /** A record for an item's first event (no label yet). */
  addSlot(itemId: string, first: number): ItemSlot {
    const slot: ItemSlot = { history: first, inEffect: false, label: undefined };
    this.slots.set(itemId, slot);
    this.tail = slot;
    return slot;
  }

  /** The item's events changed; `inEffect` says whether any of them is in effect now. */
  changed(itemId: string, slot: ItemSlot, inEffect: boolean): void {
    slot.label = undefined;
    if (!inEffect) {
      if (slot.inEffect) this.count--;
    } else if (!slot.inEffect) {
      this.count++;
      // Gaining a label puts the item last, as Map.set after a delete would.
      if (slot !== this.tail) {
        this.slots.delete(itemId);
        this.slots.set(itemId, slot);
        this.tail = slot;
      }
    }
    slot.inEffect = inEffect;
  }

  private read(itemId: string, slot: ItemSlot): CurrentLabel | undefined {
    if (!slot.inEffect) return undefined;
    return (slot.label ??= this.compute(itemId, slot));
  }

  *entries(): MapIterator<[string, CurrentLabel]> {
    for (const [itemId, slot] of this.slots) if (slot.inEffect) yield [itemId, this.read(itemId, slot) as CurrentLabel];
  }

  *keys(): MapIterator<string> {
    for (const [itemId, slot] of this.slots) if (slot.inEffect) yield itemId;
  }

  *values(): MapIterator<CurrentLabel> {
    for (const [itemId, slot] of this.slots) if (slot.inEffect) yield this.read(itemId, slot) as CurrentLabel;
  }

  [Symbol.iterator](): MapIterator<[string, CurrentLabel]> {
    return this.entries();
  }

  forEach(callback: (value: CurrentLabel, key: string, map: ReadonlyMap<string, CurrentLabel>) => void, thisArg?: unknown): void {
    for (const [itemId, label] of this.entries()) callback.call(thisArg, label, itemId, this);
  }
}
