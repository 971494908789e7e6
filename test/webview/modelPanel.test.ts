/**
 * The model side of the panel in headless Chromium: Show Learning Curve's `reveal` (scroll, expand,
 * highlight), a curve that draws nothing below 20 scored items ("n of 20 items to score" instead)
 * and its Wilson band from 20 on, and the progress toward the stopping hint.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openWebview, WAIT_MS, webviewSuite, afterIdle } from './harness';
import type { Served } from './harness';
import { MIN_TRUSTED_EVALUATION_ITEMS, type ModelMessage, type QueueItem } from '../../src/shared/protocol';

let browser: Browser;
let served: Served;
let items: QueueItem[];

webviewSuite(40, (suite) => ({ browser, served, items } = suite));

const curve = [
  { labels: 100, accuracy: 0.75, macroF1: 0.7, evaluated: 20, low: 0.53, high: 0.89 },
  { labels: 120, accuracy: 0.83, macroF1: 0.8, evaluated: 25, low: 0.64, high: 0.93 },
];

function model(over: Partial<ModelMessage> = {}): ModelMessage {
  return {
    type: 'model', version: 4, training: false, accuracy: 0.83, macroF1: 0.8, accuracyLow: 0.64, accuracyHigh: 0.93, evaluated: 25, curve,
    counts: { related: 60, 'not related': 60 }, labeled: 120, total: 400, ...over,
  };
}

/** Pixels of the chart's canvas in the accuracy blue (#3794ff): opaque (lines, points) and translucent (the band). */
function bluePixels(page: Page): Promise<{ opaque: number; translucent: number }> {
  return page.$eval('[data-testid="chart"] canvas', (c) => {
    const canvas = c as HTMLCanvasElement;
    const ctx = canvas.getContext('2d');
    const out = { opaque: 0, translucent: 0 };
    if (!ctx || canvas.width === 0 || canvas.height === 0) return out;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i]! - 0x37) > 30 || Math.abs(data[i + 1]! - 0x94) > 30 || Math.abs(data[i + 2]! - 0xff) > 30) continue;
      if (data[i + 3]! > 200) out.opaque++;
      else if (data[i + 3]! > 30 && data[i + 3]! < 80) out.translucent++;
    }
    return out;
  });
}

const chartState = (page: Page): Promise<{ points: string | null; band: string | null; empty: string; emptyHidden: boolean }> =>
  page.$eval('[data-testid="chart"]', (node) => {
    const empty = node.querySelector('[data-testid="chart-empty"]') as HTMLElement;
    return { points: node.getAttribute('data-points'), band: node.getAttribute('data-band'), empty: empty.textContent ?? '', emptyHidden: empty.hidden };
  });

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

describe('a learning curve that draws only what 20 items support', () => {
  it('below 20 items scored: no line at all, and "n of 20 items to score" with the reason', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    // Version 3 has 7 evaluation items; an older point on 12 items is in the curve too.
    const few = { labels: 40, accuracy: 1, macroF1: 1, evaluated: 12, low: 0.76, high: 1 };
    await host.send(model({ version: 3, accuracy: undefined, macroF1: undefined, accuracyLow: undefined, accuracyHigh: undefined, evaluated: 7, curve: [few] }));
    await page.waitForSelector('[data-testid="metrics"][data-trusted="false"]');
    const metrics = page.locator('[data-testid="metrics"]');
    assert.equal(await metrics.textContent(), `7 of ${MIN_TRUSTED_EVALUATION_ITEMS} items to score`);
    assert.match((await metrics.getAttribute('title')) ?? '', /random share/);
    assert.match((await page.textContent('[data-testid="model-state"]')) ?? '', /^Model · v3 · 7 of 20 items to score$/);
    await page.waitForFunction(() => document.querySelector('[data-testid="chart"]')?.getAttribute('data-points') === '0');
    const state = await chartState(page);
    assert.deepEqual([state.points, state.band, state.emptyHidden], ['0', 'false', false]);
    assert.match(state.empty, /^7 of 20 items to score\. .*random share/);
    // Nothing is painted: no line, no point, no band.
    assert.deepEqual(await bluePixels(page), { opaque: 0, translucent: 0 });
    await page.close();
  });

  it('from 20 items: straight lines through the measured points and the Wilson band around the accuracy', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    const below = { labels: 60, accuracy: 1, macroF1: 1, evaluated: 19, low: 0.83, high: 1 };
    await host.send(model({ curve: [below, ...curve] }));
    await page.waitForFunction(() => document.querySelector('[data-testid="chart"]')?.getAttribute('data-points') === '2');
    const state = await chartState(page);
    assert.deepEqual([state.points, state.band, state.emptyHidden], ['2', 'true', true], 'the point on 19 items is left out');
    assert.equal(await page.textContent('[data-testid="metrics"]'), 'accuracy 83% (95% CI 64–93%) · macro-F1 80% on 25 items scored');
    assert.equal(await page.getAttribute('[data-testid="metrics"]', 'data-trusted'), 'true');
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="chart"] canvas') as HTMLCanvasElement | null;
      return c !== null && c.width > 0;
    });
    const pixels = await bluePixels(page);
    assert.ok(pixels.opaque > 50, `the accuracy line is drawn (${pixels.opaque} px)`);
    // The band spans 53-89% and 64-93% across the width: a large translucent area.
    assert.ok(pixels.translucent > 3000, `the band is drawn (${pixels.translucent} px)`);

    // Back below the minimum (a new dataset, say): the band and the lines go away again.
    await host.send(model({ version: 1, accuracy: undefined, macroF1: undefined, accuracyLow: undefined, accuracyHigh: undefined, evaluated: 3, curve: [] }));
    await page.waitForFunction(() => document.querySelector('[data-testid="chart"]')?.getAttribute('data-band') === 'false');
    assert.match((await chartState(page)).empty, /^3 of 20 items to score/);
    await page.close();
  });

  it('shows progress toward the stopping hint, and the hint itself when it fires', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    const message = 'Predictions still changing: κ 0.82 of 0.99 (mean over the last 3 retrains).';
    await host.send(model({ stopping: { stop: false, kappa: 0.82, threshold: 0.99, message } }));
    await page.waitForSelector('[data-testid="stopping"]:not([hidden])');
    assert.equal(await page.textContent('[data-testid="stopping"]'), message);
    assert.equal(await page.getAttribute('[data-testid="stopping"]', 'data-stop'), 'false');
    await host.send(model({ version: 5, stopping: { stop: true, kappa: 0.995, threshold: 0.99, message: 'Predictions have stabilized: more labels are unlikely to help.' } }));
    await page.waitForSelector('[data-testid="stopping"][data-stop="true"].al-stop');
    assert.match((await page.textContent('[data-testid="stopping"]')) ?? '', /stabilized/);
    // The snapshot comes with init too (a page reloaded after a hidden panel gets the host's copy).
    const { type: _model, ...state } = model({ version: 6, evaluated: 30, stopping: { stop: false, kappa: null, threshold: 0.99, message: 'Too early to judge: 1 of 3 retrains compared so far.' } });
    await host.send({ ...host.initMessage(), state });
    await page.waitForFunction(() => /Too early/.test(document.querySelector('[data-testid="stopping"]')?.textContent ?? ''));
    assert.match((await page.textContent('[data-testid="metrics"]')) ?? '', /on 30 items scored$/);
    await page.close();
  });
});
