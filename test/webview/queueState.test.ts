/**
 * The queue's state machine in plain Node (it has no DOM): prefetch requests, history, undo and
 * write bookkeeping, on real headlines.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadHeadlines } from './harness';
import { HISTORY_LIMIT, LabelQueue, PREFETCH_MIN, PREFETCH_TARGET } from '../../webview/queue';
import type { QueueItem } from '../../src/shared/webviewProtocol';

let items: QueueItem[];
before(async () => {
  items = await loadHeadlines(120);
});

function newQueue(): LabelQueue {
  let n = 0;
  return new LabelQueue(undefined, () => `r${++n}`);
}

describe('LabelQueue', () => {
  it('requests items only when low, once until answered, and never ids it holds', () => {
    const queue = newQueue();
    const first = queue.needItems(0);
    assert.deepEqual(first, { type: 'needItems', count: PREFETCH_TARGET, exclude: [] });
    assert.equal(queue.needItems(1), null, 'one request in flight');
    assert.ok(queue.receive(items.slice(0, PREFETCH_TARGET)), 'the first item goes on screen');
    assert.equal(queue.shown?.id, items[0].id);
    assert.equal(queue.needItems(2), null, 'enough upcoming');
    while (queue.upcomingCount >= PREFETCH_MIN) queue.label(['related']);
    const again = queue.needItems(3);
    assert.ok(again);
    assert.equal(again.count, PREFETCH_TARGET - queue.upcomingCount);
    assert.ok(items.slice(0, PREFETCH_TARGET).every((item) => again.exclude.includes(item.id)));
    // Duplicates from the host are dropped.
    queue.receive(items.slice(0, PREFETCH_TARGET + 2));
    assert.equal(queue.upcomingCount, PREFETCH_MIN - 1 + 2);
  });

  it('replace swaps the upcoming items but never the one on screen', () => {
    const queue = newQueue();
    queue.receive(items.slice(0, 6));
    queue.receive(items.slice(10, 13), { replace: true });
    assert.equal(queue.shown?.id, items[0].id);
    assert.deepEqual(queue.snapshot().upcoming.map((i) => i.id), items.slice(10, 13).map((i) => i.id));
  });

  it('tracks writes: pending, saved, failed, retried with the same message', () => {
    const queue = newQueue();
    queue.receive(items.slice(0, 5));
    const { messages } = queue.label(['related']);
    const [message] = messages;
    assert.equal(message.type, 'label');
    if (message.type !== 'label') return;
    assert.equal(queue.write(message.requestId)?.status, 'pending');
    assert.ok(queue.failed(message.requestId, 'disk full'));
    assert.equal(queue.failedWrites().length, 1);
    assert.deepEqual(queue.retry(message.requestId), message);
    assert.equal(queue.write(message.requestId)?.status, 'pending');
    assert.equal(queue.retry(message.requestId), undefined, 'only failed writes retry');
    assert.ok(queue.saved(message.requestId));
    assert.equal(queue.saved('unknown'), false);
    assert.deepEqual(queue.pendingWrites(), []);
  });

  it('keeps at most HISTORY_LIMIT history entries and every unsettled write', () => {
    const queue = newQueue();
    queue.receive(items);
    const ids: string[] = [];
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) {
      const [m] = queue.label(['related']).messages;
      if (m.type === 'label') ids.push(m.requestId);
    }
    for (const id of ids.slice(1)) queue.saved(id);
    const snap = queue.snapshot();
    assert.equal(snap.history.length, HISTORY_LIMIT);
    assert.ok(snap.writes.some((w) => w.requestId === ids[0] && w.status === 'pending'), 'the unconfirmed first write is kept');
    assert.equal(snap.writes.filter((w) => w.status === 'saved').length, HISTORY_LIMIT);
  });

  it('undo restores the item on screen and pushes the current one back to the front', () => {
    const queue = newQueue();
    queue.receive(items.slice(0, 6));
    queue.label(['related']);
    queue.skip();
    assert.equal(queue.shown?.id, items[2].id);
    assert.deepEqual(queue.undo().messages, [], 'undoing a skip writes nothing');
    assert.equal(queue.shown?.id, items[1].id);
    assert.equal(queue.snapshot().upcoming[0].id, items[2].id);
    const undo = queue.undo().messages[0];
    assert.deepEqual(undo && { type: undo.type, itemId: 'itemId' in undo ? undo.itemId : '' }, { type: 'undo', itemId: items[0].id });
    assert.equal(queue.shown?.id, items[0].id);
    assert.deepEqual(queue.undo(), { messages: [], moved: false }, 'nothing left to undo');
  });
});
