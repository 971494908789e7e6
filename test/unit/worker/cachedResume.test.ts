/**
 * A resume whose every embedding is cached loads no model: the real engine worker, the tiny
 * transformers.js model in a folder of its own, and the bundled sample. Between the runs the model's
 * files are removed, so any attempt to load it would fail and fall back to use-lite (which the
 * control case below shows happening).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureTinyModel } from '../../fixtures/tinyModel';
import { Host, initMessage, servedItems, type Of } from './workerHost';

const SAMPLE = path.resolve(__dirname, '../../../sample/headlines.jsonl');
const LABELS = ['disaster', 'other'];
let dir: string;
let dataset: string;
let modelDir: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'al-cached-resume-'));
  dataset = path.join(dir, 'headlines.jsonl');
  await fs.copyFile(SAMPLE, dataset);
  modelDir = path.join(dir, 'model');
  await fs.cp(ensureTinyModel(), modelDir, { recursive: true });
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

interface Run {
  readonly ready: Of<'engineReady'>;
  /** Items in the first batch. */
  readonly items: number;
  readonly all: Host['messages'];
}

/** Starts a session, waits for its first items, labels `label` of them, and closes the worker. */
async function session(label = 0): Promise<Run> {
  const host = new Host();
  try {
    host.send(initMessage(dataset, dir, LABELS, { model: modelDir }));
    host.send({ type: 'needItems', count: 10 });
    const ready = await host.wait('engineReady', () => true, 120_000);
    await host.wait('items', () => true, 60_000);
    const items = servedItems(host);
    for (const [i, item] of items.slice(0, label).entries()) {
      host.send({ type: 'label', requestId: `r${i}`, itemId: item.id, labels: [LABELS[i % 2] as string], source: 'queue' });
      assert.equal((await host.reply(`r${i}`)).type, 'saved');
    }
    return { ready, items: items.length, all: [...host.messages] };
  } finally {
    await host.close();
  }
}

const phases = (messages: Host['messages']): string[] => messages.flatMap((m) => (m.type === 'progress' ? [m.phase] : []));

test('a fully cached resume serves items without loading the model; a new row loads it and embeds only that row', async () => {
  const cold = await session(3);
  assert.equal(cold.ready.embedder, modelDir, 'the cold start used the tiny model itself');
  assert.equal(cold.ready.fallback, undefined);
  assert.ok(phases(cold.all).includes('loading-model'), 'the cold start loaded the model');

  // Without its files the model cannot load: a load would fall back to use-lite and re-embed.
  const kept = `${modelDir}.kept`;
  await fs.rename(modelDir, kept);
  const resumed = await session();
  assert.equal(resumed.ready.fallback, undefined, `no fallback: ${JSON.stringify(resumed.ready.fallback)}`);
  assert.equal(resumed.ready.embedder, modelDir, 'the vectors are the tiny model\'s, from the cache');
  assert.ok(!phases(resumed.all).includes('loading-model'), `no model load: phases ${phases(resumed.all).join(',')}`);
  assert.equal(resumed.ready.counts.labeled, 3, 'the log was replayed');
  assert.ok(resumed.items > 0, 'items were served');
  assert.ok(!resumed.all.some((m) => m.type === 'error'), 'no error');

  // Control: a new row needs the model. Without its files the load fails and use-lite stands in,
  // so the resume above really would have shown a load.
  await fs.appendFile(dataset, `${JSON.stringify({ id: 'new-1', text: 'flood warning issued for the river towns' })}\n`);
  const missing = await session();
  assert.equal(missing.ready.fallback?.requested, modelDir, 'the missing model was asked for and fell back');

  // With the files back, a new row loads the model and embeds only what the cache lacks.
  await fs.rename(kept, modelDir);
  await fs.appendFile(dataset, `${JSON.stringify({ id: 'new-2', text: 'storm cuts power to thousands' })}\n`);
  const changed = await session();
  assert.equal(changed.ready.embedder, modelDir);
  assert.ok(phases(changed.all).includes('loading-model'), 'the new rows loaded the model');
  const firstEmbedding = changed.all.find((m) => m.type === 'progress' && m.phase === 'embedding');
  assert.ok(firstEmbedding?.type === 'progress');
  assert.deepEqual([firstEmbedding.done, firstEmbedding.total], [400, 402], 'the 400 cached rows came from the cache; two rows to embed');
  assert.ok(changed.items > 0);
});
