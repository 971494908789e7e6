/**
 * `npm run bench:quantize`: what storing the pool's vectors as float16 or int8 (a per-row scale)
 * costs against float32, on the disaster headlines and a SpamAssassin sample, with lexical and
 * use-lite vectors (the same data and vectors as bench:learning). Every vector is encoded and
 * decoded (src/core/embedding/quantize.ts), then:
 *
 * 1. Same labels: per seed, the held-out split of `simulate` (20%), 100 random training labels;
 *    the head trained on each storage's vectors, its held-out accuracy and how many held-out
 *    predictions differ from float32's; then every model-driven strategy's batch of 20 (no random
 *    share) on the rest of the pool, and its overlap |picks ∩ float32 picks| / 20.
 * 2. Learning curves: `runSimulation` (the loop `simulate` runs) for clustered uncertainty and
 *    margin on each storage, budget 200, batches of 10: final accuracy and the area under the curve.
 *
 * Writes the tables into docs/benchmarks.md between the bench:quantize markers.
 *
 * Usage: node --import tsx bench/quantize.ts [--seeds 1,2,3,4,5] [--curve-seeds 1,2,3] [--budget 200]
 *        [--embedders lexical,use-lite] [--datasets headlines,spam] [--no-doc]
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/core/dataset';
import { LexicalEmbedder, embedDataset, loadPrecomputedVectors } from '../src/core/embedding';
import type { Embedder } from '../src/core/embedding/embedder';
import { SIMULATION_LEXICAL_DIMENSIONS } from '../src/core/embedding/lexicalEmbedder';
import { DEFAULT_VECTOR_DTYPE, VECTOR_DTYPES, decodeRows, encodeRows, rowBytes, type VectorDtype } from '../src/core/embedding/quantize';
import { areaUnderCurve } from '../src/core/evaluation/curve';
import { chooseEvaluationItems } from '../src/core/evaluation/split';
import { trainHead } from '../src/core/model';
import { createRng, shuffled } from '../src/core/random';
import { STRATEGIES, STRATEGY_NAMES, selectBatch, type StrategyName } from '../src/core/sampling';
import { runSimulation, type SimulationData } from '../src/core/session/simulation';
import { takeRows } from '../src/core/math/matrix';
import type { DatasetItem, Matrix } from '../src/core/types';
import { writeSpamSample } from './learningData';
import { LEARNING_CACHE, useLiteVectors, writeHeadlinesJsonl } from './learningVectors';

const ROOT = path.resolve(__dirname, '..');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');
const START = '<!-- bench:quantize:start -->';
const END = '<!-- bench:quantize:end -->';
const LABELS = 100;
const BATCH = 20;
const CURVE_STRATEGIES: readonly StrategyName[] = ['clustered-uncertainty', 'margin'];

interface Data {
  readonly name: string;
  readonly embedder: string;
  readonly items: readonly DatasetItem[];
  readonly truth: readonly string[];
  readonly classes: readonly string[];
  readonly matrix: Matrix;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

async function loadData(name: string, jsonl: string, embedderName: string, log: (line: string) => void): Promise<Data> {
  const dataset = await loadDataset(jsonl, { labelField: 'label' });
  const items = dataset.items.filter((item) => (item.importedLabels?.[0] ?? '').trim() !== '');
  const truth = items.map((item) => (item.importedLabels?.[0] as string).trim());
  let embedder: Embedder;
  if (embedderName === 'lexical') {
    embedder = new LexicalEmbedder({ dimensions: SIMULATION_LEXICAL_DIMENSIONS });
  } else if (embedderName === 'use-lite') {
    const vectors = await useLiteVectors(jsonl, log);
    embedder = (await loadPrecomputedVectors(vectors, dataset, { loadOptions: { labelField: 'label' } })).embedder;
  } else {
    throw new Error(`unknown embedder "${embedderName}": lexical or use-lite`);
  }
  const matrix = (await embedDataset(items, embedder, undefined)).matrix;
  await embedder.dispose();
  return { name, embedder: embedderName, items, truth, classes: [...new Set(truth)].sort(), matrix };
}

function stored(m: Matrix, dtype: VectorDtype): Matrix {
  return dtype === 'float32' ? m : { data: decodeRows(dtype, encodeRows(dtype, m.data, m.cols), m.cols), rows: m.rows, cols: m.cols };
}

interface SameLabels {
  accuracy: number[];
  /** Share of held-out predictions that differ from float32's. */
  flipped: number[];
  /** Strategy -> overlap with float32's batch, per seed. */
  overlap: Map<string, number[]>;
}

function argmaxRows(probs: Matrix): number[] {
  const out: number[] = [];
  for (let r = 0; r < probs.rows; r++) {
    let best = 0;
    for (let c = 1; c < probs.cols; c++) if ((probs.data[r * probs.cols + c] as number) > (probs.data[r * probs.cols + best] as number)) best = c;
    out.push(best);
  }
  return out;
}

