/**
 * The editor's review layer end to end, in a real VS Code (code-server) driven by Playwright:
 * a labeled JSONL dataset with planted label errors, its labels imported at setup, a retrain, then
 * in the data file itself: the decorations after item lines, a suspected error's quick fix
 * ("Change label to …"), and Set Label… on a selection of lines; then the labeling panel's review
 * queue, worked by keyboard (accept, keep, another label, undo, and a change of order from the bar's
 * select). The label log on disk is checked event by event: exactly the review events made here,
 * nothing more, and the data file untouched.
 *
 * One workbench is shared by the steps (each a `test`), in order.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import { labelingFrame, launchWorkbench, notifications, quickInputVisible, runCommand, screenshot, waitFor, type Workbench } from './harness';

/** In key order: key 1 = sports, 2 = cooking, 3 = space. */
const LABELS = ['sports', 'cooking', 'space'] as const;
type Topic = (typeof LABELS)[number];
const ANNOTATOR = 'e2e-reviewer';
const DATA_NAME = 'reviewdata.jsonl';
const SETTINGS = {
  'activeLabel.model': 'lexical',
  'activeLabel.annotator': ANNOTATOR,
  // The import is the only training data; no retrain is due from the few review labels made here.
  'activeLabel.retrainEvery': 100,
  'editor.minimap.enabled': false,
  'editor.fontSize': 13,
  'editor.hover.enabled': false,
  'workbench.activityBar.location': 'hidden',
};

const VOCABULARY: Record<Topic, readonly string[]> = {
  sports: ['striker', 'goal', 'match', 'league', 'coach', 'referee', 'penalty', 'season', 'stadium', 'fans', 'tournament', 'midfielder', 'defender', 'keeper', 'tackle', 'derby'],
  cooking: ['recipe', 'oven', 'garlic', 'simmer', 'sauce', 'bake', 'flour', 'butter', 'onions', 'skillet', 'roast', 'pastry', 'dough', 'spices', 'braise', 'whisk'],
  space: ['orbit', 'rocket', 'astronaut', 'telescope', 'galaxy', 'planet', 'launch', 'satellite', 'nebula', 'comet', 'lunar', 'asteroid', 'spacecraft', 'cosmic', 'probe', 'mars'],
};
const FILLER = ['the', 'a', 'new', 'after', 'with', 'big', 'today', 'again', 'for', 'late'];
const ITEMS = 120;
/** Topic words per text (and one filler word): enough for the lexical embedder to tell topics apart. */
const TOPIC_WORDS = 8;
/** Zero-based rows whose label field is flipped to the next topic: the planted errors. */
const PLANTED = [2, 6, 10, 17, 23, 45, 71, 98];
/** The rows selected for Set Label… (none planted): mixed topics, all set to `space`. */
const BULK_FIRST_ROW = 30;
const BULK_ROWS = 4;
const BULK_KEY = '3';

interface Row {
  readonly id: string;
  readonly text: string;
  /** What the text is about. */
  readonly truth: Topic;
  /** What the file says (differs from `truth` on the planted rows). */
  readonly label: Topic;
}

/** mulberry32: a seeded generator, so the dataset is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeDataset(): Row[] {
  const next = rng(20261203);
  const pickFrom = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const seen = new Set<string>();
  const rows: Row[] = [];
  for (let i = 0; i < ITEMS; i++) {
    const truth = LABELS[i % LABELS.length] as Topic;
    let text = '';
    do {
      const words = [pickFrom(FILLER), ...Array.from({ length: TOPIC_WORDS }, () => pickFrom(VOCABULARY[truth]))];
      text = words.join(' ');
    } while (seen.has(text));
    seen.add(text);
    const label = PLANTED.includes(i) ? (LABELS[(LABELS.indexOf(truth) + 1) % LABELS.length] as Topic) : truth;
    rows.push({ id: `r${String(i + 1).padStart(3, '0')}`, text, truth, label });
  }
  return rows;
}

interface LogEvent {
  type: string;
  eventId: string;
  itemId: string;
  labels: string[];
  annotator: string;
  source: string;
  strategy?: string;
  undoes?: string;
}

/** The review queue's decisions, in order: Enter accepts the suggestion, k keeps, `other` presses another label's key. */
const QUEUE_PLAN = ['Enter', 'k', 'other', 'Enter', 'other', 'k', 'Enter', 'Enter', 'other', 'k', 'Enter'] as const;
/** Backspace right after this decision (zero-based); the item comes back and the next decision is made on it. */
const QUEUE_UNDO_AFTER = 2;
/** Distinct items worked: every decision but the undone one moves to a new item. */
const QUEUE_ITEMS = QUEUE_PLAN.length - 1;

