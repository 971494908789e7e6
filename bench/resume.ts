/**
 * Time to the first item when a session starts cold (nothing cached) and when it resumes (every
 * embedding cached, a label log to replay): the real engine worker in a worker thread, on the
 * bundled sample (400 headlines), driven over the typed protocol as the extension drives it
 * (`start`, then `needItems`). The breakdown comes from the worker's own progress messages:
 *   boot       worker thread up and its modules loaded (until the first `progress`)
 *   dataset    read the file and replay the label log (until `loading-model`; on a fully cached
 *              resume, until the vectors are read from the cache, as no model loads)
 *   model      choose and load the embedder (until the first `embedding` progress; 0 when none)
 *   embed      embed what the cache lacks, build the session (until `engineReady`)
 *   items      the first batch (until the first `items`)
 *   first model  the first retrain, which runs after the items (background; not on the path)
 * Models: `tiny` (test/fixtures/tiny-bert, transformers.js), `minilm` (all-MiniLM-L6-v2's shape with
 * random weights: the default model's load and embedding cost) and `lexical`.
 * The worker is the bundle the extension runs (`dist/worker.js`, built first with `node esbuild.mjs`);
 * `--worker source` runs the TypeScript through tsx instead, as the tests do (its boot then includes
 * transpiling).
 * Each figure is the median of `--repeat` runs (default 3), each in a fresh workspace.
 * `--dataset <file>` runs on another file (for example `.bench-data/items-1000000.jsonl` from
 * `npm run bench:data`): the cold run then also waits until the whole pool is embedded in the
 * background (so the resume is a fully cached re-open), and each row adds the process's peak
 * resident memory (the worker is a thread of this process).
 * `--workspace <dir>` keeps the workspace in `dir` (made if missing) instead of a fresh one per run:
 * the cold run happens only while `dir` has no copy of the dataset yet, and every later run (and
 * every later invocation) is a resume of it, so re-opens can be measured and profiled one after
 * another without paying the cold start each time (the cold row then reports that first run only).
 * `--cpu-prof <dir>` writes a CPU profile of each run's worker thread (the bundle) into `dir`.
 * Usage: npm run bench:resume [-- --models tiny,minilm,lexical --labels 30 --repeat 3 --worker bundle|source --dataset file --workspace dir --cpu-prof dir]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { WorkerToHost } from '../src/shared/protocol/engine';
import { ensureMiniLmShapedModel, ensureTinyModel } from '../test/fixtures/tinyModel';
import { Host, initMessage, servedItems } from '../test/unit/worker/workerHost';

const SAMPLE = path.resolve(__dirname, '..', 'sample', 'headlines.jsonl');
const LABELS = ['disaster', 'other'];

const ROOT = path.resolve(__dirname, '..');
const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'tiny,minilm,lexical' },
    labels: { type: 'string', default: '30' },
    worker: { type: 'string', default: 'bundle' },
    repeat: { type: 'string', default: '3' },
    dataset: { type: 'string' },
    workspace: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});
const DATASET = values.dataset !== undefined ? path.resolve(values.dataset) : SAMPLE;
const LARGE = values.dataset !== undefined;

/** This process's peak resident set so far (VmHWM), MiB. */
function peakMiB(): number {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
const labelCount = Number(values.labels);
const repeat = Math.max(1, Number(values.repeat));

/** The worker entry: the fresh bundle, or undefined for the TypeScript source. */
function workerFile(): string | undefined {
  if (values.worker === 'source') return undefined;
  const built = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`bench/resume: node esbuild.mjs failed: ${built.stderr || built.stdout}`);
  return path.join(ROOT, 'dist', 'worker.js');
}

interface Timeline {
  readonly boot: number;
  readonly dataset: number;
  readonly model: number;
  readonly embed: number;
  readonly items: number;
  readonly total: number;
  readonly firstModel: number | undefined;
  /** The whole pool embedded (the cold run on a large dataset), ms from the spawn. */
  readonly poolDone: number | undefined;
  /** What the worker logged about the dataset snapshot (written, read, or why not). */
  readonly snapshot: readonly string[];
  /** CPU seconds of this process (the worker is a thread of it) from the spawn to the first item: steadier than wall time on a loaded machine. */
  readonly cpuToFirstItem: number;
}

