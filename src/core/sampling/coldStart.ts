import type { Targets } from '../model/types';
import type { Rng } from '../random';
import type { Matrix, RankedItem } from '../types';
import { MAX_CLUSTERED_ROWS, pickFromClusters } from './clusterSampling';
import { randomSampling } from './randomSampling';

/** Labels per class (positives per class for multi-label targets). */
export function labelCounts(targets: Targets, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  if (targets.kind === 'single') {
    for (const y of targets.y) if (y >= 0 && y < classes) counts[y]++;
  } else {
    for (let i = 0; i < targets.y.length; i++) counts[i % classes] += targets.y[i];
  }
  return counts;
}

/** Why the loop is still in cold start, or null once every label has `minPerLabel` examples. */
export function coldStartReason(targets: Targets, classes: readonly string[], minPerLabel: number, hasModel: boolean): string | null {
  const counts = labelCounts(targets, classes.length);
  const present = counts.filter((c) => c > 0).length;
  if (classes.length < 2 || present < 2) return 'fewer than two labels have examples';
  const short = classes.filter((_, i) => counts[i] < minPerLabel);
  if (short.length > 0) return `${short.length === 1 ? `label "${short[0]}" has` : `${short.length} labels have`} fewer than ${minPerLabel} examples`;
  if (!hasModel) return 'no model trained yet';
  return null;
}

/** Compiles `/regex/flags` or a keyword (case-insensitive substring). Invalid regexes become keywords. */
export function compilePattern(pattern: string): (text: string) => boolean {
  const m = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (m) {
    try {
      const re = new RegExp(m[1], m[2].replace(/[gy]/g, ''));
      return (text) => re.test(text);
    } catch {
      // fall through: treat as a keyword
    }
  }
  const needle = pattern.toLowerCase();
  return (text) => text.toLowerCase().includes(needle);
}

export interface ColdStartOptions {
  readonly seed: number;
  readonly why: string;
  readonly randomShare: number;
  readonly seedPatterns?: readonly string[];
  readonly texts?: readonly string[];
  /** Rows clustered at most (a seeded sample of the pool); default MAX_CLUSTERED_ROWS. */
  readonly maxClusteredRows?: number;
}

/**
 * Cold start: items matching the seed patterns first (at most half the batch), then cluster
 * centroids for coverage (fitted on a seeded sample of at most MAX_CLUSTERED_ROWS rows, so a large pool
 * answers as fast as a small one), plus the random share. Every reason starts with "cold start".
 */
export function coldStartSampling(pool: Matrix, batchSize: number, options: ColdStartOptions, rng: Rng): RankedItem[] {
  const want = Math.min(batchSize, pool.rows);
  if (want <= 0) return [];
  const out: RankedItem[] = [];
  const picked = new Set<number>();
  const patterns = (options.seedPatterns ?? []).filter((p) => p.trim().length > 0);
  if (patterns.length > 0 && options.texts) {
    const tests = patterns.map((p) => ({ p, test: compilePattern(p) }));
    const matches: { index: number; pattern: string }[] = [];
    options.texts.forEach((text, index) => {
      if (index >= pool.rows) return;
      const hit = tests.find((t) => t.test(text));
      if (hit) matches.push({ index, pattern: hit.p });
    });
    for (let i = matches.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [matches[i], matches[j]] = [matches[j], matches[i]];
    }
    for (const m of matches.slice(0, Math.ceil(want / 2))) {
      picked.add(m.index);
      out.push({ index: m.index, reason: { strategy: 'seed-pattern', score: 1, detail: `Cold start (${options.why}): matches seed pattern "${m.pattern}"` } });
    }
  }
  const randomCount = Math.min(want - out.length, Math.round(want * options.randomShare));
  const clusterCount = want - out.length - randomCount;
  if (clusterCount > 0) {
    const rest = Array.from({ length: pool.rows }, (_, i) => i).filter((i) => !picked.has(i));
    const picks = pickFromClusters(pool, rest, clusterCount, {
      clusters: clusterCount,
      seed: options.seed,
      strategy: 'cold-start',
      context: `Cold start (${options.why})`,
      maxRows: options.maxClusteredRows ?? MAX_CLUSTERED_ROWS,
    }, rng);
    for (const p of picks) picked.add(p.index);
    out.push(...picks);
  }
  const fill = randomSampling(pool.rows, want - out.length, rng, picked, `Cold start (${options.why}): random sample`);
  out.push(...fill);
  return out;
}
