/**
 * Hostile item texts: a dataset is untrusted input. Every payload sets a window flag if it ever
 * runs; the test proves none does, that no element is created from the text, that the text is shown
 * literally, and that the page runs under its CSP without a single violation (Chart.js included).
 * It also takes the webview screenshot for the docs, in VS Code's dark theme colors.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertHostsClean, loadHeadlines, launch, openWebview, serveWebview, shownItem } from './harness';
import type { Served } from './harness';
import type { QueueItem } from '../../src/shared/protocol';

const PAYLOADS = [
  '<script>window.__xss = "script"</script>',
  '<img src=x onerror="window.__xss = \'img\'">',
  '<a href="javascript:window.__xss = \'link\'">click me</a>',
  '</textarea><script>window.__xss = "textarea"</script>',
  '<svg onload="window.__xss = \'svg\'"><circle r="5"/></svg>',
  '"><iframe srcdoc="<script>parent.__xss = \'iframe\'</script>"></iframe>',
  "'><body onload=window.__xss='body'>",
  '<style>*{display:none}</style><div style="background:url(javascript:window.__xss=1)">css</div>',
  '{{constructor.constructor("window.__xss = \'template\'")()}}',
  '\u202Eevil\u202C <b>bold</b> &lt;escaped&gt; &amp;',
];

let browser: Browser;
let served: Served;

before(async () => {
  [browser, served] = await Promise.all([launch(), serveWebview()]);
});
afterEach(assertHostsClean);
after(async () => {
  await browser?.close();
  await served?.close();
});

describe('XSS corpus in item texts', () => {
  it('renders every payload literally and executes none', async () => {
    const items: QueueItem[] = PAYLOADS.map((text, i) => ({
      id: `xss-${i}`,
      text,
      // Hostile strings in every field that reaches the screen, not only the text.
      prediction: { label: '<img src=x onerror="window.__xss=\'pred\'">', confidence: 0.5 },
      reason: { strategy: '<script>window.__xss="strategy"</script>', score: 0.5, cluster: i + 1, detail: '<img src=x onerror="window.__xss=\'detail\'">' },
    }));
    const labels = ['<b onmouseover="window.__xss=1">bold</b>', 'plain'];
    const { page, host } = await openWebview(browser, served.url, { items, labels });
    // The label buttons, while an item is on screen (an end state hands their keys to its actions).
    const labelTexts = await page.evaluate(() => Array.from(document.querySelectorAll('button.al-label')).map((b) => b.textContent));
    assert.ok(labelTexts[0]?.includes('<b onmouseover="window.__xss=1">bold</b>'), 'a hostile label name is shown as text');
    for (let i = 0; i < PAYLOADS.length; i++) {
      const shown = await shownItem(page);
      assert.equal(shown.id, `xss-${i}`);
      assert.equal(shown.text, PAYLOADS[i], 'shown literally, character for character');
      await page.hover('button.al-label >> nth=0');
      await page.keyboard.press('2');
    }
    await host.waitFor(() => host.log.length === PAYLOADS.length, 'all labeled');
    // Error and notice texts are host strings built from file names and messages: also text only.
    // (Action titles are the page's own, from ERROR_ACTIONS: a host cannot send one.)
    await host.send({ type: 'error', kind: 'dataset', message: '<img src=x onerror="window.__xss=\'error\'">', actions: ['openSettings', 'retry'] });
    await host.send({ type: 'notice', message: '<svg onload="window.__xss=\'notice\'">' });
    await page.waitForSelector('[data-testid="error-banner"]');
    // The recent list is painted in idle time: wait for it, not for a fixed delay.
    await page.waitForFunction(() => (document.querySelector('[data-testid="recent"]')?.textContent ?? '').includes('<svg onload='));
    const result = await page.evaluate(() => {
      const root = document.getElementById('active-label-root');
      const w = window as unknown as Record<string, unknown>;
      return {
        flag: w.__xss,
        elements: root ? root.querySelectorAll('script, img, iframe, svg, a, style, textarea, b').length : -1,
        scripts: document.scripts.length,
        recent: document.querySelector('[data-testid="recent"]')?.textContent ?? '',
        card: document.querySelector('.al-card')?.textContent ?? '',
        banner: document.querySelector('[data-testid="error-banner"]')?.textContent ?? '',
        violations: w.__alCspViolations,
      };
    });
    assert.equal(result.flag, undefined, 'no payload ran');
    assert.equal(result.elements, 0, 'no element was created from data');
    assert.equal(result.scripts, 1, 'only our own bundle is a script');
    assert.ok(result.recent.includes('<svg onload='), 'history shows the text literally');
    assert.ok(result.card.includes('<img src=x onerror='), 'the end state quotes the error as text');
    assert.ok(result.banner.includes('<img src=x onerror='));
    assert.deepEqual(result.violations, [], 'nothing even tried to break the CSP');
    await page.close();
  });

  it('the page carries the strict CSP with a nonce', async () => {
    const { page } = await openWebview(browser, served.url, { items: (await loadHeadlines(10)).slice(0, 5) });
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.match(csp ?? '', /default-src 'none'; script-src 'nonce-[0-9a-f]+'; style-src http:\/\/127\.0\.0\.1:\d+ 'nonce-[0-9a-f]+'/);
    // An inline script without the nonce is refused by the browser.
    const ran = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 50));
      return (window as unknown as Record<string, unknown>).__inline;
    });
    assert.equal(ran, undefined);
    await page.close();
  });
});

describe('long texts', () => {
  it('keep their whitespace and scroll inside the card', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}:\tindented   spaced`).join('\n');
    const items: QueueItem[] = [{ id: 'long', text: lines, reason: { strategy: 'random', score: 0 } }, { id: 'next', text: 'short', reason: { strategy: 'random', score: 0 } }];
    const { page } = await openWebview(browser, served.url, { items });
    const box = await page.$eval('[data-testid="item-text"]', (node) => ({
      whiteSpace: getComputedStyle(node).whiteSpace,
      overflowY: getComputedStyle(node).overflowY,
      scrolls: node.scrollHeight > node.clientHeight,
      text: node.textContent,
      pageScrolls: document.documentElement.scrollHeight > window.innerHeight + 1,
    }));
    assert.equal(box.whiteSpace, 'pre-wrap');
    assert.equal(box.overflowY, 'auto');
    assert.ok(box.scrolls, 'the text box scrolls');
    assert.equal(box.text, lines);
    assert.equal(box.pageScrolls, false, 'the page itself does not grow');
    await page.close();
  });
});

describe('screenshot', () => {
  it('saves docs/screenshots/webview-queue.png in the dark theme', async () => {
    const items = await loadHeadlines(40);
    const { page, host } = await openWebview(browser, served.url, { items });
    for (const key of ['1', '2', '2', '1', '2']) await page.keyboard.press(key);
    await host.waitFor(() => host.log.length === 5, 'five labels');
    host.saves = 'hold';
    await page.keyboard.press('2');
    await host.send({
      type: 'model', version: 4, training: false, accuracy: 0.83, macroF1: 0.74,
      curve: [
        { labels: 10, accuracy: 0.62, macroF1: 0.48, evaluated: 20, low: 0.41, high: 0.8 },
        { labels: 20, accuracy: 0.71, macroF1: 0.6, evaluated: 21, low: 0.5, high: 0.86 },
        { labels: 30, accuracy: 0.77, macroF1: 0.68, evaluated: 22, low: 0.57, high: 0.9 },
        { labels: 40, accuracy: 0.81, macroF1: 0.72, evaluated: 24, low: 0.62, high: 0.92 },
        { labels: 50, accuracy: 0.83, macroF1: 0.74, evaluated: 25, low: 0.65, high: 0.93 },
      ],
      counts: { related: 14, 'not related': 36 }, labeled: 50, total: 1200,
      stopping: { stop: false, kappa: 0.82, threshold: 0.99, message: 'Predictions still changing: κ 0.82 of 0.99 (mean over the last 3 retrains).' },
    });
    await host.send({ type: 'progress', phase: 'training', done: 3, total: 10, itemsPerSecond: 0, etaSeconds: 4 });
    // The side panel is painted in idle time; the screenshot waits for it.
    await page.waitForFunction(() => /v4/.test(document.querySelector('[data-testid="model-state"]')?.textContent ?? ''));
    await page.waitForSelector('[data-testid="engine-progress"]');
    const out = path.resolve(__dirname, '../../docs/screenshots/webview-queue.png');
    await page.screenshot({ path: out });
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(31, 31, 31)', 'dark theme variables applied');
    await host.release();
    await page.close();
  });
});
