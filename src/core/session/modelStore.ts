/**
 * What must survive a reload besides the labels: the newest model version and the learning curve.
 * Kept beside the log, in `.activelabel/<dataset>/model.json`, written atomically after each
 * version and validated on read. The file is a cache of what the session measured, never a source
 * of labels: a missing file is a first session; a corrupt one is reported and ignored (versions
 * still go on from the highest `modelVersion` in the log, and the curve starts over).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { writeFileAtomic } from '../labels/atomicWrite';
import type { RestoredModel } from './modelHistory';

export const MODEL_FILE_NAME = 'model.json';
const FORMAT = 1;
/** Points kept: a curve of more is thinned by the chart anyway, and the file stays small. */
const MAX_POINTS = 2000;

const share = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
const whole = v.pipe(v.number(), v.integer(), v.minValue(0));

const ModelFileSchema = v.object({
  format: v.literal(FORMAT),
  version: whole,
  curve: v.pipe(
    v.array(
      v.object({
        version: whole,
        labels: whole,
        accuracy: share,
        macroF1: share,
        evaluated: whole,
        low: share,
        high: share,
      }),
    ),
    v.maxLength(MAX_POINTS),
  ),
});

export function modelStatePath(storeDir: string): string {
  return join(storeDir, MODEL_FILE_NAME);
}

export interface ReadModelState {
  /** Null when there is no usable file. */
  readonly state: RestoredModel | null;
  /** Set when a file exists but cannot be used: say so, then go on without it. */
  readonly warning?: string;
}

/** Reads `file`; never throws. */
export async function readModelState(file: string): Promise<ReadModelState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: null };
    return { state: null, warning: unusable(file, error instanceof Error ? error.message : String(error)) };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { state: null, warning: unusable(file, `not JSON (${error instanceof Error ? error.message : String(error)})`) };
  }
  const parsed = v.safeParse(ModelFileSchema, raw);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue === undefined ? '' : v.getDotPath(issue) ?? '';
    return { state: null, warning: unusable(file, `${where ? `field ${where}: ` : ''}${issue?.message ?? 'invalid'}`) };
  }
  return { state: { version: parsed.output.version, curve: parsed.output.curve } };
}

/** Writes the state atomically (a reader sees the old file or the new one, never a half). */
export async function writeModelState(file: string, state: RestoredModel): Promise<void> {
  const body = { format: FORMAT, version: state.version, curve: state.curve.slice(-MAX_POINTS) };
  await writeFileAtomic(file, async (write) => write(`${JSON.stringify(body, null, 1)}\n`));
}

function unusable(file: string, why: string): string {
  return `${file}: the saved model state cannot be used (${why}). Model versions go on from the label log and the learning curve starts over; the file is rewritten at the next retrain.`;
}
