/**
 * A cache save that fails while the rest of the pool embeds in the background is said at once (a
 * warning in the log, one notice for the panel), not left in the start's warning list, which was
 * read before the background began. Real parts: the dataset loader, `embedItems` with lexical
 * vectors and the real embedding cache, a LabelingSession and the PoolEmbedder. The file system
 * fault is real too: right after the first background chunk, the cache file and its journal become
 * folders, so every later save fails.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { loadDataset } from '../../../src/core/dataset';
import { datasetStoreDir } from '../../../src/core/labels';
import { LabelingSession } from '../../../src/core/session';
import type { WorkerToHost } from '../../../src/shared/protocol/engine';
import { embedItems } from '../../../src/worker/embedItems';
import { PoolEmbedder } from '../../../src/worker/poolEmbedder';
import { headlines } from '../embedding/helpers';
import { initMessage } from './workerHost';

let dir: string;
let dataset: string;

before(() => {
  dir = fs.mkdtempSync(path.join(tmpdir(), 'al-pool-warn-'));
  dataset = path.join(dir, 'headlines.jsonl');
  const base = headlines();
  const texts = [0, 1].flatMap((k) => base.map((h) => (k === 0 ? h : `${h} (update ${k})`))).slice(0, 2000);
  fs.writeFileSync(dataset, texts.map((text, i) => JSON.stringify({ id: `r${i}`, text })).join('\n') + '\n');
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a cache save that fails in the background reaches the host: the log has every failure, the panel one notice', async () => {
  const init = initMessage(dataset, dir, ['a', 'b'], { staging: { firstSample: 100, chunkRows: 50, flushEveryMs: 0 } });
  const loaded = await loadDataset(dataset, { textField: 'text' });
  const storeDir = datasetStoreDir(dir, dataset);
  const embedded = await embedItems(init, loaded, storeDir, new AbortController().signal, () => undefined, { first: [] });
  const pending = embedded.pending;
  assert.ok(pending !== undefined, 'the rest of the pool is left to the background');
  assert.deepEqual(embedded.warnings, [], 'nothing to say at the start');
  const session = new LabelingSession(loaded.items, embedded.matrix, { labels: ['a', 'b'], mode: 'single', strategy: 'margin', batchSize: 10, retrainEvery: 10, randomShare: 0.1, seed: 1 }, undefined, pending.staged.embedded);

  const cacheFile = fs.readdirSync(storeDir).find((f) => f.endsWith('.bin'));
  assert.ok(cacheFile !== undefined, 'the first sample is in the cache');
  const file = path.join(storeDir, cacheFile);
  const posted: WorkerToHost[] = [];
  let ended: () => void = () => undefined;
  const end = new Promise<void>((resolve) => (ended = resolve));
  let chunks = 0;
  const pool = new PoolEmbedder(
    pending,
    session,
    (m) => {
      posted.push(m);
      if (m.type === 'poolEmbedding' && m.state !== 'embedding') ended();
    },
    {
      warnAfterMinutes: 0,
      grew: () => {
        // Between the first chunk and the next one's save: folders where the cache and its journal go.
        if (++chunks !== 1) return;
        fs.rmSync(file, { force: true });
        fs.mkdirSync(path.join(file, 'in-the-way'), { recursive: true });
        fs.rmSync(`${file}.journal`, { force: true });
        fs.mkdirSync(path.join(`${file}.journal`, 'in-the-way'), { recursive: true });
      },
    },
  );
  pool.start();
  await end;
  const last = posted.filter((m) => m.type === 'poolEmbedding').at(-1);
  assert.deepEqual([last?.type === 'poolEmbedding' && last.state, session.embeddedCount], ['done', loaded.items.length], 'embedding goes on: only the cache is lost');
  assert.ok(chunks > 2, `the background ran ${chunks} chunks`);
  const warnings = posted.filter((m) => m.type === 'log' && m.level === 'warn').map((m) => (m.type === 'log' ? m.message : ''));
  assert.ok(warnings.length > 0, 'the failed saves are in the log');
  assert.ok(warnings.every((w) => w.includes(cacheFile)), warnings.join(' | '));
  assert.equal(posted.filter((m) => m.type === 'notice').length, 1, 'the panel is told once');
});
