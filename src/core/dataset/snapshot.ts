/**
 * The dataset snapshot's binary format: a `Dataset` exactly as `loadDataset` returned it, so that
 * the next start on the same file bytes with the same loader options decodes it instead of parsing
 * the file again (JSON.parse, normalization, a sha256 per text and the duplicate maps cost seconds
 * at a million rows; decoding costs a fraction of that). Reading and writing the file, and deciding
 * when it is valid, is `snapshotFile.ts` and `cachedLoad.ts`; this file only turns a dataset into
 * bytes and back.
 *
 * Layout, little-endian, every u32 array at a 4-byte aligned offset:
 *   magic (8 bytes) | u32 format version | u32 CRC-32 of all the bytes from offset 16 to the end
 *   | u32 key length | key (JSON, UTF-8) | u32 meta length | meta (JSON: format, textField, fields,
 *   summary and the counts below)
 *   items (n): u32 line[n], u32 count[n], u32 labelCount[n], u8 idKind[n] (0: the id is `h:` + the
 *     hash), hash[n] (32 hex digits each), strings text[n], strings id[ids], strings label[labels]
 *   problems (m): u32 line[m], strings reason[m], strings message[m]
 *   rows (summary.rows): u32 rowItem[rows] (0xffffffff for a skipped row; see Dataset.rowItems)
 * String columns are described in snapshotSections.ts.
 */
import type { Dataset, DatasetFormat, DatasetItem, LoadSummary, RowProblem, RowProblemReason } from '../types';
import { CancelledError } from '../errors';
import { crc32Update } from '../labels/crc32';
import { hashId } from './normalize';
import { AsciiBlocks, BREATHE_EVERY, breathe, SectionReader, SectionWriter, SnapshotShapeError, type SnapshotSink } from './snapshotSections';

export type { SnapshotSink };

/** Bump when the layout below changes: an older snapshot is then ignored and rewritten. */
export const SNAPSHOT_FORMAT_VERSION = 2;
const MAGIC = Buffer.from('ALDSNAP\n', 'latin1');
/** The CRC covers every byte from here to the end (the key length, the key and the body). */
const CHECKED_FROM = 16;
const CRC_AT = 12;
const MAX_U32 = 0xffffffff;
/** A skipped row in the rows section. */
const NO_ITEM = 0xffffffff;
/** Items decoded between two turns of the event loop (cancellation, messages). */
const DECODE_SLICE = 131_072;
/** The u32 arrays are read as views in the machine's order: the format is written little-endian only. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * What a snapshot is valid for. Every field that changes `loadDataset`'s result is here: the loader
 * version (src/core/dataset/load.ts), the Unicode version (NFC and the invisible-text check follow
 * it), the path (it is in `Dataset.file` and every problem's message), the loader options, and the
 * file's size and sha256.
 */
export interface SnapshotKey {
  readonly loaderVersion: number;
  readonly unicode: string;
  readonly file: string;
  readonly format: DatasetFormat | null;
  readonly textField: string | null;
  readonly idField: string | null;
  readonly labelField: string | null;
  readonly maxRecordBytes: number;
  readonly size: number;
  readonly sha256: string;
}

/** The key as stored and compared: the same fields in the same order, whatever the caller wrote. */
export function keyText(k: SnapshotKey): string {
  return JSON.stringify([SNAPSHOT_FORMAT_VERSION, k.loaderVersion, k.unicode, k.file, k.format, k.textField, k.idField, k.labelField, k.maxRecordBytes, k.size, k.sha256]);
}

/**
 * The key a snapshot file's head holds (its text, and the sha256 in it), or undefined when the head
 * is not a snapshot of this format version. Lets a reader compare everything but the file's hash
 * before hashing the file or reading the rest.
 */
export function peekKey(head: Buffer): { readonly text: string; readonly sha256: string } | undefined {
  if (!isSnapshotHead(head)) return undefined;
  const length = head.readUInt32LE(CHECKED_FROM);
  if (CHECKED_FROM + 4 + length > head.length) return undefined;
  const text = head.toString('utf8', CHECKED_FROM + 4, CHECKED_FROM + 4 + length);
  try {
    const parts: unknown = JSON.parse(text);
    return Array.isArray(parts) && typeof parts[10] === 'string' ? { text, sha256: parts[10] } : undefined;
  } catch {
    return undefined;
  }
}

function isSnapshotHead(head: Buffer): boolean {
  return LITTLE_ENDIAN && head.length >= CHECKED_FROM + 4 && head.subarray(0, MAGIC.length).equals(MAGIC) && head.readUInt32LE(8) === SNAPSHOT_FORMAT_VERSION;
}

