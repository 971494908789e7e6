/**
 * The keyboard map, in a real browser against the fake host: every key, in single, binary and
 * multi mode, plus the focus cases VS Code webviews get wrong (microsoft/vscode#85879).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { openWebview, shownItem, webviewSuite } from './harness';
import type { Served } from './harness';
import type { QueueItem } from '../../src/shared/protocol';

let browser: Browser;
let served: Served;
let items: QueueItem[];

webviewSuite(40, (suite) => ({ browser, served, items } = suite));

describe('single mode keys', () => {
  it('number keys label the item on screen and advance to the next one', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    const first = await shownItem(page);
    assert.equal(first.id, items[0].id);
    assert.equal(first.text, items[0].text);
    await page.keyboard.press('2');
    await host.waitFor(() => host.of('label').length === 1, 'label');
    const [label] = host.of('label');
    // No `reason`: the engine knows why it served the item (the harness refuses unknown fields).
    assert.deepEqual(label, { type: 'label', requestId: label.requestId, itemId: items[0].id, labels: ['not related'], source: 'queue' });
    assert.equal((await shownItem(page)).id, items[1].id);
    await page.keyboard.press('1');
    await host.waitFor(() => host.of('label').length === 2, 'second label');
    assert.deepEqual(host.of('label')[1].labels, ['related']);
    // '3' is not bound with two labels: nothing happens.
    await page.keyboard.press('3');
    await host.sync();
    assert.equal(host.of('label').length, 2);
    assert.equal((await shownItem(page)).id, items[2].id);
    assert.deepEqual(host.invalid, []);
    await page.close();
  });

  it('Enter confirms the prediction; without one it labels nothing and says so', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    assert.ok(items[0].prediction && items[1].prediction && !items[2].prediction);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await host.waitFor(() => host.of('label').length === 2, 'two labels');
    assert.deepEqual(host.of('label').map((m) => m.labels[0]), [items[0].prediction?.label, items[1].prediction?.label]);
    assert.equal((await shownItem(page)).id, items[2].id);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="notice"]');
    assert.equal(host.of('label').length, 2);
    assert.equal((await shownItem(page)).id, items[2].id);
    await page.close();
  });

  it('space skips, f flags, backspace undoes the last label and shows that item again', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    await page.keyboard.press(' ');
    // A skip is a write too: in the log, and saved in Recent once the host says so.
    await host.waitFor(() => host.log.length === 1, 'skip saved');
    assert.deepEqual(host.log.map((e) => [e.type, e.itemId]), [['skip', items[0].id]]);
    await page.waitForSelector(`.al-recent-row[data-item-id="${items[0].id}"][data-status="saved"]`);
    // A flag is a write: it is in the log and shows as saved once the host says so.
    await page.keyboard.press('f');
    await host.waitFor(() => host.of('flag').length === 1, 'flag');
    assert.equal(host.of('flag')[0].itemId, items[1].id);
    await page.waitForSelector(`.al-recent-row[data-item-id="${items[1].id}"][data-status="saved"]`);
    await page.keyboard.press('1');
    await host.waitFor(() => host.log.length === 3, 'label saved');
    assert.equal((await shownItem(page)).id, items[3].id);
    await page.keyboard.press('Backspace');
    await host.waitFor(() => host.of('undo').length === 1, 'undo');
    assert.equal(host.of('undo')[0].itemId, items[2].id);
    assert.equal((await shownItem(page)).id, items[2].id);
    // Relabel after undo, then the queue continues where it was.
    await page.keyboard.press('2');
    await host.waitFor(() => host.log.length === 5, 'relabel saved');
    assert.deepEqual(host.log.map((e) => [e.type, e.itemId]), [['skip', items[0].id], ['flag', items[1].id], ['label', items[2].id], ['undo', items[2].id], ['label', items[2].id]]);
    assert.equal((await shownItem(page)).id, items[3].id);
    // Backspace after a skip undoes the skip in the log and brings the item back.
    await page.keyboard.press(' ');
    await page.keyboard.press('Backspace');
    await host.waitFor(() => host.log.length === 7, 'skip and its undo saved');
    assert.equal((await shownItem(page)).id, items[3].id);
    assert.deepEqual(host.log.slice(5).map((e) => [e.type, e.itemId]), [['skip', items[3].id], ['undo', items[3].id]]);
    await page.close();
  });

  it('backspace after a flag sends an undo write for it, and the flag leaves the log', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    await page.keyboard.press('f');
    await host.waitFor(() => host.log.length === 1, 'flag saved');
    await page.keyboard.press('Backspace');
    await host.waitFor(() => host.log.length === 2, 'undo saved');
    const [flag] = host.of('flag');
    const [undo] = host.of('undo');
    assert.deepEqual([flag.itemId, undo.itemId], [items[0].id, items[0].id]);
    assert.notEqual(undo.requestId, flag.requestId);
    assert.deepEqual(host.log.map((e) => [e.type, e.itemId]), [['flag', items[0].id], ['undo', items[0].id]]);
    assert.equal((await shownItem(page)).id, items[0].id);
    await page.close();
  });

  it('? toggles the shortcut overlay listing the keymap; Escape closes it; keys are inert under it', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    await page.keyboard.press('?');
    const overlay = page.locator('[data-testid="overlay"]');
    await overlay.waitFor();
    const text = await overlay.textContent();
    for (const expected of ['Label “related”', 'Label “not related”', 'Skip this item', 'Undo the last action', 'Confirm the predicted label']) {
      assert.ok(text?.includes(expected), `overlay lists ${expected}`);
    }
    await page.keyboard.press('1');
    await host.sync();
    assert.equal(host.of('label').length, 0);
    await page.keyboard.press('Escape');
    await overlay.waitFor({ state: 'detached' });
    await page.keyboard.press('?');
    await overlay.waitFor();
    await page.keyboard.press('?');
    await overlay.waitFor({ state: 'detached' });
    await page.keyboard.press('1');
    await host.waitFor(() => host.of('label').length === 1, 'label after overlay closed');
    await page.close();
  });

  it('leaves modified keys to VS Code, ignores key repeat and typing in inputs', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    for (const combo of ['Control+1', 'Meta+1', 'Alt+1', 'Control+Enter', 'Control+Backspace']) await page.keyboard.press(combo);
    await page.evaluate(() => window.dispatchEvent(new KeyboardEvent('keydown', { key: '1', repeat: true, bubbles: true })));
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.id = 'probe';
      document.body.appendChild(input);
    });
    await page.focus('#probe');
    await page.keyboard.type('12 f');
    assert.equal(await page.inputValue('#probe'), '12 f');
    await host.sync();
    assert.equal(host.of('label').length + host.of('skip').length + host.of('flag').length + host.of('undo').length, 0);
    assert.equal((await shownItem(page)).id, items[0].id);
    await page.close();
  });

  it('clicking a label button works and does not leave focus on the button', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    await page.click('button.al-label[data-label="related"]');
    await host.waitFor(() => host.of('label').length === 1, 'label by click');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'active-label-root');
    await page.keyboard.press('Enter');
    await host.waitFor(() => host.of('label').length === 2, 'label by Enter');
    assert.equal(host.of('label')[1].itemId, items[1].id);
    await page.close();
  });
});

describe('history navigation', () => {
  it('← and → move through recent items; a label key relabels with source edit', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    for (const key of ['1', '2', '1']) await page.keyboard.press(key);
    await host.waitFor(() => host.log.length === 3, 'three labels');
    await page.waitForSelector(`.al-recent-row[data-item-id="${items[2].id}"][data-status="saved"]`);
    await page.keyboard.press('ArrowLeft');
    assert.equal((await shownItem(page)).id, items[2].id);
    assert.match((await page.textContent('[data-testid="item-meta"]')) ?? '', /History 3 of 3 · labeled related \(saved\)/);
    await page.keyboard.press('ArrowLeft');
    assert.equal((await shownItem(page)).id, items[1].id);
    await page.keyboard.press('ArrowRight');
    assert.equal((await shownItem(page)).id, items[2].id);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('1');
    await host.waitFor(() => host.log.length === 4, 'edit');
    assert.deepEqual(host.log[3], { requestId: host.log[3].requestId, type: 'label', itemId: items[1].id, labels: ['related'], source: 'edit' });
    // After the edit, the view moves forward one step (to item 2), then → returns to the queue.
    assert.equal((await shownItem(page)).id, items[2].id);
    await page.keyboard.press('ArrowRight');
    assert.equal((await shownItem(page)).id, items[3].id);
    await page.keyboard.press('ArrowRight');
    assert.equal((await shownItem(page)).id, items[3].id);
    await page.close();
  });
});

describe('binary and multi modes', () => {
  it('binary: a accepts and x rejects the label asked about; number keys do nothing', async () => {
    const { page, host } = await openWebview(browser, served.url, { items, labels: ['related'], mode: 'binary' });
    assert.match((await page.textContent('[data-testid="labels"]')) ?? '', /Is this "related"\?/);
    await page.keyboard.press('1');
    await page.keyboard.press('a');
    await page.keyboard.press('x');
    await page.keyboard.press('A');
    await host.waitFor(() => host.of('label').length === 3, 'three answers');
    assert.deepEqual(host.of('label').map((m) => [m.itemId, m.labels, m.answer]), [
      [items[0].id, ['related'], 'accept'],
      [items[1].id, ['related'], 'reject'],
      [items[2].id, ['related'], 'accept'],
    ]);
    await page.close();
  });

  it('multi: number keys toggle, Enter submits the toggled labels', async () => {
    const labels = ['flood', 'fire', 'war'];
    const { page, host } = await openWebview(browser, served.url, { items, labels, mode: 'multi' });
    await page.keyboard.press('1');
    await page.keyboard.press('3');
    await page.keyboard.press('2');
    await page.keyboard.press('2');
    assert.deepEqual(await page.$$eval('button.al-label.al-active', (nodes) => nodes.map((n) => n.getAttribute('data-label'))), ['flood', 'war']);
    assert.equal(host.of('label').length, 0);
    assert.equal((await shownItem(page)).id, items[0].id);
    await page.keyboard.press('Enter');
    await host.waitFor(() => host.of('label').length === 1, 'multi label');
    assert.deepEqual(host.of('label')[0].labels, ['flood', 'war']);
    assert.equal(await page.$$eval('button.al-label.al-active', (nodes) => nodes.length), 0);
    await page.close();
  });
});

describe('labels 11-20', () => {
  const labels = Array.from({ length: 14 }, (_, i) => `topic ${i + 1}`);

  it('Shift+1..Shift+4 pick labels 11-14, on the physical key whatever it types; hints show ⇧1', async () => {
    const { page, host } = await openWebview(browser, served.url, { items, labels });
    const hints = await page.$$eval('button.al-label', (nodes) => nodes.map((n) => [n.getAttribute('data-label'), n.querySelector('kbd')?.textContent, n.getAttribute('aria-keyshortcuts')]));
    assert.deepEqual(hints.slice(8, 14), [
      ['topic 9', '9', '9'],
      ['topic 10', '0', '0'],
      ['topic 11', '⇧1', 'Shift+1'],
      ['topic 12', '⇧2', 'Shift+2'],
      ['topic 13', '⇧3', 'Shift+3'],
      ['topic 14', '⇧4', 'Shift+4'],
    ]);
    // Playwright types US layout: Shift+Digit1 arrives as key '!', code 'Digit1'.
    await page.keyboard.press('Shift+Digit1');
    await host.waitFor(() => host.of('label').length === 1, 'label 11');
    await page.keyboard.press('Shift+Digit4');
    await host.waitFor(() => host.of('label').length === 2, 'label 14');
    // Another layout's Shift+2 ('"' on German QWERTZ) is still label 12: the physical key counts.
    await page.evaluate(() => window.dispatchEvent(new KeyboardEvent('keydown', { key: '"', code: 'Digit2', shiftKey: true, bubbles: true })));
    await host.waitFor(() => host.of('label').length === 3, 'label 12');
    // Plain digits are still labels 1-10, and a layout that types digits with Shift (AZERTY) gets those.
    await page.keyboard.press('0');
    await page.evaluate(() => window.dispatchEvent(new KeyboardEvent('keydown', { key: '3', code: 'Digit3', shiftKey: true, bubbles: true })));
    await host.waitFor(() => host.of('label').length === 5, 'labels 10 and 3');
    assert.deepEqual(host.of('label').map((m) => m.labels[0]), ['topic 11', 'topic 14', 'topic 12', 'topic 10', 'topic 3']);
    assert.deepEqual(host.of('label').map((m) => m.itemId), items.slice(0, 5).map((i) => i.id));
    // Shift+5 is not bound with 14 labels, and '?' (Shift+/) still opens the overlay.
    await page.keyboard.press('Shift+Digit5');
    await host.sync();
    assert.equal(host.of('label').length, 5);
    await page.keyboard.press('?');
    const overlay = await page.locator('[data-testid="overlay"]').textContent();
    assert.match(overlay ?? '', /⇧4Label “topic 14”/);
    assert.doesNotMatch(overlay ?? '', /⇧5/);
    await page.close();
  });

  it('multi mode: Shift chords toggle labels 11-20 like the digits do', async () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `tag ${i + 1}`);
    const { page, host } = await openWebview(browser, served.url, { items, labels: twenty, mode: 'multi' });
    await page.keyboard.press('Shift+Digit0');
    await page.keyboard.press('2');
    assert.deepEqual(await page.$$eval('button.al-label.al-active', (nodes) => nodes.map((n) => n.getAttribute('data-label'))), ['tag 2', 'tag 20']);
    await page.keyboard.press('Enter');
    await host.waitFor(() => host.of('label').length === 1, 'multi label');
    assert.deepEqual(host.of('label')[0].labels, ['tag 2', 'tag 20']);
    await page.close();
  });
});

describe('focus', () => {
  it('keys work right after load, with no click', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'active-label-root');
    await page.keyboard.press('1');
    await host.waitFor(() => host.of('label').length === 1, 'label right after load');
    await page.close();
  });

  it('keys work after focus leaves the page and comes back', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    const other = await browser.newPage();
    await other.bringToFront();
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.dispatchEvent(new Event('blur'));
    });
    assert.notEqual(await page.evaluate(() => document.activeElement?.id), 'active-label-root');
    await page.bringToFront();
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'active-label-root');
    await page.keyboard.press('2');
    await host.waitFor(() => host.of('label').length === 1, 'label after refocus');
    // Focus parked on body (what VS Code leaves after a tab switch) still gets keys: we listen on window.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('1');
    await host.waitFor(() => host.of('label').length === 2, 'label with focus on body');
    await other.close();
    await page.close();
  });
});
