/**
 * Labeling starts before the pool is embedded: the real engine worker with lexical embeddings, a
 * few thousand real headlines, and a small first sample and chunk size through the `staging`
 * fields of `start` (the code path is the one a million rows take, only the sizes differ).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { sampleFirstOrder } from '../../../src/core/embedding/embedOrder';
import { headlines } from '../embedding/helpers';
import { Host, initMessage, type Of } from './workerHost';

const LABELS = ['disaster', 'other'];
const FIRST = 100;
const staging = { firstSample: FIRST, chunkRows: 50, flushEveryMs: 0 };
let dir: string;
let dataset: string;
let texts: string[];

before(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'al-bg-embed-'));
  dataset = path.join(dir, 'headlines.jsonl');
  // Every headline three times over, each copy with its own tail, so that no two lines repeat.
  const base = headlines();
  texts = [0, 1, 2].flatMap((k) => base.map((h) => (k === 0 ? h : `${h} (update ${k})`))).slice(0, 3600);
  assert.ok(texts.length >= 3000, `only ${texts.length} texts`);
  await fs.writeFile(dataset, texts.map((text, i) => JSON.stringify({ id: `r${i}`, text })).join('\n') + '\n');
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const rowOf = (id: string): number => Number(id.slice(1));
const pools = (host: Host): Of<'poolEmbedding'>[] => host.messages.filter((m): m is Of<'poolEmbedding'> => m.type === 'poolEmbedding');

test('items are served from the first sample before embedding ends; the pool grows to every row; the slow warning fires once', async () => {
  const workspace = path.join(dir, 'ws-serve');
  await fs.mkdir(workspace);
  const host = new Host();
  try {
    // A threshold of a fraction of a millisecond: any rest at any measured rate passes it.
    host.send(initMessage(dataset, workspace, LABELS, { staging, warnAfterMinutes: 1e-6, strategy: 'margin' }));
    host.send({ type: 'needItems', count: 10 });
    const ready = await host.wait('engineReady', () => true, 120_000);
    const firstItems = await host.wait('items');
    const done = await host.wait('poolEmbedding', (m) => m.state === 'done', 120_000);
    const n = texts.length;
    assert.equal(ready.counts.total, n);

    // Served before the rest was embedded, and only from the seeded first sample.
    assert.ok(host.messages.indexOf(firstItems) < host.messages.indexOf(done), 'the first items came before the pool was embedded');
    const order = sampleFirstOrder(n, 1, { sampleSize: FIRST });
    const sample = new Set(order.order.slice(0, order.sampleSize));
    assert.equal(sample.size, FIRST);
    assert.equal(firstItems.items.length, 10);
    for (const item of firstItems.items) assert.ok(sample.has(rowOf(item.id)), `${item.id} is not in the first sample`);

    // The panel's count grows monotonically to every row, and starts at the sample.
    const reports = pools(host);
    assert.equal(reports[0]?.state, 'embedding');
    assert.equal(reports[0]?.embedded, FIRST);
    assert.ok(reports.length >= 2);
    for (let i = 1; i < reports.length; i++) assert.ok((reports[i]?.embedded ?? 0) >= (reports[i - 1]?.embedded ?? 0), `report ${i} went down`);
    assert.equal(done.embedded, n);
    assert.equal(done.total, n);

    const slow = host.messages.filter((m) => m.type === 'slowEmbedding');
    assert.equal(slow.length, 1, 'the slow warning is said once');
    assert.equal((slow[0] as Of<'slowEmbedding'>).warnAfterMinutes, 1e-6);

    // Labeling goes on after: items now come from the whole pool, every one of them a real row.
    const since = host.messages.length;
    for (let i = 0; i < 3; i++) {
      const item = firstItems.items[i] as Of<'items'>['items'][number];
      host.send({ type: 'label', requestId: `l${i}`, itemId: item.id, labels: [LABELS[i % 2] as string], source: 'queue' });
      assert.equal((await host.reply(`l${i}`, 60_000, since)).type, 'saved');
    }
    host.send({ type: 'needItems', count: 50 });
    const more = await host.wait('items', () => true, 60_000, since);
    assert.ok(more.items.length > 0);
    assert.ok(more.items.every((item) => rowOf(item.id) >= 0 && rowOf(item.id) < n));
  } finally {
    await host.close();
  }
});

test('every item served while the pool grows was embedded when it was served', async () => {
  const workspace = path.join(dir, 'ws-grow');
  await fs.mkdir(workspace);
  const host = new Host();
  try {
    host.send(initMessage(dataset, workspace, LABELS, { staging, strategy: 'random', batchSize: 20 }));
    host.send({ type: 'needItems', count: 20 });
    await host.wait('engineReady', () => true, 120_000);
    await host.wait('items');
    // Ask for items as fast as the answers come, until the pool is embedded.
    let asked = 0;
    while (!host.messages.some((m) => m.type === 'poolEmbedding' && m.state === 'done') && asked < 200) {
      const since = host.messages.length;
      host.send({ type: 'needItems', count: 20 });
      asked++;
      await host.wait('items', () => true, 60_000, since).catch(() => undefined);
    }
    await host.wait('poolEmbedding', (m) => m.state === 'done', 120_000);
    const order = sampleFirstOrder(texts.length, 1, { sampleSize: FIRST });
    const position = new Int32Array(texts.length);
    order.order.forEach((row, i) => (position[row] = i));
    // The rows embedded by any time are a prefix of the order (no cache here), and the count
    // reported next is at least what was embedded when an item was served.
    host.messages.forEach((m, i) => {
      if (m.type !== 'items') return;
      const next = host.messages.slice(i).find((x): x is Of<'poolEmbedding'> => x.type === 'poolEmbedding');
      const bound = next?.embedded ?? texts.length;
      for (const item of m.items) assert.ok((position[rowOf(item.id)] as number) < bound, `${item.id} served before it was embedded (${position[rowOf(item.id)]} >= ${bound})`);
    });
  } finally {
    await host.close();
  }
});

test('a crash mid-embedding resumes from the cache: the restart starts from the rows saved before it', async () => {
  const workspace = path.join(dir, 'ws-crash');
  await fs.mkdir(workspace);
  const first = new Host();
  // The background holds after 5 chunks (a test hook of the real loop); the worker is then killed,
  // not disposed: what the incremental saves wrote is all there is.
  first.send(initMessage(dataset, workspace, LABELS, { staging: { ...staging, holdAfterChunks: 5 } }));
  await first.wait('engineReady', () => true, 120_000);
  const reported = await first.wait('poolEmbedding', (m) => m.state === 'embedding' && m.embedded === FIRST + 5 * staging.chunkRows, 120_000);
  await first.worker.terminate();
  const lastSeen = Math.max(...pools(first).map((m) => m.embedded));
  assert.ok(!pools(first).some((m) => m.state === 'done'), 'the worker was killed before the pool was embedded');

  const second = new Host();
  try {
    second.send(initMessage(dataset, workspace, LABELS, { staging }));
    second.send({ type: 'needItems', count: 5 });
    await second.wait('engineReady', () => true, 120_000);
    const resumed = await second.wait('poolEmbedding');
    assert.equal(lastSeen, reported.embedded);
    assert.equal(resumed.fromCache, reported.embedded, 'the restart found exactly the rows embedded before the crash');
    assert.equal(resumed.embedded, resumed.fromCache, 'the first sample was among the cached rows: nothing embedded before labeling');
    const done = await second.wait('poolEmbedding', (m) => m.state === 'done', 120_000);
    assert.equal(done.embedded, texts.length);
    assert.equal(done.fromCache, resumed.fromCache);
    assert.equal(second.messages.filter((m) => m.type === 'slowEmbedding').length, 0, 'no warning under the default threshold');
  } finally {
    await second.close();
  }
});

/** The one embedding cache journal under `workspace`. */
async function journalIn(workspace: string): Promise<string> {
  const found = (await fs.readdir(workspace, { recursive: true })).filter((f) => f.endsWith('.journal'));
  assert.equal(found.length, 1, `journals under ${workspace}: ${found.join(', ')}`);
  return path.join(workspace, found[0] as string);
}

