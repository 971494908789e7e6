/**
 * Vectors the user already has, served through the `Embedder` interface so `embedDataset`, the
 * cache and everything downstream treat them like any model's. The file holds one row per data row
 * of the dataset, in file order (see datasetRows.ts); nothing is ever matched loosely:
 *   - the row count must equal the dataset's exactly, and the result says that it did;
 *   - a sidecar `<vectors>.meta.json` may name the dataset's sha256, and then it must match;
 *   - rows with the same text must carry (nearly) the same vector: a cheap alignment check, since
 *     shuffled or shifted vectors almost never agree on duplicates.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { LoadOptions } from '../dataset';
import { throwIfCancelled } from '../errors';
import { hashNormalized, normalizeText } from '../dataset/normalize';
import { StringIndex } from '../labels/stringIndex';
import { readRowInto, takeRows } from '../math/matrix';
import type { Dataset, DatasetItem, Matrix } from '../types';
import { datasetRowItems } from './datasetRows';
import { type Embedder, emptyMatrix } from './embedder';
import { Int8Matrix, poolMatrix } from './int8Matrix';
import { precomputedStorage, rowBytes, type VectorDtype } from './quantize';
import { type ReadVectorOptions, type VectorRows, streamVectorFile, unitInto } from './vectorFile';
import { VectorFileError } from './vectorFileError';

/** The optional sidecar `<vectors file>.meta.json`. Every field is optional. */
export interface VectorsMeta {
  /** What the vectors were computed from: the dataset file's sha256 (hex) and/or its row count. */
  readonly dataset?: { readonly sha256?: string; readonly rows?: number };
  /** The model that made them, shown to the user and part of the embedder id. */
  readonly model?: string;
  /** The width; lets a raw `.f32` file be used without `--vectors-dim`. */
  readonly dimensions?: number;
  /** The JSONL field holding the vectors. */
  readonly field?: string;
}

export interface PrecomputedOptions extends Omit<ReadVectorOptions, 'signal'> {
  /** The options the dataset was loaded with (text field, header detection). */
  readonly loadOptions?: LoadOptions;
  readonly signal?: AbortSignal;
  /** How to keep the rows in memory; default `precomputedStorage` (float32 as given, int8 for a large pool). */
  readonly storage?: VectorDtype;
}

export interface PrecomputedLoad {
  readonly embedder: PrecomputedVectors;
  readonly vectors: VectorRows;
  readonly meta?: VectorsMeta;
  /** 'fingerprint' when the sidecar's dataset sha256 matched; 'rows' when only the count did. */
  readonly matchedBy: 'fingerprint' | 'rows';
  /** One sentence for the user: what was matched with what. */
  readonly summary: string;
  /** Warnings that do not stop the run (duplicate texts with different vectors, all-zero rows). */
  readonly warnings: readonly string[];
}

/** `<dataset>.vectors.npy` (or `<stem>.vectors.npy`) next to the dataset, if there is one. */
export async function findSidecarVectors(datasetPath: string): Promise<string | undefined> {
  const dir = path.dirname(datasetPath);
  const base = path.basename(datasetPath);
  const stem = base.slice(0, base.length - path.extname(base).length);
  for (const name of [`${base}.vectors.npy`, `${stem}.vectors.npy`]) {
    const candidate = path.join(dir, name);
    const stat = await fs.stat(candidate).catch(() => null);
    if (stat?.isFile()) return candidate;
  }
  return undefined;
}

export function metaFileFor(vectorFile: string): string {
  return `${vectorFile}.meta.json`;
}

export async function readVectorsMeta(vectorFile: string): Promise<VectorsMeta | undefined> {
  const file = metaFileFor(vectorFile);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new VectorFileError(`${file}: cannot read (${(error as Error).message})`, file);
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (error) {
    throw new VectorFileError(`${file}: not valid JSON (${(error as Error).message})`, file);
  }
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw new VectorFileError(`${file}: expected a JSON object`, file);
  const m = meta as Record<string, unknown>;
  const bad = (field: string, want: string): never => {
    throw new VectorFileError(`${file}: "${field}" must be ${want}`, file);
  };
  const dataset = m.dataset as Record<string, unknown> | undefined;
  if (dataset !== undefined && (dataset === null || typeof dataset !== 'object')) bad('dataset', 'an object');
  if (dataset?.sha256 !== undefined && !(typeof dataset.sha256 === 'string' && /^[0-9a-f]{64}$/i.test(dataset.sha256))) bad('dataset.sha256', '64 hex digits');
  if (dataset?.rows !== undefined && !Number.isSafeInteger(dataset.rows)) bad('dataset.rows', 'an integer');
  if (m.model !== undefined && typeof m.model !== 'string') bad('model', 'a string');
  if (m.dimensions !== undefined && !(Number.isSafeInteger(m.dimensions) && (m.dimensions as number) > 0)) bad('dimensions', 'a positive integer');
  if (m.field !== undefined && typeof m.field !== 'string') bad('field', 'a string');
  return m as VectorsMeta;
}

