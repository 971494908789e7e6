/**
 * `poolChanged` in the page's queue (plain Node): the dataset file was edited, so items the page
 * holds that left the file or changed are dropped from the upcoming items and from the screen;
 * Recent keeps what was done, and a queue that had run dry asks for items again.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadHeadlines } from './harness';
import { LabelQueue, PREFETCH_TARGET } from '../../webview/queue';
import type { QueueItem } from '../../src/shared/protocol';

let items: QueueItem[];
before(async () => {
  items = await loadHeadlines(40);
});

function newQueue(): LabelQueue {
  let n = 0;
  return new LabelQueue(undefined, () => `r${++n}`);
}

describe('LabelQueue.withdraw', () => {
  it('drops withdrawn upcoming items and the one on screen, keeps history and the rest in order', () => {
    const queue = newQueue();
    queue.receive(items.slice(0, 8));
    queue.label(['related']);
    const labeled = items[0]!;
    assert.equal(queue.shown?.id, items[1]!.id);
    const changed = queue.withdraw([items[1]!.id, items[4]!.id, labeled.id, 'not-held']);
    assert.equal(changed, true, 'the item on screen left');
    assert.equal(queue.shown?.id, items[2]!.id, 'the next upcoming item is shown');
    assert.deepEqual(
      queue.snapshot().upcoming.map((i) => i.id),
      [items[3]!, items[5]!, items[6]!, items[7]!].map((i) => i.id),
    );
    assert.deepEqual(queue.snapshot().history.map((h) => h.item.id), [labeled.id], 'Recent keeps the labeled item');
    assert.equal(queue.withdraw([items[6]!.id]), false, 'an upcoming item leaving does not change the screen');
  });

  it('while browsing history the screen stays; an exhausted queue asks for items again', () => {
    const queue = newQueue();
    queue.needItems(0);
    queue.receive(items.slice(0, 2), { exhausted: true });
    queue.label(['related']);
    queue.back();
    assert.equal(queue.needItems(1), null, 'exhausted: no request');
    assert.equal(queue.withdraw([items[1]!.id]), false, 'browsing: the history entry stays on screen');
    assert.equal(queue.snapshot().current, null);
    assert.deepEqual(queue.needItems(2), { type: 'needItems', count: PREFETCH_TARGET }, 'the pool may hold new items');
  });
});