/** Strategy -> overlap of float32's batch with float32's batch under another seed. */
type Noise = Map<string, number[]>;

function sameLabels(data: Data, seeds: readonly number[], strategies: readonly StrategyName[], noise: Noise, log: (line: string) => void): Map<VectorDtype, SameLabels> {
  const results = new Map<VectorDtype, SameLabels>(VECTOR_DTYPES.map((d) => [d, { accuracy: [], flipped: [], overlap: new Map() }]));
  const views = new Map(VECTOR_DTYPES.map((d) => [d, stored(data.matrix, d)]));
  for (const seed of seeds) {
    const test = chooseEvaluationItems(data.items.map((i) => i.id), 0.2, seed);
    const testRows: number[] = [];
    const poolRows: number[] = [];
    data.items.forEach((item, row) => (test.has(item.id) ? testRows : poolRows).push(row));
    const shuffledPool = shuffled(poolRows, createRng(seed));
    const trainRows = shuffledPool.slice(0, LABELS);
    const restRows = shuffledPool.slice(LABELS).sort((a, b) => a - b);
    const y = Int32Array.from(trainRows.map((r) => data.classes.indexOf(data.truth[r] as string)));
    const testTruth = testRows.map((r) => data.classes.indexOf(data.truth[r] as string));
    const picksOf = new Map<string, Set<number>>();
    let reference: number[] = [];
    for (const dtype of VECTOR_DTYPES) {
      const m = views.get(dtype) as Matrix;
      const labeled = takeRows(m, trainRows);
      const targets = { kind: 'single', y } as const;
      const head = trainHead(labeled, targets, data.classes, 'single');
      const predicted = argmaxRows(head.predict(takeRows(m, testRows)).probs);
      if (dtype === 'float32') reference = predicted;
      const r = results.get(dtype) as SameLabels;
      r.accuracy.push(mean(predicted.map((p, i) => (p === testTruth[i] ? 1 : 0))));
      r.flipped.push(mean(predicted.map((p, i) => (p === reference[i] ? 0 : 1))));
      const pool = takeRows(m, restRows);
      const poolTexts = restRows.map((row) => (data.items[row] as DatasetItem).text);
      for (const strategy of strategies) {
        log(`${data.name}/${data.embedder} seed ${seed} ${dtype} ${strategy}`);
        const picks = selectBatch(
          { pool, poolTexts, labeled, targets, classes: data.classes, mode: 'single', model: head },
          { strategy, batchSize: BATCH, seed, randomShare: 0, minPerLabel: 1 },
        );
        const set = new Set(picks.map((p) => p.index));
        if (dtype === 'float32') {
          picksOf.set(strategy, set);
          // The noise floor: float32 itself, asked with another seed (k-means starts, tie-breaks).
          const other = selectBatch(
            { pool, poolTexts, labeled, targets, classes: data.classes, mode: 'single', model: head },
            { strategy, batchSize: BATCH, seed: seed + 1000, randomShare: 0, minPerLabel: 1 },
          );
          const list = noise.get(strategy) ?? [];
          list.push(other.filter((p) => set.has(p.index)).length / Math.max(1, set.size));
          noise.set(strategy, list);
        }
        const ref = picksOf.get(strategy) as Set<number>;
        let shared = 0;
        for (const i of set) if (ref.has(i)) shared++;
        const list = r.overlap.get(strategy) ?? [];
        list.push(shared / Math.max(1, ref.size));
        r.overlap.set(strategy, list);
      }
    }
  }
  return results;
}

interface Curve {
  finalAccuracy: number;
  alc: number;
}

function curves(data: Data, seeds: readonly number[], budget: number, log: (line: string) => void): Map<string, Curve> {
  const out = new Map<string, Curve>();
  for (const dtype of VECTOR_DTYPES) {
    const sim: SimulationData = {
      items: data.items,
      embeddings: stored(data.matrix, dtype),
      truth: data.truth.map((t) => [t]),
      labels: data.classes,
      mode: 'single',
    };
    for (const strategy of CURVE_STRATEGIES) {
      const runs = seeds.map((seed) => {
        log(`${data.name}/${data.embedder} curve ${dtype} ${strategy} seed ${seed}`);
        return runSimulation(sim, { strategy, seed, budget, batchSize: 10 });
      });
      out.set(`${dtype}/${strategy}`, {
        finalAccuracy: mean(runs.map((r) => r.points.at(-1)?.accuracy ?? 0)),
        alc: mean(runs.map((r) => areaUnderCurve(r.points))),
      });
    }
  }
  return out;
}

