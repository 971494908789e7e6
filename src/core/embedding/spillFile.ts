/**
 * Where the embedding cache keeps vectors once its memory share is used: an append-only file of
 * records (16-byte key, one row in the cache's dtype: quantize.ts) beside the cache file, read back
 * at save. A million 512-dim
 * vectors are 2 GB; holding them all (and then the whole file as one buffer) is what made a
 * million-line `embed` peak at 6.6 GB. The file is removed when the process ends: on POSIX it is
 * unlinked as soon as it is open (the descriptor keeps it alive), elsewhere at exit.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CacheRecord } from './cacheFormat';
import { type VectorDtype, decodeRow, encodeRow, rowBytes } from './quantize';
import type { RowLocation } from './rowLocation';

const KEY_BYTES = 16;
/** Records waiting to be written, in bytes: one write per few MiB instead of one per vector. */
const PENDING_BYTES = 4 * 1024 * 1024;

export class SpillFile {
  /** Key -> record number of its current vector (a key set again points at its newer record). */
  private readonly index = new Map<string, number>();
  private readonly recordBytes: number;
  private readonly pending: Buffer;
  private pendingCount = 0;
  /** Records already on disk. */
  private flushed = 0;
  private fd: number | undefined;

  private constructor(
    private readonly path: string,
    fd: number,
    readonly dims: number,
    readonly dtype: VectorDtype,
  ) {
    this.fd = fd;
    this.recordBytes = KEY_BYTES + rowBytes(dtype, dims);
    this.pending = Buffer.alloc(Math.max(1, Math.floor(PENDING_BYTES / this.recordBytes)) * this.recordBytes);
  }

  /** A new spill file at `path`, or undefined when it cannot be created (the caller keeps vectors in memory). */
  static create(path: string, dims: number, dtype: VectorDtype = 'float32'): SpillFile | undefined {
    let fd: number;
    try {
      mkdirSync(dirname(path), { recursive: true });
      fd = openSync(path, 'wx+');
    } catch {
      return undefined;
    }
    if (process.platform === 'win32') process.once('exit', () => rmSync(path, { force: true }));
    else unlinkSync(path);
    return new SpillFile(path, fd, dims, dtype);
  }

  get size(): number {
    return this.index.size;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  /** Stores `vector` (exactly `dims` floats, that `dtype` can hold: see canEncode) under `key` (32 hex chars). */
  append(key: string, vector: Float32Array): void {
    if (this.pendingCount * this.recordBytes === this.pending.length) this.flush();
    const at = this.pendingCount * this.recordBytes;
    this.pending.write(key, at, KEY_BYTES, 'hex');
    encodeRow(this.dtype, vector, this.pending, at + KEY_BYTES);
    this.index.set(key, this.flushed + this.pendingCount);
    this.pendingCount++;
  }

  get(key: string): Float32Array | undefined {
    const n = this.index.get(key);
    if (n === undefined) return undefined;
    const out = new Float32Array(this.dims);
    if (n >= this.flushed) {
      decodeRow(this.dtype, this.pending, (n - this.flushed) * this.recordBytes + KEY_BYTES, this.dims, out);
    } else {
      const bytes = new Uint8Array(this.recordBytes - KEY_BYTES);
      readFully(this.openFd(), bytes, n * this.recordBytes + KEY_BYTES);
      decodeRow(this.dtype, bytes, 0, this.dims, out);
    }
    return out;
  }

  /** The row of `key` as stored (encoded in `dtype`), as a new array; undefined when there is none. */
  encoded(key: string): Uint8Array | undefined {
    const n = this.index.get(key);
    if (n === undefined) return undefined;
    const length = this.recordBytes - KEY_BYTES;
    if (n >= this.flushed) {
      const at = (n - this.flushed) * this.recordBytes + KEY_BYTES;
      return Uint8Array.prototype.slice.call(this.pending, at, at + length);
    }
    const bytes = new Uint8Array(length);
    readFully(this.openFd(), bytes, n * this.recordBytes + KEY_BYTES);
    return bytes;
  }

  /** Records written so far (a key set again leaves its older record dead): a record `locateKey` reports is below it. */
  get recordCount(): number {
    return this.flushed + this.pendingCount;
  }

  /** `encoded` into `into` (a copy, not shared), its record being `base` plus its record number; false when there is none. */
  locateKey(key: string, into: RowLocation, base: number): boolean {
    const n = this.index.get(key);
    if (n === undefined) return false;
    return into.set(this.dtype, this.encoded(key) as Uint8Array, 0, false, base + n);
  }

  delete(key: string): boolean {
    return this.index.delete(key);
  }

  clear(): void {
    this.index.clear();
  }

  keys(): IterableIterator<string> {
    return this.index.keys();
  }

  /**
   * The live records in the order they were first written (a record replaced by a later one is
   * skipped), read in chunks; each yields the row encoded in `dtype`, valid only until the next one is asked for.
   */
  *records(): Generator<CacheRecord> {
    this.flush();
    const fd = this.openFd();
    const perRead = Math.max(1, Math.floor(PENDING_BYTES / this.recordBytes));
    const chunk = Buffer.alloc(perRead * this.recordBytes);
    for (let first = 0; first < this.flushed; first += perRead) {
      const n = Math.min(perRead, this.flushed - first);
      readFully(fd, chunk.subarray(0, n * this.recordBytes), first * this.recordBytes);
      for (let r = 0; r < n; r++) {
        const at = r * this.recordBytes;
        const key = chunk.toString('hex', at, at + KEY_BYTES);
        if (this.index.get(key) === first + r) yield [key, chunk.subarray(at + KEY_BYTES, at + this.recordBytes)];
      }
    }
  }

  /** Closes (and so removes) the file; the spilled vectors are gone. */
  dispose(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    this.index.clear();
    if (process.platform === 'win32') rmSync(this.path, { force: true });
  }

  private flush(): void {
    if (this.pendingCount === 0) return;
    const bytes = this.pending.subarray(0, this.pendingCount * this.recordBytes);
    const position = this.flushed * this.recordBytes;
    for (let done = 0; done < bytes.length; ) done += writeSync(this.openFd(), bytes, done, bytes.length - done, position + done);
    this.flushed += this.pendingCount;
    this.pendingCount = 0;
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error('the embedding cache spill file was disposed');
    return this.fd;
  }
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  for (let done = 0; done < into.length; ) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new Error('the embedding cache spill file is shorter than expected');
    done += n;
  }
}
