/**
 * The reducer's per-item record, and the read-only map of current labels over it. One Map entry per
 * item holds both the item's history and its current label, so applying an event looks the item up
 * once (a million-event replay spends much of its time in Map lookups).
 */
import type { CurrentLabel } from './state';

export interface ItemSlot {
  /** Indices of the item's events in log order; a single number while it has one. */
  history: number | number[];
  /** Undefined while no event of the item is in effect. */
  label: CurrentLabel | undefined;
}

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

  get size(): number {
    return this.count;
  }

  get(itemId: string): CurrentLabel | undefined {
    return this.slots.get(itemId)?.label;
  }

  has(itemId: string): boolean {
    return this.slots.get(itemId)?.label !== undefined;
  }

  /** The item's record, if it has any event. */
  slot(itemId: string): ItemSlot | undefined {
    return this.slots.get(itemId);
  }

  /** A record for an item's first event (no label yet). */
  addSlot(itemId: string, first: number): ItemSlot {
    const slot: ItemSlot = { history: first, label: undefined };
    this.slots.set(itemId, slot);
    this.tail = slot;
    return slot;
  }

  /** Sets or clears the item's current label. */
  setLabel(itemId: string, slot: ItemSlot, label: CurrentLabel | undefined): void {
    if (label === undefined) {
      if (slot.label !== undefined) this.count--;
    } else if (slot.label === undefined) {
      this.count++;
      // Gaining a label puts the item last, as Map.set after a delete would.
      if (slot !== this.tail) {
        this.slots.delete(itemId);
        this.slots.set(itemId, slot);
        this.tail = slot;
      }
    }
    slot.label = label;
  }

  *entries(): MapIterator<[string, CurrentLabel]> {
    for (const [itemId, slot] of this.slots) if (slot.label !== undefined) yield [itemId, slot.label];
  }

  *keys(): MapIterator<string> {
    for (const [itemId, slot] of this.slots) if (slot.label !== undefined) yield itemId;
  }

  *values(): MapIterator<CurrentLabel> {
    for (const slot of this.slots.values()) if (slot.label !== undefined) yield slot.label;
  }

  [Symbol.iterator](): MapIterator<[string, CurrentLabel]> {
    return this.entries();
  }

  forEach(callback: (value: CurrentLabel, key: string, map: ReadonlyMap<string, CurrentLabel>) => void, thisArg?: unknown): void {
    for (const [itemId, label] of this.entries()) callback.call(thisArg, label, itemId, this);
  }
}
