/**
 * Record numbers by 16-byte key: an open-addressing table with linear probing, each slot a record
 * number beside the key's four words, so a probe compares keys in the table and never reads a
 * record. There is no string and no object per record: 1,000,000 keys take 40 MiB (2^21 slots of
 * five int32), where a `Map` of hex strings took about 74 MiB and a `toString('hex')` per record to
 * build. (A slot of record and hash only, 16 MiB, read the record's key bytes on every hit: two
 * cache misses a lookup over a half-gigabyte cache instead of one, 0.5 s of a re-open at 1M.)
 *
 * A key is handled as KEY_WORDS little-endian int32 words: parsed from its 32 hex digits
 * (`parseHexKey`, no allocation) or read from a record's bytes (`readKeyWords`).
 */

export const KEY_WORDS = 4;
/** No record: an empty slot, or a key not found. */
export const NONE = -1;
/** The table starts at 2^MIN_BITS slots and doubles when half full. */
const MIN_BITS = 4;
/** 2^28 slots of 20 bytes: far beyond what a cache can hold (each record is bytes of a chunk too). */
const MAX_BITS = 28;
/** Int32 words per slot: the record, then the key's words. */
const SLOT = 1 + KEY_WORDS;

export class KeyIndex {
  /** Slot i is [5i] the record number (NONE when empty), [5i + 1 .. 5i + 4] its key's words. */
  private table = emptyTable(MIN_BITS);
  private bits = MIN_BITS;
  private count = 0;
  /** A stored key's words, copied out to hash them (growing, removing). */
  private readonly scratch = new Int32Array(KEY_WORDS);

  /** `hashOf` places keys (hashKey; tests force collisions with their own). */
  constructor(private readonly hashOf: (key: Int32Array) => number = hashKey) {}

  get size(): number {
    return this.count;
  }

  /** The record of `key`, or NONE. */
  find(key: Int32Array): number {
    return this.table[SLOT * this.slotOf(key)] as number;
  }

  /** Points `key` at `record`; returns the record it pointed at before, or NONE. */
  put(key: Int32Array, record: number): number {
    let slot = this.slotOf(key);
    const before = this.table[SLOT * slot] as number;
    if (before === NONE) {
      // Half full at most, so a probe meets an empty slot within a few steps on average.
      if (2 * (this.count + 1) > 1 << this.bits) {
        this.grow();
        slot = this.freeSlot(this.hashOf(key));
      }
      const at = SLOT * slot + 1;
      for (let w = 0; w < KEY_WORDS; w++) this.table[at + w] = key[w] as number;
      this.count++;
    }
    this.table[SLOT * slot] = record;
    return before;
  }

  /** Forgets `key`; returns the record it pointed at, or NONE. */
  remove(key: Int32Array): number {
    let hole = this.slotOf(key);
    const table = this.table;
    const before = table[SLOT * hole] as number;
    if (before === NONE) return NONE;
    // Backward-shift deletion: entries after the hole that may live there move up, so no probe
    // ever stops early at it, and the table holds no tombstones.
    const mask = (1 << this.bits) - 1;
    for (let next = (hole + 1) & mask; table[SLOT * next] !== NONE; next = (next + 1) & mask) {
      const home = this.home(this.storedHash(next));
      const staysPut = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (staysPut) continue;
      table.copyWithin(SLOT * hole, SLOT * next, SLOT * next + SLOT);
      hole = next;
    }
    table[SLOT * hole] = NONE;
    this.count--;
    return before;
  }

  /** Room for `keys` keys without growing (only while empty: a file's records, whose count its header gives). */
  reserve(keys: number): void {
    if (this.count !== 0) return;
    let bits = this.bits;
    while (2 * keys > 1 << bits && bits < MAX_BITS) bits++;
    if (bits === this.bits) return;
    this.bits = bits;
    this.table = emptyTable(bits);
  }

  clear(): void {
    this.bits = MIN_BITS;
    this.table = emptyTable(MIN_BITS);
    this.count = 0;
  }

  /** The slot holding `key`, or the empty slot where its probe ends. */
  private slotOf(key: Int32Array): number {
    const table = this.table;
    const mask = (1 << this.bits) - 1;
    const k0 = key[0] as number;
    const k1 = key[1] as number;
    const k2 = key[2] as number;
    const k3 = key[3] as number;
    for (let slot = this.home(this.hashOf(key)); ; slot = (slot + 1) & mask) {
      const at = SLOT * slot;
      if (table[at] === NONE || (table[at + 1] === k0 && table[at + 2] === k1 && table[at + 3] === k2 && table[at + 4] === k3)) return slot;
    }
  }

  /** The hash of the key stored in `slot`. */
  private storedHash(slot: number): number {
    const at = SLOT * slot + 1;
    const words = this.scratch;
    for (let w = 0; w < KEY_WORDS; w++) words[w] = this.table[at + w] as number;
    return this.hashOf(words);
  }

  /** The first empty slot of `hash`'s probe (for a key known to be absent). */
  private freeSlot(hash: number): number {
    const mask = (1 << this.bits) - 1;
    let slot = this.home(hash);
    while (this.table[SLOT * slot] !== NONE) slot = (slot + 1) & mask;
    return slot;
  }

  /** As the table places it: the top bits of an int32 (hashKey gives one; another hash may be a uint32). */
  private home(hash: number): number {
    return (hash | 0) >>> (32 - this.bits);
  }

  /** Doubles the table, re-placing every entry by its key's hash (no record is read). */
  private grow(): void {
    if (this.bits === MAX_BITS) throw new RangeError(`KeyIndex: more than 2^${MAX_BITS - 1} keys`);
    const old = this.table;
    const oldSlots = 1 << this.bits;
    this.bits++;
    this.table = emptyTable(this.bits);
    const words = this.scratch;
    for (let s = 0; s < oldSlots; s++) {
      const at = SLOT * s;
      if (old[at] === NONE) continue;
      for (let w = 0; w < KEY_WORDS; w++) words[w] = old[at + 1 + w] as number;
      const to = SLOT * this.freeSlot(this.hashOf(words));
      for (let w = 0; w < SLOT; w++) this.table[to + w] = old[at + w] as number;
    }
  }
}

function emptyTable(bits: number): Int32Array {
  const table = new Int32Array(SLOT << bits);
  for (let at = 0; at < table.length; at += SLOT) table[at] = NONE;
  return table;
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
