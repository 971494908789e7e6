/**
 * `npm run bench:learning [-- --model ID|PATH]`: `simulate --strategy all` (lexical unless told) on the disaster headlines
 * and on a SpamAssassin sample, over 3 seeds. Writes the comparison tables and learning-curve plots
 * (vega-lite, rendered to SVG in Node) into docs/benchmarks.md between the bench:learning markers,
 * leaving the rest of the file alone.
 *
 * Usage: node --import tsx bench/learning.ts [--seeds 1,2,3] [--budget 300] [--spam-size 2000]
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { consoleIO } from '../src/cli/main';
import { comparisonTable, simulate, type SimulateResult, type SimulateSettings } from '../src/cli/simulate';
import { defaultCacheDir } from '../src/core/embedding';
import { STRATEGY_NAMES } from '../src/core/sampling';
import { HEADLINES_DIR, writeSpamSample } from './learningData';

const ROOT = path.resolve(__dirname, '..');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');
const START = '<!-- bench:learning:start -->';
const END = '<!-- bench:learning:end -->';
/** The target: these strategies need at most this share of random's labels. */
const STARS = ['clustered-uncertainty', 'active-transfer'];
const TARGET_RATIO = 0.6;

interface Run {
  readonly slug: string;
  readonly title: string;
  readonly command: string;
  readonly result: SimulateResult;
}

async function renderSvg(result: SimulateResult, title: string): Promise<string> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const values = result.strategies.flatMap((s) =>
    s.points.flatMap((p) => [
      { strategy: s.strategy, labels: p.labels, metric: 'accuracy', value: p.accuracy },
      { strategy: s.strategy, labels: p.labels, metric: 'macro-F1', value: p.macroF1 },
    ]),
  );
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${title}: mean of seeds ${result.seeds.join(', ')} (${result.embedder} embeddings)`,
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 360,
      height: 260,
      mark: { type: 'line', point: { size: 12 } },
      encoding: {
        x: { field: 'labels', type: 'quantitative', title: 'training labels' },
        y: { field: 'value', type: 'quantitative', title: 'held-out score', scale: { zero: false } },
        color: { field: 'strategy', type: 'nominal', sort: [...STRATEGY_NAMES], scale: { scheme: 'category20' } },
        strokeDash: {
          condition: { test: `indexof(${JSON.stringify(STARS)}, datum.strategy) < 0`, value: [4, 3] },
          value: [1, 0],
        },
      },
    },
    config: { background: 'white' },
  };
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

function section(runs: readonly Run[], seconds: number, model: string): string {
  const lines: string[] = [
    START,
    '## Learning: labels saved against random sampling',
    '',
    `Command: \`npm run bench:learning\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
      `${os.cpus().length} cores, ${seconds.toFixed(0)} s in all). Each dataset runs \`active-label simulate ` +
      `--strategy all --model ${model}\` over ${runs[0]?.result.seeds.length ?? 0} seeds (embedder: \`${runs[0]?.result.embedder ?? model}\`); the exact commands are below each table.`,
    '',
    'Reading the tables: the oracle answers batches of 10 (90% strategy, 10% random), the head ' +
      'retrains after each batch, and a random 20% of the items is held out for scoring. "labels to ' +
      '95%" is the first label count where the mean curve reaches 95% of the score that training on ' +
      'the whole pool gives; the ratio is to random sampling (lower is better; `<=` marks a bound ' +
      'when random never got there within the budget).',
    '',
  ];
  for (const run of runs) {
    const r = run.result;
    lines.push(`### ${run.title}`, '');
    lines.push(
      `${r.items.toLocaleString('en-US')} labeled items, labels ${r.labels.join(' / ')}; full pool ` +
        `(${Math.round(r.fullPool.trainedOn).toLocaleString('en-US')} labels): accuracy ` +
        `${(100 * r.fullPool.accuracy).toFixed(1)}%, macro-F1 ${(100 * r.fullPool.macroF1).toFixed(1)}%; the most common ` +
        `label is ${(100 * r.majorityShare).toFixed(1)}% of the items, so the headline metric is ` +
        `${r.primary === 'macroF1' ? 'macro-F1' : 'accuracy'}.`,
      '',
      `\`${run.command}\``,
      '',
      ...comparisonTable(r),
      '',
      `![Learning curves, ${run.title}](learning-curve-${run.slug}.svg)`,
      '',
    );
  }
  lines.push('### Against the target', '');
  lines.push(
    `Target: ${STARS.join(' and ')} need at most ${TARGET_RATIO}x random's labels on both datasets. ` +
      'The headline metric is accuracy unless predicting the most common label already reaches 95% of the ' +
      'full-pool accuracy (a constant predictor would "meet" it at 10 labels); then it is macro-F1.',
    '',
  );
  lines.push('| dataset | strategy | x random (accuracy) | x random (macro-F1) | headline metric | met |', '|---|---|---|---|---|---|');
  for (const run of runs) {
    for (const name of STARS) {
      const s = run.result.strategies.find((x) => x.strategy === name);
      if (s === undefined) continue;
      const fmt = (t: typeof s.accuracy): string =>
        t.ratioToRandom === null ? (t.labels === null ? 'not reached' : 'n/a') : `${t.bound ? '<=' : ''}${t.ratioToRandom.toFixed(2)}`;
      const headline = run.result.primary === 'macroF1' ? s.macroF1 : s.accuracy;
      const met = headline.ratioToRandom !== null && headline.ratioToRandom <= TARGET_RATIO;
      const metric = run.result.primary === 'macroF1' ? 'macro-F1' : 'accuracy';
      lines.push(`| ${run.slug} | ${name} | ${fmt(s.accuracy)} | ${fmt(s.macroF1)} | ${metric} | ${met ? 'yes' : 'no'} |`);
    }
  }
  lines.push('', END);
  return lines.join('\n');
}

