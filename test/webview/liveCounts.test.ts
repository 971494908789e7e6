/**
 * Counts that follow every saved write (the host's `counts` message) and a queue that stays topped
 * up when the host answers with fewer items than asked (it caps each message by text size).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openWebview, WAIT_MS, webviewSuite, afterIdle } from './harness';
import type { Served } from './harness';
import type { QueueItem } from '../../src/shared/protocol';
import { PREFETCH_MIN } from '../../webview/queue';

let browser: Browser;
let served: Served;
let items: QueueItem[];

webviewSuite(60, (suite) => ({ browser, served, items } = suite));

function countBar(page: Page, label: string): Promise<{ value: string; width: string }> {
  return page.$eval(`.al-count[data-label="${label}"]`, (node) => ({
    value: node.querySelector('.al-count-value')?.textContent ?? '',
    width: (node.querySelector('.al-count-bar') as HTMLElement | null)?.style.width ?? '',
  }));
}

/** Waits until the state the page saves with setState has `history` entries and `min` upcoming items. */
function waitForQueue(page: Page, history: number, min: number): Promise<unknown> {
  return page.waitForFunction(([h, m]) => {
    const saved = sessionStorage.getItem('al-state');
    if (saved === null) return false;
    const queue = (JSON.parse(saved) as { queue: { upcoming: unknown[]; history: unknown[] } }).queue;
    return queue.history.length === h && queue.upcoming.length >= m;
  }, [history, min] as const, { timeout: WAIT_MS });
}

describe('live counts', () => {
  it('a counts message updates the header and the per-label bars, and leaves the model alone', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    const curve = [{ labels: 40, accuracy: 0.8, macroF1: 0.75, evaluated: 20, low: 0.58, high: 0.92 }];
    await host.send({ type: 'model', version: 3, training: false, accuracy: 0.8, macroF1: 0.75, evaluated: 20, curve, counts: { related: 12, 'not related': 10 }, labeled: 22, total: 400 });
    await afterIdle(page);
    assert.equal(await page.textContent('[data-testid="progress"]'), '22 / 400 labeled');

    await host.send({ type: 'counts', counts: { related: 15, 'not related': 12 }, labeled: 27, total: 400 });
    await page.waitForFunction(() => document.querySelector('[data-testid="progress"]')?.textContent === '27 / 400 labeled', undefined, { timeout: WAIT_MS });
    assert.deepEqual(await countBar(page, 'related'), { value: '15', width: '100%' });
    assert.deepEqual(await countBar(page, 'not related'), { value: '12', width: '80%' });
    assert.equal(await page.$eval('.al-progress-bar', (n) => (n as HTMLProgressElement).value), 27 / 400);
    assert.match((await page.textContent('[data-testid="model-state"]')) ?? '', /^Model · v3 · accuracy 80%/, 'the model is unchanged');

    // The counts survive a reload of the page (a hidden panel) through setState.
    await page.waitForFunction(() => (sessionStorage.getItem('al-state') ?? '').includes('"labeled":27'), undefined, { timeout: WAIT_MS });
    await page.reload();
    await host.waitFor(() => host.of('ready').length === 2, 'ready after reload');
    assert.equal(host.of('ready')[1].restored, true, 'the reloaded page restored its saved state');
    assert.deepEqual(host.invalid, []);
    await page.close();
  });

  it('counts before any model or init still paint', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    await host.send({ type: 'counts', counts: { related: 1, 'not related': 0 }, labeled: 1, total: 60 });
    await page.waitForFunction(() => document.querySelector('[data-testid="progress"]')?.textContent === '1 / 60 labeled', undefined, { timeout: WAIT_MS });
    assert.equal((await countBar(page, 'related')).value, '1');
    assert.equal(await page.textContent('[data-testid="model-state"]'), 'No model yet');
    await page.close();
  });
});

describe('answers smaller than asked', () => {
  it(`asks again until it holds ${PREFETCH_MIN} upcoming items, and keeps that while labeling`, async () => {
    const { page, host } = await openWebview(browser, served.url, { items, itemsPerReply: 2 });
    await waitForQueue(page, 0, PREFETCH_MIN);
    const asked = host.of('needItems').length;
    assert.ok(asked >= 3, `asked ${asked} times without a keypress`);
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('1');
      // Each label uses one upcoming item; the page tops up again, two items per answer.
      await waitForQueue(page, i + 1, PREFETCH_MIN);
    }
    await host.waitFor(() => host.log.length === 10, '10 labels');
    assert.deepEqual(host.log.map((e) => e.itemId), items.slice(0, 10).map((i) => i.id), 'in host order, none twice');
    await page.close();
  });
});