test('a crash with rewrites spaced out keeps every chunk saved to the journal; a torn journal tail costs only the last chunk', async () => {
  const workspace = path.join(dir, 'ws-torn');
  await fs.mkdir(workspace);
  // The default spacing of whole-file rewrites (5 s): only the journal, appended after every chunk, saves the chunks.
  const spaced = { firstSample: FIRST, chunkRows: 50 };
  const first = new Host();
  first.send(initMessage(dataset, workspace, LABELS, { staging: { ...spaced, holdAfterChunks: 5 } }));
  await first.wait('engineReady', () => true, 120_000);
  const reported = await first.wait('poolEmbedding', (m) => m.state === 'embedding' && m.embedded === FIRST + 5 * spaced.chunkRows, 120_000);
  await first.worker.terminate();

  const journal = await journalIn(workspace);
  const whole = (await fs.stat(journal)).size;
  const second = new Host();
  try {
    second.send(initMessage(dataset, workspace, LABELS, { staging: { ...spaced, holdAfterChunks: 1 } }));
    await second.wait('engineReady', () => true, 120_000);
    const resumed = await second.wait('poolEmbedding');
    assert.equal(resumed.fromCache, reported.embedded, 'every chunk before the crash was saved');
    await second.wait('poolEmbedding', (m) => m.embedded === reported.embedded + spaced.chunkRows, 120_000);
  } finally {
    await second.worker.terminate();
  }

  // A crash while the last record was written leaves it torn: cut it 3 bytes short.
  const again = await journalIn(workspace);
  assert.equal(again, journal);
  assert.ok((await fs.stat(journal)).size > whole, 'the second run appended its chunk');
  const lastRecord = (await fs.stat(journal)).size - whole;
  await fs.truncate(journal, (await fs.stat(journal)).size - 3);
  const third = new Host();
  try {
    third.send(initMessage(dataset, workspace, LABELS, { staging: spaced }));
    await third.wait('engineReady', () => true, 120_000);
    const resumed = await third.wait('poolEmbedding');
    assert.equal(resumed.fromCache, reported.embedded, `only the torn record (${lastRecord} bytes, the second run's one chunk) was lost`);
    const warned = third.messages.filter((m): m is Of<'log'> => m.type === 'log' && m.level === 'warn' && m.message.includes(journal));
    assert.equal(warned.length, 1, 'the torn tail is reported, naming the journal');
    assert.match(warned[0]?.message ?? '', /torn or damaged record/);
    const done = await third.wait('poolEmbedding', (m) => m.state === 'done', 120_000);
    assert.equal(done.embedded, texts.length);
  } finally {
    await third.close();
  }
  await assert.rejects(fs.stat(journal), 'the end of embedding folded the journal into the cache file');
});

