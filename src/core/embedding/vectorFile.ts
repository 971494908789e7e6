/**
 * Reads vectors the user already has, one row per dataset row, from:
 *   - `.npy`: a 2-D float32, float16 or float64 NumPy array (little-endian, C order);
 *   - `.jsonl`: one JSON object per line with an array of numbers in a field (`embedding`,
 *     `vector`, ... or the one named), or a bare array per line; blank lines are skipped, as the
 *     dataset readers skip them, so the dataset file itself can carry its vectors;
 *   - `.f32` (or `.bin`): raw little-endian float32 values, with the width given explicitly.
 * Every value is checked (NaN, Infinity, widths, truncation) with `file:row` in the message, and
 * each row comes with its L2 norm: the rows are used L2-normalised, as every embedder's are. The file's sha256 identifies the vectors.
 *
 * The file is streamed (`streamVectorFile`): a row at a time reaches the caller, so a million rows
 * of 384 floats (1.5 GB) never sit in memory whole, let alone twice. Binary formats are read a few
 * MiB at a time; their shape and size are checked before the first row, so a file that is cut
 * short or has the wrong width fails at once.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { endianness } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { throwIfCancelled } from '../errors';
import type { Matrix } from '../types';
import { decodeNpyValues, npyItemBytes, parseNpyHeader, type NpyDtype } from './npy';
import { VectorFileError } from './vectorFileError';

export type VectorFormat = 'npy' | 'jsonl' | 'f32';

/** JSONL fields tried in order when none is named. */
export const VECTOR_FIELDS: readonly string[] = ['embedding', 'vector', 'embeddings', 'vectors', 'emb', 'vec'];

export interface ReadVectorOptions {
  /** The width: required for `.f32`; for the other formats, a check (a mismatch is an error). */
  readonly dimensions?: number;
  /** The JSONL field holding the vector; default: the first of `VECTOR_FIELDS` that a line has. */
  readonly field?: string;
  /** Overrides detection by extension. */
  readonly format?: VectorFormat;
  readonly signal?: AbortSignal;
  /** False skips the file's sha256 (`VectorRows.sha256` is then undefined): 1.4 s per GB saved. */
  readonly hash?: boolean;
}

/** What a streamed file held, besides its rows. */
export interface VectorRows {
  readonly file: string;
  readonly format: VectorFormat;
  readonly rows: number;
  readonly cols: number;
  /** sha256 (hex) of the file's bytes, unless `hash: false`. */
  readonly sha256?: string;
  /** The JSONL field the vectors came from. */
  readonly field?: string;
  /** How many rows are all zeros (they cannot be normalised, and match nothing). */
  readonly zeroRows: number;
}

export interface VectorFile extends VectorRows {
  /** Row i is the i-th vector of the file, L2-normalised (all-zero rows stay zero). */
  readonly matrix: Matrix;
  readonly sha256: string;
}

/** What `streamVectorFile` tells its caller. */
export interface VectorSink {
  /** The width, and the row count when the format states it (JSONL does not), before the first row. */
  shape?(cols: number, rows: number | undefined): void;
  /**
   * False for a row the caller has no use for (a row the dataset skipped): it is counted but neither
   * checked nor handed on, so an encoder's NaN for an empty text does not stop the file.
   */
  wants?(r: number): boolean;
  /**
   * Row r as read (every value checked finite), its L2 norm (0 for an all-zero row) and its largest
   * |value|: the unit vector is `row / norm`, left to the sink so that a quantizing sink needs no
   * pass of its own. `row` is only valid during the call (it is reused, or a view of a buffer that
   * is): copy what you keep.
   */
  row(r: number, row: Float32Array, norm: number, maxAbs: number): void;
}

/** `row / norm` (zeros for a zero row) into `out` at `at`. */
export function unitInto(row: Float32Array, norm: number, out: Float32Array, at = 0): void {
  const inv = norm === 0 ? 0 : 1 / norm;
  for (let j = 0; j < row.length; j++) out[at + j] = (row[j] as number) * inv;
}

