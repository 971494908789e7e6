/**
 * "They will also try hostile item texts" (issue 4), in a real VS Code (code-server) driven by
 * Playwright. A dataset is untrusted input: its file name, its texts and the labels a user types
 * must show literally in the labeling webview, and nothing in them may run. Each payload sets a
 * window flag if it ever executes; the flag must stay unset in every frame.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { buildExtension, labelingFrame, launchWorkbench, notifications, quickInputVisible, runCommand, screenshot, waitFor, type Workbench } from './harness';

const FLAG = '__alPwned';
const run = (n: number): string => `window.${FLAG}=${n};try{parent.${FLAG}=${n};top.${FLAG}=${n}}catch(e){}`;

/** Texts chosen to break a renderer that parses HTML, templates, or trusts direction marks. */
const HOSTILE: readonly string[] = [
  `<script>${run(1)}</script>A script tag`,
  `<img src=x onerror="${run(2)}"> an image with onerror`,
  `<a href="javascript:${run(3)}">click me</a> a javascript: link`,
  `</textarea><script>${run(4)}</script> closing a textarea`,
  `<svg/onload=${run(5)}> an svg onload`,
  `<iframe srcdoc="<script>${run(6)}</script>"></iframe> an iframe srcdoc`,
  `"><style>*{display:none!important}</style><b>style injection</b>`,
  `{{constructor.constructor('${run(7)}')()}} \${${run(8)}} <%= ${run(9)} %> template strings`,
  `Right-to-left override: invoice\u202Egpj.exe and \u2067isolate\u2069 and \u200Bzero width`,
  'Emoji and combining marks: 👩‍👩‍👧‍👦 🏳️‍🌈 e\u0301 Z\u0364\u0351\u0313a\u0308\u0356 ﷽ 𝕏 \uFE0F',
  `Null-ish and control: \u0000 \u0007 \t tabs \t and\nnewlines\n\n  indented <b>not bold</b>`,
  // 200 KB: long texts scroll; nothing truncates or chokes.
  `A 200 KB text <i>still literal</i> ${'lorem ipsum dolor sit amet '.repeat(Math.ceil(200_000 / 27))}`.slice(0, 200_000),
];
/** Typed at the optional seed-terms step: exactly one item (a filler) contains it. */
const SEED_TERM = 'flood';
const FILLER = ['flood waters rise in the north', 'council approves new library budget', 'storm cuts power to thousands'];
const LABELS = ['<b>safe</b>', `<img src=x onerror=${run(12)}>`];
/** The file name is shown in the panel title and the webview too. */
const FILE_NAME = `hostile<img src=x onerror=${run(11)}>.jsonl`;

async function flagsInFrames(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const frame of page.frames()) {
    const value = await frame.evaluate((flag) => (window as unknown as Record<string, unknown>)[flag], FLAG).catch(() => undefined);
    if (value !== undefined) found.push(`${frame.url()}: ${String(value)}`);
  }
  return found;
}

function shown(frame: Frame): Promise<{ id: string; text: string; children: number; placeholder: boolean }> {
  return frame.evaluate(() => {
    const text = document.querySelector('[data-testid="item-text"]');
    return {
      id: text?.closest('[data-item-id]')?.getAttribute('data-item-id') ?? '',
      text: text?.textContent ?? '',
      children: text?.childElementCount ?? -1,
      placeholder: text?.classList.contains('al-placeholder') ?? true,
    };
  });
}


