/**
 * The worker publishes per-item review data (labels, top-3 predictions, suspected label errors)
 * after a retrain, and writes a reviewer's decisions as `review` events, once, on a real engine
 * with lexical embeddings and a real label log.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { after, before, test } from 'node:test';
import { replay } from '../../../src/core/labels';
import { labelLogPath } from '../../../src/core/labels/storePath';
import { NAMES, PLANTED, writePlantedDataset } from './plantedErrors';
import { Host, initMessage, type Of } from './workerHost';

let dir: string;
let datasetFile: string;
let truth: ReadonlyMap<string, string>;

before(async () => {
  ({ dir, datasetFile, truth } = await writePlantedDataset('al-review-'));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test('review data after the retrain: ids, labels, top-3 predictions and the planted errors as suspects', async () => {
  const host = new Host();
  try {
    host.send(initMessage(datasetFile, dir, NAMES, { retrainEvery: 1000 }));
    await host.wait('engineReady');
    const data = await host.wait('reviewData', (m) => m.predictions !== undefined, 60_000);
    const ids = host.messages.find((m): m is Of<'reviewData'> => m.type === 'reviewData' && m.itemIds !== undefined)?.itemIds ?? [];
    assert.equal(ids.length, 90);
    const firstFull = host.messages.find((m): m is Of<'reviewData'> => m.type === 'reviewData' && m.itemIds !== undefined);
    assert.equal(firstFull?.labels.length, 60, 'every labeled item, once');
    assert.deepEqual(firstFull?.labels.find((l) => ids[l.row] === 'r4')?.annotator, 'ana');

    const p = data.predictions!;
    assert.equal(p.k, 3);
    assert.equal(p.top.length, 90 * 3);
    assert.deepEqual([...p.classes].sort(), [...NAMES].sort());
    // Unlabeled items (rows 60..89) are predicted as their topic by the model.
    let right = 0;
    for (let row = 60; row < 90; row++) if (p.classes[p.top[row * 3] as number] === truth.get(ids[row] as string)) right++;
    assert.ok(right >= 25, `only ${right} of 30 unlabeled items predicted right`);
    for (let row = 0; row < 90; row++) assert.ok((p.probs[row * 3] as number) >= (p.probs[row * 3 + 1] as number));

    const suspects = data.suspects ?? [];
    const byId = new Map(suspects.map((s) => [ids[s.row] as string, s]));
    const found = PLANTED.filter((id) => byId.has(id));
    assert.ok(found.length >= 2, `planted ${PLANTED.join(', ')}, suspects ${[...byId.keys()].join(', ')}`);
    for (const id of found) assert.equal(byId.get(id)?.suggested, truth.get(id));
  } finally {
    await host.close();
  }
});

test('a reviewLabel is written as review events once; the next review data carries the new label', async () => {
  const host = new Host();
  try {
    host.send(initMessage(datasetFile, dir, NAMES, { retrainEvery: 1000 }));
    await host.wait('engineReady');
    await host.wait('reviewData', (m) => m.itemIds !== undefined);
    const before = (await replay(labelLogPath(dir, datasetFile))).events.length;
    const decisions = [
      { itemId: 'r4', labels: [truth.get('r4') as string], fromSuspect: true, score: 0.9 },
      { itemId: 'r70', labels: ['weather'] },
      { itemId: 'nope', labels: ['sports'] },
      { itemId: 'r71', labels: ['not-a-label'] },
    ];
    host.send({ type: 'reviewLabel', requestId: 'rv-1', decisions });
    const saved = await host.wait('reviewSaved', (m) => m.requestId === 'rv-1');
    assert.equal(saved.written, 2);
    assert.deepEqual(saved.failed.map((f) => f.itemId), ['nope', 'r71']);
    const since = host.messages.length;
    host.send({ type: 'reviewLabel', requestId: 'rv-1', decisions });
    assert.equal((await host.wait('reviewSaved', (m) => m.requestId === 'rv-1', 20_000, since)).written, 2, 'a resend is answered, not written again');

    const { events } = await replay(labelLogPath(dir, datasetFile));
    const added = events.slice(before);
    assert.deepEqual(
      added.map((e) => [e.itemId, e.labels, e.source, e.annotator, e.strategy, e.score]),
      [
        ['r4', [truth.get('r4')], 'review', 'tester', 'confident-learning', 0.9],
        ['r70', ['weather'], 'review', 'tester', 'editor', undefined],
      ],
      'written once, with the reviewer and what surfaced them',
    );
    const delta = await host.wait('reviewData', (m) => m.itemIds === undefined && m.labels.length > 0);
    const ids = host.messages.find((m): m is Of<'reviewData'> => m.type === 'reviewData' && m.itemIds !== undefined)?.itemIds ?? [];
    assert.deepEqual(
      delta.labels.map((l) => [ids[l.row], l.labels, l.source, l.score]).sort(),
      [
        ['r4', [truth.get('r4')], 'review', 0.9],
        ['r70', ['weather'], 'review', undefined],
      ],
    );
  } finally {
    await host.close();
  }
});
