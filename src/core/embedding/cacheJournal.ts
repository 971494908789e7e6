/**
 * The embedding cache's journal: an append-only file beside the cache file (`<cache>.journal`) that
 * each incremental save extends with the rows set since the previous save, so a save costs one
 * chunk's bytes however large the cache is, and a crash loses at most the record being written.
 * A full save (cache.ts) rewrites the cache file and removes the journal.
 *
 * Layout (little endian):
 *   "ALJRNL01"  8 bytes magic
 *   u32 version (1), u32 dims, u32 metaLength
 *   meta        metaLength bytes of UTF-8 JSON: { model, fingerprint, dtype, fit, base: { bytes, checksum } }
 *   u32 crc32 of the header bytes before it (the journal's id)
 *   then records, each:
 *     "ALJR", u32 the header's crc32, u32 count,
 *     count x (16-byte key, one row in `dtype`: as in the cache file, see cacheFormat.ts),
 *     u32 crc32 of the record's bytes before it
 *
 * `base` is the byte length and checksum of the cache file the journal extends, and `fit` its fitted
 * statistics' corpus key: a journal is applied only to exactly that file, so a journal left by a
 * crash after a full save, by another model, dtype or corpus, or by another process is never
 * applied. Replay stops at the first record that is cut short, fails its checksum or holds a
 * non-finite row (a torn tail from a crash): the records before it are kept.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import { crc32 } from 'node:zlib';
import { CRC_BYTES, FIXED_HEADER, type JournalBinding, KEY_BYTES, MAGIC, RECORD_HEAD, RECORD_MAGIC, VERSION, bindingMismatch, encodeJournalHeader, encodeJournalRecord, journalIdOf } from './journalFormat';
import { rowBytes, rowIsFinite } from './quantize';

export type { JournalBinding } from './journalFormat';

export type JournalReplay =
  /** No journal beside the cache file. */
  | { readonly kind: 'absent' }
  /** A journal that is not applied at all (`reason` says why, for a warning). */
  | { readonly kind: 'ignored'; readonly reason: string }
  /**
   * Records applied in order; `validBytes` is where the next record goes. `dropped` says what was
   * left off at the first bad record, if one was found (a torn tail).
   */
  | { readonly kind: 'replayed'; readonly records: number; readonly rows: number; readonly validBytes: number; readonly id: number; readonly dropped?: string };

export function journalFileFor(cacheFile: string): string {
  return `${cacheFile}.journal`;
}

/** One cache file's journal: where the next record goes, and whether a file is there to remove. */
export class CacheJournal {
  readonly file: string;
  /** Bytes holding the header and valid records (0: no journal of ours yet); the next record goes there. */
  private at = 0;
  private id = 0;
  /** A journal file may be there (applied or not). */
  private onDisk = false;

  constructor(cacheFile: string) {
    this.file = journalFileFor(cacheFile);
  }

  /** Bytes of valid journal (0: none to extend). */
  get bytes(): number {
    return this.at;
  }

  /** A journal file is there that holds nothing applied (one that was ignored). */
  get stale(): boolean {
    return this.onDisk && this.at === 0;
  }

  /**
   * Replays the journal over the cache file `binding` describes (undefined: there is none, so no
   * journal applies): `apply` gets each row, in order. Resolves to a warning when a journal was
   * there and not (all) applied.
   */
  async replay(binding: JournalBinding | undefined, apply: (key: string, records: Buffer, rowAt: number) => void): Promise<string | undefined> {
    const again = 'Those rows are embedded again.';
    if (binding === undefined) {
      const there = await fs.stat(this.file).then(
        () => true,
        () => false,
      );
      this.onDisk = there;
      return there ? `the embedding cache journal ${this.file} was not applied: there is no valid cache file for it to extend. ${again} It is replaced at the next save.` : undefined;
    }
    const recordBytes = KEY_BYTES + rowBytes(binding.dtype, binding.dimensions);
    const result = await replayJournal(this.file, binding, (records, count) => {
      for (let r = 0, at = 0; r < count; r++, at += recordBytes) apply(records.toString('hex', at, at + KEY_BYTES), records, at + KEY_BYTES);
    });
    if (result.kind === 'absent') return undefined;
    this.onDisk = true;
    if (result.kind === 'ignored') return `the embedding cache journal ${this.file} was not applied: ${result.reason}. ${again} It is replaced at the next save.`;
    this.at = result.validBytes;
    this.id = result.id;
    if (result.dropped === undefined) return undefined;
    return `the embedding cache journal ${this.file} ends in a torn or damaged record (a crash while saving?): ${result.dropped}, after ${result.records} good record(s) of ${result.rows} row(s). ${again}`;
  }

  /**
   * Appends one record of `count` rows (keys and rows encoded in `binding.dtype`), starting a new
   * journal bound to `binding` when there is none to extend. Throws when the write fails.
   */
  async append(binding: JournalBinding, count: number, rows: Iterable<readonly [string, Uint8Array]>): Promise<void> {
    const header = this.at === 0 ? encodeJournalHeader(binding) : undefined;
    const id = header !== undefined ? journalIdOf(header) : this.id;
    const rowLength = rowBytes(binding.dtype, binding.dimensions);
    function* chunks(): Generator<Buffer> {
      if (header !== undefined) yield header;
      yield* encodeJournalRecord(id, count, rowLength, rows);
    }
    this.onDisk = true;
    this.at = await appendJournal(this.file, this.at, chunks());
    this.id = id;
  }

