/**
 * `active-label simulate`: the engine's proof. The dataset's own labels play the annotator (an
 * oracle); each strategy's learning curve is measured over several seeds and compared with random
 * sampling and with training on the whole pool.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../core/dataset';
import { cacheDtypeFor, createEmbedder, DEFAULT_MODEL, defaultCacheDir, embedDataset } from '../core/embedding';
import { SIMULATION_LEXICAL_DIMENSIONS } from '../core/embedding/lexicalEmbedder';
import { compareStrategies, primaryMetric, type StrategySummary } from '../core/evaluation/comparison';
import type { CurveMetric, CurvePoint } from '../core/evaluation/curve';
import { STRATEGY_NAMES, isStrategyName } from '../core/sampling';
import { fullPoolReference, runSimulation, type SimulationData } from '../core/session/simulation';
import type { Embedder } from '../core/embedding/embedder';
import { loadPrecomputedVectors } from '../core/embedding/precomputedVectors';
import type { Dataset, DatasetItem, LabelMode } from '../core/types';
import { API_KEY_ENV, type CliCommand, type CliIO, EXIT_OK, UsageError, formatCount, parseOptions, positiveInteger } from './args';
import { type VectorChoice, chooseVectors, vectorHelp, vectorOptions } from './vectors';

const help = `Usage: active-label simulate --data FILE --label-field F --strategy NAME [options]

Runs the labeling loop with the file's labels as the annotator, and prints the learning curve
(accuracy and macro-F1 on held-out items against the number of labels).

Options:
  --data FILE|DIR      dataset file; repeat it, or give a folder to load every .csv/.jsonl/.tsv in it
  --text-field F       field holding the text (default: detected; headerless CSV: column1..N)
  --label-field F      field holding the true label (required)
  --strategy NAME      ${STRATEGY_NAMES.join(', ')}, or "all" to compare them (required)
  --budget N           training labels to spend (default 300)
  --batch N            items per batch; the model retrains after each (default 10)
  --seeds LIST         comma-separated seeds; curves are averaged (default 1,2,3)
  --eval-fraction X    share of items held out for evaluation (default 0.2)
  --model M            Hugging Face id, local model folder, "use-lite", "lexical" or
                       openai:URL#MODEL (default: ${DEFAULT_MODEL})
  --cache-dir DIR      where models are downloaded (default: ~/.cache/active-label)
  --mode MODE          single (default) or multi (labels split on --label-separator)
  --label-separator S  separator of multi-label cells (default "|")
  --out FILE           write the curve(s) as JSON
${vectorHelp}
  -h, --help           show this help

With --strategy all, the comparison shows for each strategy its label saving: the labels it needs
to reach the score random sampling has at the full budget, divided by the budget (below 1 saves
labels; "> 1" when the budget was not enough), on macro-F1 when one label is so common that a
constant predictor meets the accuracy target, else on accuracy. Beside it: the labels needed to
reach 95% of the accuracy (and macro-F1) that training on the full pool gives, as a ratio to
random's, and the area under each learning curve (ALC).`;

export interface SimulateSettings {
  readonly data: readonly string[];
  readonly textField?: string;
  readonly labelField: string;
  readonly strategies: readonly string[];
  readonly budget: number;
  readonly batch: number;
  readonly seeds: readonly number[];
  readonly evalFraction: number;
  readonly model: string;
  readonly cacheDir: string;
  readonly mode: LabelMode;
  readonly labelSeparator: string;
  readonly out?: string;
  /** Vectors to use instead of a model (one --data file only); see ./vectors. */
  readonly vectors?: VectorChoice;
}

export interface SimulateResult {
  readonly dataset: string;
  readonly items: number;
  readonly labels: readonly string[];
  readonly embedder: string;
  readonly seeds: readonly number[];
  readonly budget: number;
  readonly batch: number;
  readonly evalFraction: number;
  readonly fullPool: { readonly accuracy: number; readonly macroF1: number; readonly trainedOn: number };
  /** Share of items carrying the most common label: the accuracy of a constant predictor. */
  readonly majorityShare: number;
  /** The target that is meaningful here (macro-F1 when a constant predictor meets the accuracy one). */
  readonly primary: CurveMetric;
  readonly strategies: readonly StrategySummary[];
  readonly seconds: number;
}

const options = {
  data: { type: 'string', multiple: true },
  'text-field': { type: 'string' },
  'label-field': { type: 'string' },
  strategy: { type: 'string' },
  budget: { type: 'string' },
  batch: { type: 'string' },
  seeds: { type: 'string' },
  'eval-fraction': { type: 'string' },
  model: { type: 'string' },
  'cache-dir': { type: 'string' },
  mode: { type: 'string' },
  'label-separator': { type: 'string' },
  out: { type: 'string' },
  ...vectorOptions,
} as const;

