/**
 * The worker owns the label log, so it enforces every rule before it writes, whatever reaches it
 * directly (the host's checks are not a guard). Each probe below was written and acknowledged by
 * an earlier worker; now each is a `saveFailed` with a reason, and the log on disk is unchanged.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { replay } from '../../../src/core/labels/replay';
import { labelLogPath } from '../../../src/core/labels/storePath';
import type { HostToWorker } from '../../../src/shared/protocol/engine';
import { Host, initMessage } from './workerHost';

let dir: string;
let dataset: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-guards-'));
  dataset = path.join(dir, 'data.jsonl');
  await fs.writeFile(dataset, Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: `r${i}`, text: `row ${i} ${i % 2 ? 'rain' : 'goal'}` })).join('\n') + '\n');
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function eventsOnDisk(root: string): Promise<number> {
  return (await replay(labelLogPath(root, dataset))).events.length;
}

test('single mode: labels outside the set, two labels, empty or huge labels, unknown or huge items are refused', async () => {
  const root = path.join(dir, 'single');
  await fs.mkdir(root);
  const host = new Host();
  try {
    host.send(initMessage(dataset, root, ['sport', 'weather'], { workspaceRoot: root }));
    await host.wait('engineReady');
    const label = (requestId: string, over: Partial<Extract<HostToWorker, { type: 'label' }>>): Extract<HostToWorker, { type: 'label' }> => ({
      type: 'label', requestId, itemId: 'r1', labels: ['sport'], source: 'queue', ...over,
    });
    const probes: [string, unknown, RegExp | undefined][] = [
      ['a label outside the set', label('a', { labels: ['politics'] }), /Unknown label "politics"/],
      ['two labels in single mode', label('b', { labels: ['sport', 'weather'] }), /exactly one label/],
      ['no label', label('c', { labels: [] }), /exactly one label/],
      ['an empty label', label('d', { labels: [''] }), undefined],
      ['a 100 KB label', label('e', { labels: ['x'.repeat(100_000)] }), undefined],
      ['an unknown item', label('f', { itemId: 'no-such-row' }), /Unknown item/],
      ['a 1 MB item id', label('g', { itemId: 'y'.repeat(1_000_000) }), undefined],
      ['a flag for an unknown item', { type: 'flag', requestId: 'h', itemId: 'ghost' }, /Unknown item/],
      ['a flag with a 1 MB item id', { type: 'flag', requestId: 'i', itemId: 'z'.repeat(1_000_000) }, undefined],
    ];
    for (const [what, probe, reason] of probes) {
      const requestId = (probe as { requestId: string }).requestId;
      host.worker.postMessage(probe);
      const reply = await host.reply(requestId);
      assert.equal(reply.type, 'saveFailed', `${what}: ${JSON.stringify(reply).slice(0, 200)}`);
      if (reason) assert.match((reply as { message: string }).message, reason, what);
      assert.ok(JSON.stringify(reply).length < 2000, `${what}: the reply does not echo a huge id`);
    }
    assert.equal(await eventsOnDisk(root), 0, 'nothing was written');

    // A valid label is written; its request id is then bound to that item and action.
    host.send(label('ok', {}));
    assert.equal((await host.reply('ok')).type, 'saved');
    host.send(label('ok', { itemId: 'r2' }));
    const reused = await host.reply('ok', 60_000, host.messages.length);
    assert.equal(reused.type, 'saveFailed');
    host.send({ type: 'flag', requestId: 'ok', itemId: 'r1' });
    assert.equal((await host.reply('ok', 60_000, host.messages.length)).type, 'saveFailed', 'the same id for another action');
    assert.equal(await eventsOnDisk(root), 1);
  } finally {
    await host.close();
  }
  // After a restart no refused label became a class.
  const again = new Host();
  try {
    again.send(initMessage(dataset, root, ['sport', 'weather'], { workspaceRoot: root }));
    const ready = await again.wait('engineReady');
    assert.deepEqual(Object.keys(ready.counts.counts).sort(), ['sport', 'weather']);
  } finally {
    await again.close();
  }
});

test('binary and multi modes: the answer and the label count must fit the mode', async () => {
  for (const [mode, labels, bad] of [
    ['binary', ['spam'], [{ labels: ['spam'] }, { labels: ['spam', 'spam'], answer: 'accept' }, { labels: ['ham'], answer: 'accept' }]],
    ['multi', ['a', 'b', 'c'], [{ labels: [] }, { labels: ['a', 'a'] }, { labels: ['a', 'd'] }]],
  ] as const) {
    const root = path.join(dir, mode);
    await fs.mkdir(root);
    const host = new Host();
    try {
      host.send(initMessage(dataset, root, [...labels], { workspaceRoot: root, mode }));
      await host.wait('engineReady');
      for (const [k, over] of bad.entries()) {
        host.worker.postMessage({ type: 'label', requestId: `${mode}-${k}`, itemId: 'r3', source: 'queue', ...over });
        assert.equal((await host.reply(`${mode}-${k}`)).type, 'saveFailed', `${mode}: ${JSON.stringify(over)}`);
      }
      const good = mode === 'binary' ? { labels: ['spam'], answer: 'reject' as const } : { labels: ['a', 'c'] };
      host.send({ type: 'label', requestId: `${mode}-ok`, itemId: 'r3', source: 'queue', ...good });
      assert.equal((await host.reply(`${mode}-ok`)).type, 'saved');
      const { events } = await replay(labelLogPath(root, dataset));
      assert.equal(events.length, 1);
      assert.deepEqual(events[0]?.labels, mode === 'binary' ? ['not spam'] : ['a', 'c'], 'a reject is stored as "not <label>"');
    } finally {
      await host.close();
    }
  }
});

test('undo takes back the named item: after a relabel from history, the item the page puts back', async () => {
  const root = path.join(dir, 'undo-named');
  await fs.mkdir(root);
  const host = new Host();
  try {
    host.send(initMessage(dataset, root, ['sport', 'weather'], { workspaceRoot: root }));
    await host.wait('engineReady');
    const send = async (m: HostToWorker & { requestId: string }): Promise<string> => {
      const since = host.messages.length;
      host.send(m);
      return (await host.reply(m.requestId, 60_000, since)).type;
    };
    assert.equal(await send({ type: 'label', requestId: 'l0', itemId: 'r0', labels: ['sport'], source: 'queue' }), 'saved');
    assert.equal(await send({ type: 'label', requestId: 'l1', itemId: 'r1', labels: ['sport'], source: 'queue' }), 'saved');
    assert.equal(await send({ type: 'label', requestId: 'e0', itemId: 'r0', labels: ['weather'], source: 'edit' }), 'saved');
    // The page's last history entry is r1: Backspace puts r1 back, so r1's label is undone.
    const since = host.messages.length;
    host.send({ type: 'undo', requestId: 'u1', itemId: 'r1' });
    const undone = await host.reply('u1', 60_000, since);
    assert.deepEqual([undone.type, undone.itemId], ['saved', 'r1']);
    const { state } = await replay(labelLogPath(root, dataset));
    assert.notEqual(state.get('r1')?.labeled, true, 'r1 is unlabeled');
    assert.deepEqual(state.get('r0')?.labels, ['weather'], 'r0 keeps its relabel');
    assert.equal(await send({ type: 'undo', requestId: 'u2', itemId: 'r5' }), 'saveFailed', 'an item with nothing to undo');
  } finally {
    await host.close();
  }
});
