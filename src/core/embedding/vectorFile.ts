/**
 * Reads vectors the user already has, one row per dataset row, from:
 *   - `.npy`: a 2-D float32, float16 or float64 NumPy array (little-endian, C order);
 *   - `.jsonl`: one JSON object per line with an array of numbers in a field (`embedding`,
 *     `vector`, ... or the one named), or a bare array per line; blank lines are skipped, as the
 *     dataset readers skip them, so the dataset file itself can carry its vectors;
 *   - `.f32` (or `.bin`): raw little-endian float32 values, with the width given explicitly.
 * Every value is checked (NaN, Infinity, widths, truncation) with `file:row` in the message, and
 * the rows are L2-normalised, as every embedder's are. The file's sha256 identifies the vectors.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { throwIfCancelled } from '../errors';
import type { Matrix } from '../types';
import { normalizeRows } from './embedder';
import { decodeNpyData, parseNpyHeader } from './npy';
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
}

export interface VectorFile {
  readonly file: string;
  readonly format: VectorFormat;
  /** Row i is the i-th vector of the file, L2-normalised (all-zero rows stay zero). */
  readonly matrix: Matrix;
  /** sha256 (hex) of the file's bytes. */
  readonly sha256: string;
  /** The JSONL field the vectors came from. */
  readonly field?: string;
  /** How many rows are all zeros (they cannot be normalised, and match nothing). */
  readonly zeroRows: number;
}

export function vectorFormatOf(file: string): VectorFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npy') return 'npy';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.f32' || ext === '.bin') return 'f32';
  return undefined;
}

export async function readVectorFile(file: string, options: ReadVectorOptions = {}): Promise<VectorFile> {
  const format = options.format ?? vectorFormatOf(file);
  if (format === undefined) {
    throw new VectorFileError(`${file}: unknown vector file type "${path.extname(file)}"; use .npy, .jsonl or .f32 (with the dimension given)`, file);
  }
  if (options.dimensions !== undefined && !(Number.isSafeInteger(options.dimensions) && options.dimensions > 0)) {
    throw new RangeError(`dimensions must be a positive integer, got ${options.dimensions}`);
  }
  throwIfCancelled(options.signal);
  const read = format === 'jsonl' ? await readJsonl(file, options) : await readBinary(file, format, options);
  const { matrix } = read;
  if (options.dimensions !== undefined && matrix.cols !== options.dimensions && matrix.rows > 0) {
    throw new VectorFileError(`${file}: the vectors have ${matrix.cols} dimensions, expected ${options.dimensions}`, file);
  }
  checkFinite(matrix, file, read.lines);
  const zeroRows = countZeroRows(matrix);
  normalizeRows(matrix.data, matrix.cols);
  return { file, format, matrix, sha256: read.sha256, zeroRows, ...(read.field !== undefined ? { field: read.field } : {}) };
}

interface RawRead {
  readonly matrix: Matrix;
  readonly sha256: string;
  readonly field?: string;
  /** JSONL: the file line of each row, for messages. */
  readonly lines?: readonly number[];
}

async function readBinary(file: string, format: 'npy' | 'f32', options: ReadVectorOptions): Promise<RawRead> {
  const bytes = await readWhole(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (format === 'npy') {
    const header = parseNpyHeader(bytes, file);
    return { matrix: { data: decodeNpyData(bytes, header), rows: header.rows, cols: header.cols }, sha256 };
  }
  const cols = options.dimensions;
  if (cols === undefined) {
    throw new VectorFileError(`${file}: a raw .f32 file does not say how wide its vectors are; give the dimension (--vectors-dim N)`, file);
  }
  const rowBytes = cols * 4;
  if (bytes.length % rowBytes !== 0) {
    throw new VectorFileError(
      `${file}: ${bytes.length} bytes is not a whole number of ${cols}-dimensional float32 rows (${rowBytes} bytes each): ` +
        `${Math.floor(bytes.length / rowBytes)} complete rows and ${bytes.length % rowBytes} bytes left over. ` +
        'The file is truncated, or the dimension is wrong.',
      file,
    );
  }
  const rows = bytes.length / rowBytes;
  const data = new Float32Array(rows * cols);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
  return { matrix: { data, rows, cols }, sha256 };
}

async function readWhole(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    throw new VectorFileError(`${file}: cannot read the vector file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, file);
  }
}

async function readJsonl(file: string, options: ReadVectorOptions): Promise<RawRead> {
  await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new VectorFileError(`${file}: cannot read the vector file (${error.code ?? error.message})`, file);
  });
  // The hash and the line reader listen to the same stream, attached together before it flows.
  const hash = createHash('sha256');
  const stream = createReadStream(file);
  stream.on('data', (chunk) => hash.update(chunk));
  const reader = createInterface({ input: stream, crlfDelay: Infinity });
  let field = options.field;
  let cols = options.dimensions ?? -1;
  let values = new Float32Array(1024);
  let count = 0;
  const lines: number[] = [];
  let lineNo = 0;
  try {
    for await (const raw of reader) {
      lineNo++;
      const text = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      if (lines.length % 4096 === 0) throwIfCancelled(options.signal);
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
      if (cols < 0) cols = vector.length;
      if (vector.length !== cols) {
        const before = options.dimensions !== undefined && lines.length === 0 ? 'expected' : 'the rows before have';
        throw new VectorFileError(`${at}: the vector has ${vector.length} numbers; ${before} ${cols}`, file, lineNo);
      }
      if (cols === 0) throw new VectorFileError(`${at}: the vector is empty`, file, lineNo);
      if (count + cols > values.length) {
        const grown = new Float32Array(Math.max(values.length * 2, count + cols));
        grown.set(values.subarray(0, count));
        values = grown;
      }
      for (let j = 0; j < cols; j++) {
        const v = vector[j];
        if (typeof v !== 'number') {
          throw new VectorFileError(`${at}: value ${j + 1} of the vector is ${v === null ? 'null' : `a ${typeof v}`}, not a number`, file, lineNo);
        }
        values[count + j] = v;
      }
      count += cols;
      lines.push(lineNo);
    }
  } finally {
    reader.close();
    stream.destroy();
  }
  const rows = lines.length;
  return {
    matrix: { data: values.slice(0, count), rows, cols: Math.max(cols, 0) },
    sha256: hash.digest('hex'),
    ...(field !== undefined ? { field } : {}),
    lines,
  };
}

/** NaN or Infinity anywhere is an error naming the row (and its line, for JSONL). */
function checkFinite(m: Matrix, file: string, lines: readonly number[] | undefined): void {
  const { data, cols } = m;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isFinite(v)) continue;
    const r = Math.floor(i / cols);
    const row = lines ? lines[r] : r + 1;
    const what = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    throw new VectorFileError(
      `${file}:${row}: ${lines ? 'the vector on this line' : `row ${row} (index ${r})`} holds ${what} at dimension ${(i % cols) + 1}; ` +
        'every value must be a finite number (float16 overflows to Infinity above 65504)',
      file,
      row,
    );
  }
}

function countZeroRows(m: Matrix): number {
  let zeros = 0;
  for (let r = 0; r < m.rows; r++) {
    let any = false;
    for (let j = r * m.cols; j < (r + 1) * m.cols && !any; j++) any = m.data[j] !== 0;
    if (!any) zeros++;
  }
  return zeros;
}
