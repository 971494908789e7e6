/**
 * The review benchmark's data: a labeled JSONL with a share of its labels flipped to another label
 * (seeded), the record of which ids were flipped, and a use-lite vector file that lines up with it.
 */
import { promises as fs } from 'node:fs';
import { createRng, shuffled } from '../src/core/random';
import { metaFileFor, readVectorsMeta, sha256File } from '../src/core/embedding/precomputedVectors';

interface Row {
  readonly id: string;
  readonly text: string;
  readonly label: string;
}

export interface Planted {
  /** The noisy JSONL (same rows and order as the clean one). */
  readonly file: string;
  /** Ids whose label was flipped, with their true label. */
  readonly flipped: ReadonlyMap<string, string>;
  readonly rows: number;
}

/**
 * Flips round(rate x rows) labels, chosen uniformly at random, each to a uniformly chosen other
 * label of the dataset; writes the result to `out`.
 */
export async function plantLabelErrors(clean: string, out: string, rate: number, seed: number): Promise<Planted> {
  const rows = (await fs.readFile(clean, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Row);
  const labels = [...new Set(rows.map((r) => r.label))].sort();
  const rng = createRng(seed);
  const chosen = shuffled(
    rows.map((_, i) => i),
    rng,
  ).slice(0, Math.round(rate * rows.length));
  const flipped = new Map<string, string>();
  const noisy = rows.slice();
  for (const i of chosen) {
    const row = rows[i] as Row;
    const others = labels.filter((l) => l !== row.label);
    noisy[i] = { ...row, label: others[rng.int(others.length)] as string };
    flipped.set(row.id, row.label);
  }
  await fs.writeFile(out, noisy.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { file: out, flipped, rows: rows.length };
}

/** Copies the clean file's use-lite vectors beside the noisy file, with a sidecar naming it. */
export async function alignVectors(cleanVectors: string, noisy: string): Promise<string> {
  const out = noisy.replace(/\.jsonl$/, '.use-lite.npy');
  await fs.copyFile(cleanVectors, out);
  const meta = await readVectorsMeta(cleanVectors);
  const sha256 = await sha256File(noisy);
  await fs.writeFile(metaFileFor(out), JSON.stringify({ ...meta, dataset: { ...meta?.dataset, sha256 } }, null, 2) + '\n');
  return out;
}

/** Precision in the top K (K = number planted) and recall in the top 2K of a ranking of ids. */
export function plantedMetrics(rankedIds: readonly string[], planted: ReadonlySet<string>): { precisionAtK: number; recallAt2K: number; k: number } {
  const k = planted.size;
  const hits = (n: number): number => rankedIds.slice(0, n).filter((id) => planted.has(id)).length;
  return { precisionAtK: k === 0 ? 0 : hits(k) / k, recallAt2K: k === 0 ? 0 : hits(2 * k) / k, k };
}