function report(data: Data, same: Map<VectorDtype, SameLabels>, noise: Noise, curve: Map<string, Curve>, seeds: readonly number[], curveSeeds: readonly number[], budget: number): string[] {
  const strategies = [...(same.get('float32')?.overlap.keys() ?? [])];
  const lines = [
    `#### ${data.name}, ${data.embedder} (${data.matrix.rows.toLocaleString('en-US')} items x ${data.matrix.cols} dims)`,
    '',
    `Same ${LABELS} labels, seeds ${seeds.join(',')}: head accuracy on the held-out 20%, held-out predictions that differ from float32's, and each strategy's batch of ${BATCH} against float32's (|∩| / ${BATCH}, mean and worst seed).`,
    '',
    `| storage | bytes/row | accuracy | predictions changed | ${strategies.join(' | ')} |`,
    `| --- | --- | --- | --- | ${strategies.map(() => '---').join(' | ')} |`,
  ];
  for (const dtype of VECTOR_DTYPES) {
    const r = same.get(dtype) as SameLabels;
    const overlaps = strategies.map((s) => {
      const xs = r.overlap.get(s) ?? [];
      return `${pct(mean(xs))} (${pct(Math.min(...xs))})`;
    });
    lines.push(`| ${dtype} | ${rowBytes(dtype, data.matrix.cols)} | ${pct(mean(r.accuracy))} | ${pct(mean(r.flipped))} | ${overlaps.join(' | ')} |`);
  }
  const floor = strategies.map((s) => {
    const xs = noise.get(s) ?? [];
    return `${pct(mean(xs))} (${pct(Math.min(...xs))})`;
  });
  lines.push(`| *float32, seed + 1000 (noise floor)* | | | | ${floor.join(' | ')} |`);
  lines.push(
    '',
    `Learning curves (\`runSimulation\`, budget ${budget}, batches of 10, seeds ${curveSeeds.join(',')}): final held-out accuracy / area under the accuracy curve.`,
    '',
    `| storage | ${CURVE_STRATEGIES.join(' | ')} |`,
    `| --- | ${CURVE_STRATEGIES.map(() => '---').join(' | ')} |`,
  );
  for (const dtype of VECTOR_DTYPES) {
    const cells = CURVE_STRATEGIES.map((s) => {
      const c = curve.get(`${dtype}/${s}`) as Curve;
      return `${pct(c.finalAccuracy)} / ${c.alc.toFixed(3)}`;
    });
    lines.push(`| ${dtype} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  return lines;
}

async function writeDoc(body: string): Promise<void> {
  const current = await fs.readFile(DOC, 'utf8');
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next = start >= 0 && end > start ? current.slice(0, start) + body + current.slice(end + END.length) : `${current.trimEnd()}\n\n${body}\n`;
  await fs.writeFile(DOC, next);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      'curve-seeds': { type: 'string' },
      budget: { type: 'string' },
      embedders: { type: 'string' },
      datasets: { type: 'string' },
      strategies: { type: 'string' },
      'no-doc': { type: 'boolean' },
    },
  });
  const seeds = (values.seeds ?? '1,2,3,4,5').split(',').map(Number);
  const curveSeeds = (values['curve-seeds'] ?? '1,2,3').split(',').map(Number);
  const budget = Number(values.budget ?? 200);
  const embedders = (values.embedders ?? 'lexical,use-lite').split(',');
  const wanted = (values.datasets ?? 'headlines,spam').split(',');
  const composed = STRATEGY_NAMES.filter((s) => STRATEGIES[s].composed);
  const strategies = values.strategies === undefined ? composed : (values.strategies.split(',') as StrategyName[]);
  const started = performance.now();
  let last = 0;
  const log = (line: string): void => {
    if (performance.now() - last < 5000) return;
    last = performance.now();
    process.stderr.write(`${line}\n`);
  };
  const files: Record<string, () => Promise<string>> = {
    headlines: () => writeHeadlinesJsonl(LEARNING_CACHE),
    spam: () => writeSpamSample(LEARNING_CACHE, 2000),
  };
  const titles: Record<string, string> = { headlines: 'Disaster headlines', spam: 'SpamAssassin (2,000)' };
  const body: string[] = [];
  for (const name of wanted) {
    const make = files[name];
    if (make === undefined) throw new Error(`unknown dataset "${name}": headlines or spam`);
    const jsonl = await make();
    for (const embedder of embedders) {
      const data = await loadData(titles[name] as string, jsonl, embedder, log);
      const noise: Noise = new Map();
      const same = sameLabels(data, seeds, strategies, noise, log);
      const curve = curves(data, curveSeeds, budget, log);
      const lines = report(data, same, noise, curve, seeds, curveSeeds, budget);
      process.stdout.write(`${lines.join('\n')}\n`);
      body.push(...lines);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const doc = [
    START,
    `Command: \`npm run bench:quantize\` (bench/quantize.ts; ${seconds.toFixed(0)} s on the shared 2-core box). Default storage of new caches: **${DEFAULT_VECTOR_DTYPE}** (\`DEFAULT_VECTOR_DTYPE\` in src/core/embedding/quantize.ts).`,
    '',
    ...body,
    END,
  ].join('\n');
  if (!values['no-doc']) {
    await writeDoc(doc);
    process.stdout.write(`Wrote ${path.relative(ROOT, DOC)}.\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
