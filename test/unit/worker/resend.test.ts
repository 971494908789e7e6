/**
 * A restored panel resends the writes it still had pending. The worker must answer them as done
 * and never write them twice: a second copy of an undo would undo a second, unrelated label.
 * The request id is kept in the log (as the event id), so this holds across a worker restart too.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { replay } from '../../../src/core/labels/replay';
import { labelLogPath } from '../../../src/core/labels/storePath';
import type { StartMessage } from '../../../src/shared/protocol/engine';
import { Host } from './workerHost';

let dir: string;
let init: StartMessage;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-resend-'));
  const datasetFile = path.join(dir, 'data.jsonl');
  const topics = ['storm', 'market', 'goal'];
  const rows = Array.from({ length: 40 }, (_, i) => JSON.stringify({ id: `r${i}`, text: `${topics[i % 3]} news number ${i} ${'x'.repeat(i % 5)}` }));
  await fs.writeFile(datasetFile, rows.join('\n') + '\n');
  init = {
    type: 'start', datasetFile, workspaceRoot: dir, textField: 'text', labels: ['a', 'b'], mode: 'single', strategy: 'random',
    batchSize: 10, retrainEvery: 10, randomShare: 0.1, annotator: 'tester', model: 'lexical',
    cacheDir: path.join(dir, 'models'), seed: 5,
  };
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function logOnDisk(): Promise<{ events: number; labels: Map<string, readonly string[]> }> {
  const { state, events } = await replay(labelLogPath(dir, init.datasetFile));
  const labels = new Map([...state.entries()].filter(([, c]) => c.labeled).map(([id, c]) => [id, c.labels] as const));
  return { events: events.length, labels };
}

test('a resent label or undo is acknowledged again but written once, also after a restart', async () => {
  const host = new Host();
  let items: string[];
  try {
    host.send(init);
    await host.wait('engineReady');
    host.send({ type: 'needItems', count: 5 });
    items = (await host.wait('items')).items.map((i) => i.id);
    assert.ok(items.length >= 3);
    for (const [i, itemId] of items.slice(0, 3).entries()) {
      host.send({ type: 'label', requestId: `page1-${i}`, itemId, labels: [i % 2 === 0 ? 'a' : 'b'], source: 'queue' });
      await host.wait('saved', (m) => m.requestId === `page1-${i}`);
    }
    host.send({ type: 'undo', requestId: 'page1-undo', itemId: items[2]! });
    await host.wait('saved', (m) => m.requestId === 'page1-undo');
    const before = await logOnDisk();
    assert.equal(before.events, 4);
    assert.deepEqual([...before.labels.keys()].sort(), items.slice(0, 2).sort(), 'the undo removed the third label only');

    // The panel reloads and resends the undo and a label it had not seen confirmed.
    const count = host.messages.length;
    host.send({ type: 'undo', requestId: 'page1-undo', itemId: items[2]! });
    host.send({ type: 'label', requestId: 'page1-1', itemId: items[1]!, labels: ['b'], source: 'queue' });
    await host.wait('saved', (m) => m.requestId === 'page1-1', 60_000, count);
    const undone = await host.wait('saved', (m) => m.requestId === 'page1-undo', 60_000, count);
    assert.equal(undone.itemId, items[2], 'the resent undo is answered for the item it undid');
    // A request id reused for another item is refused, never answered "saved".
    host.send({ type: 'label', requestId: 'page1-1', itemId: items[3]!, labels: ['a'], source: 'queue' });
    const reused = await host.reply('page1-1', 60_000, host.messages.length);
    assert.equal(reused.type, 'saveFailed');
    assert.match((reused as { message: string }).message, /already used/);
    const afterResend = await logOnDisk();
    assert.equal(afterResend.events, 4, 'nothing was appended');
    assert.deepEqual(afterResend.labels, before.labels, 'no second label was undone');
  } finally {
    await host.close();
  }

  const again = new Host();
  try {
    again.send(init);
    await again.wait('engineReady');
    again.send({ type: 'undo', requestId: 'page1-undo', itemId: items[2]! });
    await again.wait('saved', (m) => m.requestId === 'page1-undo');
    again.send({ type: 'label', requestId: 'page1-0', itemId: items[0]!, labels: ['a'], source: 'queue' });
    await again.wait('saved', (m) => m.requestId === 'page1-0');
    const restarted = await logOnDisk();
    assert.equal(restarted.events, 4, 'a restarted worker knows the requests from the log');
    assert.equal(restarted.labels.size, 2);
    // A new request is still written.
    again.send({ type: 'label', requestId: 'page2-0', itemId: items[2]!, labels: ['b'], source: 'queue' });
    await again.wait('saved', (m) => m.requestId === 'page2-0');
    assert.equal((await logOnDisk()).events, 5);
  } finally {
    await again.close();
  }
});
