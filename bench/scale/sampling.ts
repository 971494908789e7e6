/**
 * Sampling and training at scale (issue 12, section 4): the clustered uncertainty batch, retrain +
 * rescoring of the whole pool, and the active transfer / ATLAS batch, at 100k, 300k and 1M x 384,
 * beside a numpy + scikit-learn reference run on the same vectors in the same run
 * (bench/scale/sampling_reference.py, through .npy files in .cache/scale/).
 *
 * Vectors: a seeded Gaussian mixture (50 centres, unit-length rows, like sentence embeddings).
 * Labels: the nearest of 4 random directions, with 10% noise. Sizes: SCALE_SIZES=100000,300000.
 * `useVectors(file)` (bench:scale's `--vectors FILE`) replaces the mixture with the file's rows.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { recordFigures } from './figures';
import { Int8Matrix } from '../../src/core/embedding/int8Matrix';
import { trainHead } from '../../src/core/model/train';
import type { DenseHead } from '../../src/core/model/head';
import { createRng } from '../../src/core/random';
import { activeTransferSampling, atlasSampling } from '../../src/core/sampling/activeTransfer';
import { clusteredUncertaintySampling, CLUSTER_FIT_ROWS } from '../../src/core/sampling/clusteredUncertainty';
import { predictAll } from '../../src/core/session/scoring';
import type { Matrix } from '../../src/core/types';
import { embeddings } from '../common';
import { readVectorFile } from '../../src/core/embedding/vectorFile';

const D = 384;
const LABELS = 10_000;
const TRANSFER_LABELS = 2_000;
const CLASSES = ['a', 'b', 'c', 'd'];
const BATCH = 10;
const K = Math.ceil(BATCH / 5);
const ITERATIONS = 20;
const PERCENT = 10;
/** Warm-up calls before the clustered batch is timed (a fresh process's first batches run unoptimized code). */
const CLUSTERED_WARMUP = 5;
const CACHE = resolve(__dirname, '..', '..', '.cache', 'scale');

export interface ScaleRow {
  readonly n: number;
  readonly clustered: number;
  readonly refClusteredSample?: number;
  readonly refClusteredFull?: number;
  readonly retrain: number;
  /** The same two steps on the pool kept as the session keeps it (int8). */
  readonly clusteredInt8?: number;
  readonly retrainInt8?: number;
  readonly refRetrain?: number;
  readonly transfer: number;
  readonly atlas: number;
  /** Median CPU time (user + system) of the same calls: what a batch costs on an idle core. */
  readonly transferCpu?: number;
  readonly atlasCpu?: number;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Median wall time of `runs` calls after `warmup`; `cpu` receives the median CPU time (user + system). */
function median(fn: () => void, runs: number, warmup = 1, cpu?: (ms: number) => void): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c = cpuMs();
    fn();
    cpus.push(cpuMs() - c);
    times.push(performance.now() - t);
  }
  cpu?.(cpus.sort((a, b) => a - b)[Math.floor(runs / 2)] as number);
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

/** Labels: the nearest of 4 random directions, 10% flipped at random. */
function labelsFor(x: Matrix, seed: number): Int32Array {
  const rng = createRng(seed);
  const dirs = CLASSES.map(() => Float32Array.from({ length: x.cols }, () => rng.normal()));
  const y = new Int32Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < dirs.length; c++) {
      const dir = dirs[c] as Float32Array;
      let s = 0;
      for (let j = 0; j < x.cols; j++) s += (dir[j] as number) * (x.data[i * x.cols + j] as number);
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    y[i] = rng.next() < 0.1 ? rng.int(CLASSES.length) : best;
  }
  return y;
}

