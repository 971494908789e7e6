/**
 * The byte-level sections of a dataset snapshot (snapshot.ts has the layout): a writer that fills
 * large chunks and keeps the CRC as it goes, and a bounds-checked reader of u32 arrays and string
 * columns. A string column is u32 tagged lengths (top 2 bits: 0 ASCII, read as latin1; 1 UTF-8;
 * 2 UTF-16LE, for text with lone surrogates, which UTF-8 cannot carry), then all its strings' bytes.
 */
import { throwIfCancelled } from '../errors';
import { crc32Update } from '../labels/crc32';
import { isWellFormed } from './normalize';

const CHUNK_BYTES = 8 * 1024 * 1024;
const ENCODINGS = ['latin1', 'utf8', 'utf16le'] as const;
const MAX_STRING_BYTES = 0x3fffffff;
/** ASCII strings are decoded this many bytes at a time, and sliced (`AsciiBlocks`). */
const ASCII_BLOCK_BYTES = 32 * 1024 * 1024;
/** A background write lets other work run (a label, a message) after this many items of a loop. */
export const BREATHE_EVERY = 32_768;

/** One turn of the event loop, then a cancellation check. */
export async function breathe(signal: AbortSignal | undefined): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  throwIfCancelled(signal);
}

/** Where the snapshot goes: appended in large chunks, and the checksum patched in at the end. */
export interface SnapshotSink {
  append(bytes: Buffer): Promise<void>;
  patch(bytes: Buffer, position: number): Promise<void>;
}

/** Refused to encode: the dataset has a shape the format does not carry (never the loader's output). */
export class SnapshotShapeError extends Error {}

/** Fills one reused 8 MiB buffer and hands it to the sink when full, keeping the CRC as it goes. */
export class SectionWriter {
  private readonly buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private at = 0;
  private flushed = 0;
  crc = 0;

  constructor(
    private readonly sink: SnapshotSink,
    /** The CRC covers the bytes from this offset on. */
    private readonly checkedFrom: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  get position(): number {
    return this.flushed + this.at;
  }

  room(n: number): boolean {
    return this.at + n <= this.buf.length;
  }

  async flush(): Promise<void> {
    throwIfCancelled(this.signal);
    if (this.at === 0) return;
    const chunk = this.buf.subarray(0, this.at);
    const from = Math.max(0, this.checkedFrom - this.flushed);
    if (from < chunk.length) this.crc = crc32Update(chunk.subarray(from), this.crc);
    await this.sink.append(chunk);
    this.flushed += this.at;
    this.at = 0;
  }

  // The header is written into an empty buffer: these never need a flush.
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  u32(v: number): void {
    this.at = this.buf.writeUInt32LE(v, this.at);
  }

  byte(v: number): void {
    this.buf[this.at++] = v;
  }

  ascii(h: string): void {
    this.at += this.buf.write(h, this.at, h.length, 'latin1');
  }

  json(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    if (!this.room(bytes.length + 8)) throw new SnapshotShapeError('the header is too large');
    this.pad();
    this.u32(bytes.length);
    this.bytes(bytes);
  }

  private pad(): void {
    while (this.position % 4 !== 0) this.byte(0);
  }

  async u32Column(n: number, value: (i: number) => number): Promise<void> {
    if (!this.room(3)) await this.flush();
    this.pad();
    for (let i = 0; i < n; i++) {
      if (!this.room(4)) await this.flush();
      else if (i % BREATHE_EVERY === BREATHE_EVERY - 1) await breathe(this.signal);
      this.at = this.buf.writeUInt32LE(value(i), this.at);
    }
  }

  async u8Column(values: Uint8Array): Promise<void> {
    for (let at = 0; at < values.length; ) {
      if (!this.room(1)) await this.flush();
      const n = Math.min(values.length - at, this.buf.length - this.at);
      this.bytes(values.subarray(at, at + n));
      at += n;
    }
  }

  /** The tagged lengths, then every string's bytes; a string larger than a chunk is written alone. */
  async strings(count: number, value: (i: number) => string): Promise<void> {
    const tagged = new Uint32Array(count);
    await this.u32Column(count, (i) => {
      const s = value(i);
      const utf8 = Buffer.byteLength(s, 'utf8');
      // As many UTF-8 bytes as UTF-16 code units: all ASCII, which latin1 decodes fastest.
      const tag = utf8 === s.length ? 0 : isWellFormed(s) ? 1 : 2;
      const bytes = tag === 2 ? s.length * 2 : utf8;
      if (bytes > MAX_STRING_BYTES) throw new SnapshotShapeError('a string is too large');
      return (tagged[i] = ((tag << 30) | bytes) >>> 0);
    });
    for (let i = 0; i < count; i++) {
      const s = value(i);
      const encoding = ENCODINGS[tagged[i]! >>> 30]!;
      const bytes = tagged[i]! & MAX_STRING_BYTES;
      if (!this.room(bytes)) await this.flush();
      else if (i % BREATHE_EVERY === BREATHE_EVERY - 1) await breathe(this.signal);
      if (this.room(bytes)) this.at += this.buf.write(s, this.at, bytes, encoding);
      else {
        const alone = Buffer.from(s, encoding);
        this.crc = crc32Update(alone, this.crc);
        await this.sink.append(alone);
        this.flushed += alone.length;
      }
    }
  }
}

/** Reads sections in order; every read is bounds-checked and throws RangeError past the end. */
export class SectionReader {
  private at: number;