/** What the review card shows, read from the panel's DOM. */
interface ReviewCard {
  /** '' while no item is shown. */
  readonly id: string;
  /** The card's end state ('' with an item, 'review-done' when the order ran dry). */
  readonly end: string;
  /** The order select's value. */
  readonly order: string;
  readonly current: string | null;
  readonly suggestion: string | null;
  /** The label buttons shown pressed (the pre-selected suggestion). */
  readonly pressed: string[];
  readonly progress: string;
  /** The data-testid of the focused element in the panel, if any. */
  readonly focused: string | null;
}

async function reviewCard(frame: Frame): Promise<ReviewCard | undefined> {
  return frame
    .evaluate(() => {
      if (!document.querySelector('.al-review-bar.al-reviewing')) return undefined;
      // No named helpers in here: tsx would wrap them in a `__name` call the page does not have.
      const card = document.querySelector('.al-card');
      const item = card?.getAttribute('data-item-id') ?? '';
      return {
        id: item,
        end: card?.getAttribute('data-end-state') ?? '',
        order: (document.querySelector('[data-testid="review-order"]') as HTMLSelectElement | null)?.value ?? '',
        current: item ? (document.querySelector('[data-testid="review-current"] strong')?.textContent ?? null) : null,
        suggestion: item ? (document.querySelector('[data-testid="review-suggestion"] strong')?.textContent ?? null) : null,
        pressed: [...document.querySelectorAll('.al-label[aria-pressed="true"]')].map((b) => b.getAttribute('data-label') ?? ''),
        progress: document.querySelector('[data-testid="review-progress"]')?.textContent ?? '',
        focused: document.activeElement?.getAttribute('data-testid') ?? null,
      };
    })
    .catch(() => undefined);
}

/** The labeling panel's frame once it is in review mode (revealing the panel reloads its page). */
async function reviewingFrame(page: Page): Promise<Frame> {
  return waitFor('the labeling panel in review mode', async () => {
    for (const frame of page.frames()) if (await reviewCard(frame)) return frame;
    return undefined;
  }, 120_000);
}

/** Waits until the card shows what `ready` wants (an item, or the order's end). */
function cardWhere(frame: Frame, what: string, ready: (card: ReviewCard) => boolean): Promise<ReviewCard> {
  return waitFor(what, async () => {
    const card = await reviewCard(frame);
    return card && ready(card) ? card : undefined;
  }, 60_000);
}

function readLog(folder: string): LogEvent[] {
  const store = path.join(folder, '.activelabel');
  if (!fs.existsSync(store)) return [];
  for (const dir of fs.readdirSync(store)) {
    const file = path.join(store, dir, 'labels.jsonl');
    if (!fs.existsSync(file)) continue;
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogEvent);
  }
  return [];
}

/**
 * What the editor shows after each visible line: `after` decorations are CSS `::after` content on
 * an empty span of the view line, so they are read from the computed style. Keyed by item id (each
 * line is one record and carries its id).
 */
async function decorationsByItem(page: Page): Promise<Map<string, string>> {
  const pairs = await page.evaluate(() => {
    const out: [string, string][] = [];
    for (const line of document.querySelectorAll('.editor-instance .monaco-editor .view-lines .view-line')) {
      const id = /"id":"([^"]+)"/.exec(line.textContent?.replace(/\u00a0/g, ' ') ?? '')?.[1];
      if (id === undefined) continue;
      const texts: string[] = [];
      for (const span of line.querySelectorAll('span')) {
        const content = getComputedStyle(span, '::after').content;
        if (content && content !== 'none' && content !== 'normal') texts.push(content.replace(/^"|"$/g, '').replace(/\\"/g, '"'));
      }
      if (texts.length > 0) out.push([id, texts.join(' ')]);
    }
    return out;
  });
  return new Map(pairs);
}

/** The line the cursor is on (1-based), from the status bar's "Ln 12, Col 1". */
async function cursorLine(page: Page): Promise<number> {
  const text = await page.locator('.statusbar-item[id="status.editor.selection"]').first().innerText();
  const match = /Ln (\d+)/.exec(text);
  assert.ok(match, `the status bar names the cursor line: "${text}"`);
  return Number(match[1]);
}