const CHUNK_BYTES = 8 * 1024 * 1024;
const HEAD_BYTES = 64 * 1024;
/** A longer .npy header is refused rather than read (a 2-D array's is under 1 KiB). */
const MAX_HEADER_BYTES = 1024 * 1024;

export function vectorFormatOf(file: string): VectorFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npy') return 'npy';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.f32' || ext === '.bin') return 'f32';
  return undefined;
}

/** The whole file as a matrix (small files, tests): `streamVectorFile` collected. */
export async function readVectorFile(file: string, options: ReadVectorOptions = {}): Promise<VectorFile> {
  let data = new Float32Array(0);
  let cols = 0;
  let count = 0;
  const read = await streamVectorFile(file, { ...options, hash: true }, {
    shape: (width, rows) => {
      cols = width;
      data = new Float32Array((rows ?? 1024) * width);
    },
    row: (r, row, norm) => {
      if ((r + 1) * cols > data.length) {
        const grown = new Float32Array(Math.max(2 * data.length, (r + 1) * cols));
        grown.set(data);
        data = grown;
      }
      unitInto(row, norm, data, r * cols);
      count = r + 1;
    },
  });
  return { ...read, sha256: read.sha256 as string, matrix: { data: data.slice(0, count * read.cols), rows: read.rows, cols: read.cols } };
}

/** Streams `file`'s rows, checked and L2-normalised, to `sink`; throws `VectorFileError` naming the row on bad input. */
export async function streamVectorFile(file: string, options: ReadVectorOptions, sink: VectorSink): Promise<VectorRows> {
  const format = options.format ?? vectorFormatOf(file);
  if (format === undefined) {
    throw new VectorFileError(`${file}: unknown vector file type "${path.extname(file)}"; use .npy, .jsonl or .f32 (with the dimension given)`, file);
  }
  if (options.dimensions !== undefined && !(Number.isSafeInteger(options.dimensions) && options.dimensions > 0)) {
    throw new RangeError(`dimensions must be a positive integer, got ${options.dimensions}`);
  }
  throwIfCancelled(options.signal);
  const hash = options.hash === false ? undefined : createHash('sha256');
  const rows = new RowChecker(file, options.dimensions, sink);
  const read = format === 'jsonl' ? await readJsonl(file, options, hash, rows) : await readBinary(file, format, options, hash, rows);
  return {
    file,
    format,
    rows: rows.count,
    cols: read.cols,
    zeroRows: rows.zeroRows,
    ...(hash !== undefined ? { sha256: hash.digest('hex') } : {}),
    ...(read.field !== undefined ? { field: read.field } : {}),
  };
}

/** Checks each row, finds its norm and hands it on; counts the rows and the all-zero ones. */
class RowChecker {
  count = 0;
  zeroRows = 0;
  private cols = -1;
  /** rowStats' results: the sum of squares and the largest |value|. */
  private readonly stats = new Float64Array(2);

  constructor(
    private readonly file: string,
    private readonly expected: number | undefined,
    private readonly sink: VectorSink,
  ) {}

  shape(cols: number, rows: number | undefined): void {
    if (this.expected !== undefined && cols !== this.expected && rows !== 0) {
      throw new VectorFileError(`${this.file}: the vectors have ${cols} dimensions, expected ${this.expected}`, this.file);
    }
    this.cols = cols;
    this.sink.shape?.(cols, rows);
  }

  /** `line` is the JSONL line, for messages; binary rows are named by their 1-based number. */
  row(values: Float32Array, line?: number): void {
    const r = this.count;
    if (this.sink.wants?.(r) === false) {
      this.count++;
      return;
    }
    const bad = rowStats(values, this.stats);
    if (bad >= 0) this.notFinite(values[bad] as number, bad, r, line);
    const sum = this.stats[0] as number;
    if (sum === 0) this.zeroRows++;
    this.count++;
    this.sink.row(r, values, Math.sqrt(sum), this.stats[1] as number);
  }

  get width(): number {
    return this.cols;
  }

  private notFinite(v: number, j: number, r: number, line: number | undefined): never {
    const row = line ?? r + 1;
    const what = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    throw new VectorFileError(
      `${this.file}:${row}: ${line !== undefined ? 'the vector on this line' : `row ${row} (index ${r})`} holds ${what} at dimension ${j + 1}; ` +
        'every value must be a finite number (float16 overflows to Infinity above 65504)',
      this.file,
      row,
    );
  }
}

