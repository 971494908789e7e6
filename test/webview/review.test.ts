/**
 * The review mode of the labeling panel, in a real browser against the fake host (which the
 * contract test pins to the real engine): r switches modes, the suggested label is pre-selected,
 * Enter accepts it, a number key sets another label, k keeps the current one, Backspace undoes,
 * every key is shown beside its action, and an order that runs dry offers the next steps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { afterIdle, openWebview, shownItem, WAIT_MS, waitForShown, webviewSuite } from './harness';
import type { Served } from './harness';
import type { QueueItem, ReviewOrderId } from '../../src/shared/protocol';

let browser: Browser;
let served: Served;
let items: QueueItem[];

webviewSuite(30, (suite) => ({ browser, served, items } = suite));

const LABELS = ['related', 'not related'];
const other = (label: string): string => (label === LABELS[0] ? LABELS[1] : LABELS[0]) as string;

/** Review items of `order` for items[from..to): the current label alternates, the model suggests the other one. */
function reviewItems(order: ReviewOrderId, from: number, to: number): QueueItem[] {
  return items.slice(from, to).map((item, i) => {
    const current = LABELS[i % 2] as string;
    const file = order === 'imported';
    return {
      id: item.id,
      text: item.text,
      prediction: { label: other(current), confidence: 0.9 - i / 100 },
      reason: { strategy: `review:${order}`, score: 0.9 - i / 100, detail: file ? `The file says "${current}"` : `ana labeled "${current}"; the model predicts "${other(current)}"` },
      suggestion: file ? { labels: [current], from: 'file' } : { labels: [other(current)], from: 'model', score: 0.9 - i / 100 },
      review: { order, ...(file ? {} : { current: { labels: [current], annotator: 'ana', source: 'import' as const } }) },
    };
  });
}

async function enterReview(page: Page): Promise<void> {
  await page.keyboard.press('r');
  await page.waitForSelector('.al-review-bar.al-reviewing', { timeout: WAIT_MS });
}

const pressed = (page: Page, label: string): Promise<string | null> => page.getAttribute(`.al-label[data-label="${label}"]`, 'aria-pressed');