function parse(argv: readonly string[]): SimulateSettings & { vectorValues: Parameters<typeof chooseVectors>[0] } {
  const values = parseOptions(argv, options);
  if (!values.data || values.data.length === 0) throw new UsageError('--data FILE is required');
  if (!values['label-field']) throw new UsageError('--label-field F is required (the oracle reads it)');
  const strategy = values.strategy;
  if (!strategy) throw new UsageError('--strategy NAME is required');
  if (strategy !== 'all' && !isStrategyName(strategy)) {
    throw new UsageError(`unknown strategy "${strategy}"; choose one of ${STRATEGY_NAMES.join(', ')} or all`);
  }
  const seeds = (values.seeds ?? '1,2,3').split(',').map((s) => {
    const n = Number(s.trim());
    // Number('') is 0: "1,,2" must be refused, not read as seed 0.
    if (!/^-?\d+$/.test(s.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`--seeds must be comma-separated integers, got "${values.seeds}"`);
    return n;
  });
  const evalFraction = Number(values['eval-fraction'] ?? '0.2');
  if (!(evalFraction > 0 && evalFraction < 1)) throw new UsageError('--eval-fraction must be in (0, 1)');
  const mode = values.mode ?? 'single';
  if (mode !== 'single' && mode !== 'multi') throw new UsageError('--mode must be single or multi');
  return {
    data: values.data,
    ...(values['text-field'] !== undefined ? { textField: values['text-field'] } : {}),
    labelField: values['label-field'],
    strategies: strategy === 'all' ? [...STRATEGY_NAMES] : [strategy],
    budget: positiveInteger('budget', values.budget, 300),
    batch: positiveInteger('batch', values.batch, 10),
    seeds,
    evalFraction,
    model: values.model ?? DEFAULT_MODEL,
    cacheDir: path.resolve(values['cache-dir'] ?? defaultCacheDir()),
    mode,
    labelSeparator: values['label-separator'] ?? '|',
    ...(values.out !== undefined ? { out: values.out } : {}),
    vectorValues: values,
  };
}

/** Expands folders into their dataset files (sorted, so the item order is stable). */
async function dataFiles(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const stat = await fs.stat(input).catch(() => null);
    if (stat === null) throw new UsageError(`--data ${input}: no such file or folder`);
    if (!stat.isDirectory()) {
      out.push(input);
      continue;
    }
    const names = (await fs.readdir(input)).filter((n) => /\.(csv|tsv|jsonl)$/i.test(n)).sort();
    if (names.length === 0) throw new UsageError(`--data ${input}: the folder has no .csv, .tsv or .jsonl files`);
    out.push(...names.map((n) => path.join(input, n)));
  }
  return out;
}

/** Loads every file, keeps items that carry a label, and merges duplicates (first wins). */
async function loadLabeled(settings: SimulateSettings, io: CliIO): Promise<{ items: DatasetItem[]; truth: string[][]; datasets: Dataset[] }> {
  const items: DatasetItem[] = [];
  const datasets: Dataset[] = [];
  const truth: string[][] = [];
  const seen = new Set<string>();
  for (const file of await dataFiles(settings.data)) {
    const dataset = await loadDataset(file, {
      labelField: settings.labelField,
      ...(settings.textField !== undefined ? { textField: settings.textField } : {}),
    });
    datasets.push(dataset);
    let unlabeled = 0;
    for (const item of dataset.items) {
      const raw = (item.importedLabels ?? []).map((l) => l.trim()).filter((l) => l !== '');
      const labels = settings.mode === 'multi' ? raw.flatMap((l) => l.split(settings.labelSeparator).map((x) => x.trim())) : raw.slice(0, 1);
      if (labels.length === 0) {
        unlabeled++;
        continue;
      }
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      items.push(item);
      truth.push([...new Set(labels.filter((l) => l !== ''))]);
    }
    io.err(`Loaded ${file}: ${formatCount(dataset.items.length)} items${unlabeled > 0 ? `, ${formatCount(unlabeled)} without a label left out` : ''}.`);
  }
  return { items, truth, datasets };
}

