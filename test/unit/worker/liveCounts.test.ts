/**
 * The counts the panel and the status bar show follow every saved write, not only retrains: each
 * `saved` of the real worker is followed by a `counts`, and it must equal what the label log
 * on disk says at that moment. The worker keeps the counts incrementally, so a restart (a full scan
 * of the replayed log) must also arrive at the same figures.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { replay } from '../../../src/core/labels/replay';
import { labelLogPath } from '../../../src/core/labels/storePath';
import type { Counts, LabelMode } from '../../../src/shared/protocol';
import type { HostToWorker, StartMessage } from '../../../src/shared/protocol/engine';
import { Host } from './workerHost';

const TOPICS = ['sport', 'weather', 'money'] as const;
const WORDS: Record<(typeof TOPICS)[number], string[]> = {
  sport: ['match', 'goal', 'team', 'coach'],
  weather: ['rain', 'storm', 'wind', 'snow'],
  money: ['bank', 'market', 'shares', 'loan'],
};

let root: string;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'al-live-counts-'));
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function workspace(mode: LabelMode): Promise<{ dir: string; init: StartMessage }> {
  const dir = path.join(root, mode);
  await fs.mkdir(dir);
  const datasetFile = path.join(dir, 'data.jsonl');
  const rows = Array.from({ length: 60 }, (_, i) => {
    const topic = TOPICS[i % 3] as (typeof TOPICS)[number];
    const row: Record<string, string> = { id: `r${i}`, text: `${topic} ${WORDS[topic].join(' ')} ${(i * 7) % 13} item ${i}` };
    // Imported labels count from the start (the restart scenario of the bug report).
    if (i < 4) row.label = mode === 'binary' ? (topic === 'sport' ? 'sport' : 'not sport') : topic;
    return JSON.stringify(row);
  });
  await fs.writeFile(datasetFile, rows.join('\n') + '\n');
  const labels = mode === 'binary' ? ['sport'] : [...TOPICS];
  return {
    dir,
    init: {
      type: 'start', datasetFile, workspaceRoot: dir, textField: 'text', existingLabels: { field: 'label', use: 'import', map: Object.fromEntries(['sport', 'weather', 'money', 'not sport'].map((l) => [l, l])) }, labels, mode, strategy: 'margin',
      batchSize: 10, retrainEvery: 5, randomShare: 0.1, annotator: 'tester', model: 'lexical',
      cacheDir: path.join(dir, 'models'), seed: 3,
    },
  };
}

/** The counts as the log on disk has them, computed here from the replayed state. */
async function countsOnDisk(init: StartMessage): Promise<{ labeled: number; counts: Record<string, number> }> {
  const { state } = await replay(labelLogPath(init.workspaceRoot, init.datasetFile));
  const counts: Record<string, number> = {};
  let labeled = 0;
  for (const current of state.values()) {
    if (!current.labeled) continue;
    labeled++;
    const keys = init.mode === 'multi' ? current.labels : current.labels.slice(0, 1);
    for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  }
  return { labeled, counts };
}

function nonZero(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}

async function assertMatchesLog(state: Counts | undefined, init: StartMessage, what: string): Promise<void> {
  assert.ok(state, `${what} has counts`);
  const disk = await countsOnDisk(init);
  assert.equal(state.labeled, disk.labeled, `${what}: labeled`);
  assert.deepEqual(nonZero(state.counts), disk.counts, `${what}: counts`);
  assert.ok(Object.values(state.counts).every((n) => n >= 0), `${what}: no negative count`);
}

type Answer = Pick<Extract<HostToWorker, { type: 'label' }>, 'labels' | 'answer'>;
const answers: Record<LabelMode, (i: number, topic: string) => Answer> = {
  single: (i, topic) => ({ labels: [i % 4 === 0 ? 'money' : topic] }),
  // A second label where the topic is not already 'money' (a label given twice is refused).
  multi: (i, topic) => ({ labels: i % 3 === 0 && topic !== 'money' ? [topic, 'money'] : [topic] }),
  // Binary: the label asked about, accepted or rejected (a reject is stored as "not sport").
  binary: (_i, topic) => ({ labels: ['sport'], answer: topic === 'sport' ? 'accept' : 'reject' }),
};

for (const mode of ['single', 'multi', 'binary'] as const) {
  test(`${mode}: every saved write is followed by the counts the log on disk has`, async () => {
    const { init } = await workspace(mode);
    let last: Counts | undefined;
    const host = new Host();
    try {
      host.send(init);
      const ready = await host.wait('engineReady');
      assert.equal(ready.counts.labeled, 4);
      await assertMatchesLog(ready.counts, init, 'ready');
      host.send({ type: 'needItems', count: 16 });
      const batch = await host.wait('items');
      const write = async (requestId: string, send: () => void): Promise<void> => {
        const since = host.messages.length;
        send();
        await host.wait('saved', (m) => m.requestId === requestId, 60_000, since);
        const counts = await host.wait('counts', () => true, 60_000, host.messages.findIndex((m, i) => i >= since && m.type === 'saved'));
        const { type: _type, ...state } = counts;
        await assertMatchesLog(state, init, `saved ${requestId}`);
        last = state;
      };
      for (const [i, item] of batch.items.slice(0, 12).entries()) {
        const requestId = `l${i}`;
        await write(requestId, () => host.send({ type: 'label', requestId, itemId: item.id, ...answers[mode](i, item.text.split(' ')[0] as string), source: 'queue' }));
      }
      assert.equal(last?.labeled, 16, 'four imported plus twelve labeled');
      // Relabel from history: the old label's count goes down, the new one's up; labeled stays.
      const first = batch.items[0]!;
      await write('edit', () => host.send({ type: 'label', requestId: 'edit', itemId: first.id, ...(mode === 'binary' ? { labels: ['sport'], answer: 'reject' as const } : { labels: ['weather'] }), source: 'edit' }));
      assert.equal(last?.labeled, 16);
      await write('flag', () => host.send({ type: 'flag', requestId: 'flag', itemId: batch.items[12]!.id }));
      // Backspace walks back through the page's history: the flag, the relabel, the last label.
      for (const [u, item] of [['u1', batch.items[12]!.id], ['u2', first.id], ['u3', batch.items[11]!.id]] as const) {
        await write(u, () => host.send({ type: 'undo', requestId: u, itemId: item }));
      }
      assert.equal(last?.labeled, 15, 'undoing the flag and the edit keeps 16; undoing the last label leaves 15');
    } finally {
      await host.close();
    }
    // A restart counts by scanning the whole replayed state; the incremental figures must agree.
    const again = new Host();
    try {
      again.send(init);
      const ready = await again.wait('engineReady');
      assert.deepEqual(ready.counts, last);
    } finally {
      await again.close();
    }
  });
}