describe('hostile dataset in code-server', { timeout: 600_000 }, () => {
  let wb: Workbench | undefined;
  let dataDir: string;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'al-hostile-'));
    const file = path.join(dataDir, FILE_NAME);
    const rows = [...HOSTILE, ...FILLER].map((text, i) => JSON.stringify({ id: `h${i}`, text }));
    fs.writeFileSync(file, rows.join('\n') + '\n');
    // This suite installs the unpacked dist/: build it, so a stale build is never what is tested.
    buildExtension();
    wb = await launchWorkbench({
      files: [file],
      settings: { 'activeLabel.model': 'lexical', 'activeLabel.annotator': 'e2e-hostile' },
    });
  });

  after(async () => {
    await wb?.close();
    if (wb) fs.rmSync(wb.tmp, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('texts, labels and the file name show literally; no payload runs', async (t) => {
    const { page } = wb!;
    try {
      const expected = new Map([...HOSTILE, ...FILLER].map((text, i) => [`h${i}`, text]));
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill('hostile');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'hostile' }).first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab', { hasText: 'hostile' }).first().waitFor({ timeout: 30_000 });
      await runCommand(page, 'Active Label: Start Labeling');

      await quickInputVisible(page, 'text field');
      await page.keyboard.press('Enter');
      await quickInputVisible(page, 'labels for');
      await page.locator('.quick-input-widget .quick-input-box input').fill(LABELS.join(', '));
      await page.keyboard.press('Enter');
      await quickInputVisible(page, 'labeling mode');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Single label' }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      // Seed terms: an invalid regex is refused as it is typed, then a keyword brings its match first.
      await quickInputVisible(page, 'seed terms');
      const seedBox = page.locator('.quick-input-widget .quick-input-box input');
      await seedBox.fill('/flood(/');
      await page.locator('.quick-input-widget .quick-input-message', { hasText: 'not a valid regex' }).waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      await quickInputVisible(page, 'seed terms', 5_000);
      await seedBox.fill(SEED_TERM);
      await page.keyboard.press('Enter');

      const frame = await labelingFrame(page);
      const seen = new Set<string>();
      let current = await waitFor('the first item', async () => ((await shown(frame)).id || undefined), 120_000);
      const first = await shown(frame);
      assert.ok(first.text.includes(SEED_TERM), `the first item matches the seed term: ${JSON.stringify(first.text.slice(0, 80))}`);
      const why = await frame.locator('[data-testid="why"]').innerText();
      assert.ok(why.includes(`seed term "${SEED_TERM}"`), `"why this item" names the seed term: ${JSON.stringify(why)}`);
      const buttons = await frame.locator('[data-testid="labels"] button').allInnerTexts();
      for (const label of LABELS) {
        assert.ok(buttons.some((b) => b.includes(label)), `label ${label} shows literally on its button: ${JSON.stringify(buttons)}`);
      }
      const body = await frame.evaluate(() => document.body.innerText);
      assert.ok(body.includes(FILE_NAME), 'the file name shows literally in the panel');

      for (;;) {
        const view = await shown(frame);
        assert.equal(view.id, current);
        assert.ok(!seen.has(current), `${current} shown twice`);
        seen.add(current);
        const text = expected.get(current);
        assert.ok(text !== undefined, `unknown item ${current}`);
        assert.equal(view.children, 0, `${current}: the text is one text node, no elements`);
        // textContent keeps every character; \u0000 is the only one a browser may drop on input.
        assert.equal(view.text, text, `${current} is shown literally`);
        assert.deepEqual(await flagsInFrames(page), [], `no payload ran after showing ${current}`);
        if (current === 'h0') await screenshot(page, 'hostile-texts.png');
        await page.keyboard.press('1');
        const next = await waitFor(
          'the next item or the end of the queue',
          async () => {
            const v = await shown(frame);
            if (v.id !== '' && v.id !== current) return v.id;
            if (v.placeholder && /All .*items are labeled|Nothing more to serve/.test(v.text)) return '';
            return undefined;
          },
          30_000,
        );
        if (next === '') break;
        current = next;
      }
      assert.equal(seen.size, expected.size, 'every item was served once');
      const dom = await frame.evaluate(() => document.querySelectorAll('img, iframe, object, embed, a[href^="javascript"], textarea').length);
      assert.equal(dom, 0, 'no element from the data reached the DOM');
      assert.deepEqual(await flagsInFrames(page), []);
    } catch (error) {
      await screenshot(page, 'e2e-failure-hostile.png').catch(() => undefined);
      t.diagnostic(`notifications: ${JSON.stringify(await notifications(page))}`);
      t.diagnostic(`code-server output:\n${wb!.server.output().slice(-4000)}`);
      throw error;
    }
  });
});
