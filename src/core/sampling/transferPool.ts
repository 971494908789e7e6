import { createRng } from '../random';
import type { LabelMode, Matrix } from '../types';
import { topSet } from './rank';
import { uncertaintyScores } from './uncertainty';

/**
 * The candidate subpool of active transfer learning and ATLAS on a large pool.
 *
 * Their cost at a million items was the MLP's hidden layer over every pool row (1,000,000 x 384 x
 * 64 multiply-adds, then the error features and the error head over it again): ~14 s of a batch.
 * Above TRANSFER_POOL_ROWS the hidden layer is computed on a subpool of that many rows instead:
 *   - half are the pool's most uncertain items under the main model's current pool prediction
 *     (least confidence; the prediction the session already holds, so choosing costs O(n)): errors
 *     concentrate where the model is unsure, which is where the error head ranks highest;
 *   - the other half is a seeded uniform sample of the rest, as small-text subsamples the pool per
 *     query, so confident-but-wrong regions the error head may have learnt stay reachable.
 * Without a pool prediction the subpool is all uniform. SEALS (Coleman et al., 2022) restricts the
 * candidates to nearest neighbours of the labeled items instead; that needs a nearest-neighbour
 * index over the pool, which the engine does not keep, so it is not used here.
 * At or below TRANSFER_POOL_ROWS every row is a candidate and nothing changes.
 */
export const TRANSFER_POOL_ROWS = 50_000;

/** Ascending pool rows of the subpool, or null when the whole pool is the candidate set. */
export function transferCandidates(
  poolRows: number,
  options: { readonly seed: number; readonly maxRows?: number; readonly poolProbs?: Matrix; readonly mode: LabelMode },
): Int32Array | null {
  const max = Math.max(1, Math.floor(options.maxRows ?? TRANSFER_POOL_ROWS));
  if (poolRows <= max) return null;
  const chosen = new Uint8Array(poolRows);
  const rng = createRng((options.seed ^ 0x7a5f3e11) >>> 0);
  let count = 0;
  const probs = options.poolProbs;
  if (probs && probs.rows === poolRows && probs.cols > 1) {
    const scores = uncertaintyScores(probs, options.mode, 'least-confidence');
    for (const row of topSet(scores, Math.floor(max / 2), rng)) {
      chosen[row] = 1;
      count++;
    }
  }
  // Floyd's algorithm over the rows not chosen yet: a uniform sample of the rest.
  const rest = poolRows - count;
  const want = max - count;
  const free = new Int32Array(rest);
  for (let i = 0, w = 0; i < poolRows; i++) if (!chosen[i]) free[w++] = i;
  const picked = new Uint8Array(rest);
  for (let j = rest - want; j < rest; j++) {
    const t = rng.int(j + 1);
    picked[picked[t] ? j : t] = 1;
  }
  for (let i = 0; i < rest; i++) if (picked[i]) chosen[free[i] as number] = 1;
  const out = new Int32Array(max);
  for (let i = 0, w = 0; i < poolRows; i++) if (chosen[i]) out[w++] = i;
  return out;
}