/** Runs the simulation; the CLI and the learning benchmark both call this. */
export async function simulate(settings: SimulateSettings, io: CliIO): Promise<SimulateResult> {
  const started = performance.now();
  const { items, truth, datasets } = await loadLabeled(settings, io);
  const labels = [...new Set(truth.flat())].sort();
  if (items.length < 10 || labels.length < 2) {
    throw new UsageError(`need at least 10 labeled items and 2 labels; found ${items.length} items and ${labels.length} labels`);
  }
  const embedder = await simulationEmbedder(settings, datasets, io);
  let embeddings;
  try {
    embeddings = (
      await embedDataset(items, embedder, undefined, {
        ...(embedder.callSize !== undefined ? { batchSize: embedder.callSize } : {}),
        onProgress: (p) => io.progress(`Embedding ${formatCount(p.done)}/${formatCount(p.total)}`),
        // The vectors the extension's session works on: a model's as int8 (as its cache keeps them), the user's own as their loader keeps them (precomputedStorage).
        storage: cacheDtypeFor(embedder),
      })
    ).matrix;
  } finally {
    await embedder.dispose();
  }
  const data: SimulationData = { items, embeddings, truth, labels, mode: settings.mode };
  const options = { budget: settings.budget, batchSize: settings.batch, evalFraction: settings.evalFraction };

  const refs = settings.seeds.map((seed) => fullPoolReference(data, { ...options, seed }));
  const mean = (f: (r: (typeof refs)[number]) => number): number => refs.reduce((s, r) => s + f(r), 0) / refs.length;
  const fullPool = { accuracy: mean((r) => r.accuracy), macroF1: mean((r) => r.macroF1), trainedOn: mean((r) => r.trainedOn) };
  const majorityShare = majorityOf(truth);

  const curves = settings.strategies.map((strategy) => ({
    strategy,
    runs: settings.seeds.map((seed) => {
      io.progress(`Simulating ${strategy}, seed ${seed} ...`);
      return runSimulation(data, { ...options, strategy, seed }).points;
    }),
  }));
  return {
    dataset: settings.data.map((d) => path.basename(path.resolve(d))).join('+'),
    items: items.length,
    labels,
    embedder: embedder.id,
    seeds: settings.seeds,
    budget: settings.budget,
    batch: settings.batch,
    evalFraction: settings.evalFraction,
    fullPool,
    majorityShare,
    primary: primaryMetric(majorityShare, fullPool),
    strategies: compareStrategies(curves, fullPool),
    seconds: (performance.now() - started) / 1000,
  };
}

/** The vector file when one is given (or a sidecar applies), else the model; never a fallback. */
async function simulationEmbedder(settings: SimulateSettings, datasets: readonly Dataset[], io: CliIO): Promise<Embedder> {
  if (settings.vectors) {
    if (datasets.length !== 1) throw new UsageError('--vectors needs exactly one dataset file (its rows are what the vectors line up with)');
    const loadOptions = { labelField: settings.labelField, ...(settings.textField !== undefined ? { textField: settings.textField } : {}) };
    const load = await loadPrecomputedVectors(settings.vectors.file, datasets[0], { ...settings.vectors, loadOptions });
    for (const warning of load.warnings) io.err(`Warning: ${warning}`);
    io.err(load.summary);
    return load.embedder;
  }
  // Lexical vectors get 2048 dims here: at the interactive default (512) hash collisions cost the
  // head about 0.1 macro-F1, which would make every strategy look alike (docs/benchmarks.md).
  const apiKey = process.env[API_KEY_ENV];
  const { embedder, warning } = await createEmbedder({
    model: settings.model,
    cacheDir: settings.cacheDir,
    allowFallback: false,
    lexical: { dimensions: SIMULATION_LEXICAL_DIMENSIONS },
    ...(apiKey ? { openai: { apiKey } } : {}),
  });
  if (warning) io.err(`Warning: ${warning}`);
  return embedder;
}

/** Share of items whose (first) label is the most common one. */
function majorityOf(truth: readonly (readonly string[])[]): number {
  const counts = new Map<string, number>();
  for (const labels of truth) {
    const first = labels[0];
    if (first !== undefined) counts.set(first, (counts.get(first) ?? 0) + 1);
  }
  return truth.length === 0 ? 0 : Math.max(0, ...counts.values()) / truth.length;
}

const pct = (x: number): string => (100 * x).toFixed(1).padStart(5);

/** The curve of one strategy as a table. */
export function curveTable(points: readonly CurvePoint[]): string[] {
  return ['labels  accuracy  macro-F1', ...points.map((p) => `${String(p.labels).padStart(6)}  ${pct(p.accuracy)}%    ${pct(p.macroF1)}%`)];
}

function ratioText(t: StrategySummary['accuracy']): string {
  if (t.labels === null) return 'not reached';
  if (t.ratioToRandom === null) return `${t.labels}`;
  return `${t.labels} (${t.bound ? '<=' : ''}${t.ratioToRandom.toFixed(2)}x)`;
}

