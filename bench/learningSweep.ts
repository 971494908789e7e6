/**
 * `node --import tsx bench/learningSweep.ts --data X.jsonl --vectors X.npy [options]`: the learning
 * loop on precomputed vectors with the knobs `simulate` does not expose (head options, the random
 * share, cold-start length, the uncertainty scorer inside clustered uncertainty), for the diagnosis
 * in docs/benchmarks.md. Prints one JSON line: per strategy, the mean curve's ALC, labels to 95% of
 * the full pool and the label saving, plus the per-seed label savings.
 *
 * Options: --strategies a,b  --seeds 1,2,3,4,5  --budget 300  --head '{"l2":1e-3}'
 *          --random-share 0.1  --min-per-label 3  --uncertain-percent 10  --metric accuracy|macroF1
 * Extra strategy names: `clustered-uncertainty:<method>` (least-confidence, margin, ratio, entropy).
 */
import { promises as fs } from 'node:fs';
import { parseArgs } from 'node:util';
import { readVectorFile } from '../src/core/embedding';
import { compareStrategies, labelSaving, primaryMetric } from '../src/core/evaluation/comparison';
import type { CurveMetric } from '../src/core/evaluation/curve';
import { STRATEGIES } from '../src/core/sampling';
import { clusteredUncertaintySampling } from '../src/core/sampling/clusteredUncertainty';
import type { StrategyEntry } from '../src/core/sampling/registry';
import type { UncertaintyMethod } from '../src/core/sampling/uncertainty';
import { fullPoolReference, runSimulation, type SimulationData } from '../src/core/session/simulation';
import type { DatasetItem } from '../src/core/types';

/** Registers `clustered-uncertainty:<method>` variants for this process only. */
function registerVariants(names: readonly string[]): void {
  const registry = STRATEGIES as unknown as Record<string, StrategyEntry>;
  for (const name of names) {
    const m = /^clustered-uncertainty:(.+)$/.exec(name);
    if (!m || registry[name]) continue;
    const method = m[1] as UncertaintyMethod;
    registry[name] = {
      title: name,
      description: name,
      composed: true,
      run: (ctx, count, rng) =>
        clusteredUncertaintySampling(ctx.pool, ctx.prediction.probs, count, { mode: ctx.mode, seed: ctx.seed, uncertainPercent: ctx.uncertainPercent, method }, rng),
    };
  }
}

export async function loadVectorsData(jsonl: string, vectors: string): Promise<SimulationData> {
  const rows = (await fs.readFile(jsonl, 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { id: string; text: string; label: string });
  const { matrix } = await readVectorFile(vectors);
  if (matrix.rows !== rows.length) throw new Error(`${vectors}: ${matrix.rows} rows for ${rows.length} items`);
  const items: DatasetItem[] = rows.map((r, i) => ({ id: r.id, text: r.text, textHash: `${i}`, line: i + 1, count: 1 }));
  return { items, embeddings: matrix, truth: rows.map((r) => [r.label]), labels: [...new Set(rows.map((r) => r.label))].sort(), mode: 'single' };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      vectors: { type: 'string' },
      strategies: { type: 'string' },
      seeds: { type: 'string' },
      budget: { type: 'string' },
      head: { type: 'string' },
      'random-share': { type: 'string' },
      'min-per-label': { type: 'string' },
      'uncertain-percent': { type: 'string' },
      metric: { type: 'string' },
    },
  });
  if (!values.data || !values.vectors) throw new Error('--data and --vectors are required');
  const data = await loadVectorsData(values.data, values.vectors);
  const strategies = (values.strategies ?? 'random,clustered-uncertainty,active-transfer').split(',');
  registerVariants(strategies);
  const seeds = (values.seeds ?? '1,2,3,4,5').split(',').map(Number);
  const headOptions = values.head ? (JSON.parse(values.head) as object) : undefined;
  const options = {
    budget: Number(values.budget ?? 300),
    ...(values['random-share'] !== undefined ? { randomShare: Number(values['random-share']) } : {}),
    ...(values['min-per-label'] !== undefined ? { minPerLabel: Number(values['min-per-label']) } : {}),
    ...(values['uncertain-percent'] !== undefined ? { uncertainPercent: Number(values['uncertain-percent']) } : {}),
    ...(headOptions ? { headOptions } : {}),
  };
  const refs = seeds.map((seed) => fullPoolReference(data, { ...options, seed }));
  const fullPool = { accuracy: refs.reduce((s, r) => s + r.accuracy, 0) / refs.length, macroF1: refs.reduce((s, r) => s + r.macroF1, 0) / refs.length };
  const counts = new Map<string, number>();
  for (const [l] of data.truth) counts.set(l as string, (counts.get(l as string) ?? 0) + 1);
  const majority = Math.max(...counts.values()) / data.truth.length;
  const metric: CurveMetric = (values.metric as CurveMetric | undefined) ?? primaryMetric(majority, fullPool);
  const curves = strategies.map((strategy) => ({ strategy, runs: seeds.map((seed) => runSimulation(data, { ...options, strategy, seed }).points) }));
  const summary = compareStrategies(curves, fullPool);
  const random = curves.find((c) => c.strategy === 'random');
  const out = summary.map((s, i) => ({
    strategy: s.strategy,
    alc: +(metric === 'macroF1' ? s.alcMacroF1 : s.alc).toFixed(4),
    final: +(s.final?.[metric] ?? 0).toFixed(4),
    to95: s[metric].labels,
    saving: s.saving[metric].ratio,
    perSeed: random === undefined ? [] : seeds.map((_, k) => labelSaving(curves[i]?.runs[k] ?? [], random.runs[k] ?? [], metric).ratio),
  }));
  process.stdout.write(`${JSON.stringify({ metric, fullPool, options, seeds, out })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
