/**
 * A seeded, order-independent sample of item ids. The `simulate` command holds such a sample out as
 * its test split (a simulation can afford to); the labeling session does not hold anything out.
 *
 * Each id gets a pseudo-random key from (seed, id), and the lowest keys are chosen. Unlike a
 * shuffle of positions, an item's membership does not depend on the order of the file, and adding
 * rows to a dataset moves few items in or out of the sample.
 */

/** FNV-1a over the id, mixed with the seed, then finalized (murmur3 fmix32) to spread the bits. */
export function itemKey(id: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Choose `round(fraction * ids.length)` ids (at least 1 when fraction > 0 and ids exist).
 * Deterministic for a given seed.
 */
export function chooseEvaluationItems(ids: readonly string[], fraction = 0.1, seed = 0): Set<string> {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`evaluation fraction must be in [0, 1), got ${fraction}`);
  const count = fraction === 0 || ids.length === 0 ? 0 : Math.max(1, Math.round(fraction * ids.length));
  const keyed = ids.map((id) => ({ id, key: itemKey(id, seed) }));
  keyed.sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return new Set(keyed.slice(0, count).map((k) => k.id));
}