function modelFor(name: string): string {
  if (name === 'tiny') return ensureTinyModel();
  if (name === 'minilm') return ensureMiniLmShapedModel();
  if (name === 'lexical') return 'lexical';
  throw new Error(`bench/resume: unknown model "${name}" (tiny, minilm or lexical)`);
}

/** Milliseconds from `t0` to the first message matching `pred`, or undefined. */
function at(host: Host, t0: number, pred: (m: WorkerToHost) => boolean): number | undefined {
  const i = host.messages.findIndex(pred);
  return i < 0 ? undefined : (host.arrivedAt[i] as number) - t0;
}

async function run(dir: string, dataset: string, model: string, label: boolean, worker: string | undefined): Promise<Timeline> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const profile = values['cpu-prof'] !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values['cpu-prof'])}`] : [];
  const host = worker !== undefined ? new Host(worker, profile) : new Host();
  try {
    host.send(initMessage(dataset, dir, LABELS, { model, strategy: 'margin' }));
    host.send({ type: 'needItems', count: 10 });
    await host.wait('items', () => true, 300_000);
    const used = process.cpuUsage(cpu0);
    const cpuToFirstItem = (used.user + used.system) / 1e6;
    const progress = (phase: string) => (m: WorkerToHost) => m.type === 'progress' && m.phase === phase;
    const first = at(host, t0, (m) => m.type === 'progress') ?? 0;
    const embedding = at(host, t0, progress('embedding')) ?? first;
    // A fully cached resume loads no model: no `loading-model` phase at all.
    const loadingModel = at(host, t0, progress('loading-model')) ?? embedding;
    const ready = at(host, t0, (m) => m.type === 'engineReady') ?? embedding;
    const items = at(host, t0, (m) => m.type === 'items') ?? ready;
    if (label) {
      // Label the way a user does, so the resume has a log to replay and a model to retrain.
      let n = 0;
      while (n < labelCount) {
        const waiting = servedItems(host).slice(n);
        if (waiting.length === 0) {
          const since = host.messages.length;
          host.send({ type: 'needItems', count: 10 });
          await host.wait('items', () => true, 60_000, since);
          continue;
        }
        for (const item of waiting.slice(0, labelCount - n)) {
          const requestId = `r${n}`;
          const answer = /fire|flood|quake|storm|crash|kill/i.test(item.text) ? 'disaster' : 'other';
          host.send({ type: 'label', requestId, itemId: item.id, labels: [answer], source: 'queue' });
          await host.reply(requestId);
          n++;
        }
      }
    }
    const modelAt = label ? undefined : await host.wait('model', () => true, 120_000).then(() => at(host, t0, (m) => m.type === 'model'), () => undefined);
    // On a large file the cold run's pool goes on embedding after the first item: wait for all of it.
    const poolDone =
      label && LARGE ? await host.wait('poolEmbedding', (m) => m.state !== 'embedding', 7_200_000).then(() => at(host, t0, (m) => m.type === 'poolEmbedding' && m.state !== 'embedding')) : undefined;
    const snapshot = host.messages.flatMap((m) => (m.type === 'log' && /snapshot/i.test(m.message) ? [`${m.message} (at ${ms(at(host, t0, (x) => x === m))} ms)`] : []));
    return {
      snapshot,
      cpuToFirstItem,
      poolDone,
      boot: first,
      dataset: loadingModel - first,
      model: embedding - loadingModel,
      embed: ready - embedding,
      items: items - ready,
      total: items,
      firstModel: modelAt,
    };
  } finally {
    await host.close();
  }
}

/** Each column's median over the runs (so the columns need not add up to the total). */
function medianTimeline(runs: readonly Timeline[]): Timeline {
  const median = (pick: (t: Timeline) => number | undefined): number | undefined => {
    const xs = runs.map(pick).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
    return xs.length === 0 ? undefined : xs[Math.floor(xs.length / 2)];
  };
  return {
    boot: median((t) => t.boot) ?? 0,
    dataset: median((t) => t.dataset) ?? 0,
    model: median((t) => t.model) ?? 0,
    embed: median((t) => t.embed) ?? 0,
    items: median((t) => t.items) ?? 0,
    total: median((t) => t.total) ?? 0,
    firstModel: median((t) => t.firstModel),
    poolDone: median((t) => t.poolDone),
    snapshot: [],
    cpuToFirstItem: median((t) => t.cpuToFirstItem) ?? 0,
  };
}

const ms = (n: number | undefined): string => (n === undefined ? '-' : `${Math.round(n)}`);

async function main(): Promise<void> {
  const worker = workerFile();
  const name = LARGE ? path.relative(ROOT, DATASET) : 'sample/headlines.jsonl (400 items)';
  console.log(`Resume benchmark: ${name}, ${labelCount} labels before the resume, worker ${worker ?? 'source (tsx)'}; Node ${process.version}.`);
  console.log(`| model | run | boot | dataset + log (+ cache read) | embedder load | embed, build session | first batch | **to first item** | first retrain done |${LARGE ? ' whole pool embedded | peak RSS so far |' : ''}`);
  console.log(`| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${LARGE ? ' ---: | ---: |' : ''}`);
  for (const name of (values.models ?? '').split(',').filter(Boolean)) {
    const model = modelFor(name);
    const runs: { cold: Timeline | undefined; resumed: Timeline }[] = [];
    for (let r = 0; r < repeat; r++) {
      const kept = values.workspace !== undefined ? path.resolve(values.workspace, name) : undefined;
      if (kept !== undefined) mkdirSync(kept, { recursive: true });
      const dir = kept ?? mkdtempSync(path.join(tmpdir(), 'al-bench-resume-'));
      try {
        const dataset = path.join(dir, path.basename(DATASET));
        let cold: Timeline | undefined;
        if (!existsSync(dataset)) {
          copyFileSync(DATASET, dataset);
          cold = await run(dir, dataset, model, true, worker);
        }
        const coldPeak = peakMiB();
        const resumed = await run(dir, dataset, model, false, worker);
        runs.push({ cold, resumed });
        for (const line of [...(cold?.snapshot ?? []).map((l) => `cold: ${l}`), ...resumed.snapshot.map((l) => `resumed: ${l}`)]) console.log(`  ${line}`);
        if (LARGE) console.log(`  run ${r + 1}: cold ${ms(cold?.total)} ms to the first item, pool done at ${ms(cold?.poolDone)} ms; resumed ${ms(resumed.total)} ms (${resumed.cpuToFirstItem.toFixed(2)} CPU s); peak RSS ${coldPeak.toFixed(0)} MiB after the cold run, ${peakMiB().toFixed(0)} MiB after the resume`);
      } finally {
        if (kept === undefined) rmSync(dir, { recursive: true, force: true });
      }
    }
    for (const kind of ['cold', 'resumed'] as const) {
      const of = runs.flatMap((r) => (r[kind] !== undefined ? [r[kind]] : []));
      if (of.length === 0) continue;
      const t = medianTimeline(of);
      const large = LARGE ? ` ${ms(t.poolDone)} | ${kind === 'resumed' ? `${peakMiB().toFixed(0)} MiB` : ''} |` : '';
      console.log(`| ${name} | ${kind} | ${ms(t.boot)} | ${ms(t.dataset)} | ${ms(t.model)} | ${ms(t.embed)} | ${ms(t.items)} | **${ms(t.total)}** | ${ms(t.firstModel)} |${large}`);
    }
  }
  console.log(`Median ms over ${repeat} runs, from spawning the worker; "first retrain done" comes after the first item (background).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
