/**
 * Vectors kept the way the cache file stores them: records of a 16-byte key and one row encoded in
 * the file's storage type (quantize.ts), in chunks of a few MiB, decoded one row at a time when
 * asked for. A store is filled either by `adopt` (the buffers read from a file) or by `append`
 * (vectors set this run), never both. A re-opened cache of 1,000,000 x 384 int8 rows holds 404 MB here, where a map of
 * float32 vectors held 1.5 GB plus a million array headers; and the file is read chunk by chunk
 * into these buffers, never as one.
 *
 * The keys are binary, in the records and in `KeyIndex` (which holds each key's words beside its
 * record number, so a lookup never reads a record): adopting a million records builds no string and
 * no `Map` entry (those took 57 MiB more at 1M, and 0.6-1.3 s more CPU to open and read;
 * docs/benchmarks.md, "Binary key index"). Keys come and go as 32 hex digits, parsed once per call
 * into a reused buffer.
 */
import { KEY_WORDS, KeyIndex, NONE, parseHexKey, readKeyWords, writeKeyWords } from './keyIndex';
import { type VectorDtype, decodeRow, decodeRowCopy, encodeRow, rowBytes } from './quantize';
import type { RowLocation } from './rowLocation';

const KEY_BYTES = 16;
/** `append` allocates chunks of about this many bytes. */
const APPEND_CHUNK_BYTES = 4 * 1024 * 1024;

export class StoredRows {
  /** Key -> slot (record number across the chunks). A slot it does not point at is dead. */
  private readonly index = new KeyIndex();
  /**
   * 1 for a dead slot (its key deleted, or set again in a later slot), so that `keys()` and
   * `records()` walk the live ones in slot order: the order a `Map` kept, as the file is written.
   */
  private dead = new Uint8Array(0);
  private readonly chunks: Buffer[] = [];
  /** Slots per chunk: every chunk holds exactly this many records but the last. */
  private perChunk = 0;
  private slots = 0;
  private appending = false;
  /** The key of the call at hand, as words (reused: a lookup allocates nothing). */
  private readonly probe = new Int32Array(KEY_WORDS);
  readonly recordBytes: number;

  constructor(
    readonly dtype: VectorDtype,
    readonly dims: number,
  ) {
    this.recordBytes = KEY_BYTES + rowBytes(dtype, dims);
  }

  get size(): number {
    return this.index.size;
  }

  /** Bytes of records held, replaced ones included. */
  get bytes(): number {
    return this.slots * this.recordBytes;
  }

  /**
   * Encodes `vector` (dims floats the dtype can hold: see canEncode) under `key` (32 lowercase hex
   * digits, as cacheKeys.ts `keyOf` gives; a RangeError otherwise); a key set again points at its new row.
   */
  append(key: string, vector: Float32Array): void {
    const [chunk, at] = this.nextSlot(key);
    encodeRow(this.dtype, vector, chunk, at + KEY_BYTES);
  }

  /** `append` of a row already encoded in this dtype: `bytes[at ..]` (a journal's records, see cacheJournal.ts). */
  appendEncoded(key: string, bytes: Uint8Array, at: number): void {
    const [chunk, to] = this.nextSlot(key);
    chunk.set(bytes.subarray(at, at + this.recordBytes - KEY_BYTES), to + KEY_BYTES);
  }

  /** The slot the next appended row of `key` goes to, its key written. */
  private nextSlot(key: string): readonly [Buffer, number] {
    if (this.slots > 0 && !this.appending) throw new Error('StoredRows: append after adopt');
    if (!parseHexKey(key, this.probe)) throw new RangeError(`StoredRows: a key is 32 lowercase hex digits, not ${JSON.stringify(key)}`);
    this.appending = true;
    if (this.perChunk === 0) this.perChunk = Math.max(1, Math.floor(APPEND_CHUNK_BYTES / this.recordBytes));
    if (this.slots === this.chunks.length * this.perChunk) this.chunks.push(Buffer.alloc(this.perChunk * this.recordBytes));
    const slot = this.slots++;
    this.reserveDead(this.slots);
    const located = this.locate(slot);
    writeKeyWords(this.probe, located[0], located[1]);
    // The replaced slot dies, so a key set again moves to the end, in the order it was last set.
    const replaced = this.index.put(this.probe, slot);
    if (replaced !== NONE) this.dead[replaced] = 1;
    return located;
  }

  /** The row of `key` as stored (a view, valid while this holds it), or undefined. */
  encoded(key: string): Uint8Array | undefined {
    const slot = this.find(key);
    if (slot === NONE) return undefined;
    const [chunk, at] = this.locate(slot);
    return chunk.subarray(at + KEY_BYTES, at + this.recordBytes);
  }

  /** Room for `records` records to be adopted (a file's, as its header counts them), so the index is sized once. */
  reserve(records: number): void {
    if (this.slots > 0) return;
    this.index.reserve(records);
    this.reserveDead(records);
  }