describe('review mode', () => {
  it('r enters review mode: suspects first, the suggestion pre-selected, the current label and every key shown', async () => {
    const suspects = reviewItems('suspects', 0, 5);
    const { page, host } = await openWebview(browser, served.url, { items, review: { suspects } });
    assert.equal(await page.textContent('[data-testid="review-toggle"]'), 'r Review queue', 'the mode button shows its key');
    await enterReview(page);
    assert.deepEqual(host.of('reviewMode'), [{ type: 'reviewMode', review: { order: 'suspects', filters: {} } }]);
    await waitForShown(page, suspects[0].id);
    assert.equal(await page.textContent('[data-testid="item-meta"]'), 'Review · Suspected label errors');
    const current = suspects[0].review?.current?.labels[0] as string;
    const suggested = suspects[0].suggestion?.labels[0] as string;
    assert.equal(await pressed(page, suggested), 'true', 'the suggested label is pre-selected');
    assert.equal(await pressed(page, current), 'false');
    assert.match((await page.textContent('[data-testid="review-current"]')) ?? '', new RegExp(`Current label: ${current} · ana \\(import\\) · k keeps it`));
    assert.match((await page.textContent('[data-testid="review-suggestion"]')) ?? '', new RegExp(`Suggested: ${suggested} · model 0.90 · ⏎ accepts`));
    assert.match((await page.textContent('[data-testid="why"]')) ?? '', /ana labeled/);
    const hints = await page.$$eval('[data-testid="hints"] [data-hint]', (nodes) => nodes.map((n) => [n.getAttribute('data-hint'), n.textContent]));
    assert.deepEqual(hints, [
      ['confirm', '⏎ accept suggestion'],
      ['keep', 'k keep current'],
      ['undo', '⌫ undo'],
      ['skip', 'Space skip'],
      ['back', '← history'],
      ['review', 'r labeling'],
      ['help', '? shortcuts'],
    ]);
    await page.waitForFunction(() => document.querySelector('[data-testid="review-progress"]')?.textContent === 'Reviewed 0 · 5 to review · 0 errors fixed', undefined, { timeout: WAIT_MS });
    await page.keyboard.press('?');
    const overlay = (await page.textContent('[data-testid="overlay"]')) ?? '';
    assert.match(overlay, /kReview queue: keep the current label as reviewed/);
    assert.match(overlay, /rSwitch between labeling and the review queue/);
    await page.close();
  });

  it('Enter accepts the suggestion, a number key sets another label, k keeps the current one, Backspace undoes', async () => {
    const suspects = reviewItems('suspects', 0, 5);
    const { page, host } = await openWebview(browser, served.url, { items, review: { suspects } });
    await enterReview(page);
    await waitForShown(page, suspects[0].id);
    await page.keyboard.press('Enter');
    await waitForShown(page, suspects[1].id);
    // items 1's current label is LABELS[1]; key 2 sets it (not the suggestion).
    await page.keyboard.press('2');
    await waitForShown(page, suspects[2].id);
    await page.keyboard.press('k');
    await waitForShown(page, suspects[3].id);
    await host.waitFor(() => host.log.length === 3, 'three review labels');
    assert.deepEqual(
      host.log.map((e) => [e.itemId, e.labels, e.source]),
      [
        [suspects[0].id, suspects[0].suggestion?.labels, 'review'],
        [suspects[1].id, ['not related'], 'review'],
        [suspects[2].id, suspects[2].review?.current?.labels, 'review'],
      ],
    );
    await page.waitForFunction(() => document.querySelector('[data-testid="review-progress"]')?.textContent === 'Reviewed 3 · 2 to review · 1 error fixed', undefined, { timeout: WAIT_MS });
    await page.keyboard.press('Backspace');
    await waitForShown(page, suspects[2].id);
    await host.waitFor(() => host.log.length === 4, 'the undo');
    assert.deepEqual([host.log[3].type, host.log[3].itemId], ['undo', suspects[2].id]);
    assert.equal(await pressed(page, suspects[2].suggestion?.labels[0] as string), 'true', 'the item is back with its suggestion pre-selected');
    await page.waitForFunction(() => document.querySelector('[data-testid="review-progress"]')?.textContent === 'Reviewed 2 · 3 to review · 1 error fixed', undefined, { timeout: WAIT_MS });
    assert.equal((await shownItem(page)).id, suspects[2].id);
    await page.close();
  });

  it('an order that runs dry says so and offers another order, labeling and export; r goes back to labeling', async () => {
    const suspects = reviewItems('suspects', 0, 2);
    const imported = reviewItems('imported', 10, 13);
    const { page, host } = await openWebview(browser, served.url, { items, review: { suspects, imported } });
    await enterReview(page);
    await waitForShown(page, suspects[0].id);
    await page.keyboard.press('Enter');
    await waitForShown(page, suspects[1].id);
    await page.keyboard.press('k');
    await page.waitForSelector('.al-card[data-end-state="review-done"]', { timeout: WAIT_MS });
    assert.equal(await page.textContent('[data-testid="end-title"]'), 'Nothing to review in this order');
    await page.waitForFunction(() => document.querySelectorAll('[data-end-action]').length === 3, undefined, { timeout: WAIT_MS });
    const actions = await page.$$eval('[data-end-action]', (nodes) => nodes.map((n) => n.textContent));
    assert.deepEqual(actions, ['1Review imported for review (3)', '2Back to labeling', '3Export labels']);
    await page.keyboard.press('1');
    await waitForShown(page, imported[0].id);
    assert.deepEqual(host.of('reviewMode').at(-1), { type: 'reviewMode', review: { order: 'imported', filters: {} } });
    assert.equal(await page.inputValue('[data-testid="review-order"]'), 'imported');
    assert.match((await page.textContent('[data-testid="review-current"]')) ?? '', /Current label: none/);
    assert.match((await page.textContent('[data-testid="review-suggestion"]')) ?? '', /the file/);
    await page.keyboard.press('Enter');
    await host.waitFor(() => host.log.length === 3, 'the file label accepted');
    assert.deepEqual([host.log[2].itemId, host.log[2].labels, host.log[2].source], [imported[0].id, imported[0].suggestion?.labels, 'review']);

    // Back to labeling: the labeling queue, with its own card and hints.
    await page.keyboard.press('r');
    await host.waitFor(() => host.of('reviewMode').at(-1)?.review === null, 'back to labeling');
    await page.waitForFunction(() => document.querySelector('[data-testid="item-meta"]')?.textContent === 'Label this item', undefined, { timeout: WAIT_MS });
    // items 0 and 1 are labeled now (reviewed): the labeling queue starts at item 2.
    assert.equal((await shownItem(page)).id, items[2].id);
    assert.equal(await page.textContent('[data-testid="review-toggle"]'), 'r Review queue');
    await page.close();
  });

  it('the order and filter controls ask for a new request; Escape gives the keys back', async () => {
    const suspects = reviewItems('suspects', 0, 4);
    const { page, host } = await openWebview(browser, served.url, { items, review: { suspects } });
    await enterReview(page);
    await waitForShown(page, suspects[0].id);
    await page.selectOption('[data-testid="review-label"]', 'related');
    await host.waitFor(() => host.of('reviewMode').length === 2, 'a filtered request');
    assert.deepEqual(host.of('reviewMode')[1].review, { order: 'suspects', filters: { label: 'related' } });
    // Only the items whose current label is "related" (0 and 2) are served now.
    await waitForShown(page, suspects[0].id);
    await page.fill('[data-testid="review-min-confidence"]', '0.89');
    await page.press('[data-testid="review-min-confidence"]', 'Enter');
    await host.waitFor(() => host.of('reviewMode').length === 3, 'a confidence filter');
    assert.deepEqual(host.of('reviewMode')[2].review, { order: 'suspects', filters: { label: 'related', minConfidence: 0.89 } });
    await page.press('[data-testid="review-min-confidence"]', 'Escape');
    await afterIdle(page);
    await page.keyboard.press('Enter');
    await host.waitFor(() => host.log.length === 1, 'a label after Escape');
    assert.equal(host.log[0].itemId, suspects[0].id);
    await page.selectOption('[data-testid="review-order"]', 'flagged');
    await host.waitFor(() => host.of('reviewMode').length === 4, 'another order');
    assert.deepEqual(host.of('reviewMode')[3].review?.order, 'flagged');
    await page.waitForSelector('.al-card[data-end-state="review-done"]', { timeout: WAIT_MS });
    await page.close();
  });

  it('an arrow key in the order select changes the order and the select keeps the focus', async () => {
    const suspects = reviewItems('suspects', 0, 2);
    const lowConfidence = reviewItems('low-confidence', 10, 13);
    const { page, host } = await openWebview(browser, served.url, { items, review: { suspects, 'low-confidence': lowConfidence } });
    await enterReview(page);
    await waitForShown(page, suspects[0].id);
    await page.focus('[data-testid="review-order"]');
    await page.keyboard.press('ArrowDown');
    await host.waitFor(() => host.of('reviewMode').length === 2, 'the next order');
    assert.deepEqual(host.of('reviewMode')[1].review, { order: 'low-confidence', filters: {} });
    await waitForShown(page, lowConfidence[0].id);
    const focused = (): Promise<string | null> => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
    assert.equal(await focused(), 'review-order', 'the rebuilt bar gives the focus back to the order select');
    assert.equal(await page.inputValue('[data-testid="review-order"]'), 'low-confidence');
    // Escape gives the keys back to the card: Enter accepts the new order's suggestion.
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') !== 'review-order', undefined, { timeout: WAIT_MS });
    await page.keyboard.press('Enter');
    await host.waitFor(() => host.log.length === 1, 'a review label after Escape');
    assert.deepEqual([host.log[0].itemId, host.log[0].labels], [lowConfidence[0].id, lowConfidence[0].suggestion?.labels]);
    await page.close();
  });
});
