/**
 * `loadDataset` with a snapshot: a large dataset, once loaded, can be written as a binary snapshot
 * (snapshot.ts) into its store folder, and the next load of the same file bytes with the same
 * options decodes that instead of parsing the file. The snapshot is only a cache: deleting it, or
 * any damage to it, just means the file is parsed again (and a new snapshot written).
 */
import { createHash } from 'node:crypto';
import { promises as fsp, type BigIntStats } from 'node:fs';
import type { Dataset } from '../types';
import { CancelledError, throwIfCancelled } from '../errors';
import { defaultMaxRecordBytes } from './chunks';
import { LOADER_VERSION, loadDataset, type LoadOptions } from './load';
import type { SnapshotKey } from './snapshot';
import { writeSnapshot } from './snapshot';
import { hashFile, readSnapshotFile, removeSnapshotFile, writeSnapshotFile } from './snapshotFile';

/** The snapshot's name in the dataset's store folder; `*.bin` is in the store's .gitignore. */
export const SNAPSHOT_FILE_NAME = 'dataset.snapshot.bin';

/**
 * Datasets with fewer items get no snapshot: 20,000 rows parse in about 0.1 s, so a snapshot would
 * save next to nothing and take disk space; at a million rows parsing takes 5-9 s.
 */
export const DEFAULT_SNAPSHOT_MIN_ITEMS = 20_000;

export interface SnapshotOptions {
  /** Where the snapshot is read from and written to (`<store folder>/dataset.snapshot.bin`). */
  readonly path: string;
  /** Fewer items than this: no snapshot is written (and a stale one is removed). */
  readonly minItems?: number;
}

export type SaveOutcome =
  | { readonly written: true; readonly bytes: number; readonly ms: number }
  /** `failed`: something went wrong (worth a warning), as opposed to a snapshot not being due. */
  | { readonly written: false; readonly failed: boolean; readonly reason: string };

export interface OpenedDataset {
  readonly dataset: Dataset;
  /** Decoded from the snapshot: the file was not parsed. */
  readonly fromSnapshot: boolean;
  /**
   * Writes the snapshot for the next load; present when the file was parsed. Run it after the
   * dataset is in use (it encodes and writes, about two seconds at a million rows). Never
   * rejects, except with `CancelledError` when `signal` fires.
   */
  readonly save?: (signal?: AbortSignal) => Promise<SaveOutcome>;
}

/**
 * Loads `file` as `loadDataset(file, options)` does, from its snapshot when that is valid for
 * exactly these bytes and options. Errors are `loadDataset`'s: a snapshot never causes one.
 * Progress on the snapshot path is the hashing of the file (bytes, as the parser reports).
 */
export async function loadDatasetCached(file: string, options: LoadOptions, snapshot: SnapshotOptions): Promise<OpenedDataset> {
  const before = await fsp.stat(file, { bigint: true }).catch(() => undefined);
  const base = before?.isFile() ? keyBase(file, options, Number(before.size)) : undefined;
  if (base !== undefined) {
    const hash = (): Promise<{ sha256: string; size: number }> => hashFile(file, { signal: options.signal, onProgress: options.onProgress });
    const dataset = await readSnapshotFile(snapshot.path, base, hash, options.signal);
    if (dataset !== undefined) {
      options.onProgress?.(base.size, base.size);
      return { dataset, fromSnapshot: true };
    }
  }
  // The key is the hash of exactly the bytes the loader parsed, taken as it reads them: a second
  // read could see an edit that the file's times do not show (coarse timestamps, same size).
  const parsed = createHash('sha256');
  let parsedBytes = 0;
  const dataset = await loadDataset(file, {
    ...options,
    onBytes: (chunk) => {
      parsed.update(chunk);
      parsedBytes += chunk.length;
      options.onBytes?.(chunk);
    },
  });
  if (base === undefined || before === undefined) return { dataset, fromSnapshot: false };
  const minItems = snapshot.minItems ?? DEFAULT_SNAPSHOT_MIN_ITEMS;
  const read = { sha256: parsed.digest('hex'), size: parsedBytes };
  return { dataset, fromSnapshot: false, save: (signal) => save(dataset, base, before, read, snapshot.path, minItems, signal) };
}

async function save(
  dataset: Dataset,
  base: Omit<SnapshotKey, 'sha256' | 'size'>,
  before: BigIntStats,
  read: { readonly sha256: string; readonly size: number },
  path: string,
  minItems: number,
  signal?: AbortSignal,
): Promise<SaveOutcome> {
  const started = performance.now();
  try {
    if (dataset.items.length < minItems) {
      await removeSnapshotFile(path).catch(() => undefined);
      return { written: false, failed: false, reason: `${dataset.items.length} items, under the ${minItems} a snapshot is written for` };
    }
    // Keyed on the bytes parsed; the file must also still be the one that was opened, unchanged
    // since (identity, size and times, as a cheap second guard), so the next start finds it valid.
    const { sha256, size } = read;
    throwIfCancelled(signal);
    const after = await fsp.stat(dataset.file, { bigint: true });
    if (!sameFile(before, after) || BigInt(size) !== after.size) return { written: false, failed: false, reason: 'the file changed while it was read' };
    const bytes = await writeSnapshotFile(path, (sink) => writeSnapshot(dataset, { ...base, size, sha256 }, sink, signal));
    return { written: true, bytes, ms: performance.now() - started };
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    return { written: false, failed: true, reason: error instanceof Error ? error.message : String(error) };
  }
}

function keyBase(file: string, options: LoadOptions, size: number): Omit<SnapshotKey, 'sha256'> {
  return {
    loaderVersion: LOADER_VERSION,
    unicode: process.versions.unicode ?? '',
    file,
    format: options.format ?? null,
    textField: options.textField ?? null,
    idField: options.idField ?? null,
    labelField: options.labelField ?? null,
    maxRecordBytes: options.maxRecordBytes ?? defaultMaxRecordBytes,
    size,
  };
}

function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}
