/**
 * The row of each item id, built once per pool. A `Map` of a million ids took 0.4-0.5 s to build
 * on a re-open (most of it growing and rehashing its table); this one sizes its table once from the
 * item count (an open-addressing table of two int32 per slot, at most half full: 16 MiB at 1M
 * items), and stores no string: a slot holds the row and the id's 32-bit hash, and a probe compares
 * the id itself only when the hashes agree. It answers as the `Map` did, a later row of the same id
 * included (a dataset has unique ids, but a caller's items need not). The hash is the label log's
 * seeded one (stringIndex.ts), so that no dataset can be written to make every id collide.
 */
import { hashOf as hashId } from '../labels/stringIndex';
import type { DatasetItem } from '../types';

/** What the session asks of its item index (a `ReadonlyMap<string, number>` is one too). */
export interface RowLookup {
  get(itemId: string): number | undefined;
  has(itemId: string): boolean;
}

/** An empty slot. */
const EMPTY = -1;

export class RowIndex implements RowLookup {
  /** Slot i is [2i] the row (EMPTY when none) and [2i + 1] the hash of its id. */
  private readonly table: Int32Array;
  private readonly mask: number;

  constructor(private readonly items: readonly DatasetItem[]) {
    let slots = 16;
    while (slots < 2 * items.length) slots *= 2;
    this.mask = slots - 1;
    this.table = new Int32Array(2 * slots).fill(EMPTY);
    for (let row = 0; row < items.length; row++) {
      const id = (items[row] as DatasetItem).id;
      const hash = hashId(id);
      // Where the id is (a repeated id: the later row wins, as Map.set does), or the empty slot ending its probe.
      const slot = this.slotOf(id, hash);
      this.table[2 * slot] = row;
      this.table[2 * slot + 1] = hash;
    }
  }

  get(itemId: string): number | undefined {
    const row = this.table[2 * this.slotOf(itemId, hashId(itemId))] as number;
    return row === EMPTY ? undefined : row;
  }

  has(itemId: string): boolean {
    return this.table[2 * this.slotOf(itemId, hashId(itemId))] !== EMPTY;
  }

  /** The slot holding `id`, or the empty slot where its probe ends. */
  private slotOf(id: string, hash: number): number {
    const { table, mask, items } = this;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const row = table[2 * slot] as number;
      if (row === EMPTY || (table[2 * slot + 1] === hash && (items[row] as DatasetItem).id === id)) return slot;
    }
  }
}

