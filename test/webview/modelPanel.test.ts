/**
 * The model side of the panel in headless Chromium: Show Learning Curve's `reveal` (scroll, expand,
 * highlight) and accuracy figures that say how many held-out items they rest on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openWebview, WAIT_MS, webviewSuite, afterIdle } from './harness';
import type { Served } from './harness';
import { MIN_TRUSTED_EVALUATION_ITEMS, TOO_FEW_EVALUATION_ITEMS, type ModelMessage, type QueueItem } from '../../src/shared/protocol';

let browser: Browser;
let served: Served;
let items: QueueItem[];

webviewSuite(40, (suite) => ({ browser, served, items } = suite));

const curve = [
  { labels: 10, accuracy: 0.5, macroF1: 0.33, evaluated: 1 },
  { labels: 20, accuracy: 1, macroF1: 1, evaluated: 2 },
  { labels: 60, accuracy: 0.72, macroF1: 0.7, evaluated: 6 },
  { labels: 120, accuracy: 0.83, macroF1: 0.8, evaluated: 12 },
];

function model(over: Partial<ModelMessage> = {}): ModelMessage {
  return { type: 'model', version: 4, training: false, accuracy: 0.83, macroF1: 0.8, evaluated: 12, curve, counts: { related: 60, 'not related': 60 }, labeled: 120, total: 400, ...over };
}

/** Where the chart section is, relative to the viewport. */
function chartBox(page: Page): Promise<{ top: number; bottom: number; height: number; viewport: number; open: boolean; highlighted: boolean; canvas: number }> {
  return page.$eval('[data-testid="chart"]', (node) => {
    const rect = node.getBoundingClientRect();
    return {
      top: rect.top,
      bottom: rect.bottom,
      height: rect.height,
      viewport: window.innerHeight,
      open: (node as HTMLDetailsElement).open,
      highlighted: node.classList.contains('al-highlight'),
      canvas: node.querySelector('canvas')?.getBoundingClientRect().height ?? 0,
    };
  });
}

describe('Show Learning Curve (reveal)', () => {
  it('in a narrow panel the curve starts collapsed below the item; reveal expands it, scrolls to it and highlights it', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    await page.setViewportSize({ width: 520, height: 420 });
    await page.reload();
    await host.waitFor(() => host.of('ready').length === 2, 'ready after reload');
    await page.waitForSelector('.al-card[data-item-id]:not([data-item-id=""])', { timeout: WAIT_MS });
    await host.send(model());
    await afterIdle(page);
    const before = await chartBox(page);
    assert.equal(before.open, false, 'collapsed in a narrow layout, so the item keeps the room');
    assert.ok(before.top >= before.viewport, `below the fold (${before.top} >= ${before.viewport})`);
    assert.equal(before.highlighted, false);

    await host.send({ type: 'reveal', section: 'chart' });
    await page.waitForFunction(() => {
      const node = document.querySelector('[data-testid="chart"]');
      const rect = node?.getBoundingClientRect();
      return rect !== undefined && rect.top >= 0 && rect.bottom <= window.innerHeight;
    }, undefined, { timeout: WAIT_MS });
    const after = await chartBox(page);
    assert.equal(after.open, true);
    assert.equal(after.highlighted, true);
    assert.ok(after.canvas > 50, `the chart has room to draw (${after.canvas}px)`);
    // Keys still label items after the scroll: reveal does not steal focus.
    await page.keyboard.press('1');
    await host.waitFor(() => host.of('label').length === 1, 'label after reveal');
    // The highlight fades: it is a pointer, not a state.
    await page.waitForFunction(() => !document.querySelector('[data-testid="chart"]')?.classList.contains('al-highlight'), undefined, { timeout: WAIT_MS });
    await page.close();
  });

  it('in a wide panel the curve is open from the start and reveal only highlights it', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    await host.send(model());
    await afterIdle(page);
    assert.equal((await chartBox(page)).open, true);
    await host.send({ type: 'reveal', section: 'chart' });
    await page.waitForSelector('[data-testid="chart"].al-highlight');
    const box = await chartBox(page);
    assert.ok(box.top >= 0 && box.bottom <= box.viewport);
    assert.deepEqual(host.invalid, []);
    await page.close();
  });
});

describe('accuracy with its held-out count', () => {
  it('names the held-out items; below the minimum it is greyed with a tooltip saying why', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    await host.send(model());
    await afterIdle(page);
    const metrics = page.locator('[data-testid="metrics"]');
    assert.equal(await metrics.textContent(), 'accuracy 83% · macro-F1 80% on 12 held-out items');
    assert.equal(await metrics.getAttribute('data-trusted'), 'true');
    assert.equal(await metrics.getAttribute('title'), null);
    const trustedOpacity = await metrics.evaluate((n) => getComputedStyle(n).opacity);

    await host.send(model({ version: 2, accuracy: 1, macroF1: 1, evaluated: 2, labeled: 20, curve: curve.slice(0, 2) }));

    await afterIdle(page);
    await page.waitForSelector('[data-testid="metrics"][data-trusted="false"]');
    assert.ok(2 < MIN_TRUSTED_EVALUATION_ITEMS);
    assert.equal(await metrics.textContent(), 'accuracy 100% · macro-F1 100% on 2 held-out items');
    assert.equal(await metrics.getAttribute('title'), TOO_FEW_EVALUATION_ITEMS);
    const greyedOpacity = await metrics.evaluate((n) => getComputedStyle(n).opacity);
    assert.ok(Number(greyedOpacity) < Number(trustedOpacity), `greyed (${greyedOpacity} < ${trustedOpacity})`);
    assert.match((await page.textContent('[data-testid="model-state"]')) ?? '', /^Model · v2 · accuracy 100%/);

    await host.send(model({ evaluated: 1, accuracy: 0, macroF1: 0 }));

    await afterIdle(page);
    // The side panel is painted in idle time, after the frame: wait for it.
    await page.waitForFunction(() => /on 1 held-out item$/.test(document.querySelector('[data-testid="metrics"]')?.textContent ?? ''));
    assert.equal(await metrics.textContent(), 'accuracy 0% · macro-F1 0% on 1 held-out item');
    // The count comes with init too (a page reloaded after a hidden panel gets the host's snapshot).
    const { type: _model, ...state } = model({ evaluated: 30 });
    await host.send({ ...host.initMessage(), state });
    await page.waitForSelector('[data-testid="metrics"][data-trusted="true"]');
    assert.match((await metrics.textContent()) ?? '', /on 30 held-out items$/);
    await page.close();
  });
});