interface Meta {
  readonly format: DatasetFormat;
  readonly textField: string;
  readonly fields: readonly string[];
  readonly summary: LoadSummary;
  readonly items: number;
  readonly ids: number;
  readonly labels: number;
  readonly problems: number;
}

/**
 * Streams the snapshot of `dataset` to `sink` in chunks of 8 MiB, awaiting each, so a background
 * write lets the event loop run between chunks. Returns the snapshot's size in bytes.
 */
export async function writeSnapshot(dataset: Dataset, key: SnapshotKey, sink: SnapshotSink, signal?: AbortSignal): Promise<number> {
  const { items, problems } = dataset;
  if (!LITTLE_ENDIAN) throw new SnapshotShapeError('the format is little-endian only');
  if (key.file !== dataset.file) throw new SnapshotShapeError('the key names another file');
  const ids: string[] = [];
  const labels: string[] = [];
  const idKinds = new Uint8Array(items.length);
  for (let i = 0; i < items.length; i++) {
    if (i % BREATHE_EVERY === BREATHE_EVERY - 1) await breathe(signal);
    const item = items[i]!;
    if (!/^[0-9a-f]{32}$/.test(item.textHash) || !(item.line >= 0 && item.line <= MAX_U32) || !(item.count >= 0 && item.count <= MAX_U32)) {
      throw new SnapshotShapeError(`item ${item.id} does not fit the format`);
    }
    if (item.id !== hashId(item.textHash)) {
      idKinds[i] = 1;
      ids.push(item.id);
    }
    if (item.importedLabels !== undefined) {
      if (item.importedLabels.length === 0) throw new SnapshotShapeError(`item ${item.id} has an empty label list`);
      for (const label of item.importedLabels) labels.push(label);
    }
  }
  for (const p of problems) if (p.file !== dataset.file || !(p.line >= 0 && p.line <= MAX_U32)) throw new SnapshotShapeError('a problem does not fit the format');
  const rowItems = dataset.rowItems;
  if (rowItems === undefined || rowItems.length !== dataset.summary.rows) throw new SnapshotShapeError('the dataset does not say which item each row is');

  const out = new SectionWriter(sink, CHECKED_FROM, signal);
  out.bytes(MAGIC);
  out.u32(SNAPSHOT_FORMAT_VERSION);
  out.u32(0); // the CRC, patched at the end
  out.json(keyText(key));
  const meta: Meta = { format: dataset.format, textField: dataset.textField, fields: dataset.fields, summary: dataset.summary, items: items.length, ids: ids.length, labels: labels.length, problems: problems.length };
  out.json(JSON.stringify(meta));
  await out.u32Column(items.length, (i) => items[i]!.line);
  await out.u32Column(items.length, (i) => items[i]!.count);
  await out.u32Column(items.length, (i) => items[i]!.importedLabels?.length ?? 0);
  await out.u8Column(idKinds);
  for (let i = 0; i < items.length; i++) {
    if (!out.room(32)) await out.flush();
    out.ascii(items[i]!.textHash);
  }
  await out.strings(items.length, (i) => items[i]!.text);
  await out.strings(ids.length, (i) => ids[i]!);
  await out.strings(labels.length, (i) => labels[i]!);
  await out.u32Column(problems.length, (i) => problems[i]!.line);
  await out.strings(problems.length, (i) => problems[i]!.reason);
  await out.strings(problems.length, (i) => problems[i]!.message);
  await out.u32Column(rowItems.length, (r) => (rowItems[r]! < 0 ? NO_ITEM : rowItems[r]!));
  await out.flush();
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(out.crc);
  await sink.patch(crc, CRC_AT);
  return out.position;
}


/**
 * The dataset a snapshot holds, when `bytes` are a whole, intact snapshot for exactly `key`;
 * undefined for anything else (another file's, another version's, torn, truncated, a flipped byte).
 * Never throws on bad bytes; a cancel between slices throws `CancelledError`.
 */
export async function readSnapshot(bytes: Buffer, key: SnapshotKey, signal?: AbortSignal): Promise<Dataset | undefined> {
  if (!isSnapshotHead(bytes)) return undefined;
  if (crc32Update(bytes.subarray(CHECKED_FROM)) !== bytes.readUInt32LE(CRC_AT)) return undefined;
  const r = new SectionReader(bytes, CHECKED_FROM);
  try {
    if (r.json() !== keyText(key)) return undefined;
    return await decodeBody(r, key.file, key.size, signal);
  } catch (error) {
    // Bytes with a right checksum but a wrong shape (only a crafted file has them) are no snapshot either.
    if (error instanceof CancelledError) throw error;
    return undefined;
  }
}

