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
  // One rule, said one way: cold start lasts until every label has `minPerLabel` training examples.
  const short = classes.map((name, i) => ({ name, n: counts[i] as number })).filter((c) => c.n < minPerLabel);
  if (classes.length < 2 || short.length > 0) {
    const listed = short.slice(0, 3).map((c) => `"${c.name}" has ${c.n}`);
    const more = short.length > 3 ? ` and ${short.length - 3} more` : '';
    return `until every label has ${minPerLabel} training examples: ${listed.join(', ')}${more}, fewer than ${minPerLabel} examples`;
  }
  if (!hasModel) return 'no model trained yet';
  return null;
}

const REGEX_PATTERN = /^\/(.+)\/([a-z]*)$/;

/**
 * The RegExp that a `/source/flags` seed pattern stands for, or undefined for a keyword. Throws a
 * SyntaxError when the pattern has the regex shape but does not compile, so the host can say why
 * while the user types. `g` and `y` are dropped: they make `test` stateful across items.
 */
export function seedRegex(pattern: string): RegExp | undefined {
  const m = REGEX_PATTERN.exec(pattern);
  return m ? new RegExp(m[1], m[2].replace(/[gy]/g, '')) : undefined;
}

/**
 * Compiles `/regex/flags` or a keyword (case-insensitive substring) into a matcher that returns the
 * text it matched (for the reason shown to the annotator), or null. Invalid regexes become keywords.
 */
export function matchPattern(pattern: string): (text: string) => string | null {
  let re: RegExp | undefined;
  try {
    re = seedRegex(pattern);
  } catch {
    // fall through: treat as a keyword
  }
  if (re) {
    const regex = re;
    return (text) => regex.exec(text)?.[0] ?? null;
  }
  const needle = pattern.toLowerCase();
  return (text) => {
    const at = text.toLowerCase().indexOf(needle);
    return at < 0 ? null : text.slice(at, at + needle.length);
  };
}

/** Compiles `/regex/flags` or a keyword (case-insensitive substring). Invalid regexes become keywords. */
export function compilePattern(pattern: string): (text: string) => boolean {
  const match = matchPattern(pattern);
  return (text) => match(text) !== null;
}

/** The reason's wording for a seed match: the term as typed, and for a regex the text it found. */
export function seedMatchDetail(pattern: string, matched: string): string {
  let regex = false;
  try {
    regex = seedRegex(pattern) !== undefined;
  } catch {
    // an invalid regex was matched as a keyword
  }
  if (!regex) return `matches seed term "${pattern}"`;
  const shown = matched.length > 40 ? `${matched.slice(0, 39)}…` : matched;
  return `matches seed pattern ${pattern} ("${shown}")`;
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
    const tests = patterns.map((p) => ({ p, match: matchPattern(p) }));
    const matches: { index: number; pattern: string; matched: string }[] = [];
    options.texts.forEach((text, index) => {
      if (index >= pool.rows) return;
      for (const t of tests) {
        const matched = t.match(text);
        if (matched === null) continue;
        matches.push({ index, pattern: t.p, matched });
        return;
      }
    });
    for (let i = matches.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [matches[i], matches[j]] = [matches[j], matches[i]];
    }
    for (const m of matches.slice(0, Math.ceil(want / 2))) {
      picked.add(m.index);
      out.push({ index: m.index, reason: { strategy: 'seed-pattern', score: 1, detail: `Cold start (${options.why}): ${seedMatchDetail(m.pattern, m.matched)}` } });
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