/** The lines (1-based) of this extension's warnings listed in the Problems panel, in order. */
async function problemLines(page: Page): Promise<number[]> {
  const rows = await page.locator('.markers-panel .monaco-list-row', { hasText: 'Active Label' }).allInnerTexts();
  return rows.map((text) => Number(/\[Ln (\d+)/.exec(text)?.[1] ?? NaN)).filter((n) => Number.isFinite(n));
}

/**
 * Opens a workspace file through quick open. The list fills in two rounds (recently opened, then
 * the file search), and a click on a row that the second round re-renders can land on nothing; so
 * when the file's tab does not come to the front, the attempt is repeated (at most three times).
 */
async function openByQuickOpen(page: Page, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await quickOpenOnce(page, name);
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape').catch(() => undefined);
    }
  }
}

async function quickOpenOnce(page: Page, name: string): Promise<void> {
  // A focused webview (the labeling panel) keeps keys in its iframe: take the focus back first,
  // by a click on the workbench outside any editor (the panel's title bar, else the window title).
  const panelTitle = page.locator('.part.panel > .title').first();
  if (await panelTitle.isVisible().catch(() => false)) await panelTitle.click({ position: { x: 600, y: 10 } });
  else await page.locator('.monaco-workbench').click({ position: { x: 600, y: 5 } }).catch(() => undefined);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(name);
  // Not the labeling panel's "Label: <file>" entry, which quick open lists too.
  const row = page.locator('.quick-input-widget .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exactly(name) }) }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
  await editorShown(page, name);
}

/** Brings the open file's editor back to the front by its tab (a webview may hold the focus). */
async function focusTab(page: Page, name: string): Promise<void> {
  await fileTab(page, name).click();
  await editorShown(page, name);
}

/** The tab of a file (not the labeling panel's "Label: <file>" tab). */
function fileTab(page: Page, name: string, state = ''): Locator {
  return page.locator(`.tabs-container .tab${state}`).filter({ has: page.locator('.label-name', { hasText: exactly(name) }) }).first();
}

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

async function editorShown(page: Page, name: string): Promise<void> {
  await fileTab(page, name, '.active').waitFor({ timeout: 30_000 });
  await page.locator('.editor-instance .monaco-editor .view-lines .view-line').first().waitFor({ timeout: 30_000 });
}

/** Puts the cursor at the start of a 1-based line with Go to Line (Ctrl+G). */
async function goToLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 15_000 });
  await waitFor(`the cursor on line ${line}`, async () => ((await cursorLine(page)) === line ? true : undefined), 15_000);
}

