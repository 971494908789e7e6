/**
 * Strings to dense numbers (0, 1, 2... in the order added): the reducer's index of event ids and of
 * item ids. A million-event replay makes a million fresh strings into keys; a `Map` spends most of
 * its time there on its own hash table, in memory the garbage collector has to walk and copy as it
 * grows. This is an open-addressing table in one typed array (hash and number side by side, so a
 * probe reads one place) beside the list of keys: one probe both finds and adds, and it holds no
 * object the collector needs to trace but the keys themselves.
 *
 * Nothing depends on the hashes but speed: numbers are given in the order keys are added, and
 * lookups compare the keys themselves. The hash is seeded per process, so that no file can be
 * written to make every key collide.
 */

const SEED = (Math.random() * 0x100000000) | 0;
const EMPTY = 0;
const INITIAL_SLOTS = 64;

/**
 * FNV-1a over the UTF-16 code units, then murmur3's finalizer so that every bit reaches the low
 * ones; seeded per process. Also the session's item index's (src/core/session/rowIndex.ts).
 */
export function hashOf(key: string): number {
  let h = SEED ^ 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class StringIndex {
  private readonly list: string[] = [];
  /** Pairs (hash, number + 1) by slot; number + 1 is EMPTY for a free slot. Half full at most. */
  private table = new Int32Array(INITIAL_SLOTS * 2);
  private mask = INITIAL_SLOTS - 1;

  get size(): number {
    return this.list.length;
  }

  /** The keys, by number. */
  get keys(): readonly string[] {
    return this.list;
  }

  /** The key's number, or -1. */
  find(key: string): number {
    const table = this.table;
    const mask = this.mask;
    const hash = hashOf(key);
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = table[2 * slot + 1] as number;
      if (entry === EMPTY) return -1;
      if (table[2 * slot] === hash && this.list[entry - 1] === key) return entry - 1;
    }
  }

  /** The key's number; a key not seen before is added with the next number (`size` before the call). */
  findOrAdd(key: string): number {
    const table = this.table;
    const mask = this.mask;
    const hash = hashOf(key);
    let slot = hash & mask;
    for (; ; slot = (slot + 1) & mask) {
      const entry = table[2 * slot + 1] as number;
      if (entry === EMPTY) break;
      if (table[2 * slot] === hash && this.list[entry - 1] === key) return entry - 1;
    }
    const number = this.list.length;
    this.list.push(key);
    table[2 * slot] = hash;
    table[2 * slot + 1] = number + 1;
    if (2 * this.list.length > mask) this.grow();
    return number;
  }

  /** Twice the slots: every pair moves to its place in the bigger table (the hashes are kept, not recomputed). */
  private grow(): void {
    const old = this.table;
    const mask = 2 * (this.mask + 1) - 1;
    const table = new Int32Array(2 * (mask + 1));
    for (let i = 0; i < old.length; i += 2) {
      const entry = old[i + 1] as number;
      if (entry === EMPTY) continue;
      const hash = old[i] as number;
      let slot = hash & mask;
      while (table[2 * slot + 1] !== EMPTY) slot = (slot + 1) & mask;
      table[2 * slot] = hash;
      table[2 * slot + 1] = entry;
    }
    this.table = table;
    this.mask = mask;
  }
}