/** "0.33 (100 labels)", or "> 1 (not reached)" when the budget was not enough. */
export function savingText(s: StrategySummary['saving']['accuracy']): string {
  if (s.target === null) return 'n/a';
  if (s.ratio === null || s.labels === null) return '> 1 (not reached)';
  return `${s.ratio.toFixed(2)} (${s.labels} labels)`;
}

/** The strategy comparison as a Markdown table (the benchmark report reuses it). */
export function comparisonTable(result: SimulateResult): string[] {
  const star = (metric: CurveMetric): string => (result.primary === metric ? ' **[headline]**' : '');
  const primary = result.primary === 'macroF1' ? 'macro-F1' : 'accuracy';
  return [
    `| strategy | label saving (${primary}) | labels to 95% acc (x random)${star('accuracy')} | labels to 95% F1 (x random)${star('macroF1')} | ALC (acc) | ALC (F1) | final acc | final macro-F1 |`,
    '|---|---|---|---|---|---|---|---|',
    ...result.strategies.map(
      (s) =>
        `| ${s.strategy} | ${savingText(s.saving[result.primary])} | ${ratioText(s.accuracy)} | ${ratioText(s.macroF1)} | ` +
        `${s.alc.toFixed(3)} | ${s.alcMacroF1.toFixed(3)} | ${pct(s.final?.accuracy ?? 0).trim()}% | ${pct(s.final?.macroF1 ?? 0).trim()}% |`,
    ),
  ];
}

/** The JSON written by --out: the issue's shape for one strategy, a list of them for `all`. */
export function resultJson(result: SimulateResult): unknown {
  const one = (s: StrategySummary): Record<string, unknown> => ({
    dataset: result.dataset,
    embedder: result.embedder,
    strategy: s.strategy,
    seeds: result.seeds,
    points: s.points.map((p) => ({ labels: p.labels, accuracy: p.accuracy, macroF1: p.macroF1 })),
    alc: s.alc,
    alcMacroF1: s.alcMacroF1,
    fullPool: result.fullPool,
    toTarget: { accuracy: s.accuracy, macroF1: s.macroF1 },
    labelSaving: s.saving,
  });
  if (result.strategies.length === 1) return one(result.strategies[0] as StrategySummary);
  return {
    dataset: result.dataset,
    embedder: result.embedder,
    strategy: 'all',
    seeds: result.seeds,
    budget: result.budget,
    batch: result.batch,
    fullPool: result.fullPool,
    majorityShare: result.majorityShare,
    primary: result.primary,
    strategies: result.strategies.map(one),
  };
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { vectorValues, ...parsed } = parse(argv);
  const files = await dataFiles(parsed.data);
  const vectors = await chooseVectors(vectorValues, files, io);
  const settings: SimulateSettings = { ...parsed, ...(vectors ? { vectors } : {}) };
  const result = await simulate(settings, io);
  io.out(
    `Dataset ${result.dataset}: ${formatCount(result.items)} labeled items, labels ${result.labels.join(', ')}; ` +
      `embedder ${result.embedder}; seeds ${result.seeds.join(',')}; ${Math.round(settings.evalFraction * 100)}% held out.`,
  );
  io.out(
    `Full pool (${formatCount(Math.round(result.fullPool.trainedOn))} labels): accuracy ${pct(result.fullPool.accuracy).trim()}%, ` +
      `macro-F1 ${pct(result.fullPool.macroF1).trim()}%; most common label ${pct(result.majorityShare).trim()}% of items.`,
  );
  if (result.primary === 'macroF1') {
    io.out('Predicting the most common label already reaches 95% of full-pool accuracy, so compare strategies on macro-F1.');
  }
  if (result.strategies.length === 1) {
    const s = result.strategies[0] as StrategySummary;
    io.out(`Strategy ${s.strategy} (mean of ${result.seeds.length} seeds):`);
    for (const line of curveTable(s.points)) io.out(`  ${line}`);
    io.out(`ALC ${s.alc.toFixed(3)} (accuracy), ${s.alcMacroF1.toFixed(3)} (macro-F1).`);
  } else {
    for (const line of comparisonTable(result)) io.out(line);
  }
  io.out(`Done in ${result.seconds.toFixed(1)} s.`);
  if (settings.out !== undefined) {
    await fs.writeFile(settings.out, JSON.stringify(resultJson(result), null, 2) + '\n');
    io.out(`Wrote ${settings.out}.`);
  }
  return EXIT_OK;
}

export const simulateCommand: CliCommand = {
  name: 'simulate',
  summary: 'measure learning curves with the file labels as the annotator',
  help,
  run,
};
