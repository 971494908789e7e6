/**
 * Vectors the user already has, served through the `Embedder` interface so `embedDataset`, the
 * cache and everything downstream treat them like any model's. The file holds one row per data row
 * of the dataset, in file order (see datasetRows.ts); nothing is ever matched loosely:
 *   - the row count must equal the dataset's exactly, and the result says that it did;
 *   - a sidecar `<vectors>.meta.json` may name the dataset's sha256, and then it must match;
 *   - rows with the same text must carry (nearly) the same vector: a cheap alignment check, since
 *     shuffled or shifted vectors almost never agree on duplicates.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { LoadOptions } from '../dataset';
import { throwIfCancelled } from '../errors';
import type { Dataset, Matrix } from '../types';
import { datasetRowHashes } from './datasetRows';
import { type Embedder, emptyMatrix } from './embedder';
import { type ReadVectorOptions, type VectorFile, readVectorFile } from './vectorFile';
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
}

export interface PrecomputedLoad {
  readonly embedder: PrecomputedVectors;
  readonly vectors: VectorFile;
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
  const vectors = await readVectorFile(vectorFile, {
    ...(dimensions !== undefined ? { dimensions } : {}),
    ...(field !== undefined ? { field } : {}),
    ...(options.format !== undefined ? { format: options.format } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  const rowHashes = await datasetRowHashes(dataset, { ...options.loadOptions, ...(options.signal ? { signal: options.signal } : {}) });
  throwIfCancelled(options.signal);
  const rows = rowHashes.length;
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
  if (vectors.matrix.rows !== rows) {
    throw new VectorFileError(
      `${vectorFile}: ${vectors.matrix.rows.toLocaleString('en-US')} vectors for ${rows.toLocaleString('en-US')} data rows in ${dataset.file}. ` +
        'A vector file needs exactly one row per data row, in file order (header and blank lines excluded, skipped and duplicate rows included).',
      vectorFile,
    );
  }

  const aligned = alignRows(vectors, dataset, rowHashes);
  const warnings = [...aligned.warnings];
  const embedder = new PrecomputedVectors(`vectors:${name}${meta?.model ? `#${meta.model}` : ''}`, vectors.sha256, dataset, aligned.matrix);
  const how = matchedBy === 'fingerprint' ? 'the dataset fingerprint in the .meta.json sidecar and the row count' : 'row count and position';
  const summary =
    `${name}: ${rows.toLocaleString('en-US')} rows x ${vectors.matrix.cols} dimensions matched ${dataset.file}'s ` +
    `${rows.toLocaleString('en-US')} data rows by ${how}${meta?.model ? ` (model ${meta.model})` : ''}.`;
  return { embedder, vectors, matchedBy, summary, warnings, ...(meta ? { meta } : {}) };
}

/** Row i of the result is the vector of dataset.items[i]; later duplicate rows are only checked. */
function alignRows(vectors: VectorFile, dataset: Dataset, rowHashes: readonly (string | null)[]): { matrix: Matrix; warnings: string[] } {
  const { cols, data } = vectors.matrix;
  const itemOf = new Map<string, number>();
  dataset.items.forEach((item, i) => itemOf.set(item.textHash, i));
  const firstRow = new Int32Array(dataset.items.length).fill(-1);
  const out = new Float32Array(dataset.items.length * cols);
  const disagreements: string[] = [];
  let disagreeing = 0;
  let zeroItems = 0;
  rowHashes.forEach((hash, r) => {
    const i = hash === null ? undefined : itemOf.get(hash);
    if (i === undefined) return;
    const vector = data.subarray(r * cols, (r + 1) * cols);
    if (firstRow[i] < 0) {
      firstRow[i] = r;
      out.set(vector, i * cols);
      if (vector.every((v) => v === 0)) zeroItems++;
      return;
    }
    const cos = dotRows(data, firstRow[i] * cols, r * cols, cols);
    if (cos < 0.95) {
      disagreeing++;
      if (disagreements.length < 3) disagreements.push(`rows ${firstRow[i] + 1} and ${r + 1} (cosine ${cos.toFixed(2)})`);
    }
  });
  const missing = firstRow.indexOf(-1);
  if (missing >= 0) throw new VectorFileError(`${dataset.file}: item at line ${dataset.items[missing].line} has no row; the file changed on disk`, vectors.file);
  const warnings: string[] = [];
  if (disagreeing > 0) {
    warnings.push(
      `${vectors.file}: ${disagreeing} rows repeat an earlier row's text with a different vector, e.g. ${disagreements.join(', ')}. ` +
        'Are the vectors in the dataset\'s row order? The first row of each text is used.',
    );
  }
  if (zeroItems > 0) warnings.push(`${vectors.file}: ${zeroItems} items have an all-zero vector; they will look similar to nothing.`);
  return { matrix: { data: out, rows: dataset.items.length, cols }, warnings };
}

function dotRows(data: Float32Array, a: number, b: number, cols: number): number {
  let s = 0;
  for (let j = 0; j < cols; j++) s += data[a + j] * data[b + j];
  return s;
}

/**
 * An `Embedder` that looks texts up instead of computing them. `embed` accepts only the dataset's
 * own item texts (that is what `embedDataset` passes); anything else is an error, not a guess.
 * The fingerprint is the vector file's sha256, so a cache keyed by it is rebuilt when the file changes.
 */
export class PrecomputedVectors implements Embedder {
  readonly kind = 'precomputed' as const;
  readonly dimensions: number;
  private readonly rowOfText = new Map<string, number>();

  constructor(
    readonly id: string,
    private readonly sha256: string,
    dataset: Dataset,
    private readonly matrix: Matrix,
  ) {
    this.dimensions = matrix.cols;
    dataset.items.forEach((item, i) => this.rowOfText.set(item.text, i));
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Matrix> {
    throwIfCancelled(signal);
    const cols = this.dimensions;
    if (texts.length === 0) return emptyMatrix(cols);
    const data = new Float32Array(texts.length * cols);
    texts.forEach((text, k) => {
      const i = this.rowOfText.get(text);
      if (i === undefined) throw new VectorFileError(`${this.id} has no vector for the text ${JSON.stringify(text.slice(0, 60))}: it is not in the dataset the vectors were matched with`, this.id);
      data.set(this.matrix.data.subarray(i * cols, (i + 1) * cols), k * cols);
    });
    return { data, rows: texts.length, cols };
  }

  fingerprint(): string {
    return `sha256:${this.sha256}`;
  }

  async dispose(): Promise<void> {}
}
