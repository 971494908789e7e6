import type { Rng } from '../random';
import type { RankedItem } from '../types';

/** Uniform random items from the pool (excluding `exclude`); the unbiased share of every batch. */
export function randomSampling(poolSize: number, batchSize: number, rng: Rng, exclude: ReadonlySet<number> = new Set(), detail = 'Random sample (unbiased view of the pool)'): RankedItem[] {
  const available: number[] = [];
  for (let i = 0; i < poolSize; i++) if (!exclude.has(i)) available.push(i);
  const take = Math.min(batchSize, available.length);
  const out: RankedItem[] = [];
  for (let i = 0; i < take; i++) {
    const j = i + rng.int(available.length - i);
    [available[i], available[j]] = [available[j], available[i]];
    out.push({ index: available[i], reason: { strategy: 'random', score: 0, detail } });
  }
  return out;
}
