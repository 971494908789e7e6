/**
 * `node --import tsx bench/cacheSave.ts [--sizes 100000,1000000] [--dims 384]`: what one save of
 * the embedding cache costs while the background embeds, at a given number of cached rows (int8,
 * the default dtype). A checkpoint appends one chunk (2,048 rows, the background's chunk) to the
 * journal and fsyncs; a full save rewrites the whole file (temp file, fsync, rename). One-off
 * measurement for docs/benchmarks.md ("Cache saves: journal append against full rewrite"); wall
 * time, median of 5, on the machine's tmp folder.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddingCache, cacheFileFor } from '../src/core/embedding/cache';
import { journalFileFor } from '../src/core/embedding/cacheJournal';

const CHUNK = 2048;
const REPEATS = 5;

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '100000,1000000' }, dims: { type: 'string', default: '384' } } });
const sizes = (values.sizes ?? '').split(',').map(Number);
const dims = Number(values.dims);
const identity = { model: 'bench-model', dimensions: dims, fingerprint: '' };

let seed = 7;
function vector(): Float32Array {
  const v = new Float32Array(dims);
  for (let j = 0; j < dims; j++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    v[j] = seed / 2 ** 32 - 0.5;
  }
  return v;
}
const hash = (i: number): string => i.toString(16).padStart(32, '0');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function measure(rows: number): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'al-bench-save-'));
  try {
    const file = cacheFileFor(dir, identity.model);
    const writer = await EmbeddingCache.open(file, { dtype: 'int8' });
    writer.bind(identity);
    for (let i = 0; i < rows; i++) writer.set(hash(i), vector());
    await writer.save();
    const cache = await EmbeddingCache.open(file, { dtype: 'int8' });
    cache.bind(identity);
    let next = rows;
    const appends: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      for (let k = 0; k < CHUNK; k++) cache.set(hash(next++), vector());
      const started = performance.now();
      await cache.checkpoint();
      appends.push(performance.now() - started);
    }
    const journalBytes = (await stat(journalFileFor(file))).size;
    const rewrites: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      for (let k = 0; k < CHUNK; k++) cache.set(hash(next++), vector());
      const started = performance.now();
      await cache.save();
      rewrites.push(performance.now() - started);
    }
    const fileBytes = (await stat(file)).size;
    console.log(
      `| ${rows.toLocaleString('en-US')} | ${median(appends).toFixed(1)} ms (${(journalBytes / REPEATS / 1024).toFixed(0)} KiB) | ${median(rewrites).toFixed(0)} ms (${(fileBytes / 2 ** 20).toFixed(0)} MiB) | ${(median(rewrites) / median(appends)).toFixed(0)}x |`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${dims} dims int8; chunk ${CHUNK} rows; median of ${REPEATS}`);
  console.log('| cached rows | checkpoint (journal append + fsync) | full save (rewrite + fsync + rename) | ratio |');
  console.log('|---:|---:|---:|---:|');
  for (const rows of sizes) await measure(rows);
  console.log(`load average after ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

void main();