  /**
   * Takes `chunk` (whole records, key then row, as in the file) as storage; every chunk but the last
   * must hold the same number of records.
   */
  adopt(chunk: Uint8Array): void {
    const records = chunk.length / this.recordBytes;
    if (!Number.isInteger(records)) throw new RangeError(`a chunk of ${chunk.length} bytes is not whole records of ${this.recordBytes}`);
    if (records === 0) return;
    if (this.appending) throw new Error('StoredRows: adopt after append');
    if (this.perChunk === 0) this.perChunk = records;
    else if (this.slots % this.perChunk !== 0 || records > this.perChunk) throw new RangeError('only the last chunk may be shorter');
    const first = this.slots;
    const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.chunks.push(buffer);
    this.slots += records;
    this.reserveDead(this.slots);
    const probe = this.probe;
    for (let r = 0; r < records; r++) {
      readKeyWords(buffer, r * this.recordBytes, probe);
      const earlier = this.index.put(probe, first + r);
      if (earlier !== NONE) this.repeated(earlier, first + r);
    }
  }

  /**
   * A key the file holds twice (no save writes that; a hand-made file may): as a `Map` did, its
   * last row wins at its first place. The row is copied into the first slot (the chunks are this
   * store's own once adopted) and the later one dies. This is the one write over a stored row, and
   * it comes while the file is read, before any view of a row (`encoded`) can have been handed out.
   */
  private repeated(earlier: number, later: number): void {
    const [from, fromAt] = this.locate(later);
    const [to, toAt] = this.locate(earlier);
    to.set(from.subarray(fromAt + KEY_BYTES, fromAt + this.recordBytes), toAt + KEY_BYTES);
    this.index.put(this.probe, earlier);
    this.dead[later] = 1;
  }

  has(key: string): boolean {
    return this.find(key) !== NONE;
  }

  /** Slots used so far, live and dead: a slot `locateKey` reports is below it. */
  get slotCount(): number {
    return this.slots;
  }

  /**
   * `encoded` without the view: fills `into` with the chunk and offset of `key`'s row, its record
   * being `base` plus its slot; false when there is none.
   */
  locateKey(key: string, into: RowLocation, base: number): boolean {
    const slot = this.find(key);
    if (slot === NONE) return false;
    const chunk = this.chunks[Math.floor(slot / this.perChunk)] as Buffer;
    return into.set(this.dtype, chunk, (slot % this.perChunk) * this.recordBytes + KEY_BYTES, true, base + slot);
  }

  get(key: string): Float32Array | undefined {
    const slot = this.find(key);
    if (slot === NONE) return undefined;
    const [chunk, at] = this.locate(slot);
    return decodeRowCopy(this.dtype, chunk, at + KEY_BYTES, this.dims);
  }

  /** Decodes the row of `key` into `out[outAt ..]` without allocating; false when there is none. */
  readInto(key: string, out: Float32Array, outAt: number): boolean {
    const slot = this.find(key);
    if (slot === NONE) return false;
    const [chunk, at] = this.locate(slot);
    decodeRow(this.dtype, chunk, at + KEY_BYTES, this.dims, out, outAt);
    return true;
  }

  delete(key: string): boolean {
    if (this.index.size === 0 || !parseHexKey(key, this.probe)) return false;
    const slot = this.index.remove(this.probe);
    if (slot === NONE) return false;
    this.dead[slot] = 1;
    return true;
  }

  clear(): void {
    this.index.clear();
    this.dead = new Uint8Array(0);
    this.chunks.length = 0;
    this.slots = 0;
    this.perChunk = 0;
    this.appending = false;
  }

  /** Live keys in slot order (file order, or the order they were last set); a key deleted meanwhile is skipped, as a `Map` does. */
  *keys(): IterableIterator<string> {
    for (let slot = 0; slot < this.slots; slot++) if (this.dead[slot] === 0) yield this.keyAt(slot);
  }

  /** Live records in file order: key and the row's encoded bytes (a view, valid while this holds them). */
  *records(): Generator<readonly [string, Uint8Array]> {
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.dead[slot] !== 0) continue;
      const [chunk, at] = this.locate(slot);
      yield [chunk.toString('hex', at, at + KEY_BYTES), chunk.subarray(at + KEY_BYTES, at + this.recordBytes)];
    }
  }

  /** The slot of `key`, or NONE (also for a string that is no key). */
  private find(key: string): number {
    // An empty store answers without parsing: CacheRows asks the journal's rows first, and they are
    // most often none.
    if (this.index.size === 0 || !parseHexKey(key, this.probe)) return NONE;
    return this.index.find(this.probe);
  }

  private keyAt(slot: number): string {
    const [chunk, at] = this.locate(slot);
    return chunk.toString('hex', at, at + KEY_BYTES);
  }

  /** Room in `dead` for `slots` slots, doubling (amortised O(1) a slot); new slots are live. */
  private reserveDead(slots: number): void {
    if (slots <= this.dead.length) return;
    const grown = new Uint8Array(Math.max(slots, 2 * this.dead.length, 1024));
    grown.set(this.dead);
    this.dead = grown;
  }

  private locate(slot: number): readonly [Buffer, number] {
    const chunk = this.chunks[Math.floor(slot / this.perChunk)] as Buffer;
    return [chunk, (slot % this.perChunk) * this.recordBytes];
  }
}
