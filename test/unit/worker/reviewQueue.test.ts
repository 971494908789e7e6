/**
 * The review mode on the real engine worker (lexical embeddings, a real label log): suspected
 * label errors come first with the model's suggestion, `k` (keep) and Enter (accept) are `review`
 * events carrying the reviewer and the order, the progress counts reviews and fixes, and leaving
 * review mode serves labeling items again.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { after, before, test } from 'node:test';
import { replay } from '../../../src/core/labels';
import { labelLogPath } from '../../../src/core/labels/storePath';
import { NAMES, PLANTED, writePlantedDataset } from './plantedErrors';
import { Host, initMessage, servedItems, type Of } from './workerHost';

let dir: string;
let datasetFile: string;
let truth: ReadonlyMap<string, string>;
let given: ReadonlyMap<string, string>;

before(async () => {
  ({ dir, datasetFile, truth, given } = await writePlantedDataset('al-review-queue-'));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test('review mode serves suspects first with the model suggestion; k keeps, Enter accepts, both as review events', async () => {
  const host = new Host();
  try {
    host.send(initMessage(datasetFile, dir, NAMES, { retrainEvery: 1000 }));
    await host.wait('engineReady');
    const data = await host.wait('reviewData', (m) => m.suspects !== undefined && m.suspects.length > 0, 60_000);
    const ids = host.messages.find((m): m is Of<'reviewData'> => m.type === 'reviewData' && m.itemIds !== undefined)?.itemIds ?? [];
    const suspectIds = (data.suspects ?? []).map((s) => ids[s.row] as string);

    let since = host.messages.length;
    host.send({ type: 'reviewMode', review: { order: 'suspects', filters: {} } });
    const progress = await host.wait('reviewProgress', () => true, 20_000, since);
    assert.equal(progress.order, 'suspects');
    assert.equal(progress.toReview, suspectIds.length);
    assert.equal(progress.orders.suspects, suspectIds.length);
    assert.equal(progress.orders.flagged, 0);
    assert.deepEqual([progress.reviewed, progress.fixed], [0, 0]);
    assert.deepEqual(progress.annotators, ['ana']);

    since = host.messages.length;
    host.send({ type: 'needItems', count: 12 });
    const served = await host.wait('items', () => true, 20_000, since);
    assert.equal(served.review, true);
    assert.deepEqual(served.items.map((i) => i.id), suspectIds.slice(0, 12), 'the suspects, in their rank order');
    const planted = served.items.filter((i) => PLANTED.includes(i.id));
    assert.ok(planted.length >= 2, `planted ${PLANTED.join(', ')}, served ${served.items.map((i) => i.id).join(', ')}`);
    for (const item of planted) {
      assert.equal(item.suggestion?.from, 'model');
      assert.deepEqual(item.suggestion?.labels, [truth.get(item.id)], `the model suggests the right label for ${item.id}`);
      assert.deepEqual(item.review, { order: 'suspects', current: { labels: [given.get(item.id)], annotator: 'ana', source: 'import' } });
      assert.match(item.reason.detail ?? '', /ana labeled/);
      assert.equal(item.reason.strategy, 'review:suspects');
    }

    // k on the first planted item: the current label, as a review event. Enter on the second: the suggestion.
    const [kept, fixed] = planted as [Of<'items'>['items'][number], Of<'items'>['items'][number]];
    const logBefore = (await replay(labelLogPath(dir, datasetFile))).events.length;
    since = host.messages.length;
    host.send({ type: 'label', requestId: 'rk-1', itemId: kept.id, labels: kept.review?.current?.labels as string[], source: 'review' });
    assert.equal((await host.reply('rk-1', 60_000, since)).type, 'saved');
    host.send({ type: 'label', requestId: 'ra-1', itemId: fixed.id, labels: fixed.suggestion?.labels as string[], source: 'review' });
    assert.equal((await host.reply('ra-1', 60_000, since)).type, 'saved');
    const after2 = await host.wait('reviewProgress', (m) => m.reviewed === 2, 20_000, since);
    assert.equal(after2.fixed, 1, 'the keep changed nothing; the accepted suggestion fixed an error');
    assert.equal(after2.reviewedTotal, 2);
    assert.equal(after2.toReview, suspectIds.length - 2);

    const { events } = await replay(labelLogPath(dir, datasetFile));
    assert.deepEqual(
      events.slice(logBefore).map((e) => [e.itemId, e.labels, e.source, e.annotator, e.strategy]),
      [
        [kept.id, [given.get(kept.id)], 'review', 'tester', 'review:suspects'],
        [fixed.id, [truth.get(fixed.id)], 'review', 'tester', 'review:suspects'],
      ],
    );
    const keptEvent = events.at(-2);
    const keptScore = (data.suspects ?? []).find((s) => ids[s.row] === kept.id)?.score;
    assert.ok(keptScore !== undefined && Math.abs((keptEvent?.score ?? -1) - keptScore) < 1e-6, 'the event keeps the suspicion score the reviewer saw');

    // The editor's review data follows the writes: both items now carry a reviewed label.
    const delta = await host.wait('reviewData', (m) => m.itemIds === undefined && m.labels.some((l) => ids[l.row] === fixed.id), 20_000, since);
    assert.deepEqual(delta.labels.find((l) => ids[l.row] === fixed.id)?.source, 'review');

    // Undo the keep: the item is to review again.
    since = host.messages.length;
    host.send({ type: 'undo', requestId: 'ru-1', itemId: kept.id });
    assert.equal((await host.reply('ru-1', 60_000, since)).type, 'saved');
    assert.equal((await host.wait('reviewProgress', () => true, 20_000, since)).reviewed, 1);
    // The page shows it again: its next answer records the order and the score again, as the first did.
    host.send({ type: 'label', requestId: 'rk-2', itemId: kept.id, labels: [truth.get(kept.id) as string], source: 'review' });
    assert.equal((await host.reply('rk-2', 60_000, since)).type, 'saved');
    const redone = (await replay(labelLogPath(dir, datasetFile))).events.at(-1);
    assert.deepEqual([redone?.type, redone?.itemId, redone?.labels, redone?.strategy], ['label', kept.id, [truth.get(kept.id)], 'review:suspects']);
    assert.ok(Math.abs((redone?.score ?? -1) - keptScore) < 1e-6, 'the label after the undo keeps the suspicion score');

    // Back to labeling: the page dropped the review items; labeling items come, none already labeled.
    since = host.messages.length;
    host.send({ type: 'reviewMode', review: null });
    host.send({ type: 'needItems', count: 5 });
    const labeling = await host.wait('items', () => true, 20_000, since);
    assert.equal(labeling.review, undefined);
    assert.equal(labeling.items.length, 5);
    for (const item of labeling.items) {
      assert.equal(item.review, undefined);
      assert.ok(Number(item.id.slice(1)) >= 60, `${item.id} is unlabeled`);
    }
    // Progress posted before the worker took the switch may still arrive after it; what follows the
    // labeling items, a label written outside review mode included, carries none.
    const afterSwitch = host.messages.indexOf(labeling);
    const first = labeling.items[0] as Of<'items'>['items'][number];
    host.send({ type: 'label', requestId: 'rl-1', itemId: first.id, labels: [NAMES[0] as string], source: 'queue' });
    assert.equal((await host.reply('rl-1', 60_000, afterSwitch)).type, 'saved');
    // Messages are handled in order: the next reply comes after anything the label's handling posted.
    const second = labeling.items[1] as Of<'items'>['items'][number];
    host.send({ type: 'label', requestId: 'rl-2', itemId: second.id, labels: [NAMES[0] as string], source: 'queue' });
    assert.equal((await host.reply('rl-2', 60_000, afterSwitch)).type, 'saved');
    assert.equal(host.messages.slice(afterSwitch).filter((m) => m.type === 'reviewProgress').length, 0, 'no review progress outside review mode');
  } finally {
    await host.close();
  }
});

test('the flagged order, unlabeled items included; filters narrow it; a reviewed item is not served again', async () => {
  const host = new Host();
  try {
    host.send(initMessage(datasetFile, dir, NAMES, { retrainEvery: 1000 }));
    await host.wait('engineReady');
    host.send({ type: 'flag', requestId: 'f-1', itemId: 'r70' });
    host.send({ type: 'flag', requestId: 'f-2', itemId: 'r20' });
    await host.reply('f-2');
    let since = host.messages.length;
    host.send({ type: 'reviewMode', review: { order: 'flagged', filters: { label: given.get('r20') as string } } });
    host.send({ type: 'needItems', count: 5 });
    const filtered = await host.wait('items', () => true, 20_000, since);
    assert.deepEqual(filtered.items.map((i) => i.id), ['r20'], 'only the flagged item with that label');
    assert.equal(filtered.exhausted, true);

    since = host.messages.length;
    host.send({ type: 'reviewMode', review: { order: 'flagged', filters: {} } });
    host.send({ type: 'needItems', count: 5 });
    const all = await host.wait('items', () => true, 20_000, since);
    assert.deepEqual(all.items.map((i) => i.id).sort(), ['r20', 'r70'], 'a new request serves what the page dropped again');
    const r70 = all.items.find((i) => i.id === 'r70');
    assert.equal(r70?.review?.current, undefined, 'r70 has no label');
    assert.match(r70?.reason.detail ?? '', /Flagged by tester; not labeled yet/);

    host.send({ type: 'label', requestId: 'fr-1', itemId: 'r70', labels: ['weather'], source: 'review' });
    await host.reply('fr-1');
    since = host.messages.length;
    host.send({ type: 'needItems', count: 5 });
    await host.wait('items', () => true, 20_000, since);
    assert.deepEqual(servedItems(host, since).map((i) => i.id), [], 'r20 is still out with the page, r70 is reviewed');
    const progress = await host.wait('reviewProgress', (m) => m.reviewed === 1, 20_000);
    assert.equal(progress.fixed, 1, 'an unlabeled flagged item given a label counts as fixed');
  } finally {
    await host.close();
  }
});

test('a skip in the review queue passes over a labeled item without a write: the label stays, and its undo writes nothing', async () => {
  const host = new Host();
  try {
    host.send(initMessage(datasetFile, dir, NAMES, { retrainEvery: 1000 }));
    await host.wait('engineReady');
    // The same annotator labels and flags an item, then reviews it from the flagged order.
    host.send({ type: 'label', requestId: 'pl-1', itemId: 'r80', labels: ['weather'], source: 'queue' });
    assert.equal((await host.reply('pl-1')).type, 'saved');
    host.send({ type: 'flag', requestId: 'pf-1', itemId: 'r80' });
    assert.equal((await host.reply('pf-1')).type, 'saved');
    const logged = async (): Promise<{ type: string; itemId: string }[]> => (await replay(labelLogPath(dir, datasetFile))).events.filter((e) => e.itemId === 'r80');
    const before = (await logged()).length;

    let since = host.messages.length;
    host.send({ type: 'reviewMode', review: { order: 'flagged', filters: {} } });
    host.send({ type: 'needItems', count: 5 });
    const served = await host.wait('items', () => true, 20_000, since);
    assert.ok(served.items.some((i) => i.id === 'r80'), 'the flagged item is served for review');

    host.send({ type: 'skip', requestId: 'ps-1', itemId: 'r80' });
    assert.deepEqual(await host.reply('ps-1'), { type: 'saved', requestId: 'ps-1', itemId: 'r80' });
    host.send({ type: 'skip', requestId: 'ps-1', itemId: 'r80' });
    assert.equal((await host.reply('ps-1', 20_000, host.messages.length)).type, 'saved', 'a resend is answered again');
    assert.equal((await logged()).length, before, 'no skip event: it would take the label away');
    const state = (await replay(labelLogPath(dir, datasetFile))).state.get('r80');
    assert.deepEqual(state?.labels, ['weather'], 'the label stays');

    since = host.messages.length;
    host.send({ type: 'needItems', count: 5 });
    const next = await host.wait('items', () => true, 20_000, since);
    assert.ok(!next.items.some((i) => i.id === 'r80'), 'a passed item is not served again in this mode');

    host.send({ type: 'undo', requestId: 'pu-1', itemId: 'r80' });
    assert.equal((await host.reply('pu-1')).type, 'saved');
    host.send({ type: 'undo', requestId: 'pu-1', itemId: 'r80' });
    assert.equal((await host.reply('pu-1', 20_000, host.messages.length)).type, 'saved');
    assert.equal((await logged()).length, before, 'taking back a pass writes nothing, and the label is not undone');
    assert.deepEqual((await replay(labelLogPath(dir, datasetFile))).state.get('r80')?.labels, ['weather']);
  } finally {
    await host.close();
  }
});
