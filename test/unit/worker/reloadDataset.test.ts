/**
 * The dataset file is edited under a running session (`reloadDataset`): the real engine worker, the
 * tiny transformers.js model, the real loader and embedding cache. The file gets a new first line
 * (every line below moves), an edit of a line with an explicit id, an edit of a line without one, a
 * deleted line and a malformed line; the session must follow by item id, never by line.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { loadDataset } from '../../../src/core/dataset';
import { cacheFileFor, EmbeddingCache } from '../../../src/core/embedding';
import { datasetStoreDir } from '../../../src/core/labels';
import type { Dataset } from '../../../src/core/types';
import { ensureTinyModel } from '../../fixtures/tinyModel';
import { Host, initMessage, servedItems, type Of } from './workerHost';

const LABELS = ['sport', 'weather'];
let dir: string;
let file: string;
let modelDir: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'al-reload-'));
  file = path.join(dir, 'data.jsonl');
  modelDir = ensureTinyModel();
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const SUBJECTS = ['the home team', 'a cold front', 'the striker', 'fog', 'the coach', 'a heatwave', 'the keeper', 'hail'];
const line = (text: string, id?: string): string => JSON.stringify(id === undefined ? { text } : { id, text });

/** 30 rows: the first five with explicit ids (doc-0..doc-4), the rest identified by their text. */
function firstVersion(): string[] {
  return Array.from({ length: 30 }, (_, i) => {
    const text = `${SUBJECTS[i % SUBJECTS.length]} story number ${i} from the ${i % 3 === 0 ? 'north' : 'south'}`;
    return i < 5 ? line(text, `doc-${i}`) : line(text);
  });
}

async function write(rows: readonly string[]): Promise<Dataset> {
  await fs.writeFile(file, `${rows.join('\n')}\n`);
  return loadDataset(file, { textField: 'text' });
}

/** Asks for items until the worker says the pool is exhausted; every item served from `since` on. */
async function drain(host: Host, since: number): Promise<Of<'items'>['items']> {
  for (;;) {
    const at = host.messages.length;
    host.send({ type: 'needItems', count: 200 });
    const reply = await host.wait('items', () => true, 60_000, at);
    if (reply.exhausted === true) return servedItems(host, since);
  }
}

