/**
 * `--vectors FILE`, `--vectors-dim N` and `--vectors-field F`, shared by `embed` and `simulate`:
 * which vector file (if any) stands in for a model. An explicit `--vectors` wins; otherwise a
 * `<dataset>.vectors.npy` sidecar is used unless `--model` was given.
 */
import { findSidecarVectors } from '../core/embedding/precomputedVectors';
import { type CliIO, UsageError, positiveInteger } from './args';

export const vectorOptions = {
  vectors: { type: 'string' },
  'vectors-dim': { type: 'string' },
  'vectors-field': { type: 'string' },
} as const;

export const vectorHelp = `  --vectors FILE       use these vectors instead of a model: .npy (float32/16/64, rows x dim),
                       .jsonl (an "embedding"/"vector" array per line) or .f32 (raw float32);
                       one row per data row, in file order. Default: <dataset>.vectors.npy
                       next to the dataset, when there is one and --model is not given
  --vectors-dim N      width of a raw .f32 file (a check for the other formats)
  --vectors-field F    JSONL field holding the vectors (default: embedding, vector, ...)`;

export interface VectorChoice {
  readonly file: string;
  readonly dimensions?: number;
  readonly field?: string;
  readonly sidecar: boolean;
}

interface VectorValues {
  vectors?: string;
  'vectors-dim'?: string;
  'vectors-field'?: string;
  model?: string;
}

export async function chooseVectors(values: VectorValues, dataFiles: readonly string[], io: CliIO): Promise<VectorChoice | undefined> {
  const dimensions = values['vectors-dim'] !== undefined ? positiveInteger('vectors-dim', values['vectors-dim'], 0) : undefined;
  const field = values['vectors-field'];
  const extras = { ...(dimensions !== undefined ? { dimensions } : {}), ...(field !== undefined ? { field } : {}) };
  if (values.vectors !== undefined) {
    if (values.model !== undefined) throw new UsageError('give --vectors or --model, not both');
    if (dataFiles.length !== 1) throw new UsageError('--vectors needs exactly one --data file (its rows are what the vectors line up with)');
    return { file: values.vectors, sidecar: false, ...extras };
  }
  if (dimensions !== undefined || field !== undefined) throw new UsageError('--vectors-dim and --vectors-field need --vectors FILE');
  if (values.model !== undefined || dataFiles.length !== 1) return undefined;
  const sidecar = await findSidecarVectors(dataFiles[0]);
  if (sidecar === undefined) return undefined;
  io.err(`Using the vectors in ${sidecar} (found next to the dataset; pass --model to embed with a model instead).`);
  return { file: sidecar, sidecar: true };
}