/** sha256 (hex) of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Reads, checks and aligns a vector file to `dataset`; throws `VectorFileError` on any mismatch. */
export async function loadPrecomputedVectors(vectorFile: string, dataset: Dataset, options: PrecomputedOptions = {}): Promise<PrecomputedLoad> {
  const meta = await readVectorsMeta(vectorFile);
  const dimensions = options.dimensions ?? meta?.dimensions;
  const field = options.field ?? meta?.field;
  const rowItems = await datasetRowItems(dataset, { ...options.loadOptions, ...(options.signal ? { signal: options.signal } : {}) });
  throwIfCancelled(options.signal);
  const rows = rowItems.length;
  const name = path.basename(vectorFile);

  let matchedBy: PrecomputedLoad['matchedBy'] = 'rows';
  if (meta?.dataset?.sha256 !== undefined) {
    const actual = await sha256File(dataset.file);
    if (actual.toLowerCase() !== meta.dataset.sha256.toLowerCase()) {
      throw new VectorFileError(
        `${vectorFile}: the vectors were made for another version of ${dataset.file} (${metaFileFor(vectorFile)} names dataset sha256 ` +
          `${meta.dataset.sha256.slice(0, 12)}..., the file's is ${actual.slice(0, 12)}...). Recompute the vectors for this file.`,
        vectorFile,
      );
    }
    matchedBy = 'fingerprint';
  }
  if (meta?.dataset?.rows !== undefined && meta.dataset.rows !== rows) {
    throw new VectorFileError(
      `${vectorFile}: ${metaFileFor(vectorFile)} says the vectors were made for ${meta.dataset.rows} rows, but ${dataset.file} has ${rows} data rows.`,
      vectorFile,
    );
  }
  const countMismatch = (vectors: number): VectorFileError =>
    new VectorFileError(
      `${vectorFile}: ${vectors.toLocaleString('en-US')} vectors for ${rows.toLocaleString('en-US')} data rows in ${dataset.file}. ` +
        'A vector file needs exactly one row per data row, in file order (header and blank lines excluded, skipped and duplicate rows included).',
      vectorFile,
    );

  const aligner = new RowAligner(vectorFile, dataset, rowItems, options.storage);
  const vectors = await streamVectorFile(
    vectorFile,
    {
      ...(dimensions !== undefined ? { dimensions } : {}),
      ...(field !== undefined ? { field } : {}),
      ...(options.format !== undefined ? { format: options.format } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.hash !== undefined ? { hash: options.hash } : {}),
    },
    {
      // A format that states its row count is refused before a row is read.
      shape: (cols, count) => {
        if (count !== undefined && count !== rows) throw countMismatch(count);
        aligner.start(cols);
      },
      // A row the dataset skipped (no text, a bad line) has no item: its vector is not read.
      wants: (r) => r < rowItems.length && (rowItems[r] as number) >= 0,
      row: (r, row, norm, maxAbs) => aligner.row(r, row, norm, maxAbs),
    },
  );
  if (vectors.rows !== rows) throw countMismatch(vectors.rows);
  const aligned = aligner.finish(vectors.cols);
  const embedder = new PrecomputedVectors(`vectors:${name}${meta?.model ? `#${meta.model}` : ''}`, vectors.sha256, dataset, aligned.matrix, aligned.storage);
  const how = matchedBy === 'fingerprint' ? 'the dataset fingerprint in the .meta.json sidecar and the row count' : 'row count and position';
  const kept =
    aligned.storage === 'int8'
      ? ` Kept in memory as int8 with a scale per row (${mib(rowBytes('int8', vectors.cols) * dataset.items.length)}; float32 would take ${mib(4 * vectors.cols * dataset.items.length)}).`
      : '';
  const summary =
    `${name}: ${rows.toLocaleString('en-US')} rows x ${vectors.cols} dimensions matched ${dataset.file}'s ` +
    `${rows.toLocaleString('en-US')} data rows by ${how}${meta?.model ? ` (model ${meta.model})` : ''}.${kept}`;
  return { embedder, vectors, matchedBy, summary, warnings: aligned.warnings, ...(meta ? { meta } : {}) };
}

const mib = (bytes: number): string => `${Math.round(bytes / (1024 * 1024)).toLocaleString('en-US')} MiB`;

/**
 * Row i of the result is the vector of dataset.items[i], from the item's first row; a later
 * duplicate row is only checked against it (shuffled or shifted vectors almost never agree there).
 */
class RowAligner {
  private matrix: Matrix | undefined;
  private storage: VectorDtype = 'float32';
  private readonly firstRow: Int32Array;
  private scratch = new Float32Array(0);
  private readonly disagreements: string[] = [];
  private disagreeing = 0;
  private zeroItems = 0;

  constructor(
    private readonly file: string,
    private readonly dataset: Dataset,
    private readonly rowItems: Int32Array,
    private readonly requested: VectorDtype | undefined,
  ) {
    this.firstRow = new Int32Array(dataset.items.length).fill(-1);
  }

  start(cols: number): void {
    const n = this.dataset.items.length;
    this.storage = this.requested ?? precomputedStorage(n, cols);
    this.matrix = this.storage === 'int8' ? Int8Matrix.filled(n, cols) : poolMatrix(this.storage, n, cols);
    this.scratch = new Float32Array(cols);
  }

  row(r: number, row: Float32Array, norm: number, maxAbs: number): void {
    const i = r < this.rowItems.length ? (this.rowItems[r] as number) : -1;
    const m = this.matrix;
    if (i < 0 || m === undefined) return;
    const first = this.firstRow[i] as number;
    const unit = norm === 0 ? 0 : 1 / norm;
    if (first < 0) {
      this.firstRow[i] = r;
      if (m instanceof Int8Matrix) m.putUnit(i, row, maxAbs, unit);
      else unitInto(row, norm, m.data, i * m.cols);
      if (norm === 0) this.zeroItems++;
      return;
    }
    readRowInto(m, i, this.scratch);
    let cos = 0;
    for (let j = 0; j < row.length; j++) cos += (this.scratch[j] as number) * (row[j] as number);
    cos *= unit;
    // 0.95: int8 storage moves a cosine by well under 0.01 (quantize.ts bounds each element's error).
    if (cos < 0.95) {
      this.disagreeing++;
      if (this.disagreements.length < 3) this.disagreements.push(`rows ${first + 1} and ${r + 1} (cosine ${cos.toFixed(2)})`);
    }
  }

  finish(cols: number): { matrix: Matrix; storage: VectorDtype; warnings: string[] } {
    const { dataset, file } = this;
    if (this.matrix === undefined) this.start(cols);
    const missing = this.firstRow.indexOf(-1);
    if (missing >= 0) throw new VectorFileError(`${dataset.file}: item at line ${dataset.items[missing]?.line} has no row; the file changed on disk`, file);
    const warnings: string[] = [];
    if (this.disagreeing > 0) {
      warnings.push(
        `${file}: ${this.disagreeing} rows repeat an earlier row's text with a different vector, e.g. ${this.disagreements.join(', ')}. ` +
          'Are the vectors in the dataset\'s row order? The first row of each text is used.',
      );
    }
    if (this.zeroItems > 0) warnings.push(`${file}: ${this.zeroItems} items have an all-zero vector; they will look similar to nothing.`);
    return { matrix: this.matrix as Matrix, storage: this.storage, warnings };
  }
}

/**
 * An `Embedder` that looks vectors up instead of computing them, for the dataset it was aligned
 * with. `vectorsFor` hands over the rows of that dataset's items without a cache (the vector file
 * is already a store of them); `embed` accepts only the dataset's own item texts, anything else is
 * an error, not a guess. The fingerprint is the vector file's sha256, so a cache keyed by it is
 * rebuilt when the file changes; a load that skipped the hash (`hash: false`) has a fingerprint no
 * cache will ever match.
 */
export class PrecomputedVectors implements Embedder {
  readonly kind = 'precomputed' as const;
  readonly dimensions: number;
  private index: StringIndex | undefined;
  private readonly unhashed = `unhashed:${randomUUID()}`;

  constructor(
    readonly id: string,
    private readonly sha256: string | undefined,
    private readonly dataset: Dataset,
    private readonly matrix: Matrix,
    /** How the rows are kept in memory (see `precomputedStorage`). */
    readonly storage: VectorDtype,
  ) {
    this.dimensions = matrix.cols;
  }

  /**
   * The vectors of `items` (the dataset's items, or some of them), row k for items[k]. The dataset's
   * own `items` array gets the embedder's matrix itself (not a copy: this embedder holds nothing
   * else, and keeps no claim on it); any other list gets its rows gathered.
   */
  vectorsFor(items: readonly DatasetItem[]): Matrix {
    if (items === this.dataset.items) return this.matrix;
    const rows = Int32Array.from(items, (item) => this.rowOf(item.textHash, item.text));
    return this.matrix instanceof Int8Matrix ? this.matrix.gather(rows) : takeRows(this.matrix, rows);
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Matrix> {
    throwIfCancelled(signal);
    const cols = this.dimensions;
    if (texts.length === 0) return emptyMatrix(cols);
    return takeRows(this.matrix, Int32Array.from(texts, (text) => this.rowOf(hashNormalized(normalizeText(text)), text)));
  }

  private rowOf(textHash: string, text: string): number {
    if (this.index === undefined) {
      this.index = new StringIndex();
      for (const item of this.dataset.items) this.index.findOrAdd(item.textHash);
    }
    const i = this.index.find(textHash);
    if (i < 0) throw new VectorFileError(`${this.id} has no vector for the text ${JSON.stringify(text.slice(0, 60))}: it is not in the dataset the vectors were matched with`, this.id);
    return i;
  }

  fingerprint(): string {
    return this.sha256 !== undefined ? `sha256:${this.sha256}` : this.unhashed;
  }

  async dispose(): Promise<void> {}
}