describe('review in the editor, in code-server', { timeout: 900_000 }, () => {
  let wb: Workbench | undefined;
  const harnessLog: string[] = [];
  const rows = makeDataset();
  const rowById = new Map(rows.map((r, i) => [r.id, { ...r, line: i + 1 }]));
  let dataBytes: Buffer | undefined;
  /** Events on disk once the import and the first retrain are done: the review events follow. */
  let baseline = 0;
  /** The review events made, in order; an `undo` names the index (in this list) of the event it undoes. */
  const expected: { type?: 'label' | 'undo'; itemId: string; labels: string[]; strategy?: string; undoes?: number }[] = [];

  /** Runs a step; on failure, leaves a screenshot and the workbench's output in the test's diagnostics. */
  async function step(t: TestContext, name: string, body: (page: Page) => Promise<void>): Promise<void> {
    assert.ok(wb, 'the workbench started');
    try {
      await body(wb.page);
    } catch (error) {
      const shot = path.join(os.tmpdir(), `active-label-e2e-review-${name}.png`);
      await wb.page.screenshot({ path: shot }).catch(() => undefined);
      t.diagnostic(`screenshot: ${shot}`);
      t.diagnostic(`notifications: ${JSON.stringify(await notifications(wb.page))}`);
      t.diagnostic(`harness: ${harnessLog.join(' | ')}`);
      t.diagnostic(`code-server output:\n${wb.server.output().slice(-4000)}`);
      throw error;
    }
  }

  before(async () => {
    const source = fs.mkdtempSync(path.join(os.tmpdir(), 'active-label-e2e-review-data-'));
    const file = path.join(source, DATA_NAME);
    fs.writeFileSync(file, rows.map((r) => JSON.stringify({ id: r.id, text: r.text, label: r.label })).join('\n') + '\n');
    wb = await launchWorkbench({ files: [file], settings: SETTINGS, log: (line) => void harnessLog.push(line) });
    fs.rmSync(source, { recursive: true, force: true });
    dataBytes = fs.readFileSync(path.join(wb.folder, DATA_NAME));
  });

  after(async () => {
    await wb?.close();
    if (wb) fs.rmSync(wb.tmp, { recursive: true, force: true });
  });

  test('setup imports the file labels; after the retrain the planted errors are flagged', (t) =>
    step(t, 'import', async (page) => {
      await openByQuickOpen(page, DATA_NAME);
      await runCommand(page, 'Active Label: Start Labeling');
      await quickInputVisible(page, 'text field');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'detected text field' }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      // The file's labels: "Import them as labels" is the first choice.
      await quickInputVisible(page, 'existing labels');
      const importRow = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Import them as labels' }).first();
      await importRow.waitFor({ timeout: 10_000 });
      await importRow.click();
      await quickInputVisible(page, 'labels for');
      await page.locator('.quick-input-widget .quick-input-box input').fill(LABELS.join(', '));
      await page.keyboard.press('Enter');
      await quickInputVisible(page, 'labeling mode');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Single label' }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      // The values are the label names: no mapping question; then the optional seed terms.
      await quickInputVisible(page, 'seed terms');
      await page.keyboard.press('Enter');
      await labelingFrame(page);

      const imported = await waitFor('the 120 imported labels on disk', () => {
        const events = readLog(wb!.folder);
        return events.length >= ITEMS ? events : undefined;
      }, 180_000);
      assert.equal(imported.length, ITEMS, 'one imported label per row, nothing else');
      for (const e of imported) {
        const row = rowById.get(e.itemId);
        assert.ok(row, `imported event for a known item: ${e.itemId}`);
        assert.equal(e.source, 'import');
        assert.deepEqual(e.labels, [row.label], `${e.itemId} imported with the file's label`);
      }
      baseline = imported.length;

      // Back to the data file (the panel opened in its place); the retrain's suspects become warnings.
      await focusTab(page, DATA_NAME);
      await runCommand(page, 'View: Close Primary Side Bar').catch(() => undefined);
      const flagged = await waitFor('a ⚠ decoration in the editor', async () => {
        const shown = await decorationsByItem(page);
        const warned = [...shown.entries()].filter(([, text]) => text.startsWith('⚠'));
        return warned.length > 0 ? warned : undefined;
      }, 240_000);
      t.diagnostic(`flagged on screen: ${flagged.map(([id, text]) => `${id} ${text}`).join(' | ')}`);
      for (const [id, text] of flagged) {
        const row = rowById.get(id)!;
        assert.ok(PLANTED.includes(row.line - 1), `${id} is flagged (${text}) but its label is right`);
        assert.ok(text.startsWith(`⚠ ${row.label} → ${row.truth} `), `${id}: "${text}" names the given and the true label`);
      }
    }));

  test('decorations render after the item lines', (t) =>
    step(t, 'decorations', async (page) => {
      await goToLine(page, 1);
      const shown = await waitFor('decorations on most visible lines', async () => {
        const s = await decorationsByItem(page);
        return s.size >= 20 ? s : undefined;
      }, 60_000);
      let human = 0;
      for (const [id, text] of shown) {
        const row = rowById.get(id)!;
        if (text.startsWith('⚠')) continue;
        // Every row carries a label (imported), so a human label, never a bare prediction.
        assert.equal(text, `✓ ${row.label} · import:${DATA_NAME}`, `${id}'s decoration`);
        human++;
      }
      assert.ok(human > 0, 'human labels are shown');
      const plantedOnScreen = PLANTED.filter((r) => shown.has(rows[r]!.id));
      const warned = plantedOnScreen.filter((r) => shown.get(rows[r]!.id)!.startsWith('⚠'));
      t.diagnostic(`planted errors on screen: ${plantedOnScreen.length}, flagged: ${warned.length}`);
      // Offline, over 30 fold seeds, 3 to 5 of the 5 planted rows on screen are flagged (never a
      // right label); 2 leaves room for the session's random seed. The Problems panel check is global.
      assert.ok(plantedOnScreen.length >= 4, `the first screen holds planted errors (${plantedOnScreen.length})`);
      assert.ok(warned.length >= 2, `planted errors on screen are flagged (${warned.length} of ${plantedOnScreen.length})`);
      await screenshot(page, 'review-decorations.png');
    }));

  test('the quick fix "Change label to …" writes a review event', (t) =>
    step(t, 'quickfix', async (page) => {
      // The Problems panel lists the suspects; F8 goes to the first one in the file.
      await page.keyboard.press('Control+Shift+M');
      await page.locator('.markers-panel .monaco-list-row', { hasText: 'the model predicts' }).first().waitFor({ timeout: 30_000 });
      const warnedLines = await problemLines(page);
      t.diagnostic(`warnings on lines ${warnedLines.join(', ')}`);
      for (const line of warnedLines) assert.ok(PLANTED.includes(line - 1), `the warning on line ${line} is a planted error`);
      assert.ok(warnedLines.length >= PLANTED.length / 2, `most planted errors are in the Problems panel (${warnedLines.length} of ${PLANTED.length})`);
      await focusTab(page, DATA_NAME);
      await goToLine(page, 1);
      await page.keyboard.press('F8');
      await page.locator('.marker-widget').first().waitFor({ state: 'visible', timeout: 30_000 });
      // Line 1 is labeled right, so the first warning is further down.
      const line = await waitFor('the cursor on the first warning', async () => {
        const at = await cursorLine(page);
        return at !== 1 ? at : undefined;
      }, 30_000);
      const row = [...rowById.values()].find((r) => r.line === line);
      assert.ok(row, `the cursor is on an item line (${line})`);
      assert.ok(PLANTED.includes(line - 1), `the first warning (line ${line}) is a planted error`);
      await page.keyboard.press('Control+.');
      const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Change label to' }).first();
      await fix.waitFor({ state: 'visible', timeout: 30_000 });
      const title = (await fix.innerText()).trim();
      assert.equal(title, `Change label to ${row.truth}`, 'the fix suggests the true label');
      assert.ok(await page.locator('.action-widget .monaco-list-row', { hasText: `Keep ${row.label} (reviewed)` }).first().isVisible(), 'keeping the label is offered too');
      await screenshot(page, 'review-quick-fix.png');
      // The preferred fix is the focused row; the menu takes Enter (a click can land mid-animation).
      await page.locator('.action-widget .monaco-list-row.focused', { hasText: 'Change label to' }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      await fix.waitFor({ state: 'hidden', timeout: 30_000 });
      expected.push({ itemId: row.id, labels: [row.truth], strategy: 'confident-learning' });
      await waitFor(`the review event for ${row.id} on disk`, () => (readLog(wb!.folder).some((e) => e.itemId === row.id && e.source === 'review') ? true : undefined), 60_000);
      // The editor follows: the line now shows the reviewed label, and its warning is gone.
      await page.keyboard.press('Escape');
      await waitFor(`${row.id}'s decoration to show the reviewed label`, async () => {
        const text = (await decorationsByItem(page)).get(row.id);
        return text === `✓ ${row.truth} · ${ANNOTATOR} · reviewed` ? true : undefined;
      }, 60_000);
      const left = await waitFor(`the warning on line ${line} to leave the Problems panel`, async () => {
        const lines = await problemLines(page);
        return lines.includes(line) ? undefined : lines;
      }, 60_000);
      t.diagnostic(`warnings after the fix: ${left.join(', ')}`);
      assert.deepEqual(left, warnedLines.filter((l) => l !== line), 'the other warnings stay');
    }));

  test('Set Label… on a selection of lines labels every selected item', (t) =>
    step(t, 'bulk', async (page) => {
      const first = BULK_FIRST_ROW + 1;
      await goToLine(page, first);
      for (let i = 1; i < BULK_ROWS; i++) await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.press('Shift+End');
      await page.keyboard.press('Control+Alt+KeyK');
      await quickInputVisible(page, `set the label of ${BULK_ROWS} items`);
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.fill(BULK_KEY);
      const label = LABELS[Number(BULK_KEY) - 1] as string;
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      const selected = rows.slice(BULK_FIRST_ROW, BULK_FIRST_ROW + BULK_ROWS);
      assert.ok(new Set(selected.map((r) => r.label)).size > 1, 'the selection mixes labels');
      for (const r of selected) expected.push({ itemId: r.id, labels: [label], strategy: 'editor' });
      await waitFor('the bulk review events on disk', () => (readLog(wb!.folder).length >= baseline + expected.length ? true : undefined), 60_000);
      await waitFor('the selected lines to show the new label', async () => {
        const shown = await decorationsByItem(page);
        return selected.every((r) => shown.get(r.id) === `✓ ${label} · ${ANNOTATOR} · reviewed`) ? true : undefined;
      }, 60_000);
    }));

  test('closing and reopening the file keeps the review data', (t) =>
    step(t, 'reopen', async (page) => {
      const before = await decorationsByItem(page);
      const warned = [...before.entries()].filter(([, text]) => text.startsWith('⚠'));
      assert.ok(warned.length > 0, 'a warning is on screen before closing');
      const problems = await problemLines(page);
      await fileTab(page, DATA_NAME).click();
      await page.keyboard.press('Control+W');
      await fileTab(page, DATA_NAME).waitFor({ state: 'detached', timeout: 30_000 });
      // The extension host learns of the close (onDidCloseTextDocument) with no sign in the page to
      // wait for; a pause lets it arrive, so the reopen below really starts from a closed document.
      // It asserts nothing: a late close only makes the check weaker, never flaky.
      await page.waitForTimeout(5000);
      // Reopened the way a reviewer goes back to a warning: from its row in the Problems panel
      // (quick open raced the panel's entry and its file search under load).
      await page.locator('.markers-panel .monaco-list-row', { hasText: 'Active Label' }).first().click();
      await editorShown(page, DATA_NAME);
      await goToLine(page, 1);
      await waitFor('the warnings to show again after reopening', async () => {
        const shown = await decorationsByItem(page);
        return warned.every(([id, text]) => shown.get(id) === text) ? true : undefined;
      }, 60_000);
      assert.deepEqual(await problemLines(page), problems, 'the Problems panel keeps the same warnings');
    }));

  test('the review queue, worked by keyboard: accept, keep, another label, undo, and a change of order', (t) =>
    step(t, 'queue', async (page) => {
      await runCommand(page, 'Active Label: Review Queue');
      const frame = await reviewingFrame(page);
      let card = await cardWhere(frame, 'the first review item', (c) => c.id !== '' || c.end === 'review-done');
      // The panel takes the keys once revealed by the command; a click on the card's title gives them otherwise.
      const focused = await waitFor('the panel to have the focus', () => frame.evaluate(() => (document.hasFocus() ? true : undefined)).catch(() => undefined), 15_000).catch(() => false);
      if (focused !== true) await frame.locator('[data-testid="item-meta"]').click();
      const suspects = await frame.locator('[data-testid="review-order"] option[value="suspects"]').textContent() ?? '';
      t.diagnostic(`first card: ${JSON.stringify(card)}; order option: ${suspects}`);
      assert.equal(card.order, 'suspects', 'the command opens the suspected errors first');
      /** Every served item is unreviewed: its current label is still the one the file gave. */
      const reviewed = new Set(expected.map((e) => e.itemId));
      let shot = false;
      let switched = false;
      let undone: string | undefined;
      /** The item the undo brought back, until it is decided again. */
      let back: string | undefined;
      for (let i = 0; i < QUEUE_PLAN.length; i++) {
        if (card.end === 'review-done') {
          // The order ran dry: switch to "Lowest confidence" with the keyboard, from the bar's select.
          assert.equal(card.order, 'suspects', `only the suspects order runs dry here (at decision ${i}: ${JSON.stringify(card)})`);
          assert.ok(!switched, 'the order is switched once');
          switched = true;
          for (let tab = 0; tab < 20 && (await reviewCard(frame))?.focused !== 'review-order'; tab++) await page.keyboard.press('Tab');
          assert.equal((await reviewCard(frame))?.focused, 'review-order', 'Tab reaches the order select');
          await page.keyboard.press('ArrowDown');
          card = await cardWhere(frame, 'an item of the lowest-confidence order', (c) => c.order === 'low-confidence' && c.id !== '');
          assert.equal(card.focused, 'review-order', 'the order select keeps the focus after the change');
          await page.keyboard.press('Escape');
          card = await cardWhere(frame, 'the keys back with the card', (c) => c.focused !== 'review-order' && c.id !== '');
        }
        const row = rowById.get(card.id);
        assert.ok(row, `the review card shows a known item: ${card.id}`);
        assert.ok(!reviewed.has(card.id) || back === card.id, `${card.id} is served once (reviewed items leave the order), except right after its undo`);
        assert.ok(card.suggestion !== null && (LABELS as readonly string[]).includes(card.suggestion), `${card.id} shows a suggestion: ${JSON.stringify(card)}`);
        assert.deepEqual(card.pressed, [card.suggestion], `${card.id}: the suggestion is pre-selected`);
        if (card.order === 'suspects') assert.notEqual(card.suggestion, card.current, `${card.id}: a suspect's suggestion differs from its label`);
        assert.equal(card.current, row.label, `${card.id}'s current label is the file's (unreviewed)`);
        if (!shot && card.order === 'suspects') {
          await cardWhere(frame, 'the review progress', (c) => c.progress.startsWith('Reviewed'));
          await screenshot(page, 'review-queue.png');
          shot = true;
        }
        const plan = QUEUE_PLAN[i]!;
        let key: string;
        let labels: string[];
        if (plan === 'Enter') {
          key = 'Enter';
          labels = [card.suggestion];
        } else if (plan === 'k') {
          key = 'k';
          labels = [card.current!];
        } else {
          const other = LABELS.find((l) => l !== card.suggestion && l !== card.current) ?? LABELS.find((l) => l !== card.suggestion)!;
          key = String(LABELS.indexOf(other) + 1);
          labels = [other];
        }
        expected.push({ itemId: card.id, labels, strategy: `review:${card.order}` });
        reviewed.add(card.id);
        back = undefined;
        const previous = card.id;
        harnessLog.push(`queue ${i}: ${previous} ${key} → ${labels.join(',')} (${card.order})`);
        await page.keyboard.press(key);
        card = await cardWhere(frame, `the next review item after ${previous}`, (c) => (c.id !== '' && c.id !== previous) || c.end === 'review-done');
        if (i === QUEUE_UNDO_AFTER) {
          await page.keyboard.press('Backspace');
          expected.push({ type: 'undo', itemId: previous, labels: [], undoes: expected.length - 1 });
          undone = previous;
          back = previous;
          card = await cardWhere(frame, `${previous} back after the undo`, (c) => c.id === previous);
        }
      }
      assert.ok(undone, 'the undo ran');
      assert.equal(new Set(expected.slice(1 + BULK_ROWS).map((e) => e.itemId)).size, QUEUE_ITEMS, `${QUEUE_ITEMS} items worked in the queue`);
      assert.ok(shot, 'the review queue screenshot was taken');
      const suspectsCount = Number(/\((\d+)\)/.exec(suspects)?.[1] ?? NaN);
      if (suspectsCount < QUEUE_ITEMS) assert.ok(switched, `the suspects order (${suspectsCount}) ran dry and the order was switched`);
      await waitFor('the queue events on disk', () => (readLog(wb!.folder).length >= baseline + expected.length ? true : undefined), 60_000);
    }));

  test('the label log holds exactly the review events made, and the data file is untouched', (t) =>
    step(t, 'log', async () => {
      assert.equal(baseline, ITEMS, 'the import step ran');
      assert.equal(expected.length, 1 + BULK_ROWS + QUEUE_PLAN.length + 1, 'the quick fix, the bulk step and the queue ran');
      const events = readLog(wb!.folder);
      const made = events.slice(baseline);
      assert.equal(made.length, expected.length, `exactly ${expected.length} events after the import: ${JSON.stringify(made)}`);
      made.forEach((e, i) => {
        const want = expected[i]!;
        assert.equal(e.type, want.type ?? 'label', `event ${i} type`);
        assert.equal(e.itemId, want.itemId, `event ${i} item`);
        assert.deepEqual(e.labels, want.labels, `event ${i} labels`);
        assert.equal(e.source, 'review', `event ${i} source`);
        assert.equal(e.annotator, ANNOTATOR, `event ${i} annotator`);
        assert.equal(e.strategy, want.strategy, `event ${i} strategy`);
        if (want.undoes !== undefined) assert.equal(e.undoes, made[want.undoes]!.eventId, `event ${i} undoes event ${want.undoes}`);
        else assert.equal(e.undoes, undefined, `event ${i} undoes nothing`);
      });
      assert.equal(new Set(made.map((e) => e.eventId)).size, made.length, 'event ids are unique');
      assert.ok(fs.readFileSync(path.join(wb!.folder, DATA_NAME)).equals(dataBytes!), 'the data file is never written');
    }));
});
