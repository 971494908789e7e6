/**
 * The review benchmark's section of docs/benchmarks.md: per dataset, embedder and noise rate, the
 * mean over seeds of precision in the top K and recall in the top 2K, ours beside scikit-learn's;
 * then the ranking variants scored from our same out-of-fold probabilities.
 */
import { promises as fs } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export const START = '<!-- bench:review:start -->';
export const END = '<!-- bench:review:end -->';

export interface Scores {
  readonly precisionAtK: number;
  readonly recallAt2K: number;
  readonly k: number;
  readonly flagged?: number;
}

export interface Measured {
  readonly dataset: string;
  readonly embedder: string;
  readonly embedderKind: string;
  readonly rate: number;
  readonly seed: number;
  readonly items: number;
  readonly classes: readonly string[];
  readonly ours: Scores;
  /** Of the planted errors found in the top K, the share whose suggested label is the true one. */
  readonly suggestedRight: number;
  readonly variants: Readonly<Record<string, Scores>>;
  readonly references: Record<string, Scores>;
  readonly seconds: number;
}

const TITLES: Record<string, string> = {
  headlines: 'Disaster headlines (1,292, 2 labels, 91% "0")',
  spam: 'SpamAssassin sample (2 labels)',
  'spam-kinds': 'SpamAssassin easy ham / hard ham / spam (3 labels)',
};

const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const f = (x: number): string => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));

function groups(measured: readonly Measured[]): Measured[][] {
  const byKey = new Map<string, Measured[]>();
  for (const m of measured) {
    const key = `${m.dataset}|${m.embedderKind}|${m.rate}`;
    byKey.set(key, [...(byKey.get(key) ?? []), m]);
  }
  return [...byKey.values()];
}

export function renderSection(measured: readonly Measured[], run: { seeds: readonly number[]; rates: readonly number[]; spamSize: number; seconds: number }): string {
  const refNames = [...new Set(measured.flatMap((m) => Object.keys(m.references)))];
  const variantNames = [...new Set(measured.flatMap((m) => Object.keys(m.variants)))];
  const lines = [
    START,
    '## Review: finding planted label errors',
    '',
    `Command: \`npm run bench:review\` (node --import tsx bench/review.ts; ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
      `${cpus().length} cores shared with other jobs, load average ${loadavg()[0].toFixed(1)}; ${run.seconds.toFixed(0)} s in all).`,
    '',
    `Each dataset gets ${run.rates.map((r) => `${Math.round(r * 100)}%`).join(' and ')} of its labels flipped to another label ` +
      `(uniformly chosen items, uniformly chosen wrong label; seeds ${run.seeds.join(', ')}, figures are the mean over seeds). ` +
      '`active-label review`\'s core path (`review()` in src/cli/review.ts) ranks every labeled item; K is the number planted. ' +
      'The scikit-learn reference (bench/review_reference.py) gets the very matrix our head trained on and the same noisy labels: ' +
      '5-fold `cross_val_predict(..., method="predict_proba")`, per-class thresholds, flagged items first, then the rest, each by ' +
      'self-confidence 1 - P(given) (cleanlab\'s order). Neither side ever sees which labels were planted. ' +
      `SpamAssassin is a stratified sample of ${run.spamSize.toLocaleString('en-US')} messages (bench/learningData.ts); use-lite reads each ` +
      'message\'s first 1,000 characters (bench/learningVectors.ts), lexical is 2,048-dim hashed n-gram TF-IDF.',
    '',
    `| dataset | vectors | flipped | K | ours P@K | ours R@2K | ours flagged | suggestion right | ${refNames.map((n) => `${n} P@K | R@2K`).join(' | ')} |`,
    `|---|---|---|---|---|---|---|---|${refNames.map(() => '---|---|').join('')}`,
  ];
  for (const g of groups(measured)) {
    const first = g[0] as Measured;
    const refCells = refNames.map((n) => {
      const rs = g.map((m) => m.references[n]).filter((r): r is Scores => r !== undefined);
      return `${f(mean(rs.map((r) => r.precisionAtK)))} | ${f(mean(rs.map((r) => r.recallAt2K)))}`;
    });
    lines.push(
      `| ${TITLES[first.dataset] ?? first.dataset} | ${first.embedderKind} | ${Math.round(first.rate * 100)}% | ${Math.round(mean(g.map((m) => m.ours.k)))} | ` +
        `**${f(mean(g.map((m) => m.ours.precisionAtK)))}** | **${f(mean(g.map((m) => m.ours.recallAt2K)))}** | ` +
        `${Math.round(mean(g.map((m) => m.ours.flagged ?? 0)))} | ${f(mean(g.map((m) => m.suggestedRight)))} | ${refCells.join(' | ')} |`,
    );
  }
  lines.push(
    '',
    '"suggestion right": of the planted errors in our top K, the share whose suggested label is the true one (always 1 with two labels). ' +
      `One review run (embedding from cache, ${5 * 2} fold models) took ${mean(measured.map((m) => m.seconds)).toFixed(1)} s on average.`,
    '',
    '### Ranking variants (same out-of-fold probabilities)',
    '',
    'Scored from our head\'s probabilities in the same runs: score = normalized margin (P(best other) - P(given) + 1) / 2 or ' +
      'self-confidence 1 - P(given); order = merged (all items by score) or flagged-first (confident-learning flagged items ahead). ' +
      'The first row is the default `active-label review` uses. Mean P@K / R@2K over every dataset, vectors, rate and seed above:',
    '',
    '| score, order | P@K | R@2K | worst P@K (one dataset/vectors/rate) |',
    '|---|---|---|---|',
  );
  for (const name of variantNames) {
    const per = groups(measured).map((g) => mean(g.map((m) => m.variants[name]?.precisionAtK ?? NaN)));
    lines.push(
      `| ${name} | ${f(mean(measured.map((m) => m.variants[name]?.precisionAtK ?? NaN)))} | ${f(mean(measured.map((m) => m.variants[name]?.recallAt2K ?? NaN)))} | ${f(Math.min(...per))} |`,
    );
  }
  lines.push(END);
  return lines.join('\n');
}

/** Replaces the section between the markers, or appends it. */
export async function writeSection(doc: string, section: string): Promise<void> {
  const current = await fs.readFile(doc, 'utf8').catch(() => '# Benchmarks\n');
  const a = current.indexOf(START);
  const b = current.indexOf(END);
  const next = a >= 0 && b > a ? current.slice(0, a) + section + current.slice(b + END.length) : `${current.trimEnd()}\n\n${section}\n`;
  await fs.writeFile(doc, next);
}
