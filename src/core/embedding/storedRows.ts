/**
 * Vectors kept the way the cache file stores them: records of a 16-byte key and one row encoded in
 * the file's storage type (quantize.ts), in chunks of a few MiB, decoded one row at a time when
 * asked for. A store is filled either by `adopt` (the buffers read from a file) or by `append`
 * (vectors set this run), never both. A re-opened cache of 1,000,000 x 384 int8 rows holds 404 MB here, where a map of
 * float32 vectors held 1.5 GB plus a million array headers; and the file is read chunk by chunk
 * into these buffers, never as one.
 */
import { type VectorDtype, decodeRow, decodeRowCopy, encodeRow, rowBytes } from './quantize';

const KEY_BYTES = 16;
/** `append` allocates chunks of about this many bytes. */
const APPEND_CHUNK_BYTES = 4 * 1024 * 1024;

export class StoredRows {
  /** Key -> slot (record number across the chunks). */
  private readonly index = new Map<string, number>();
  private readonly chunks: Buffer[] = [];
  /** Slots per chunk: every chunk holds exactly this many records but the last. */
  private perChunk = 0;
  private slots = 0;
  private appending = false;
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

  /** Encodes `vector` (dims floats the dtype can hold: see canEncode) under `key`; a key set again points at its new row. */
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
    this.appending = true;
    if (this.perChunk === 0) this.perChunk = Math.max(1, Math.floor(APPEND_CHUNK_BYTES / this.recordBytes));
    if (this.slots === this.chunks.length * this.perChunk) this.chunks.push(Buffer.alloc(this.perChunk * this.recordBytes));
    const located = this.locate(this.slots);
    located[0].write(key, located[1], KEY_BYTES, 'hex');
    // Deleting first moves a replaced key to the end, in the order it was last set.
    this.index.delete(key);
    this.index.set(key, this.slots++);
    return located;
  }

  /** The row of `key` as stored (a view, valid while this holds it), or undefined. */
  encoded(key: string): Uint8Array | undefined {
    const slot = this.index.get(key);
    if (slot === undefined) return undefined;
    const [chunk, at] = this.locate(slot);
    return chunk.subarray(at + KEY_BYTES, at + this.recordBytes);
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
    for (let r = 0; r < records; r++) this.index.set(buffer.toString('hex', r * this.recordBytes, r * this.recordBytes + KEY_BYTES), first + r);
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get(key: string): Float32Array | undefined {
    const slot = this.index.get(key);
    if (slot === undefined) return undefined;
    const [chunk, at] = this.locate(slot);
    return decodeRowCopy(this.dtype, chunk, at + KEY_BYTES, this.dims);
  }

  /** Decodes the row of `key` into `out[outAt ..]` without allocating; false when there is none. */
  readInto(key: string, out: Float32Array, outAt: number): boolean {
    const slot = this.index.get(key);
    if (slot === undefined) return false;
    const [chunk, at] = this.locate(slot);
    decodeRow(this.dtype, chunk, at + KEY_BYTES, this.dims, out, outAt);
    return true;
  }

  delete(key: string): boolean {
    return this.index.delete(key);
  }

  clear(): void {
    this.index.clear();
    this.chunks.length = 0;
    this.slots = 0;
    this.perChunk = 0;
    this.appending = false;
  }

  keys(): IterableIterator<string> {
    return this.index.keys();
  }

  /** Live records in file order: key and the row's encoded bytes (a view, valid while this holds them). */
  *records(): Generator<readonly [string, Uint8Array]> {
    for (const [key, slot] of this.index) {
      const [chunk, at] = this.locate(slot);
      yield [key, chunk.subarray(at + KEY_BYTES, at + this.recordBytes)];
    }
  }

  private locate(slot: number): readonly [Buffer, number] {
    const chunk = this.chunks[Math.floor(slot / this.perChunk)] as Buffer;
    return [chunk, (slot % this.perChunk) * this.recordBytes];
  }
}
