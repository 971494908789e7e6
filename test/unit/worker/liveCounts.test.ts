/**
 * The counts the panel and the status bar show follow every saved write, not only retrains: each
 * `saved` / `undone` of the real worker carries labelsState, and it must equal what the label log
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
import type { InitMessage, LabelMode, LabelsState } from '../../../src/shared/workerProtocol';
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

async function workspace(mode: LabelMode): Promise<{ dir: string; init: InitMessage }> {
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
      type: 'init', datasetFile, workspaceRoot: dir, textField: 'text', labelField: 'label', labels, mode, strategy: 'margin',
      batchSize: 10, retrainEvery: 5, randomShare: 0.1, evalFraction: 0.1, annotator: 'tester', model: 'lexical',
      cacheDir: path.join(dir, 'models'), seed: 3,
    },
  };
}

/** The counts as the log on disk has them, computed here from the replayed state. */
async function countsOnDisk(init: InitMessage): Promise<{ labeled: number; counts: Record<string, number>; events: number }> {
  const { state, events } = await replay(labelLogPath(init.workspaceRoot, init.datasetFile));
  const counts: Record<string, number> = {};
  let labeled = 0;
  for (const current of state.values()) {
    if (!current.labeled) continue;
    labeled++;
    const keys = init.mode === 'multi' ? current.labels : current.labels.slice(0, 1);
    for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  }
  return { labeled, counts, events: events.length };
}

function nonZero(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}

async function assertMatchesLog(state: LabelsState | undefined, init: InitMessage, what: string): Promise<void> {
  assert.ok(state, `${what} carries labelsState`);
  const disk = await countsOnDisk(init);
  assert.equal(state.labeled, disk.labeled, `${what}: labeled`);
  assert.deepEqual(nonZero(state.counts), disk.counts, `${what}: counts`);
  assert.equal(state.events, disk.events, `${what}: events`);
  assert.ok(Object.values(state.counts).every((n) => n >= 0), `${what}: no negative count`);
}

const answers: Record<LabelMode, (i: number, topic: string) => string[]> = {
  single: (i, topic) => [i % 4 === 0 ? 'money' : topic],
  multi: (i, topic) => (i % 3 === 0 ? [topic, 'money'] : [topic]),
  // Binary: [label] accepts, [] rejects (stored as "not sport").
  binary: (_i, topic) => (topic === 'sport' ? ['sport'] : []),
};

for (const mode of ['single', 'multi', 'binary'] as const) {
  test(`${mode}: every saved and undone carries the counts the log on disk has`, async () => {
    const { init } = await workspace(mode);
    let last: LabelsState | undefined;
    const host = new Host();
    try {
      host.send(init);
      const ready = await host.wait('ready');
      assert.equal(ready.labelsState.labeled, 4);
      await assertMatchesLog(ready.labelsState, init, 'ready');
      host.send({ type: 'requestBatch', count: 16 });
      const batch = await host.wait('batch');
      const write = async (requestId: string, send: () => void): Promise<void> => {
        send();
        const saved = await host.wait('saved', (m) => m.requestId === requestId);
        await assertMatchesLog(saved.labelsState, init, `saved ${requestId}`);
        last = saved.labelsState;
      };
      for (const [i, item] of batch.items.slice(0, 12).entries()) {
        const requestId = `l${i}`;
        await write(requestId, () => host.send({ type: 'label', requestId, itemId: item.id, labels: answers[mode](i, item.text.split(' ')[0] as string), source: 'queue' }));
      }
      assert.equal(last?.labeled, 16, 'four imported plus twelve labeled');
      // Relabel from history: the old label's count goes down, the new one's up; labeled stays.
      const first = batch.items[0]!;
      await write('edit', () => host.send({ type: 'label', requestId: 'edit', itemId: first.id, labels: mode === 'binary' ? [] : ['weather'], source: 'edit' }));
      assert.equal(last?.labeled, 16);
      await write('flag', () => host.send({ type: 'flag', requestId: 'flag', itemId: batch.items[12]!.id }));
      for (const u of ['u1', 'u2', 'u3']) {
        host.send({ type: 'undo', requestId: u });
        const saved = await host.wait('saved', (m) => m.requestId === u);
        const undone = await host.wait('undone', (m) => m.requestId === u);
        assert.deepEqual(undone.labelsState, saved.labelsState, 'undone repeats the counts of its saved');
        await assertMatchesLog(undone.labelsState, init, `undone ${u}`);
        last = undone.labelsState;
      }
      assert.equal(last?.labeled, 15, 'undoing the flag and the edit keeps 16; undoing the last label leaves 15');
    } finally {
      await host.close();
    }
    // A restart counts by scanning the whole replayed state; the incremental figures must agree.
    const again = new Host();
    try {
      again.send(init);
      const ready = await again.wait('ready');
      assert.deepEqual(ready.labelsState, last);
    } finally {
      await again.close();
    }
  });
}