async function writeDoc(body: string): Promise<void> {
  const current = await fs.readFile(DOC, 'utf8').catch(() => '# Benchmarks\n');
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + body + current.slice(end + END.length)
      : `${current.trimEnd()}\n\n${body}\n`;
  await fs.writeFile(DOC, next);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seeds: { type: 'string' }, budget: { type: 'string' }, 'spam-size': { type: 'string' }, model: { type: 'string' } },
  });
  const seeds = (values.seeds ?? '1,2,3').split(',').map(Number);
  const budget = Number(values.budget ?? 300);
  const spamSize = Number(values['spam-size'] ?? 2000);
  // lexical needs no download, so it runs anywhere; on a machine with the weights (or a network),
  // `npm run bench:learning -- --model Xenova/all-MiniLM-L6-v2` measures the real embeddings.
  const model = values.model ?? 'lexical';
  const io = consoleIO();
  const started = performance.now();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'al-bench-learning-'));
  try {
    const spamFile = await writeSpamSample(tmp, spamSize);
    const base = { strategies: [...STRATEGY_NAMES], budget, batch: 10, seeds, evalFraction: 0.2, model, cacheDir: model === 'lexical' ? tmp : defaultCacheDir(), mode: 'single', labelSeparator: '|' } as const;
    const plans: { slug: string; title: string; command: string; settings: SimulateSettings }[] = [
      {
        slug: 'headlines',
        title: 'Disaster headlines',
        command: `active-label simulate --data ../shared/datasets/disaster-headlines --text-field column2 --label-field column3 --strategy all --model ${model} --budget ${budget} --seeds ${seeds.join(',')}`,
        settings: { ...base, data: [HEADLINES_DIR], textField: 'column2', labelField: 'column3' },
      },
      {
        slug: 'spam',
        title: `SpamAssassin (stratified sample of ${spamSize.toLocaleString('en-US')} messages, subject + body)`,
        command: `active-label simulate --data spam-assassin.jsonl --label-field label --strategy all --model ${model} --budget ${budget} --seeds ${seeds.join(',')}  # file written by bench/learningData.ts`,
        settings: { ...base, data: [spamFile], labelField: 'label' },
      },
    ];
    const runs: Run[] = [];
    for (const plan of plans) {
      io.err(`== ${plan.title}`);
      const result = await simulate(plan.settings, io);
      for (const line of comparisonTable(result)) io.out(line);
      await fs.writeFile(path.join(ROOT, 'docs', `learning-curve-${plan.slug}.svg`), await renderSvg(result, plan.title));
      runs.push({ slug: plan.slug, title: plan.title, command: plan.command, result });
    }
    await writeDoc(section(runs, (performance.now() - started) / 1000, model));
    io.out(`Wrote ${path.relative(ROOT, DOC)} and docs/learning-curve-*.svg.`);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
