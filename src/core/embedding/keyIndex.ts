/**
 * Record numbers by 16-byte key, for records whose keys stay where they are stored (the chunks of
 * StoredRows): an open-addressing table with linear probing, each slot a record number beside the
 * 32-bit hash of its key, so a probe reads the record's key bytes only when the hashes agree. There is
 * no string and no object per record: 1,000,000 keys take 16 MiB (2^21 slots of two int32), where a
 * `Map` of hex strings took about 74 MiB and a `toString('hex')` per record to build.
 *
 * A key is handled as KEY_WORDS little-endian int32 words: parsed from its 32 hex digits
 * (`parseHexKey`, no allocation) or read from a record's bytes (`readKeyWords`).
 */

export const KEY_WORDS = 4;
/** No record: an empty slot, or a key not found. */
export const NONE = -1;
/** The table starts at 2^MIN_BITS slots and doubles when half full. */
const MIN_BITS = 4;
/** 2^30 slots of 8 bytes: far beyond what a cache can hold (each record is bytes of a chunk too). */
const MAX_BITS = 30;

/** Whether record `record`'s key is `key` (KEY_WORDS words). */
export type KeyMatches = (record: number, key: Int32Array) => boolean;

export class KeyIndex {
  /** Slot i is [2i] the record number (NONE when empty) and [2i + 1] the hash of its key. */
  private table = emptyTable(MIN_BITS);
  private bits = MIN_BITS;
  private count = 0;

  constructor(private readonly matches: KeyMatches) {}

  get size(): number {
    return this.count;
  }

  /** The record of `key` (its `hashKey` is `hash`), or NONE. */
  find(key: Int32Array, hash: number): number {
    return this.table[2 * this.slotOf(key, hash)];
  }

  /** Points `key` at `record`; returns the record it pointed at before, or NONE. */
  put(key: Int32Array, hash: number, record: number): number {
    let slot = this.slotOf(key, hash);
    const before = this.table[2 * slot];
    if (before === NONE) {
      // Half full at most, so a probe meets an empty slot within a few steps on average.
      if (2 * (this.count + 1) > 1 << this.bits) {
        this.grow();
        slot = this.freeSlot(hash);
      }
      this.table[2 * slot + 1] = hash | 0;
      this.count++;
    }
    this.table[2 * slot] = record;
    return before;
  }

  /** Forgets `key`; returns the record it pointed at, or NONE. */
  remove(key: Int32Array, hash: number): number {
    let hole = this.slotOf(key, hash);
    const before = this.table[2 * hole];
    if (before === NONE) return NONE;
    // Backward-shift deletion: entries after the hole that may live there move up, so no probe
    // ever stops early at it, and the table holds no tombstones.
    const mask = (1 << this.bits) - 1;
    for (let next = (hole + 1) & mask; this.table[2 * next] !== NONE; next = (next + 1) & mask) {
      const home = this.home(this.table[2 * next + 1]);
      const staysPut = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (staysPut) continue;
      this.table[2 * hole] = this.table[2 * next];
      this.table[2 * hole + 1] = this.table[2 * next + 1];
      hole = next;
    }
    this.table[2 * hole] = NONE;
    this.count--;
    return before;
  }

  clear(): void {
    this.bits = MIN_BITS;
    this.table = emptyTable(MIN_BITS);
    this.count = 0;
  }

  /** The slot holding `key`, or the empty slot where its probe ends. */
  private slotOf(key: Int32Array, hash: number): number {
    // As the table stores it: an int32 (hashKey gives one; another hash may be a uint32).
    hash |= 0;
    const table = this.table;
    const mask = (1 << this.bits) - 1;
    for (let slot = this.home(hash); ; slot = (slot + 1) & mask) {
      const record = table[2 * slot];
      if (record === NONE || (table[2 * slot + 1] === hash && this.matches(record, key))) return slot;
    }
  }

  /** The first empty slot of `hash`'s probe (for a key known to be absent). */
  private freeSlot(hash: number): number {
    const mask = (1 << this.bits) - 1;
    let slot = this.home(hash);
    while (this.table[2 * slot] !== NONE) slot = (slot + 1) & mask;
    return slot;
  }

  private home(hash: number): number {
    return hash >>> (32 - this.bits);
  }