test('a file changed while the session starts: the reload embeds the new file and the background does not run beside it', async () => {
  const workspace = path.join(dir, 'ws-reload-at-start');
  await fs.mkdir(workspace);
  const file = path.join(workspace, 'headlines.jsonl');
  await fs.copyFile(dataset, file);
  const host = new Host();
  try {
    host.send(initMessage(file, workspace, LABELS, { staging }));
    await host.wait('progress', () => true, 60_000);
    await fs.appendFile(file, `${JSON.stringify({ id: 'new1', text: 'a brand new line about the harbour' })}\n`);
    host.send({ type: 'reloadDataset' });
    await host.wait('engineReady', () => true, 120_000);
    const reloaded = await host.wait('datasetReloaded', () => true, 120_000);
    assert.equal(reloaded.failed, undefined, reloaded.failed);
    assert.equal(reloaded.added, 1);
    const at = host.messages.indexOf(reloaded);
    const done = await host.wait('poolEmbedding', (m) => m.state === 'done', 120_000, at);
    assert.deepEqual([done.embedded, done.total], [texts.length + 1, texts.length + 1]);
    const all = pools(host);
    assert.ok(all.every((m) => m.embedded <= m.total), all.map((m) => `${m.state}:${m.embedded}/${m.total}`).join(' '));
    const stopped = all.findIndex((m) => m.state === 'stopped');
    assert.ok(stopped >= 0, 'the background was stopped for the reload');
    assert.ok(all.slice(stopped + 1).every((m) => m.state !== 'embedding'), 'and did not run again beside it');
  } finally {
    await host.close();
  }
});