  constructor(
    readonly bytes: Buffer,
    from: number,
  ) {
    this.at = from;
  }

  atEnd(): boolean {
    return this.at === this.bytes.length;
  }

  skip(n: number): number {
    if (!Number.isSafeInteger(n) || n < 0 || this.at + n > this.bytes.length) throw new RangeError('snapshot: past the end');
    const start = this.at;
    this.at += n;
    return start;
  }

  private align(): void {
    this.skip((4 - (this.at % 4)) % 4);
  }

  json(): string {
    this.align();
    const length = this.bytes.readUInt32LE(this.skip(4));
    const start = this.skip(length);
    return this.bytes.toString('utf8', start, start + length);
  }

  u8s(n: number): Uint8Array {
    const start = this.skip(n);
    return this.bytes.subarray(start, start + n);
  }

  /** A view when the bytes are aligned in memory (a buffer read whole is), else a copy. */
  u32s(n: number): Uint32Array {
    this.align();
    const start = this.skip(4 * n);
    const offset = this.bytes.byteOffset + start;
    if (offset % 4 === 0) return new Uint32Array(this.bytes.buffer, offset, n);
    const copy = new Uint8Array(4 * n);
    copy.set(this.bytes.subarray(start, start + 4 * n));
    return new Uint32Array(copy.buffer);
  }

  strings(n: number): Strings {
    const tagged = this.u32s(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += tagged[i]! & MAX_STRING_BYTES;
    const start = this.skip(total);
    return new Strings(this.bytes, tagged, start, new AsciiBlocks(this.bytes, start + total));
  }
}

/** A string column's values, decoded one at a time in order. */
class Strings {
  private i = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly tagged: Uint32Array,
    private at: number,
    private readonly ascii: AsciiBlocks,
  ) {}

  next(): string {
    if (this.i >= this.tagged.length) throw new RangeError('snapshot: a column ran out');
    const t = this.tagged[this.i++]!;
    const start = this.at;
    const end = start + (t & MAX_STRING_BYTES);
    const tag = t >>> 30;
    this.at = end;
    if (tag === 0) return this.ascii.slice(start, end);
    if (tag > 2) throw new RangeError('snapshot: unknown string encoding');
    return this.buf.toString(ENCODINGS[tag]!, start, end);
  }

  done(): boolean {
    return this.i === this.tagged.length;
  }
}

/**
 * ASCII strings of a region, decoded a 32 MiB block at a time (one latin1 string) and handed out as
 * slices of it: V8 makes a slice of 13 characters or more a small reference into the block instead
 * of a copy, so a million texts cost a million small objects, not a million copies for the garbage
 * collector to move.
 */
export class AsciiBlocks {
  private block = '';
  private blockStart = 0;
  private blockEnd = 0;

  constructor(
    private readonly buf: Buffer,
    /** The region's end: a block never reaches past it. */
    private readonly end: number,
  ) {}

  slice(start: number, end: number): string {
    if (end - start < 13) return this.buf.toString('latin1', start, end);
    if (start < this.blockStart || end > this.blockEnd) {
      this.blockStart = start;
      this.blockEnd = Math.min(this.end, Math.max(end, start + ASCII_BLOCK_BYTES));
      this.block = this.buf.toString('latin1', this.blockStart, this.blockEnd);
    }
    return this.block.slice(start - this.blockStart, end - this.blockStart);
  }
}

