/**
 * The queue's state machine in plain Node (it has no DOM): prefetch requests, history, undo and
 * write bookkeeping, on real headlines.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadHeadlines } from './harness';
import { HISTORY_LIMIT, LabelQueue, NEED_ITEMS_RETRY_MS, PREFETCH_MIN, PREFETCH_TARGET } from '../../webview/queue';
import type { QueueItem } from '../../src/shared/protocol';

let items: QueueItem[];
before(async () => {
  items = await loadHeadlines(120);
});

function newQueue(): LabelQueue {
  let n = 0;
  return new LabelQueue(undefined, () => `r${++n}`);
}

describe('LabelQueue', () => {
  it('requests items only when low, once until answered, and drops ids it already holds', () => {
    const queue = newQueue();
    const first = queue.needItems(0);
    assert.deepEqual(first, { type: 'needItems', count: PREFETCH_TARGET });
    assert.equal(queue.needItems(1), null, 'one request in flight');
    assert.ok(queue.receive(items.slice(0, PREFETCH_TARGET)), 'the first item goes on screen');
    assert.equal(queue.shown?.id, items[0].id);
    assert.equal(queue.needItems(2), null, 'enough upcoming');
    while (queue.upcomingCount >= PREFETCH_MIN) queue.label(['related']);
    const again = queue.needItems(3);
    assert.deepEqual(again, { type: 'needItems', count: PREFETCH_TARGET - queue.upcomingCount });
    // After a release the host may serve held items again: every id already held (upcoming, on
    // screen, or in history) is dropped; only the two new ones are taken.
    const held = queue.heldIds();
    assert.equal(queue.receive(items.slice(0, PREFETCH_TARGET + 2)), false, 'the item on screen stays');
    assert.equal(queue.upcomingCount, PREFETCH_MIN - 1 + 2);
    assert.deepEqual(queue.snapshot().upcoming.slice(-2).map((i) => i.id), items.slice(PREFETCH_TARGET, PREFETCH_TARGET + 2).map((i) => i.id));
    assert.equal(new Set(queue.heldIds()).size, held.length + 2, 'no id is held twice');
  });

  it('an unanswered request is repeated only after NEED_ITEMS_RETRY_MS; an empty answer ends the wait', () => {
    const queue = newQueue();
    assert.ok(queue.needItems(0));
    assert.equal(queue.needItems(NEED_ITEMS_RETRY_MS - 1), null);
    assert.deepEqual(queue.needItems(NEED_ITEMS_RETRY_MS), { type: 'needItems', count: PREFETCH_TARGET });
    queue.receive([], { exhausted: true });
    assert.equal(queue.needItems(NEED_ITEMS_RETRY_MS + 1), null, 'nothing more will come');
    queue.receive(items.slice(0, 2), {});
    assert.equal(queue.snapshot().exhausted, false, 'items after exhausted reopen the queue');
    assert.ok(queue.needItems(NEED_ITEMS_RETRY_MS + 2));
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

  it('a flag is a write like a label: pending until answered, and taken back with an undo write', () => {
    const queue = newQueue();
    queue.receive(items.slice(0, 6));
    const [flag] = queue.flag().messages;
    assert.deepEqual(flag, { type: 'flag', requestId: 'r1', itemId: items[0].id });
    assert.equal(queue.shown?.id, items[1].id);
    assert.deepEqual(queue.pendingWrites().map((w) => w.message), [flag]);
    const [undo] = queue.undo().messages;
    assert.deepEqual(undo, { type: 'undo', requestId: 'r2', itemId: items[0].id });
    assert.equal(queue.shown?.id, items[0].id);
    // Both stay pending until answered, in order: a restored page resends the flag, then the undo.
    assert.deepEqual(queue.pendingWrites().map((w) => w.message), [flag, undo]);
    assert.ok(queue.saved('r1') && queue.saved('r2'));
    assert.deepEqual(queue.pendingWrites(), []);
    // A flag that failed never reached the log: undoing it writes nothing.
    queue.flag();
    assert.ok(queue.failed('r3', 'disk full'));
    assert.deepEqual(queue.undo().messages, []);
    assert.deepEqual(queue.failedWrites(), []);
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
    const undoSkip = queue.undo().messages;
    assert.deepEqual(undoSkip.map((m) => [m.type, 'itemId' in m ? m.itemId : '']), [['undo', items[1].id]], 'a skip is in the log: its undo is a write');
    assert.equal(queue.shown?.id, items[1].id);
    assert.equal(queue.snapshot().upcoming[0].id, items[2].id);
    const undo = queue.undo().messages[0];
    assert.deepEqual(undo && { type: undo.type, itemId: 'itemId' in undo ? undo.itemId : '' }, { type: 'undo', itemId: items[0].id });
    assert.equal(queue.shown?.id, items[0].id);
    assert.deepEqual(queue.undo(), { messages: [], moved: false }, 'nothing left to undo');
  });
});