/** A minimal .npy (v1.0) writer: little-endian float32 or int32, C order. */
function writeNpy(path: string, data: Float32Array | Int32Array, shape: readonly number[]): void {
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

function reference(dir: string): Record<string, number> | null {
  if (!existsSync('/usr/bin/python3')) return null;
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = join(__dirname, 'sampling_reference.py');
  const r = spawnSync('/usr/bin/python3', [script, dir, String(K), String(ITERATIONS), String(PERCENT), String(CLUSTER_FIT_ROWS)], { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    console.error(`python reference failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
}

function drain(head: DenseHead, pool: Matrix): Float32Array {
  const gen = predictAll(head, pool, 4096);
  for (;;) {
    const step = gen.next();
    if (step.done) return step.value.probs;
  }
}

/** The user's own vectors (`npm run bench:scale -- --vectors FILE`), in place of the Gaussian mixture. */
let own: Matrix | undefined;
let ownName = '';

/** Reads `file` (a vector file, as `--vectors` takes it) for the pools that follow. */
export async function useVectors(file: string): Promise<void> {
  const v = await readVectorFile(file);
  if (v.matrix.rows < LABELS + 1) throw new Error(`${file}: ${v.matrix.rows} rows; the sampling bench needs more than ${LABELS}`);
  own = v.matrix;
  ownName = basename(file);
}

/**
 * The pool of n rows and the labeled set: the file's first n rows and its last LABELS rows (also in
 * the pool when the file has fewer than n + LABELS rows: it times the same work), or the mixture.
 */
function poolAndLabeled(n: number): { pool: Matrix; labeled: Matrix } {
  if (own === undefined) return { pool: embeddings(n, D, 11), labeled: embeddings(LABELS, D, 12) };
  const cols = own.cols;
  const rows = Math.min(n, own.rows);
  return {
    pool: { data: own.data.subarray(0, rows * cols), rows, cols },
    labeled: { data: own.data.subarray((own.rows - LABELS) * cols), rows: LABELS, cols },
  };
}

export function measureSize(size: number, withReference = true): ScaleRow {
  const runs = size >= 1_000_000 ? 3 : 5;
  const { pool, labeled } = poolAndLabeled(size);
  const n = pool.rows;
  const D = pool.cols;
  const y = labelsFor(labeled, 13);
  const targets = { kind: 'single' as const, y };
  let head = trainHead(labeled, targets, CLASSES, 'single', { seed: 1 });
  let seed = 2;
  let probs = drain(head, pool);
  const retrain = median(() => {
    head = trainHead(labeled, targets, CLASSES, 'single', { seed: seed++ }, head);
    probs = drain(head, pool);
  }, runs);
  const probsMatrix: Matrix = { data: probs, rows: n, cols: CLASSES.length };
  const clustered = median(() => {
    clusteredUncertaintySampling(pool, probsMatrix, BATCH, { mode: 'single', seed: seed++, uncertainPercent: PERCENT }, createRng(seed));
  }, runs, CLUSTERED_WARMUP);

  // The same pool as the session keeps it (int8, src/core/embedding/int8Matrix.ts): the rescore decodes it a chunk at a time.
  const quantized = new Int8Matrix(n, D);
  for (let r = 0; r < n; r++) quantized.putVector(r, pool.data.subarray(r * D, (r + 1) * D));
  const retrainInt8 = median(() => {
    head = trainHead(labeled, targets, CLASSES, 'single', { seed: seed++ }, head);
    probs = drain(head, quantized);
  }, runs);
  const int8Probs: Matrix = { data: probs, rows: n, cols: CLASSES.length };
  const clusteredInt8 = median(() => {
    clusteredUncertaintySampling(quantized, int8Probs, BATCH, { mode: 'single', seed: seed++, uncertainPercent: PERCENT }, createRng(seed));
  }, runs, CLUSTERED_WARMUP);

  const tLabeled: Matrix = { data: labeled.data.subarray(0, TRANSFER_LABELS * D), rows: TRANSFER_LABELS, cols: D };
  const tTargets = { kind: 'single' as const, y: y.subarray(0, TRANSFER_LABELS) };
  const transferInput = (s: number) => ({ pool, labeled: tLabeled, targets: tTargets, classes: CLASSES, mode: 'single' as const, seed: s, poolProbs: probsMatrix });
  let transferCpu = 0;
  let atlasCpu = 0;
  const transfer = median(
    () => {
      activeTransferSampling(transferInput(seed++), BATCH, createRng(seed));
    },
    Math.min(runs, 3),
    1,
    (c) => (transferCpu = c),
  );
  const atlas = median(
    () => {
      atlasSampling(transferInput(seed++), BATCH * 2, createRng(seed));
    },
    Math.min(runs, 3),
    1,
    (c) => (atlasCpu = c),
  );

  let ref: Record<string, number> | null = null;
  if (withReference) {
    const dir = join(CACHE, `sampling-${n}`);
    mkdirSync(dir, { recursive: true });
    writeNpy(join(dir, 'pool.npy'), pool.data, [n, D]);
    writeNpy(join(dir, 'lab.npy'), labeled.data, [LABELS, D]);
    writeNpy(join(dir, 'y.npy'), y, [LABELS]);
    ref = reference(dir);
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    n,
    clustered,
    retrain,
    clusteredInt8,
    retrainInt8,
    transfer,
    atlas,
    transferCpu,
    atlasCpu,
    refClusteredSample: ref?.clusteredSample,
    refClusteredFull: ref?.clusteredFull,
    refRetrain: ref?.retrain,
  };
}

const ms = (v: number | undefined): string => (v === undefined ? 'n/a' : `${v.toFixed(0)} ms`);
const ratio = (a: number, b: number | undefined): string => (b === undefined || b <= 0 ? 'n/a' : `${(a / b).toFixed(2)}x`);

/** The growth table (markdown) of the measured sizes. */
export function table(rows: readonly ScaleRow[]): string {
  const lines = [
    `Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the end of the run (shared machine). ` +
      `Pool: ${own !== undefined ? `the first N rows of ${ownName} (${own.cols} dims; labeled set: its last ${LABELS.toLocaleString('en-US')} rows, labels from 4 random directions)` : `Gaussian mixture x ${D}`}; retrain: logistic head, warm start, ${LABELS.toLocaleString('en-US')} labels, 4 classes; ` +
      `clustered uncertainty: batch ${BATCH}, top ${PERCENT}% by margin, k = ${K}, ${ITERATIONS} iterations; ` +
      `active transfer: ${TRANSFER_LABELS.toLocaleString('en-US')} labels, batch ${BATCH}; ATLAS batch ${BATCH * 2} (2 steps). ` +
      `Times are wall-clock medians (clustered uncertainty after ${CLUSTERED_WARMUP} warm-up calls: in a fresh process the first calls run before V8 has optimized them and take 2-3x longer); the CPU columns are the same calls' CPU time (user + system), what a batch takes on an idle core.`,
    '',
    '| pool | clustered uncertainty | int8 pool | sklearn, same sample fit | ratio | sklearn, full top 10% | ratio | retrain + rescore | int8 pool | sklearn LR fit + predict_proba | ratio | active transfer | CPU | ATLAS | CPU |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.n.toLocaleString('en-US')} | ${ms(r.clustered)} | ${ms(r.clusteredInt8)} | ${ms(r.refClusteredSample)} | ${ratio(r.clustered, r.refClusteredSample)} | ${ms(r.refClusteredFull)} | ${ratio(r.clustered, r.refClusteredFull)} | ${ms(r.retrain)} | ${ms(r.retrainInt8)} | ${ms(r.refRetrain)} | ${ratio(r.retrain, r.refRetrain)} | ${ms(r.transfer)} | ${ms(r.transferCpu)} | ${ms(r.atlas)} | ${ms(r.atlasCpu)} |`,
    ),
  ];
  return lines.join('\n');
}

export async function run(): Promise<string> {
  const sizes = (process.env.SCALE_SIZES ?? '100000,300000,1000000').split(',').map(Number);
  const withReference = process.env.SCALE_REFERENCE !== '0';
  const rows: ScaleRow[] = [];
  for (const n of sizes) {
    const row = measureSize(n, withReference);
    console.log(JSON.stringify({ bench: 'scale:sampling', ...row }));
    rows.push(row);
  }
  const out = table(rows);
  console.log(out);
  if (process.env.SCALE_WRITE_DOC !== '0') {
    writeSection(out);
    recordFigures(
      'sampling',
      rows.map((r) => ({ size: r.n, values: { 'clustered uncertainty batch': r.clustered, 'retrain + rescore': r.retrain, 'active transfer batch': r.transfer, 'ATLAS batch': r.atlas } })),
      ['clustered uncertainty batch', 'retrain + rescore', 'active transfer batch', 'ATLAS batch'].map((key) => ({ key, unit: 'ms', kind: 'total' as const })),
    );
  }
  return out;
}

const DOC = resolve(__dirname, '..', '..', 'docs', 'benchmarks.md');
const START = '<!-- bench:scale-sampling:start -->';
const END = '<!-- bench:scale-sampling:end -->';

/** Replaces the table of the "Scale: sampling at a million" section, keeping the prose after it. */
function writeSection(tableText: string): void {
  if (!existsSync(DOC)) return;
  const doc = readFileSync(DOC, 'utf8');
  const block = `${START}\n${tableText}\n${END}`;
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  const next = a >= 0 && b > a ? doc.slice(0, a) + block + doc.slice(b + END.length) : `${doc.trimEnd()}\n\n## Scale: sampling at a million\n\n${block}\n`;
  writeFileSync(DOC, next);
}

if (require.main === module) void run();
