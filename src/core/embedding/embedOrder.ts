/**
 * The order in which a starting session embeds its pool: a seeded random sample first, so labeling
 * can start on a diverse pool long before a large dataset is embedded, then the rest in the same
 * seeded random order, so the pool that grows in the background stays a random sample of the file.
 */
import { createRng } from '../random';

/** The first sample holds at least this many items (or the whole pool, when smaller). */
export const FIRST_SAMPLE_MIN = 5_000;
/** ... and at least this share of the pool. */
export const FIRST_SAMPLE_SHARE = 0.01;

/** 5,000 items or 1% of the pool, whichever is larger; all of a smaller pool. `override` (tests, benchmarks) wins when set. */
export function firstSampleSize(poolSize: number, override?: number): number {
  if (override !== undefined) return Math.max(0, Math.min(poolSize, Math.floor(override)));
  return Math.min(poolSize, Math.max(FIRST_SAMPLE_MIN, Math.ceil(poolSize * FIRST_SAMPLE_SHARE)));
}

export interface EmbedOrder {
  /** Every row 0..n-1 once: the first sample's rows, then the rest, in a seeded random order. */
  readonly order: Int32Array;
  /** How many of `order`'s first rows are the first sample. */
  readonly sampleSize: number;
}

/**
 * The seeded order of rows `0..poolSize-1`. `first` rows (e.g. the labeled items, which train the
 * model) come first, before the random sample, which is drawn from the other rows.
 */
export function sampleFirstOrder(poolSize: number, seed: number, options: { readonly sampleSize?: number; readonly first?: Iterable<number> } = {}): EmbedOrder {
  const order = new Int32Array(poolSize);
  for (let i = 0; i < poolSize; i++) order[i] = i;
  // Fisher-Yates on the typed array: a million rows take a few milliseconds.
  const rng = createRng((seed ^ 0x0e3b) >>> 0);
  for (let i = poolSize - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  // Move the `first` rows to the front, keeping the random order of the others.
  const front = new Uint8Array(poolSize);
  let forced = 0;
  for (const row of options.first ?? []) {
    if (row >= 0 && row < poolSize && front[row] === 0) {
      front[row] = 1;
      forced++;
    }
  }
  if (forced > 0) {
    const head: number[] = [];
    const tail: number[] = [];
    for (const row of order) (front[row] === 1 ? head : tail).push(row);
    order.set(head, 0);
    order.set(tail, head.length);
  }
  // The labeled rows are not a random sample (a strategy picked them): the random draw comes on top.
  return { order, sampleSize: Math.min(poolSize, forced + firstSampleSize(poolSize - forced, options.sampleSize)) };
}
