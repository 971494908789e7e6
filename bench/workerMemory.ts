/**
 * `npm run bench:worker-memory -- --dataset FILE [--vectors FILE.npy]`: what the engine worker holds once a session has
 * started on a large file, cold (nothing cached) and re-opened (every vector cached). The worker is
 * a thread of the extension host, so its memory cannot be told apart from the host's by RSS; this
 * runs the worker's own start (`startSession`, the same code the worker thread runs) in the main
 * thread of a fresh child process that does nothing else, and reports the process's RSS and V8's
 * figures after a full garbage collection, plus the peak (VmHWM) of the start.
 *
 * The cold run embeds the whole pool in the background (as the worker's PoolEmbedder does) so the
 * re-open finds every vector in the cache.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startSession } from '../src/worker/startSession';
import { initMessage } from '../test/unit/worker/workerHost';

const MiB = 1024 * 1024;

function status(key: string): number {
  const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function child(dataset: string, dir: string, phase: string, vectors: string | undefined): Promise<void> {
  const started = performance.now();
  const init = initMessage(dataset, dir, ['disaster', 'other'], { model: 'lexical', strategy: 'margin', ...(vectors !== undefined ? { vectors } : {}) });
  const s = await startSession(init, new AbortController().signal, () => undefined);
  const ready = performance.now() - started;
  if (s.pending !== undefined) {
    for await (const rows of s.pending.staged.background()) s.session.addEmbedded(rows);
    await s.pending.embedder.dispose();
  }
  // As the engine does once a session is up: the next start reads the dataset's snapshot.
  await s.saveSnapshot?.();
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const out = {
    phase,
    readyMs: Math.round(ready),
    fromSnapshot: s.fromSnapshot,
    items: s.dataset.items.length,
    dims: s.session.embeddings.cols,
    rssMiB: Math.round(m.rss / MiB),
    heapUsedMiB: Math.round(m.heapUsed / MiB),
    arrayBuffersMiB: Math.round(m.arrayBuffers / MiB),
    peakMiB: Math.round(status('VmHWM')),
  };
  await s.log.close();
  console.log(`@@${JSON.stringify(out)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dataset: { type: 'string' }, vectors: { type: 'string' }, child: { type: 'string' }, dir: { type: 'string' } } });
  if (values.dataset === undefined) throw new Error('--dataset FILE is required');
  const dataset = path.resolve(values.dataset);
  const vectors = values.vectors !== undefined ? path.resolve(values.vectors) : undefined;
  if (values.child !== undefined) return child(dataset, values.dir as string, values.child, vectors);
  const dir = mkdtempSync(path.join(tmpdir(), 'al-worker-memory-'));
  const source = vectors !== undefined ? `the vectors in ${path.basename(vectors)}` : 'lexical';
  console.log(`Worker memory on ${path.basename(dataset)} with ${source}: load average ${loadavg()[0].toFixed(1)} at start; Node ${process.version}.`);
  console.log('| run | dataset from | items | dims | start to ready | RSS after GC | of which V8 heap | array buffers | peak RSS (VmHWM) |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  try {
    for (const phase of ['cold', 'reopened']) {
      const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--dataset', dataset, ...(vectors !== undefined ? ['--vectors', vectors] : []), '--dir', dir, '--child', phase], { encoding: 'utf8', maxBuffer: 64 * MiB });
      const line = r.stdout.split('\n').find((l) => l.startsWith('@@'));
      if (r.status !== 0 || line === undefined) throw new Error(`bench/workerMemory: the ${phase} run failed: ${r.stderr.slice(-2000)}`);
      const o = JSON.parse(line.slice(2)) as Record<string, number | string | boolean>;
      const f = (v: number | string | boolean | undefined): string => Number(v).toLocaleString('en-US');
      console.log(`| ${phase} | ${o.fromSnapshot === true ? 'snapshot' : 'file'} | ${f(o.items)} | ${o.dims} | ${f(o.readyMs)} ms | ${f(o.rssMiB)} MiB | ${f(o.heapUsedMiB)} MiB | ${f(o.arrayBuffersMiB)} MiB | ${f(o.peakMiB)} MiB |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`load average ${loadavg()[0].toFixed(1)} at the end. "cold" is after the whole pool was embedded in the background.`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
