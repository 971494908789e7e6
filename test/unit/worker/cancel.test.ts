/**
 * Cancelling a long embedding: the real worker, a 30,000-line file and the lexical embedder. The
 * `cancel` must overtake the queue (the running `init` holds it) and stop the embedding between
 * two batches, not after the whole file.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { StartMessage, ProgressMessage } from '../../../src/shared/protocol/engine';
import { Host, initMessage } from './workerHost';

const LINES = 30_000;
const WORDS = ['storm', 'flood', 'match', 'goal', 'bank', 'market', 'rain', 'wind', 'team', 'loan', 'quake', 'league'];

let dir: string;
let dataset: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-cancel-'));
  dataset = path.join(dir, 'big.txt');
  const lines = Array.from({ length: LINES }, (_, i) => {
    const w = (k: number): string => WORDS[(i * k + k) % WORDS.length] as string;
    return `headline ${i}: ${w(1)} ${w(5)} ${w(7)} near ${w(11)} (${i * 37})`;
  });
  await fs.writeFile(dataset, lines.join('\n') + '\n');
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function init(): StartMessage {
  return initMessage(dataset, dir, ['related', 'not related']);
}

const embedding = (m: ProgressMessage): boolean => m.phase === 'embedding';

test('cancel during embedding stops it promptly with a cancelled error; the next init works', async () => {
  const host = new Host();
  try {
    host.send(init());
    await host.wait('progress', embedding, 60_000);
    host.send({ type: 'cancel' });
    const error = await host.wait('error', () => true, 60_000);
    assert.equal(error.kind, 'cancelled');
    assert.deepEqual(error.actions, ['retry']);
    const progress = host.messages.filter((m): m is ProgressMessage => m.type === 'progress' && embedding(m));
    const furthest = Math.max(...progress.map((m) => m.done));
    assert.ok(furthest < LINES, `embedding ran to the end (${furthest}/${LINES}) before the cancel took effect`);
    assert.ok(!host.messages.some((m) => m.type === 'engineReady'), 'a cancelled init must not report ready');

    // The same worker starts over on the same file (its partial embedding cache included).
    const before = host.messages.length;
    host.send(init());
    const ready = await host.wait('engineReady', () => true, 120_000);
    assert.equal(ready.summary.loaded, LINES);
    assert.equal(ready.counts.total, LINES);
    assert.ok(!host.messages.slice(before).some((m) => m.type === 'error'), 'no error after the restart');
    host.send({ type: 'needItems', count: 5 });
    const batch = await host.wait('items');
    assert.equal(batch.items.length, 5);
  } finally {
    await host.close();
  }
});