/**
 * The sum of squares and the largest |value| of `values` into `out`; the index of the first value
 * that is not finite, or -1. Four sums side by side: one running sum is a chain of additions, each
 * waiting on the last, and four chains keep the floating-point unit busy.
 */
function rowStats(values: Float32Array, out: Float64Array): number {
  const n = values.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let m0 = 0;
  let m1 = 0;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const a = values[j] as number;
    const b = values[j + 1] as number;
    const c = values[j + 2] as number;
    const d = values[j + 3] as number;
    s0 += a * a;
    s1 += b * b;
    s2 += c * c;
    s3 += d * d;
    m0 = Math.max(m0, Math.abs(a), Math.abs(b));
    m1 = Math.max(m1, Math.abs(c), Math.abs(d));
  }
  for (; j < n; j++) {
    const a = values[j] as number;
    s0 += a * a;
    m0 = Math.max(m0, Math.abs(a));
  }
  const sum = s0 + s1 + (s2 + s3);
  const max = Math.max(m0, m1);
  // A NaN or an infinity anywhere makes the sum NaN or infinite: only then look for it.
  if (!Number.isFinite(sum)) {
    for (let k = 0; k < n; k++) if (!Number.isFinite(values[k] as number)) return k;
  }
  out[0] = sum;
  out[1] = max;
  return -1;
}

async function openFile(file: string): Promise<fs.FileHandle> {
  try {
    return await fs.open(file, 'r');
  } catch (error) {
    throw new VectorFileError(`${file}: cannot read the vector file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, file);
  }
}

async function readBinary(file: string, format: 'npy' | 'f32', options: ReadVectorOptions, hash: Hash | undefined, rows: RowChecker): Promise<{ cols: number; field?: string }> {
  const handle = await openFile(file);
  try {
    const size = (await handle.stat()).size;
    let dtype: NpyDtype = 'f4';
    let cols: number;
    let count: number;
    let dataOffset = 0;
    if (format === 'npy') {
      const head = await readAt(handle, 0, Math.min(size, HEAD_BYTES));
      let header;
      try {
        header = parseNpyHeader(head, file, size);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        // A header longer than HEAD_BYTES (legal in versions 2 and 3, never written by NumPy for 2-D arrays): read it whole, up to a limit.
        const length = head.readUInt32LE(8);
        if (length > MAX_HEADER_BYTES) throw new VectorFileError(`${file}: not a readable .npy file: its header says it is ${length} bytes long; a 2-D array's is under 1 KiB`, file);
        header = parseNpyHeader(await readAt(handle, 0, Math.min(size, 12 + length)), file, size);
      }
      ({ dtype, cols, rows: count, dataOffset } = header);
      hash?.update(await readAt(handle, 0, dataOffset));
    } else {
      const given = options.dimensions;
      if (given === undefined) throw new VectorFileError(`${file}: a raw .f32 file does not say how wide its vectors are; give the dimension (--vectors-dim N)`, file);
      cols = given;
      const rowBytes = cols * 4;
      if (size % rowBytes !== 0) {
        throw new VectorFileError(
          `${file}: ${size} bytes is not a whole number of ${cols}-dimensional float32 rows (${rowBytes} bytes each): ` +
            `${Math.floor(size / rowBytes)} complete rows and ${size % rowBytes} bytes left over. The file is truncated, or the dimension is wrong.`,
          file,
        );
      }
      count = size / rowBytes;
    }
    rows.shape(cols, count);
    const rowBytes = cols * npyItemBytes(dtype);
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
    // A buffer of its own (offset 0): float32 rows can then be viewed in place, 4-byte aligned.
    const chunk = Buffer.from(new ArrayBuffer(perChunk * rowBytes));
    const view = new DataView(chunk.buffer);
    const row = new Float32Array(cols);
    const direct = dtype === 'f4' && endianness() === 'LE';
    // Only float32 rows are viewed in place (a float16 chunk need not be a whole number of floats).
    const floats = direct ? new Float32Array(chunk.buffer) : row;
    for (let done = 0; done < count; ) {
      throwIfCancelled(options.signal);
      const n = Math.min(perChunk, count - done);
      const bytes = n * rowBytes;
      const { bytesRead } = await handle.read(chunk, 0, bytes, dataOffset + done * rowBytes);
      if (bytesRead !== bytes) throw new VectorFileError(`${file}: the file got shorter while it was read (at row ${done + 1}); was it being written?`, file);
      hash?.update(chunk.subarray(0, bytes));
      for (let k = 0; k < n; k++) {
        if (direct) rows.row(floats.subarray(k * cols, (k + 1) * cols));
        else {
          decodeNpyValues(view, k * rowBytes, dtype, row);
          rows.row(row);
        }
      }
      done += n;
    }
    return { cols };
  } finally {
    await handle.close();
  }
}