async function decodeBody(r: SectionReader, file: string, fileBytes: number, signal: AbortSignal | undefined): Promise<Dataset | undefined> {
  const meta: unknown = JSON.parse(r.json());
  if (!isMeta(meta) || !withinFile(meta, fileBytes)) return undefined;
  const n = meta.items;
  const lines = r.u32s(n);
  const counts = r.u32s(n);
  const labelCounts = r.u32s(n);
  const idKinds = r.u8s(n);
  const hashAt = r.skip(32 * n);
  const hashes = new AsciiBlocks(r.bytes, hashAt + 32 * n);
  const texts = r.strings(n);
  const ids = r.strings(meta.ids);
  const labels = r.strings(meta.labels);
  const problemLines = r.u32s(meta.problems);
  const reasons = r.strings(meta.problems);
  const messages = r.strings(meta.problems);
  const rows = meta.summary.rows;
  if (!Number.isSafeInteger(rows) || rows < 0 || rows > fileBytes) return undefined;
  const storedRowItems = r.u32s(rows);
  if (!r.atEnd()) return undefined;
  const rowItems = new Int32Array(rows);
  for (let k = 0; k < rows; k++) {
    const v = storedRowItems[k]!;
    if (v !== NO_ITEM && v >= n) return undefined;
    rowItems[k] = v === NO_ITEM ? -1 : v;
  }

  // Every label listed is some item's: the loop below then allocates no more than the snapshot holds.
  let labelTotal = 0;
  for (let i = 0; i < n; i++) labelTotal += labelCounts[i] as number;
  if (labelTotal !== meta.labels) return undefined;
  const labelNames = new Interned();
  const reasonNames = new Interned();
  const items: DatasetItem[] = [];
  for (let i = 0; i < n; i++) {
    if (i % DECODE_SLICE === DECODE_SLICE - 1) await breathe(signal);
    const textHash = hashes.slice(hashAt + 32 * i, hashAt + 32 * i + 32);
    const id = idKinds[i] === 0 ? hashId(textHash) : ids.next();
    const text = texts.next();
    const labelCount = labelCounts[i]!;
    if (labelCount === 0) items.push({ id, text, textHash, line: lines[i]!, count: counts[i]! });
    else {
      const importedLabels: string[] = [];
      for (let k = 0; k < labelCount; k++) importedLabels.push(labelNames.of(labels.next()));
      items.push({ id, text, textHash, line: lines[i]!, count: counts[i]!, importedLabels });
    }
  }
  const problems: RowProblem[] = [];
  for (let i = 0; i < meta.problems; i++) problems.push({ file, line: problemLines[i]!, reason: reasonNames.of(reasons.next()) as RowProblemReason, message: messages.next() });
  if (!ids.done() || !labels.done()) return undefined;
  return { file, format: meta.format, textField: meta.textField, fields: meta.fields, items, problems, summary: meta.summary, rowItems };
}

/**
 * What a file of `fileBytes` bytes can hold: each item, label and problem is at least a byte of its
 * row, and a line (a problem) at least its line break. The CRC is a check for damage, not
 * authentication: a snapshot crafted with a right checksum (a cloned repository can carry one)
 * must still not make the reader allocate more than the dataset could need.
 */
function withinFile(meta: Meta, fileBytes: number): boolean {
  return meta.items <= fileBytes && meta.ids <= meta.items && meta.labels <= fileBytes && meta.problems <= fileBytes + 1;
}

function isMeta(m: unknown): m is Meta {
  if (typeof m !== 'object' || m === null) return false;
  const x = m as Record<string, unknown>;
  const counts = [x.items, x.ids, x.labels, x.problems].every((c) => Number.isSafeInteger(c) && (c as number) >= 0);
  const summary = typeof x.summary === 'object' && x.summary !== null;
  return counts && summary && typeof x.format === 'string' && typeof x.textField === 'string' && Array.isArray(x.fields) && x.fields.every((f) => typeof f === 'string');
}


/**
 * One string per distinct value: a label such as "positive" repeats on most rows, and a copy per
 * row would be a million strings for the garbage collector to keep moving. The duplicate decoded
 * for the lookup dies young, which costs next to nothing. Stops taking new values past a few
 * thousand (labels that are all different gain nothing).
 */
class Interned {
  private readonly seen = new Map<string, string>();

  of(value: string): string {
    const known = this.seen.get(value);
    if (known !== undefined) return known;
    if (this.seen.size < 4096) this.seen.set(value, value);
    return value;
  }
}