test('an edited file: explicit ids keep their labels and get new vectors, edited lines without id are new items, deleted ones leave', async () => {
  const v1 = await write(firstVersion());
  const idOfLine = (d: Dataset, n: number): string => d.items.find((i) => i.line === n)!.id;
  const host = new Host();
  try {
    host.send(initMessage(file, dir, LABELS, { model: modelDir, batchSize: 10 }));
    host.send({ type: 'needItems', count: 10 });
    const ready = await host.wait('engineReady', () => true, 120_000);
    assert.equal(ready.embedder, modelDir);
    await host.wait('items', () => true, 60_000);
    const servedBefore = servedItems(host).map((i) => i.id);

    // Labels: doc-1 (its text will be edited), doc-2 (kept), line 10 (no id, edited), line 12 (deleted).
    const editedNoId = idOfLine(v1, 10);
    const deleted = idOfLine(v1, 12);
    const labeled = ['doc-1', 'doc-2', editedNoId, deleted];
    for (const [i, itemId] of labeled.entries()) {
      host.send({ type: 'label', requestId: `l${i}`, itemId, labels: [LABELS[i % 2] as string], source: 'queue' });
      assert.equal((await host.reply(`l${i}`)).type, 'saved');
    }
    const countsBefore = await host.wait('counts', (m) => m.labeled === 4);
    assert.equal(countsBefore.total, 30);

    const rows = firstVersion();
    rows[1] = line('a sudden thunderstorm floods the stadium car park', 'doc-1');
    rows[3] = line('the keeper saves two penalties in the shootout', 'doc-3');
    rows[9] = line('freezing drizzle expected across the hills tonight');
    rows.splice(11, 1);
    rows.splice(20, 0, '{"text": "an unfinished row');
    rows.unshift(line('a new first line about the cup final'));
    const v2 = await write(rows);
    const badLine = rows.indexOf('{"text": "an unfinished row') + 1;
    const storeDir = datasetStoreDir(dir, file);
    const before = await EmbeddingCache.open(cacheFileFor(storeDir, ready.embedder));
    const newTexts = v2.items.filter((i) => before.get(i.textHash) === undefined);
    assert.equal(newTexts.length, 4, 'four texts the cache has never seen: two edits with and one without an id, one new line');

    const since = host.messages.length;
    host.send({ type: 'reloadDataset' });
    const reloaded = await host.wait('datasetReloaded', () => true, 120_000, since);
    assert.equal(reloaded.failed, undefined, reloaded.failed);
    assert.deepEqual([reloaded.added, reloaded.removed, reloaded.changed], [2, 2, 2]);
    assert.equal(reloaded.summary.skipped, 1);
    assert.equal(reloaded.problems.length, 1);
    assert.ok(reloaded.problems[0]!.message.startsWith(`${file}:${badLine}: invalid JSON`), reloaded.problems[0]!.message);

    // Only the new texts were embedded, through the cache, which now holds them all.
    const embedding = host.messages.slice(since).find((m): m is Of<'progress'> => m.type === 'progress' && m.phase === 'embedding');
    assert.ok(embedding !== undefined, 'the new texts were embedded');
    assert.deepEqual([embedding.done, embedding.total], [v2.items.length - 4, v2.items.length]);
    const afterCache = await EmbeddingCache.open(cacheFileFor(storeDir, ready.embedder));
    for (const item of newTexts) assert.ok(afterCache.get(item.textHash) !== undefined, `${item.id} has a vector`);

    // The counts: doc-1 and doc-2 keep their labels; the edited line without id and the deleted line leave.
    const counts = host.messages.slice(since).find((m): m is Of<'counts'> => m.type === 'counts');
    assert.ok(counts !== undefined);
    assert.equal(counts.total, v2.items.length);
    assert.equal(counts.labeled, 2);
    assert.deepEqual(counts.counts, { sport: 1, weather: 1 });

    // The page drops the served, unanswered items that left or changed.
    const pool = host.messages.slice(since).find((m): m is Of<'poolChanged'> => m.type === 'poolChanged');
    assert.ok(pool !== undefined);
    const gone = new Set([editedNoId, deleted, 'doc-1', 'doc-3']);
    assert.deepEqual(new Set(pool.withdrawn), new Set(servedBefore.filter((id) => gone.has(id) && !labeled.includes(id))));

    // The editor's rows follow the new file.
    const review = await host.wait('reviewData', (m) => m.itemIds !== undefined, 20_000, since);
    assert.deepEqual(review.itemIds, v2.items.map((i) => i.id));
    const labeledRows = review.labels.map((l) => review.itemIds![l.row]).sort();
    assert.deepEqual(labeledRows, ['doc-1', 'doc-2']);

    // Serving goes on with the new pool: every unlabeled item once, the edited doc-3 with its new
    // text, nothing deleted, nothing still out with the page served twice.
    const after = await drain(host, host.messages.length);
    const stillOut = servedBefore.filter((id) => !pool.withdrawn.includes(id) && !labeled.includes(id));
    const unlabeled = v2.items.filter((i) => i.id !== 'doc-1' && i.id !== 'doc-2').map((i) => i.id);
    assert.deepEqual(new Set([...after.map((i) => i.id), ...stillOut]), new Set(unlabeled));
    assert.equal(after.length + stillOut.length, unlabeled.length, 'no item served twice');
    const doc3 = after.find((i) => i.id === 'doc-3');
    assert.equal(doc3?.text, 'the keeper saves two penalties in the shootout');

    // A write to an item that left the file is refused; the new items take labels.
    host.send({ type: 'label', requestId: 'gone', itemId: deleted, labels: ['sport'], source: 'queue' });
    assert.equal((await host.reply('gone')).type, 'saveFailed');
    const fresh = v2.items.find((i) => i.text === 'freezing drizzle expected across the hills tonight')!;
    host.send({ type: 'label', requestId: 'fresh', itemId: fresh.id, labels: ['weather'], source: 'queue' });
    assert.equal((await host.reply('fresh')).type, 'saved');
    await host.wait('counts', (m) => m.labeled === 3, 20_000, since);
  } finally {
    await host.close();
  }
});

test('a file that no longer loads is reported and the session keeps its items', async () => {
  await write(firstVersion());
  const host = new Host();
  try {
    host.send(initMessage(file, dir, LABELS));
    await host.wait('engineReady', () => true, 120_000);
    await fs.writeFile(file, `${JSON.stringify({ body: 'no text field in any row' })}\n`);
    const since = host.messages.length;
    host.send({ type: 'reloadDataset' });
    const reloaded = await host.wait('datasetReloaded', () => true, 60_000, since);
    assert.ok(reloaded.failed?.includes('"text"'), reloaded.failed);
    assert.ok(reloaded.failed?.includes('goes on with the items it had'));
    host.send({ type: 'needItems', count: 5 });
    const items = await host.wait('items', () => true, 60_000, since);
    assert.equal(items.items.length, 5, 'the session still serves its items');
  } finally {
    await host.close();
  }
});
