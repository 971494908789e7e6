/**
 * Undo says what it did: the Recent list keeps the undone action, struck through and marked
 * "undone" once the undo is saved, and the card says what was taken back (in a live region, so a
 * screen reader hears it). Skips are writes, and "serve the skipped items again" brings them back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { afterIdle, openWebview, waitForShown, webviewSuite, WAIT_MS } from './harness';
import type { Served } from './harness';
import type { QueueItem } from '../../src/shared/protocol';

let browser: Browser;
let served: Served;
let items: QueueItem[];

webviewSuite(20, (suite) => ({ browser, served, items } = suite));

interface RecentRow {
  readonly itemId: string | null;
  readonly status: string | null;
  readonly outcome: string;
  readonly struck: boolean;
  readonly note: string;
}

function recentRows(page: Page): Promise<RecentRow[]> {
  return page.$$eval('.al-recent-row', (rows) =>
    rows.map((row) => ({
      itemId: row.getAttribute('data-item-id'),
      status: row.getAttribute('data-status'),
      outcome: row.querySelector('.al-recent-outcome')?.textContent ?? '',
      struck: row.querySelector('.al-recent-outcome')?.tagName === 'S',
      note: row.querySelector('.al-recent-status')?.textContent ?? '',
    })),
  );
}

describe('undo in Recent', () => {
  it('lists the undone label struck through, says so in the card, and keeps it in place when the item is labeled again', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    await page.keyboard.press('1');
    await host.waitFor(() => host.log.length === 1, 'label saved');
    await waitForShown(page, items[1].id);
    await page.keyboard.press('Backspace');
    await host.waitFor(() => host.log.length === 2, 'undo saved');
    await waitForShown(page, items[0].id);

    const feedback = page.locator('[data-testid="feedback"]');
    assert.equal(await feedback.getAttribute('aria-live'), 'polite');
    const said = (await feedback.textContent()) ?? '';
    assert.match(said, /^Undid the label “related” on “/);
    assert.ok(said.includes(items[0].text.slice(0, 20)), `names the item: ${said}`);

    await page.waitForSelector(`.al-recent-row[data-item-id="${items[0].id}"][data-status="undone"][data-undo-status="saved"]`, { timeout: WAIT_MS });
    assert.deepEqual(await recentRows(page), [{ itemId: items[0].id, status: 'undone', outcome: 'labeled related', struck: true, note: 'undone' }]);

    // Labeled again: the new label is listed above the undone one; the card's note goes.
    await page.keyboard.press('2');
    await host.waitFor(() => host.log.length === 3, 'relabel saved');
    await waitForShown(page, items[1].id);
    assert.equal(await feedback.textContent(), '');
    await page.waitForSelector(`.al-recent-row[data-item-id="${items[0].id}"][data-status="saved"]`, { timeout: WAIT_MS });
    const rows = await recentRows(page);
    assert.deepEqual(rows.map((r) => [r.status, r.outcome, r.struck]), [['saved', 'labeled not related', false], ['undone', 'labeled related', true]]);
    await page.close();
  });

  it('an undo still on its way shows as undoing, then undone; an undone skip and flag are listed too', async () => {
    const { page, host } = await openWebview(browser, served.url, { items });
    await page.keyboard.press(' ');
    await page.keyboard.press('f');
    await host.waitFor(() => host.log.length === 2, 'skip and flag saved');
    host.saves = 'hold';
    await page.keyboard.press('Backspace');
    await host.waitFor(() => host.of('undo').length === 1, 'undo of the flag sent');
    assert.match((await page.locator('[data-testid="feedback"]').textContent()) ?? '', /^Undid the flag on “/);
    await afterIdle(page);
    await page.waitForSelector(`.al-recent-row[data-item-id="${items[1].id}"][data-undo-status="pending"]`, { timeout: WAIT_MS });
    assert.equal((await recentRows(page))[0].note, 'undoing…');
    await host.release();
    host.saves = 'save';
    await page.waitForSelector(`.al-recent-row[data-item-id="${items[1].id}"][data-undo-status="saved"]`, { timeout: WAIT_MS });
    // Backspace again: the flag's item goes back to upcoming and the skip is undone in the log.
    await page.keyboard.press('Backspace');
    await host.waitFor(() => host.log.length === 4, 'undo of the skip saved');
    assert.deepEqual(host.log.map((e) => [e.type, e.itemId]), [['skip', items[0].id], ['flag', items[1].id], ['undo', items[1].id], ['undo', items[0].id]]);
    await waitForShown(page, items[0].id);
    assert.match((await page.locator('[data-testid="feedback"]').textContent()) ?? '', /^Undid the skip on “/);
    await page.waitForSelector(`.al-recent-row[data-item-id="${items[0].id}"][data-undo-status="saved"]`, { timeout: WAIT_MS });
    // Each undone action stays where it was in Recent, newest first.
    assert.deepEqual((await recentRows(page)).map((r) => [r.itemId, r.outcome, r.struck]), [[items[1].id, 'flagged', true], [items[0].id, 'skipped', true]]);
    await page.close();
  });
});

describe('skips', () => {
  it('"Serve the skipped items again" brings every skipped item back on screen', async () => {
    const few = items.slice(0, 3);
    const { page, host } = await openWebview(browser, served.url, { items: few });
    for (const item of few) {
      await waitForShown(page, item.id);
      await page.keyboard.press(' ');
    }
    await host.waitFor(() => host.log.length === 3, 'three skips saved');
    await page.waitForSelector('.al-card[data-end-state="exhausted"]', { timeout: WAIT_MS });
    const action = page.locator('[data-end-action="Serve the skipped items again"]');
    assert.equal(await action.getAttribute('aria-keyshortcuts'), '1');
    const needBefore = host.of('needItems').length;
    await page.keyboard.press('1');
    await host.waitFor(() => host.of('revisitSkipped').length === 1 && host.of('needItems').length > needBefore, 'revisit, then a request for items');
    const order = host.received.map((m) => m.type);
    assert.ok(order.lastIndexOf('revisitSkipped') < order.lastIndexOf('needItems'), 'asked for items after the revisit');
    await waitForShown(page, few[0].id);
    // Labeling a skipped item overrides the skip.
    await page.keyboard.press('1');
    await host.waitFor(() => host.log.length === 4, 'label saved');
    assert.deepEqual(host.log[3].type, 'label');
    assert.equal(host.engine.counts().labeled, 1);
    await waitForShown(page, few[1].id);
    await page.close();
  });
});
