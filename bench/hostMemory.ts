/**
 * `npm run bench:host-memory [-- --dataset FILE] [--vectors FILE]`: what the extension host's side
 * of a session holds at a million items. The engine is a worker thread of the extension host, so
 * the process's RSS cannot tell the two apart; but each thread has its own V8 isolate, so the main
 * thread's heap and buffers (`process.memoryUsage()` there) are the host side alone: the real
 * PanelSession and WorkerClient, with VS Code's panel, UI and status bar replaced by the recording
 * ports of the host tests (test/unit/host/recordingPorts.ts). Measured after a full garbage
 * collection, before the session and once it has served, saved 20 labels and trained.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { PanelSession } from '../src/host/panelSession';
import type { WorkerClient } from '../src/host/workerClient';
import { defaultSettings } from '../src/shared/settings';
import { RecordingPanel, RecordingStatus, RecordingUi, sourceEngine } from '../test/unit/host/recordingPorts';
import { benchDataFile } from './data';

const MiB = 1024 * 1024;

function rssMiB(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function mainIsolate(): { heap: number; external: number; buffers: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed / MiB, external: m.external / MiB, buffers: m.arrayBuffers / MiB };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dataset: { type: 'string' }, vectors: { type: 'string' } } });
  if ((globalThis as { gc?: unknown }).gc === undefined) throw new Error('run with node --expose-gc (npm run bench:host-memory does)');
  const dataset = path.resolve(values.dataset ?? benchDataFile(1_000_000));
  const dir = mkdtempSync(path.join(tmpdir(), 'al-host-memory-'));
  const before = mainIsolate();
  const rssBefore = rssMiB();
  const panel = new RecordingPanel();
  const ui = new RecordingUi();
  let engine: WorkerClient | undefined;
  const session = new PanelSession({
    datasetFile: dataset,
    workspaceRoot: dir,
    cacheDir: path.join(dir, 'models'),
    answers: { textField: 'text', labels: ['disaster', 'other'], mode: 'single', seedPatterns: [], seed: 4 },
    settings: { ...defaultSettings, model: 'lexical', strategy: 'margin', ...(values.vectors !== undefined ? { vectors: path.resolve(values.vectors) } : {}) },
    annotator: 'bench',
    panel,
    status: new RecordingStatus(),
    ui,
    spawnEngine: () => {
      engine = sourceEngine((reason) => ui.log('warn', reason));
      return engine;
    },
    saveAnswers: () => Promise.resolve(),
  });
  const started = performance.now();
  try {
    panel.fromPage({ type: 'ready', restored: false });
    await panel.wait('init', (m) => m.dataset.total > 0);
    panel.fromPage({ type: 'needItems', count: 30 });
    const items = (await panel.wait('items')).items;
    const ready = performance.now() - started;
    for (const [k, item] of items.slice(0, 20).entries()) {
      panel.fromPage({ type: 'label', requestId: `b-${k}`, itemId: item.id, labels: [k % 2 === 0 ? 'disaster' : 'other'], source: 'queue' });
      await panel.wait('saved', (m) => m.requestId === `b-${k}`);
    }
    await panel.wait('model', () => true);
    // What the recording panel kept is the benchmark's, not the host's: count it, then let it go.
    const messages = panel.received.length;
    const kept = Buffer.byteLength(JSON.stringify(panel.received)) / MiB;
    panel.received.length = 0;
    const after = mainIsolate();
    const f = (v: number): string => v.toFixed(1);
    console.log(`Host side of a session on ${path.basename(dataset)}${values.vectors ? ` with ${path.basename(values.vectors)}` : ' (lexical)'}: load average ${loadavg()[0].toFixed(1)}; Node ${process.version}.`);
    console.log('| | main-thread V8 heap | external | of which array buffers | process RSS (host + engine thread) |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    console.log(`| before the session | ${f(before.heap)} MiB | ${f(before.external)} MiB | ${f(before.buffers)} MiB | ${f(rssBefore)} MiB |`);
    console.log(`| after 20 labels and a model | ${f(after.heap)} MiB | ${f(after.external)} MiB | ${f(after.buffers)} MiB | ${f(rssMiB())} MiB |`);
    console.log(`| **added by the host side** | **${f(after.heap - before.heap)} MiB** | ${f(after.external - before.external)} MiB | ${f(after.buffers - before.buffers)} MiB | |`);
    console.log(`First items after ${(ready / 1000).toFixed(1)} s; the panel received ${messages} messages (${f(kept)} MiB as JSON, not counted above).`);
  } finally {
    session.dispose();
    await engine?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
