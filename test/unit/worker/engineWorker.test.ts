/**
 * The real engine worker in a real worker thread (TypeScript through tsx), on a real dataset file,
 * with the lexical embedder and the real label log on disk.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { labelLogPath } from '../../../src/core/labels/storePath';
import type { ItemsMessage, StartMessage } from '../../../src/shared/protocol/engine';
import { Host, initMessage } from './workerHost';

const topics = {
  sport: ['match', 'goal', 'team', 'coach', 'league', 'score', 'player', 'season'],
  weather: ['rain', 'storm', 'forecast', 'wind', 'snow', 'sunny', 'cloud', 'temperature'],
  money: ['bank', 'market', 'shares', 'profit', 'loan', 'price', 'investor', 'budget'],
};

let dir: string;
let dataset: string;

/** The user chose to import the file's labels (they are already the label names). */
const IMPORT = { existingLabels: { field: 'label', use: 'import' as const, map: { sport: 'sport', weather: 'weather', money: 'money' } } };

function init(overrides: Partial<StartMessage> = {}): StartMessage {
  return initMessage(dataset, dir, ['sport', 'weather', 'money'], { ...IMPORT, ...overrides });
}

const truthOf = (text: string): string => text.split(' ')[0] as string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-worker-'));
  dataset = path.join(dir, 'data.jsonl');
  const lines: string[] = [];
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < 150; i++) {
    const topic = Object.keys(topics)[i % 3] as keyof typeof topics;
    const words = Array.from({ length: 6 }, () => topics[topic][rand(8)]);
    const row: Record<string, string> = { id: `r${i}`, text: `${topic} ${words.join(' ')} number ${i}` };
    // Three rows already carry a label in the file: they are imported once.
    if (i < 3) row.label = topic;
    lines.push(JSON.stringify(row));
  }
  await fs.writeFile(dataset, lines.join('\n') + '\n');
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function logLines(): Promise<Record<string, unknown>[]> {
  const text = await fs.readFile(labelLogPath(dir, dataset), 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

const labeledIds: string[] = [];

test('labels 25 items: saved only once on disk, retrains in the background, undo', async () => {
  const host = new Host();
  try {
    host.send(init());
    const ready = await host.wait('engineReady');
    assert.equal(ready.embedder, 'lexical');
    assert.equal(ready.summary.loaded, 150);
    assert.equal(ready.counts.labeled, 3, 'the three file labels were imported');
    assert.ok(host.messages.some((m) => m.type === 'progress' && m.phase === 'embedding'));

    host.send({ type: 'needItems', count: 30 });
    const batch: ItemsMessage = await host.wait('items');
    assert.equal(batch.items.length, 30);
    assert.ok(batch.items.every((i) => !['r0', 'r1', 'r2'].includes(i.id)), 'imported items are not served');
    for (const [k, item] of batch.items.slice(0, 25).entries()) {
      const requestId = `q${k}`;
      host.send({ type: 'label', requestId, itemId: item.id, labels: [truthOf(item.text)], source: 'queue' });
      const saved = await host.wait('saved', (m) => m.requestId === requestId);
      const onDisk = await logLines();
      assert.equal(saved.itemId, item.id);
      const line = onDisk.find((e) => e.eventId === `req-${requestId}`);
      assert.ok(line, 'the acknowledged event is in the log file');
      assert.equal(line.itemId, item.id);
      assert.deepEqual(line.labels, [truthOf(item.text)]);
      assert.equal(line.annotator, 'tester');
      labeledIds.push(item.id);
    }
    const model = await host.wait('model', (m) => m.labeled >= 20);
    assert.ok(model.version >= 1);
    assert.equal(model.total, 150);
    // The curve waits for 20 scored items (random share and imports); the model says how many there are.
    assert.ok(model.evaluated !== undefined, 'the snapshot counts the items to score');
    assert.ok(model.curve.every((p) => p.evaluated >= 20));

    const lastId = labeledIds[labeledIds.length - 1] as string;
    host.send({ type: 'undo', requestId: 'u1', itemId: lastId });
    const undone = await host.wait('saved', (m) => m.requestId === 'u1');
    assert.equal(undone.itemId, lastId);
    const counts = await host.wait('counts', (m) => m.labeled === 3 + 24);
    assert.equal(counts.labeled, 3 + 24, 'the undo is counted at once');
    const lines = await logLines();
    const last = lines[lines.length - 1]!;
    assert.equal(last.type, 'undo');
    assert.equal(last.itemId, lastId);
    labeledIds.pop();

    host.send({ type: 'label', requestId: 'bad', itemId: 'no-such-item', labels: ['sport'], source: 'queue' });
    const failed = await host.wait('saveFailed', (m) => m.requestId === 'bad');
    assert.match(failed.message, /Unknown item/);
    assert.equal(lines.filter((e) => e.type === 'label').length, 28, '3 imports + 25 labels');
  } finally {
    await host.close();
  }
});

test('restart: state comes back from the log and the queue never re-serves labeled items', async () => {
  const host = new Host();
  try {
    host.send(init());
    const ready = await host.wait('engineReady');
    assert.equal(ready.counts.labeled, 3 + 24);
    assert.equal(ready.logProblems.length, 0);
    // The stored version comes back at once; then the restored session retrains right away, so
    // predictions are there from the first batch.
    const restored = await host.wait('model');
    assert.equal(restored.trainedOn, undefined, 'the first snapshot is the stored one');
    const model = await host.wait('model', (m) => m.trainedOn !== undefined);
    assert.ok(model.version > restored.version, 'and the retrain numbers its version above it');
    assert.equal(model.labeled, 27);
    host.send({ type: 'needItems', count: 200 });
    const batch = await host.wait('items');
    assert.equal(batch.items.length, 150 - 27);
    assert.equal(batch.exhausted, true);
    const served = new Set(batch.items.map((i) => i.id));
    for (const id of [...labeledIds, 'r0', 'r1', 'r2']) assert.ok(!served.has(id), `${id} re-served`);
    assert.ok(batch.items.every((i) => i.prediction !== undefined));
    const lines = await logLines();
    assert.equal(lines.filter((e) => e.source === 'import').length, 3, 'imports are not repeated');
  } finally {
    await host.close();
  }
});

test('a model that cannot be loaded: the built-in use-lite stands in and says why; lexical re-init works', async () => {
  const host = new Host();
  try {
    const missing = path.join(dir, 'no-such-model-folder');
    host.send(init({ model: missing }));
    const fallback = await host.wait('engineReady', () => true, 120_000);
    assert.equal(fallback.embedder, 'use-lite (fallback)');
    assert.equal(fallback.fallback?.requested, missing);
    assert.match(fallback.fallback?.reason ?? '', /no-such-model-folder/);
    assert.ok(!host.messages.some((m) => m.type === 'error'), 'a fallback is not an error');
    const since = host.messages.length;
    host.send(init());
    const ready = await host.wait('engineReady', () => true, 120_000, since);
    assert.equal(ready.counts.labeled, 27);
    assert.equal(ready.embedder, 'lexical');
  } finally {
    await host.close();
  }
});

test('malformed messages are refused with an error, not a crash', async () => {
  const host = new Host();
  try {
    host.worker.postMessage({ type: 'label', requestId: 1 });
    const log = await host.wait('log');
    assert.equal(log.level, 'warn');
    assert.match(log.message, /malformed.*requestId/i, 'the reason names the bad field');
    host.worker.postMessage({ type: 'flag', requestId: 'f1', itemId: 'x'.repeat(2_000_000) });
    const refused = await host.reply('f1');
    assert.equal(refused.type, 'saveFailed', 'a refused write is still answered');
  } finally {
    await host.close();
  }
});

test("the file's labels: ignored unless chosen, mapped when imported, suggestions when kept for review", async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'al-existing-'));
  const file = path.join(root, 'coded.jsonl');
  // A file whose label column holds codes, as a headerless CSV's 0/1 would.
  await fs.writeFile(file, Array.from({ length: 12 }, (_, i) => JSON.stringify({ id: `c${i}`, text: `item ${i}`, label: String(i % 2) })).join('\n') + '\n');
  const labels = ['disaster', 'not disaster'];
  try {
    for (const [use, expectLog, expectSuggestions] of [
      [undefined, 0, 0],
      ['import', 12, 0],
      ['review', 0, 12],
    ] as const) {
      const ws = path.join(root, use ?? 'ignore');
      await fs.mkdir(ws);
      const host = new Host();
      try {
        const existing = use === undefined ? {} : { existingLabels: { field: 'label', use, map: { '1': 'disaster', '0': 'not disaster' } } };
        host.send(initMessage(file, ws, labels, { workspaceRoot: ws, ...existing }));
        const ready = await host.wait('engineReady');
        assert.equal(ready.counts.labeled, expectLog, `${use ?? 'ignore'}: labeled`);
        assert.equal(ready.toReview, expectSuggestions, `${use ?? 'ignore'}: to review`);
        const log = (await fs.readFile(labelLogPath(ws, file), 'utf8').catch(() => '')).split('\n').filter((l) => l.trim() !== '');
        assert.equal(log.length, expectLog, `${use ?? 'ignore'}: import events in the log`);
        if (use === 'import') assert.ok(log.every((l) => /"labels":\["(not )?disaster"\]/.test(l)), 'the raw 0/1 became the typed names');
        host.send({ type: 'needItems', count: 12 });
        const served = (await host.wait('items')).items;
        if (use === 'review') {
          assert.equal(served.length, 12);
          for (const item of served) assert.deepEqual(item.suggestion?.labels, [Number(item.id.slice(1)) % 2 ? 'disaster' : 'not disaster']);
        } else if (use === undefined) {
          assert.ok(served.every((i) => i.suggestion === undefined));
        }
      } finally {
        await host.close();
      }
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