  /** Doubles the table, re-placing entries by their stored hashes (no key is read). */
  private grow(): void {
    if (this.bits === MAX_BITS) throw new RangeError(`KeyIndex: more than 2^${MAX_BITS - 1} keys`);
    const old = this.table;
    this.bits++;
    this.table = emptyTable(this.bits);
    for (let i = 0; i < old.length; i += 2) {
      const record = old[i];
      if (record === NONE) continue;
      const slot = this.freeSlot(old[i + 1]);
      this.table[2 * slot] = record;
      this.table[2 * slot + 1] = old[i + 1];
    }
  }
}

function emptyTable(bits: number): Int32Array {
  return new Int32Array(2 << bits).fill(NONE);
}

/**
 * A 32-bit hash of all 16 bytes (the cache's keys are already hash output, but a caller's keys may
 * differ in one word only, as `i.toString(16).padStart(32, '0')` does): the words folded with odd
 * multipliers, then murmur3's finalizer, so the table's top bits depend on every byte.
 */
export function hashKey(key: Int32Array): number {
  let h = (key[0]) ^ Math.imul(key[1], 0x9e3779b1) ^ Math.imul(key[2], 0x85ebca6b) ^ Math.imul(key[3], 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The word of `bytes[at .. at + 4]`, little endian, as an int32. */
function wordAt(bytes: Uint8Array, at: number): number {
  return (bytes[at]) | ((bytes[at + 1]) << 8) | ((bytes[at + 2]) << 16) | ((bytes[at + 3]) << 24);
}

/** The key of `bytes[at .. at + 16]` into `into`. */
export function readKeyWords(bytes: Uint8Array, at: number, into: Int32Array): void {
  for (let w = 0; w < KEY_WORDS; w++) into[w] = wordAt(bytes, at + 4 * w);
}

/** Writes `key` as `bytes[at .. at + 16]`. */
export function writeKeyWords(key: Int32Array, bytes: Uint8Array, at: number): void {
  for (let w = 0; w < KEY_WORDS; w++) {
    const word = key[w];
    const to = at + 4 * w;
    bytes[to] = word;
    bytes[to + 1] = word >>> 8;
    bytes[to + 2] = word >>> 16;
    bytes[to + 3] = word >>> 24;
  }
}

/** Whether `bytes[at .. at + 16]` is `key`. */
export function keyWordsAre(bytes: Uint8Array, at: number, key: Int32Array): boolean {
  for (let w = 0; w < KEY_WORDS; w++) if (wordAt(bytes, at + 4 * w) !== key[w]) return false;
  return true;
}

/** The value of each lowercase hex digit by char code (others -1). */
const HEX_DIGIT = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let d = 0; d < 16; d++) table[d.toString(16).charCodeAt(0)] = d;
  return table;
})();

/**
 * Parses a key as the cache writes it, 32 lowercase hex digits (cacheKeys.ts `keyOf`), into
 * `into`; false for anything else (`into` is then garbage). Uppercase is refused, as a `Map` of the
 * lowercase strings never found it. Unrolled by word and checked once per word: a lookup parses
 * its key every call, and this takes about a third of a loop of digit calls.
 */
export function parseHexKey(hex: string, into: Int32Array): boolean {
  if (hex.length !== 8 * KEY_WORDS) return false;
  let bad = 0;
  for (let w = 0; w < KEY_WORDS; w++) {
    const at = 8 * w;
    const c0 = hex.charCodeAt(at);
    const c1 = hex.charCodeAt(at + 1);
    const c2 = hex.charCodeAt(at + 2);
    const c3 = hex.charCodeAt(at + 3);
    const c4 = hex.charCodeAt(at + 4);
    const c5 = hex.charCodeAt(at + 5);
    const c6 = hex.charCodeAt(at + 6);
    const c7 = hex.charCodeAt(at + 7);
    const d0 = HEX_DIGIT[c0 & 255];
    const d1 = HEX_DIGIT[c1 & 255];
    const d2 = HEX_DIGIT[c2 & 255];
    const d3 = HEX_DIGIT[c3 & 255];
    const d4 = HEX_DIGIT[c4 & 255];
    const d5 = HEX_DIGIT[c5 & 255];
    const d6 = HEX_DIGIT[c6 & 255];
    const d7 = HEX_DIGIT[c7 & 255];
    // A digit of -1, or a char code past 255 (which `& 255` would have folded onto a digit), makes `bad` negative.
    bad |= d0 | d1 | d2 | d3 | d4 | d5 | d6 | d7 | ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) > 255 ? -1 : 0);
    // Two digits a byte, high digit first; bytes little endian in the word.
    into[w] = (d0 << 4) | d1 | (d2 << 12) | (d3 << 8) | (d4 << 20) | (d5 << 16) | (d6 << 28) | (d7 << 24);
  }
  return bad >= 0;
}
