/**
 * A strategy change mid-session: the host sends `items` with `replace: true`, and the page's
 * prefetched items give way to them. The item on screen, the history and every pending write stay;
 * the next item is the new strategy's. First the queue's state machine in plain Node, then the
 * page in headless Chromium against the FakeEngine (pinned to the real engine by contract.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { afterIdle, openWebview, shownItem, WAIT_MS, waitForShown, webviewSuite, type Served } from './harness';
import type { QueueItem } from '../../src/shared/protocol';
import { LabelQueue, PREFETCH_TARGET } from '../../webview/queue';

let browser: Browser;
let served: Served;
let items: QueueItem[];

webviewSuite(40, (suite) => ({ browser, served, items } = suite));

describe('LabelQueue: items that replace the prefetched ones', () => {
  it('keeps the item on screen, the history and the pending write; the next item is a replacement', () => {
    let n = 0;
    const queue = new LabelQueue(undefined, () => `r${++n}`);
    queue.receive(items.slice(0, PREFETCH_TARGET));
    const [write] = queue.label(['related']).messages;
    assert.equal(queue.shown?.id, items[1].id);
    // The new batch may bring held items again: the labeled one and the one on screen are dropped,
    // an old upcoming one (items[5]) is taken as the new strategy's pick.
    const batch = [items[0], items[1], items[20], items[5], items[21], items[22]];
    assert.equal(queue.receive(batch, { replace: true }), false, 'the card on screen stays');
    const after = queue.snapshot();
    assert.equal(after.current?.id, items[1].id);
    assert.deepEqual(after.upcoming.map((i) => i.id), [items[20], items[5], items[21], items[22]].map((i) => i.id));
    assert.deepEqual(after.history.map((h) => h.item.id), [items[0].id]);
    assert.deepEqual(queue.pendingWrites().map((w) => w.message), [write], 'the pending write is kept as it was');
    queue.skip();
    assert.equal(queue.shown?.id, items[20].id, 'the next item comes from the replacement');
    // Without `replace`, items add to the queue as before.
    queue.receive([items[30]]);
    assert.deepEqual(queue.snapshot().upcoming.map((i) => i.id), [items[5], items[21], items[22], items[30]].map((i) => i.id));
  });

  it('fills an empty screen, and an empty replacement that is exhausted ends the queue', () => {
    const queue = new LabelQueue(undefined, () => 'r');
    assert.equal(queue.receive(items.slice(0, 3), { replace: true }), true);
    assert.equal(queue.shown?.id, items[0].id);
    queue.receive([], { replace: true, exhausted: true });
    assert.equal(queue.shown?.id, items[0].id);
    assert.equal(queue.upcomingCount, 0);
    assert.equal(queue.snapshot().exhausted, true);
  });
});

describe('the page after a strategy change', () => {
  it('names the new strategy, keeps the card and its pending label, and shows the new strategy’s item next', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    await page.waitForSelector('[data-testid="strategy"]:has-text("Clustered uncertainty")', { timeout: WAIT_MS });
    // A label the engine has not confirmed yet: it must survive the change.
    host.saves = 'hold';
    await waitForShown(page, items[0].id);
    await page.keyboard.press('1');
    await host.waitFor(() => host.heldCount() === 1, 'the label is held');
    await waitForShown(page, items[1].id);

    await host.changeStrategy('random');
    await page.waitForSelector('[data-testid="strategy"]:has-text("Random")', { timeout: WAIT_MS });
    await afterIdle(page);
    assert.equal((await shownItem(page)).id, items[1].id, 'the card on screen stays');
    const replacement = host.sent.filter((m) => m.type === 'items').at(-1);
    assert.ok(replacement?.type === 'items' && replacement.replace === true);
    const queue = await page.evaluate(() => (JSON.parse(sessionStorage.getItem('al-state') ?? '{}') as { queue: { upcoming: QueueItem[] } }).queue);
    assert.deepEqual(queue.upcoming.map((i) => i.id), replacement.items.map((i) => i.id), 'the prefetched items are the replacement, in order');
    assert.deepEqual([...new Set(queue.upcoming.map((i) => i.reason.strategy))], ['random']);

    // The next item is the new strategy's pick, and says so.
    await page.keyboard.press('2');
    const next = replacement.items[0];
    await waitForShown(page, next.id);
    assert.match((await page.textContent('[data-testid="why"]')) ?? '', /random/);
    // The pending label was kept: once the engine answers, it shows as saved; it was written once.
    assert.equal(await page.getAttribute(`.al-recent-row[data-item-id="${items[0].id}"]`, 'data-status'), 'pending');
    await host.release();
    await page.waitForSelector(`.al-recent-row[data-item-id="${items[0].id}"][data-status="saved"]`, { timeout: WAIT_MS });
    assert.deepEqual(host.log.map((e) => e.itemId), [items[0].id, items[1].id]);
    await page.close();
  });
});
