/**
 * `npm run bench:cache-open [-- --sizes 100000,300000,1000000] [--dims 384] [--repeat 3]
 * [--order shuffled|item] [--dataset file] [--before main]`: what re-opening a cached run costs in
 * the embedding cache alone. Writes a cache of N random rows (int8, the default dtype) through the
 * real EmbeddingCache, keyed as items are (a 32-hex text hash), then, in a fresh child process each
 * time, opens it and reads every row with `readInto` in item order into one N x dims float32
 * matrix, as a resumed session fills its pool.
 *
 * The rows are written in a shuffled order by default, as a real cache holds them in embedding
 * order (sorted by text length, sample first), not item order; `--order item` writes them in item
 * order, so the reads walk the file front to back. `--dataset <file>` (for example
 * `.bench-data/items-1000000.jsonl`) keys the rows by that dataset's unique items and has each child
 * load the dataset first, so the open meets a session's heap (every full collection marks it).
 *
 * Per run: open (read, verify and index the file), fill (the N `readInto`s), CPU seconds of both,
 * what the open cache holds (JS heap plus array buffers, between full collections, less the matrix:
 * the records and their key index), the RSS after open (before the matrix) and the peak RSS
 * (VmHWM). The keys (and the dataset) are made before the clock starts and count in both RSS
 * figures (the keys alone about 70 MiB at 1M). Figures are medians of `--repeat` runs.
 * `--before <git ref>` also runs the same children against that commit's src/core/embedding
 * (extracted with `git archive`), alternating with this tree, so both columns see the same load; a
 * checksum of the filled matrix shows both read the same values. One-off measurement for
 * docs/benchmarks.md ("Opening a million items", "Binary key index").
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/core/dataset';

const ROOT = path.resolve(__dirname, '..');
const THIS_TREE = path.join(ROOT, 'src', 'core', 'embedding');
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,300000,1000000' },
    dims: { type: 'string', default: '384' },
    repeat: { type: 'string', default: '3' },
    before: { type: 'string' },
    order: { type: 'string', default: 'shuffled' },
    dataset: { type: 'string' },
    // Internal: one measured open, in a child process.
    child: { type: 'string' },
    src: { type: 'string' },
    n: { type: 'string' },
  },
});
const dims = Number(values.dims);
const identity = { model: 'bench-model', dimensions: dims, fingerprint: '' };

/** Item i's text hash, as the dataset makes them (sha256, 32 hex digits). */
const hashOf = (i: number): string => createHash('sha256').update(`item ${i}`).digest('hex').slice(0, 32);

/**
 * The items' text hashes: the dataset's (loaded through the real reader, and kept, so its heap is
 * there as in a session), or N made up. Returns the dataset too, to keep it alive.
 */
async function itemKeys(n: number): Promise<{ readonly keys: string[]; readonly dataset: unknown }> {
  if (values.dataset === undefined) return { keys: Array.from({ length: n }, (_, i) => hashOf(i)), dataset: undefined };
  const dataset = await loadDataset(path.resolve(ROOT, values.dataset));
  return { keys: dataset.items.map((item) => item.textHash), dataset };
}

interface Run {
  readonly openMs: number;
  readonly fillMs: number;
  readonly cpuS: number;
  readonly cacheMiB: number;
  readonly openRssMiB: number;
  readonly peakMiB: number;
  readonly checksum: string;
}

/** JS heap plus array buffers (the chunks, the index's tables). */
function heldBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function statusMiB(field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The cache module of one tree (a child loads only the tree it measures). */
async function loadCache(src: string): Promise<typeof import('../src/core/embedding/cache')> {
  return (await import(path.join(src, 'cache.ts'))) as typeof import('../src/core/embedding/cache');
}

async function child(file: string, src: string, n: number): Promise<void> {
  const { EmbeddingCache } = await loadCache(src);
  const { keys, dataset } = await itemKeys(n);
  // Run with --expose-gc: memory the cache keeps is measured between two full collections.
  const gc = globalThis.gc as () => void;
  gc();
  const base = heldBytes();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const cache = await EmbeddingCache.open(file);
  cache.bind(identity);
  const opened = performance.now();
  const openRssMiB = statusMiB('VmRSS');
  const matrix = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) if (!cache.readInto(keys[i] as string, matrix, i * dims)) throw new Error(`row ${i} is missing`);
  const filled = performance.now();
  const used = process.cpuUsage(cpu);
  gc();
  const cacheMiB = (heldBytes() - base - matrix.byteLength) / 2 ** 20;
  // Uses `keys` after the collection, so they are counted in both measurements (or in neither).
  const distinct = new Set(keys).size;
  if (cache.size !== distinct || (dataset !== undefined && distinct === 0)) throw new Error(`${cache.size} rows, expected ${distinct}`);
  const checksum = createHash('sha256').update(new Uint8Array(matrix.buffer)).digest('hex').slice(0, 12);
  const run: Run = { openMs: opened - started, fillMs: filled - opened, cpuS: (used.user + used.system) / 1e6, cacheMiB, openRssMiB, peakMiB: statusMiB('VmHWM'), checksum };
  process.stdout.write(JSON.stringify(run));
}