async function readAt(handle: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const out = Buffer.alloc(length);
  const { bytesRead } = await handle.read(out, 0, length, position);
  return out.subarray(0, bytesRead);
}

async function readJsonl(file: string, options: ReadVectorOptions, hash: Hash | undefined, rows: RowChecker): Promise<{ cols: number; field?: string }> {
  await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new VectorFileError(`${file}: cannot read the vector file (${error.code ?? error.message})`, file);
  });
  // The hash and the line reader listen to the same stream, attached together before it flows.
  const stream = createReadStream(file);
  if (hash !== undefined) stream.on('data', (chunk) => hash.update(chunk));
  const reader = createInterface({ input: stream, crlfDelay: Infinity });
  let field = options.field;
  let row = new Float32Array(0);
  let lineNo = 0;
  try {
    for await (const raw of reader) {
      lineNo++;
      const text = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      if (rows.count % 4096 === 0) throwIfCancelled(options.signal);
      const at = `${file}:${lineNo}`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        const why = /\b(NaN|-?Infinity)\b/.test(text) ? 'it holds NaN or Infinity, which a vector must not' : (error as Error).message;
        throw new VectorFileError(`${at}: not valid JSON (${why})`, file, lineNo);
      }
      let vector: unknown = parsed;
      if (!Array.isArray(parsed)) {
        if (parsed === null || typeof parsed !== 'object') throw new VectorFileError(`${at}: expected a JSON object or an array of numbers`, file, lineNo);
        const record = parsed as Record<string, unknown>;
        field ??= VECTOR_FIELDS.find((f) => Array.isArray(record[f]));
        if (field === undefined) {
          throw new VectorFileError(`${at}: no vector field; expected one of ${VECTOR_FIELDS.join(', ')} (or name it with --vectors-field)`, file, lineNo);
        }
        vector = record[field];
        if (vector === undefined) throw new VectorFileError(`${at}: the field "${field}" is missing`, file, lineNo);
      }
      if (!Array.isArray(vector)) throw new VectorFileError(`${at}: "${field}" is not an array of numbers`, file, lineNo);
      if (rows.width < 0) {
        if (options.dimensions !== undefined && vector.length !== options.dimensions) {
          throw new VectorFileError(`${at}: the vector has ${vector.length} numbers; expected ${options.dimensions}`, file, lineNo);
        }
        if (vector.length === 0) throw new VectorFileError(`${at}: the vector is empty`, file, lineNo);
        rows.shape(vector.length, undefined);
        row = new Float32Array(vector.length);
      }
      if (vector.length !== row.length) throw new VectorFileError(`${at}: the vector has ${vector.length} numbers; the rows before have ${row.length}`, file, lineNo);
      for (let j = 0; j < row.length; j++) {
        const v: unknown = vector[j];
        if (typeof v !== 'number') {
          throw new VectorFileError(`${at}: value ${j + 1} of the vector is ${v === null ? 'null' : `a ${typeof v}`}, not a number`, file, lineNo);
        }
        row[j] = v;
      }
      rows.row(row, lineNo);
    }
  } finally {
    reader.close();
    stream.destroy();
  }
  if (rows.width < 0 && options.dimensions !== undefined) rows.shape(options.dimensions, 0);
  return { cols: Math.max(rows.width, 0), ...(field !== undefined ? { field } : {}) };
}
