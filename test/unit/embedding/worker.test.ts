import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { EmbedProgress } from '../../../src/core/embedding/embedDataset';
import { ensureTinyModel } from '../../fixtures/tinyModel';
import { headlines, itemsFromTexts } from './helpers';
import * as os from 'node:os';

type Message =
  | { type: 'progress'; progress: EmbedProgress }
  | { type: 'done'; rows: number; computed: number }
  | { type: 'error'; name: string; message: string };

function runWorker(itemsCount: number, cancelAt: number | null): Promise<{ messages: Message[]; exitCode: number }> {
  // Node 20 checks a worker entry's extension before `--import tsx` hooks exist in the thread, so
  // a tiny CommonJS bootstrap registers tsx first and then requires the TypeScript worker.
  const entry = JSON.stringify(path.join(__dirname, 'embedWorker.ts'));
  const worker = new Worker(`require('tsx/cjs'); require(${entry});`, {
    eval: true,
    workerData: { items: itemsFromTexts(headlines(itemsCount)), modelDir: ensureTinyModel(), cacheDir: os.tmpdir() },
  });
  const messages: Message[] = [];
  let cancelled = false;
  worker.on('message', (message: Message) => {
    messages.push(message);
    if (cancelAt !== null && !cancelled && message.type === 'progress' && message.progress.done >= cancelAt) {
      cancelled = true;
      worker.postMessage({ type: 'cancel' });
    }
  });
  return new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', (exitCode) => resolve({ messages, exitCode }));
  });
}

describe('embedDataset in a worker thread', () => {
  it('reports done/total, items/s and ETA while embedding, then finishes', async () => {
    const { messages, exitCode } = await runWorker(64, null);
    assert.equal(exitCode, 0);
    const progress = messages.flatMap((m) => (m.type === 'progress' ? [m.progress] : []));
    assert.ok(progress.length >= 8, `${progress.length} progress messages`);
    assert.ok(progress.every((p) => p.total === 64));
    assert.ok(progress.slice(1).every((p) => p.itemsPerSecond > 0 && p.etaSeconds !== null));
    assert.deepEqual(messages.at(-1), { type: 'done', rows: 64, computed: 64 });
  });

  it('is cancelled mid-way by a message from the main thread', async () => {
    const total = 400;
    const { messages, exitCode } = await runWorker(total, 16);
    assert.equal(exitCode, 0);
    const last = messages.at(-1);
    assert.equal(last?.type, 'error');
    assert.equal(last?.type === 'error' ? last.name : '', 'CancelledError');
    const done = Math.max(...messages.flatMap((m) => (m.type === 'progress' ? [m.progress.done] : [0])));
    assert.ok(done >= 16 && done < total, `stopped after ${done} of ${total}`);
  });
});
