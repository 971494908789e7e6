/**
 * The prefetch queue, write states (pending / saved / saveFailed + retry), error banners, model and
 * progress display, and state restore after the page is destroyed (a hidden panel in VS Code).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openWebview, shownItem, webviewSuite } from './harness';
import type { Served } from './harness';
import type { QueueItem } from '../../src/shared/webviewProtocol';
import { PREFETCH_MIN } from '../../webview/queue';

let browser: Browser;
let served: Served;
let items: QueueItem[];

webviewSuite(60, (suite) => ({ browser, served, items } = suite));

function statusOf(page: Page, itemId: string): Promise<string | null> {
  return page.getAttribute(`.al-recent-row[data-item-id="${itemId}"]`, 'data-status');
}

describe('prefetch queue', () => {
  it(`asks for items on init and keeps at least ${PREFETCH_MIN} upcoming`, async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    const [first] = host.of('needItems');
    assert.ok(first.count > PREFETCH_MIN, `first request asks for ${first.count}`);
    for (let i = 0; i < 20; i++) await page.keyboard.press('1');
    await host.waitFor(() => host.log.length === 20, '20 labels');
    const requests = host.of('needItems');
    assert.ok(requests.length >= 2, 'asked again as the queue ran low');
    for (const request of requests.slice(1)) {
      // Never asks for an item it already holds or has labeled this session.
      const labeled = new Set(host.log.map((e) => e.itemId));
      assert.ok(request.exclude.length > 0);
      assert.ok([...labeled].some((id) => request.exclude.includes(id)));
    }
    assert.deepEqual(host.log.map((e) => e.itemId), items.slice(0, 20).map((i) => i.id), 'items arrive in the host order, none twice');
    await page.close();
  });

  it('shows the next item on a keypress before the host answers anything', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    host.saves = 'hold';
    host.answerItems = false;
    const sentBefore = host.sent.length;
    const needBefore = host.of('needItems').length;
    // 9 keys: the queue runs low on the way (a held needItems), and items keep coming from the prefetch.
    for (let i = 0; i < 9; i++) {
      await page.keyboard.press('2');
      const shown = await shownItem(page);
      assert.equal(shown.id, items[i + 1].id);
      assert.equal(shown.text, items[i + 1].text);
    }
    assert.equal(host.sent.length, sentBefore, 'the host sent nothing in between');
    assert.equal(host.of('label').length, 9);
    assert.ok(host.of('needItems').length > needBefore, 'asked for more on the way');
    assert.equal(host.heldCount(), 9 + host.of('needItems').length - needBefore, 'every write and items request waits unanswered');
    // Each sample is recorded in the frame that paints the item; the last frame may still be due.
    await page.waitForFunction(() => (window.__activeLabelLatency ?? []).length >= 9, undefined, { timeout: 5000 });
    const latency = await page.evaluate(() => window.__activeLabelLatency ?? []);
    assert.equal(latency.length, 9);
    for (const ms of latency) assert.ok(ms > 0 && ms < 250, `latency ${ms} ms`);
    await host.release();
    await page.close();
  });

  it('shows a placeholder, not a stale item, when the pool is exhausted', async () => {
    const few = items.slice(0, 3);
    const { page, host } = await openWebview(browser, served.url, { items: few });
    for (let i = 0; i < 3; i++) await page.keyboard.press('1');
    await host.waitFor(() => host.log.length === 3, 'three labels');
    assert.equal((await shownItem(page)).id, '');
    assert.match((await shownItem(page)).text, /Nothing left in the queue/);
    await page.keyboard.press('1');
    await page.waitForTimeout(50);
    assert.equal(host.of('label').length, 3);
    await page.close();
  });
});

describe('write states', () => {
  it('shows a label as pending until the host confirms, then as saved', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    host.saves = 'hold';
    await page.keyboard.press('1');
    await host.waitFor(() => host.heldCount() === 1, 'held write');
    assert.equal(await statusOf(page, items[0].id), 'pending');
    assert.match((await page.textContent(`.al-recent-row[data-item-id="${items[0].id}"]`)) ?? '', /pending/);
    await host.release();
    await page.waitForSelector(`.al-recent-row[data-item-id="${items[0].id}"][data-status="saved"]`);
    await page.close();
  });

  it('on saveFailed says NOT saved, keeps it pending with Retry, and retry resends the same request', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    host.saves = 'fail';
    await page.keyboard.press('2');
    const banner = page.locator('[data-testid="save-failed"]');
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /NOT saved: EACCES: permission denied/);
    assert.equal(await statusOf(page, items[0].id), 'failed');
    assert.equal(host.log.length, 0);
    const firstRequest = host.of('label')[0].requestId;
    host.saves = 'save';
    await banner.locator('button[data-action="retry-write"]').click();
    await banner.waitFor({ state: 'detached' });
    await page.waitForSelector(`.al-recent-row[data-item-id="${items[0].id}"][data-status="saved"]`);
    assert.deepEqual(host.of('label').map((m) => m.requestId), [firstRequest, firstRequest]);
    assert.equal(host.log.length, 1);
    await page.close();
  });

  it('undo of a label that failed to save sends no undo (nothing is on disk)', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    host.saves = 'fail';
    await page.keyboard.press('1');
    await page.locator('[data-testid="save-failed"]').waitFor();
    await page.keyboard.press('Backspace');
    await page.locator('[data-testid="save-failed"]').waitFor({ state: 'detached' });
    assert.equal((await shownItem(page)).id, items[0].id);
    assert.equal(host.of('undo').length, 0);
    await page.close();
  });
});

describe('host state display', () => {
  it('shows error banners with action buttons that reach the host, and dismisses them', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    await host.send({
      type: 'error',
      message: 'Could not load the model Xenova/all-MiniLM-L6-v2: network unreachable',
      actions: [{ id: 'chooseModelFolder', title: 'Choose local model folder' }, { id: 'useLexical', title: 'Use lexical embeddings' }, { id: 'retry', title: 'Retry' }],
    });
    const banner = page.locator('[data-testid="error-banner"]');
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /Could not load the model/);
    await banner.locator('button[data-action="useLexical"]').click();
    await banner.locator('button[data-action="retry"]').click();
    await host.waitFor(() => host.of('errorAction').length === 1 && host.of('retry').length === 1, 'actions');
    assert.equal(host.of('errorAction')[0].actionId, 'useLexical');
    // Keys still work while a banner is up.
    await page.keyboard.press('1');
    await host.waitFor(() => host.of('label').length === 1, 'label with banner');
    await banner.locator('button', { hasText: 'Dismiss' }).click();
    await banner.waitFor({ state: 'detached' });
    await page.click('[data-testid="settings"]');
    await page.click('[data-testid="strategy"]');
    await host.waitFor(() => host.of('openSettings').length === 1 && host.of('chooseStrategy').length === 1, 'header buttons');
    await page.close();
  });

  it('shows model state, counts, progress, the learning curve and the stopping hint', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    assert.match((await page.textContent('[data-testid="model-state"]')) ?? '', /No model yet/);
    await host.send({ type: 'progress', phase: 'embedding', done: 4210, total: 10000, itemsPerSecond: 85, etaSeconds: 92 });
    await page.waitForSelector('[data-testid="engine-progress"]');
    assert.match((await page.textContent('[data-testid="engine-progress"]')) ?? '', /Embedding 4,210\/10,000 · 85\/s · ETA 1m 32s/);
    const curve = [
      { labels: 10, accuracy: 0.61, macroF1: 0.52 },
      { labels: 20, accuracy: 0.7, macroF1: 0.63 },
      { labels: 30, accuracy: 0.78, macroF1: 0.71 },
    ];
    await host.send({ type: 'model', version: 3, training: true, accuracy: 0.78, macroF1: 0.71, curve, counts: { related: 12, 'not related': 18 }, labeled: 30, total: 60, stopping: 'Accuracy flat for 30 labels: consider stopping' });
    await host.send({ type: 'progress', phase: 'idle', done: 0, total: 0, itemsPerSecond: 0, etaSeconds: -1 });
    await page.waitForSelector('[data-testid="engine-progress"]', { state: 'detached' });
    assert.match((await page.textContent('[data-testid="model-state"]')) ?? '', /Training… · v3 · accuracy 78% · macro-F1 71%/);
    assert.match((await page.textContent('[data-testid="progress"]')) ?? '', /30 \/ 60 labeled/);
    assert.match((await page.textContent('.al-count[data-label="not related"]')) ?? '', /18/);
    assert.match((await page.textContent('[data-testid="stopping"]')) ?? '', /consider stopping/);
    const canvas = await page.$eval('[data-testid="chart"] canvas', (c) => ({ w: (c as HTMLCanvasElement).width, h: (c as HTMLCanvasElement).height }));
    assert.ok(canvas.w > 0 && canvas.h > 0);
    // Chart.js draws on a canvas: check some pixels were drawn in the accuracy color (#3794ff).
    const painted = await page.$eval('[data-testid="chart"] canvas', (c) => {
      const ctx = (c as HTMLCanvasElement).getContext('2d');
      if (!ctx) return 0;
      const data = ctx.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - 0x37) < 30 && Math.abs(data[i + 1] - 0x94) < 30 && Math.abs(data[i + 2] - 0xff) < 30 && data[i + 3] > 200) n++;
      return n;
    });
    assert.ok(painted > 20, `accuracy line drawn (${painted} px)`);
    await page.close();
  });

  it('reports an invalid host message instead of silently dropping it', async () => {
    const { page } = await openWebview(browser, served.url, { items });
    await page.evaluate(() => window.postMessage({ type: 'saved', requestId: 42 }, '*'));
    await page.waitForSelector('.al-warning');
    assert.match((await page.textContent('.al-warning')) ?? '', /saved\.requestId must be a string/);
    await page.close();
  });
});

describe('state restore', () => {
  it('a reloaded page resumes the same item, queue and history from setState, and resends pending writes', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    for (const key of ['1', '2', ' ']) await page.keyboard.press(key);
    await host.waitFor(() => host.log.length === 2, 'two labels');
    host.saves = 'hold';
    await page.keyboard.press('1');
    await host.waitFor(() => host.heldCount() === 1, 'held label');
    const pendingId = host.of('label')[2].requestId;
    const before = await shownItem(page);
    assert.equal(before.id, items[4].id);
    await page.waitForTimeout(30);
    host.saves = 'save';
    const needBefore = host.of('needItems').length;
    await page.reload();
    await host.waitFor(() => host.of('ready').length === 2, 'second ready');
    assert.equal(host.of('ready')[1].restored, true);
    await page.waitForSelector(`.al-card[data-item-id="${before.id}"]`);
    assert.equal((await shownItem(page)).text, before.text);
    // The label that was in flight is resent with the same requestId and confirmed once.
    await host.waitFor(() => host.of('label').filter((m) => m.requestId === pendingId).length === 2, 'resent pending write');
    await page.waitForSelector(`.al-recent-row[data-item-id="${items[3].id}"][data-status="saved"]`);
    assert.equal(host.log.length, 3);
    // Prefetched items survived: no new request was needed to show the next ones.
    assert.equal(host.of('needItems').length, needBefore);
    await page.keyboard.press('ArrowLeft');
    assert.equal((await shownItem(page)).id, items[3].id);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('2');
    await host.waitFor(() => host.log.length === 4, 'label after restore');
    assert.equal(host.log[3].itemId, items[4].id);
    await page.close();
  });
});