  /** After a full save (or to drop an ignored journal): removes the file; one that stays no longer matches the cache file. */
  async remove(): Promise<void> {
    this.at = 0;
    await fs.rm(this.file, { force: true }).then(
      () => (this.onDisk = false),
      () => undefined,
    );
  }
}

/**
 * Appends `chunks` at byte `at` of the journal (creating it when `at` is 0), dropping anything after
 * `at` first (a torn tail), then fsyncs. Resolves to the journal's new length; throws on failure
 * (the caller falls back to a full save).
 */
export async function appendJournal(file: string, at: number, chunks: Iterable<Buffer>): Promise<number> {
  // O_NONBLOCK: a FIFO in the way fails at once instead of hanging; only `at` 0 creates the file.
  const flags = fsConstants.O_RDWR | fsConstants.O_NONBLOCK | (at === 0 ? fsConstants.O_CREAT | fsConstants.O_TRUNC : 0);
  const handle = await fs.open(file, flags, 0o644);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error(`${file} is not a regular file`);
    if (at > 0 && stats.size < at) throw new Error(`${file} is ${stats.size} bytes, shorter than the ${at} written to it`);
    if (stats.size > at) await handle.truncate(at);
    let position = at;
    for (const chunk of chunks) {
      for (let done = 0; done < chunk.length; ) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position);
        done += bytesWritten;
        position += bytesWritten;
      }
    }
    await handle.sync();
    return position;
  } finally {
    await handle.close();
  }
}

async function readAt(handle: fs.FileHandle, length: number, position: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? out : out.subarray(0, done);
}

/**
 * Reads the journal at `file` and calls `apply` with each valid record's rows (whole records of a
 * key and a row, in order), stopping at the first bad one. Never throws: an unreadable or foreign
 * journal is `ignored`.
 */
export async function replayJournal(file: string, binding: JournalBinding, apply: (records: Buffer, count: number) => void): Promise<JournalReplay> {
  let handle: fs.FileHandle;
  try {
    const stats = await fs.stat(file);
    if (!stats.isFile()) return { kind: 'ignored', reason: 'it is not a regular file' };
    handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'absent' };
    return { kind: 'ignored', reason: `it cannot be read (${(error as Error).message})` };
  }
  try {
    const size = (await handle.stat()).size;
    const fixed = await readAt(handle, FIXED_HEADER, 0);
    if (fixed.length < FIXED_HEADER) return { kind: 'ignored', reason: `its header is cut short (${size} bytes)` };
    if (!fixed.subarray(0, MAGIC.length).equals(MAGIC)) return { kind: 'ignored', reason: 'it is not an embedding cache journal (bad magic)' };
    const version = fixed.readUInt32LE(MAGIC.length);
    if (version !== VERSION) return { kind: 'ignored', reason: `it is journal version ${version}, expected ${VERSION}` };
    const dims = fixed.readUInt32LE(MAGIC.length + 4);
    const metaLength = fixed.readUInt32LE(MAGIC.length + 8);
    const headerBytes = FIXED_HEADER + metaLength + CRC_BYTES;
    if (headerBytes > size) return { kind: 'ignored', reason: `its header is cut short (${size} bytes)` };
    const rest = await readAt(handle, metaLength + CRC_BYTES, FIXED_HEADER);
    const id = rest.readUInt32LE(metaLength);
    if (crc32(rest.subarray(0, metaLength), crc32(fixed)) >>> 0 !== id) return { kind: 'ignored', reason: 'its header fails its checksum' };
    let meta: Record<string, unknown>;
    try {
      meta = JSON.parse(rest.subarray(0, metaLength).toString('utf8')) as Record<string, unknown>;
    } catch {
      return { kind: 'ignored', reason: 'its header is not JSON' };
    }
    const wrong = bindingMismatch(dims, meta, binding);
    if (wrong !== undefined) return { kind: 'ignored', reason: wrong };

    const recordBytes = KEY_BYTES + rowBytes(binding.dtype, dims);
    let at = headerBytes;
    let records = 0;
    let rows = 0;
    const stop = (what: string): JournalReplay => ({
      kind: 'replayed',
      records,
      rows,
      validBytes: at,
      id,
      dropped: `record ${records + 1} at byte ${at} ${what}; it and the ${size - at} bytes from there were dropped`,
    });
    while (at < size) {
      if (size - at < RECORD_HEAD + CRC_BYTES) return stop('is cut short');
      const head = await readAt(handle, RECORD_HEAD, at);
      if (!head.subarray(0, RECORD_MAGIC.length).equals(RECORD_MAGIC)) return stop('does not start with a record marker');
      if (head.readUInt32LE(RECORD_MAGIC.length) !== id) return stop('belongs to another journal');
      const count = head.readUInt32LE(RECORD_MAGIC.length + 4);
      const body = count * recordBytes;
      if (body + RECORD_HEAD + CRC_BYTES > size - at) return stop('is cut short');
      const tail = await readAt(handle, body + CRC_BYTES, at + RECORD_HEAD);
      const data = tail.subarray(0, body);
      if (crc32(data, crc32(head)) >>> 0 !== tail.readUInt32LE(body)) return stop('fails its checksum');
      for (let r = 0; r < count; r++) if (!rowIsFinite(binding.dtype, data, r * recordBytes + KEY_BYTES, dims)) return stop(`holds a non-finite row (${r})`);
      apply(data, count);
      at += RECORD_HEAD + body + CRC_BYTES;
      records++;
      rows += count;
    }
    return { kind: 'replayed', records, rows, validBytes: at, id };
  } catch (error) {
    return { kind: 'ignored', reason: `it cannot be read (${(error as Error).message})` };
  } finally {
    await handle.close().catch(() => undefined);
  }
}