/** The order rows are written in: `item` (0 .. N-1), or `shuffled` (a seeded permutation). */
function writeOrder(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  if (values.order === 'item') return order;
  let seed = 11;
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

async function writeCache(dir: string, keys: readonly string[]): Promise<string> {
  const n = keys.length;
  const { EmbeddingCache, cacheFileFor } = await loadCache(THIS_TREE);
  const file = cacheFileFor(dir, identity.model);
  const cache = await EmbeddingCache.open(file);
  cache.bind(identity);
  const v = new Float32Array(dims);
  for (const i of writeOrder(n)) {
    // Item i's vector depends on i alone, so either order gives the same matrix (and checksum).
    let seed = i + 1;
    for (let j = 0; j < dims; j++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      v[j] = seed / 2 ** 32 - 0.5;
    }
    cache.set(keys[i] as string, v);
  }
  if (!(await cache.save())) throw new Error(`could not write ${file}: ${cache.warnings.join('; ')}`);
  return file;
}

function measure(file: string, src: string, n: number): Run {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--child', file, '--src', src, '--n', String(n), '--dims', String(dims), ...(values.dataset !== undefined ? ['--dataset', values.dataset] : [])], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Run;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

function row(name: string, n: number, runs: readonly Run[]): string {
  const checksums = [...new Set(runs.map((r) => r.checksum))].join(',');
  return (
    `| ${n.toLocaleString('en-US')} | ${name} | ${median(runs.map((r) => r.openMs)).toFixed(0)} | ${median(runs.map((r) => r.fillMs)).toFixed(0)} | ` +
    `${median(runs.map((r) => r.cpuS)).toFixed(2)} | ${median(runs.map((r) => r.cacheMiB)).toFixed(0)} | ${median(runs.map((r) => r.openRssMiB)).toFixed(0)} | ${median(runs.map((r) => r.peakMiB)).toFixed(0)} | ${checksums} |`
  );
}

async function main(): Promise<void> {
  // With a dataset, one size: its unique items.
  const sizes = values.dataset !== undefined ? [(await itemKeys(0)).keys.length] : (values.sizes ?? '').split(',').map(Number);
  const repeat = Math.max(1, Number(values.repeat));
  const scratch = mkdtempSync(path.join(tmpdir(), 'al-bench-open-'));
  const variants: { name: string; src: string }[] = [{ name: 'this tree', src: THIS_TREE }];
  try {
    if (values.before !== undefined) {
      const commit = execFileSync('git', ['rev-parse', '--short', values.before], { cwd: ROOT, encoding: 'utf8' }).trim();
      const tar = path.join(scratch, 'before.tar');
      execFileSync('git', ['archive', '--output', tar, commit, 'src/core/embedding'], { cwd: ROOT });
      execFileSync('tar', ['-xf', tar, '-C', scratch]);
      variants.unshift({ name: `before (${commit})`, src: path.join(scratch, 'src', 'core', 'embedding') });
    }
    const keyed = values.dataset !== undefined ? `keys and heap of ${values.dataset}` : 'made-up keys';
    console.log(`load average ${load()}; Node ${process.version}; ${dims} dims int8; ${keyed}; rows written in ${values.order} order; median of ${repeat} fresh child processes; times in ms`);
    console.log('| rows | code | open | fill (readInto x N) | CPU s | cache holds MiB | RSS after open MiB | peak RSS MiB | checksum |');
    console.log('|---:|---|---:|---:|---:|---:|---:|---:|---|');
    for (const n of sizes) {
      const file = await writeCache(path.join(scratch, String(n)), (await itemKeys(n)).keys);
      const runs = variants.map((): Run[] => []);
      for (let r = 0; r < repeat; r++) {
        // Alternate which goes first, so neither always meets a colder page cache or a busier machine.
        const order = r % 2 === 0 ? variants.keys() : [...variants.keys()].reverse();
        for (const v of order) runs[v]?.push(measure(file, (variants[v] as { src: string }).src, n));
      }
      variants.forEach((v, i) => console.log(row(v.name, n, runs[i] as Run[])));
      console.error(`  ${n}: file ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB; load average ${load()}`);
      rmSync(path.dirname(file), { recursive: true, force: true });
    }
    console.log(`load average after ${load()}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (values.child !== undefined) {
  child(values.child, values.src as string, Number(values.n)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
} else {
  void main();
}
