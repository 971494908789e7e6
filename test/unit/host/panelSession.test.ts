/**
 * The panel's session with the real engine: the real WorkerClient runs the real worker thread
 * (TypeScript through tsx) on a real dataset and label log. Only VS Code's side is replaced: the
 * panel (a page port that records what the page would receive) and the UI (notifications that
 * record and answer like a user clicking a button). Messages from the "page" are raw objects, as
 * VS Code delivers them.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { replay } from '../../../src/core/labels/replay';
import { labelLogPath } from '../../../src/core/labels/storePath';
import { PanelSession } from '../../../src/host/panelSession';
import type { WorkerClient } from '../../../src/host/workerClient';
import { SetupMemory, type SetupAnswers } from '../../../src/host/setupAnswers';
import { datasetStoreDir } from '../../../src/core/labels/storePath';
import { defaultSettings, type Settings } from '../../../src/shared/settings';
import { RecordingPanel, RecordingStatus, RecordingUi, sourceEngine } from './recordingPorts';

const TOPICS = ['storm', 'market', 'goal'];

let dir: string;
let dataset: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-panel-session-'));
  dataset = path.join(dir, 'news.jsonl');
  const rows = Array.from({ length: 60 }, (_, i) => JSON.stringify({ id: `n${i}`, text: `${TOPICS[i % 3]} report ${i} ${'x'.repeat(i % 4)}` }));
  await fs.writeFile(dataset, rows.join('\n') + '\n');
});
/** Every engine the sessions spawned: a disposed session's engine may still be saving into the workspace. */
const engines: WorkerClient[] = [];
after(async () => {
  // Each engine closes its log and exits (dispose resolves on its exit event) before the folder goes.
  await Promise.all(engines.map((engine) => engine.dispose()));
  await fs.rm(dir, { recursive: true, force: true });
});

interface OpenOptions {
  readonly settings?: Partial<Settings>;
  readonly answers?: SetupAnswers;
  readonly saveAnswers?: (answers: SetupAnswers) => Promise<void>;
  readonly defaultAnnotator?: () => Promise<string>;
}

function open(model: string, workspaceRoot: string, options: OpenOptions = {}): { session: PanelSession; panel: RecordingPanel; ui: RecordingUi; status: RecordingStatus } {
  const panel = new RecordingPanel();
  const ui = new RecordingUi();
  const status = new RecordingStatus();
  const session = new PanelSession({
    datasetFile: dataset,
    workspaceRoot,
    cacheDir: path.join(dir, 'models'),
    answers: options.answers ?? { textField: 'text', labels: ['storm', 'market', 'goal'], mode: 'single', seedPatterns: [], seed: 4 },
    settings: { ...defaultSettings, model, strategy: 'margin', ...options.settings },
    annotator: 'ana',
    ...(options.defaultAnnotator ? { defaultAnnotator: options.defaultAnnotator } : {}),
    panel,
    status,
    ui,
    spawnEngine: () => {
      const engine = sourceEngine((reason) => ui.log('warn', reason));
      engines.push(engine);
      return engine;
    },
    saveAnswers: options.saveAnswers ?? (() => Promise.resolve()),
  });
  return { session, panel, ui, status };
}

test('a page labels through the session: saved only when on disk, a resend is not written twice', async () => {
  const root = path.join(dir, 'ws1');
  await fs.mkdir(root);
  const { session, panel, ui, status } = open('lexical', root);
  try {
    panel.fromPage({ type: 'ready', restored: false });
    await panel.wait('init');
    // The engine's ready brings a second init with the dataset's size.
    const ready = await panel.wait('init', (m) => m.dataset.total === 60);
    assert.equal(ready.strategy, 'Margin', 'the strategy by its registry title');
    panel.fromPage({ type: 'needItems', count: 12 });
    const items = (await panel.wait('items')).items;
    assert.equal(items.length, 12);
    assert.equal(new Set(items.map((i) => i.id)).size, 12);

    for (const [k, item] of items.slice(0, 3).entries()) {
      panel.fromPage({ type: 'label', requestId: `p-${k}`, itemId: item.id, labels: [item.text.split(' ')[0]], source: 'queue' });
      const saved = await panel.wait('saved', (m) => m.requestId === `p-${k}`);
      assert.equal(saved.itemId, item.id);
      const { events } = await replay(labelLogPath(root, dataset));
      assert.ok(events.some((e) => e.eventId === `req-p-${k}` && e.itemId === item.id), 'the acknowledged label is in the file');
    }
    const counts = await panel.wait('counts', (m) => m.labeled === 3);
    assert.equal(counts.total, 60);
    assert.ok(status.models.some((m) => m.labeled === 3), 'the status bar follows the counts');

    // A restored page resends a write it had pending: answered again, written once.
    const since = panel.received.length;
    panel.fromPage({ type: 'label', requestId: 'p-1', itemId: items[1]!.id, labels: [items[1]!.text.split(' ')[0]], source: 'queue' });
    await panel.wait('saved', (m) => m.requestId === 'p-1', since);
    assert.equal((await replay(labelLogPath(root, dataset))).events.length, 3);

    // A malformed message is refused with a logged reason; nothing reaches the engine.
    panel.fromPage({ type: 'label', requestId: 'p-9', itemId: items[5]!.id, labels: 'storm', source: 'queue' });
    assert.ok(ui.logs.some((l) => l.level === 'warn' && /malformed.*labels/i.test(l.message)), JSON.stringify(ui.logs.slice(-2)));
    panel.fromPage({ type: 'chooseStrategy' });
    assert.deepEqual(ui.commands, ['activeLabel.chooseStrategy']);

    // A settings change arrives through the configuration listener only: the page hears the new title.
    const before = panel.received.length;
    session.updateSettings({ ...defaultSettings, model: 'lexical', strategy: 'entropy' });
    assert.equal((await panel.wait('init', () => true, before)).strategy, 'Entropy');
  } finally {
    session.dispose();
  }
  assert.ok(panel.disposed && status.hidden, 'dispose closes the panel and hides the status bar');
});

test('a changed activeLabel.annotator applies to the next write, without restarting the engine, and the header shows it', async () => {
  const root = path.join(dir, 'ws-annotator');
  await fs.mkdir(root);
  const { session, panel, ui } = open('lexical', root, { defaultAnnotator: () => Promise.resolve('git-user') });
  const settings = { ...defaultSettings, model: 'lexical', strategy: 'margin' as const };
  const starts = (): number => ui.logs.filter((l) => l.message.startsWith('Starting session')).length;
  const written = async (requestId: string): Promise<{ type: string; annotator: string } | undefined> => {
    const e = (await replay(labelLogPath(root, dataset))).events.find((x) => x.eventId === `req-${requestId}`);
    return e && { type: e.type, annotator: e.annotator };
  };
  try {
    panel.fromPage({ type: 'ready', restored: false });
    assert.equal((await panel.wait('init', (m) => m.dataset.total === 60)).annotator, 'ana');
    panel.fromPage({ type: 'needItems', count: 6 });
    const items = (await panel.wait('items')).items;
    const label = (requestId: string, k: number): void =>
      panel.fromPage({ type: 'label', requestId, itemId: items[k]!.id, labels: [items[k]!.text.split(' ')[0]], source: 'queue' });
    label('a-0', 0);
    await panel.wait('saved', (m) => m.requestId === 'a-0');
    assert.deepEqual(await written('a-0'), { type: 'label', annotator: 'ana' });
    assert.equal(starts(), 1);

    // Renamed: the very next write carries the new name (sent at once, before any wait).
    let since = panel.received.length;
    session.updateSettings({ ...settings, annotator: 'bea' });
    label('a-1', 1);
    panel.fromPage({ type: 'skip', requestId: 'a-2', itemId: items[2]!.id });
    assert.equal((await panel.wait('init', () => true, since)).annotator, 'bea', 'the header shows the new name');
    await panel.wait('saved', (m) => m.requestId === 'a-2', since);
    assert.deepEqual(await written('a-1'), { type: 'label', annotator: 'bea' });
    assert.deepEqual(await written('a-2'), { type: 'skip', annotator: 'bea' });

    // Cleared: the default name (git user.name) takes over, still without a restart.
    since = panel.received.length;
    session.updateSettings({ ...settings, annotator: '' });
    assert.equal((await panel.wait('init', () => true, since)).annotator, 'git-user');
    label('a-3', 3);
    await panel.wait('saved', (m) => m.requestId === 'a-3', since);
    panel.fromPage({ type: 'undo', requestId: 'a-4', itemId: items[3]!.id });
    await panel.wait('saved', (m) => m.requestId === 'a-4', since);
    assert.deepEqual(await written('a-3'), { type: 'label', annotator: 'git-user' });
    assert.deepEqual(await written('a-4'), { type: 'undo', annotator: 'git-user' });
    assert.equal(starts(), 1, 'the engine was never restarted');
  } finally {
    session.dispose();
  }
});

test('a model that cannot load: the built-in use-lite stands in, says so, and "Use lexical embeddings" switches this workspace', async () => {
  const root = path.join(dir, 'ws2');
  await fs.mkdir(root);
  const { session, panel, ui } = open(path.join(dir, 'no-such-model'), root);
  ui.answer = 'Use lexical embeddings';
  try {
    panel.fromPage({ type: 'ready', restored: true });
    const first = await panel.wait('init', (m) => m.embedder !== undefined);
    assert.equal(first.embedder, 'use-lite (fallback)', 'labeling starts on the offline model, and the panel names it');
    assert.equal(ui.errors.length, 0, 'not an error: the session runs');
    const warning = ui.warnings.find((w) => /no-such-model/.test(w.message));
    assert.ok(warning, `the warning names the model: ${JSON.stringify(ui.warnings)}`);
    assert.deepEqual(warning.actions, ['Choose local model folder', 'Use the built-in offline model (use-lite)', 'Use lexical embeddings', 'Retry']);
    const ready = await panel.wait('init', (m) => m.embedder === 'lexical');
    assert.deepEqual(ui.models, ['lexical'], 'the setting that failed is the one changed');
    assert.equal(ready.dataset.total, 60);
    panel.fromPage({ type: 'needItems', count: 5 });
    const [item] = (await panel.wait('items', (m) => m.items.length > 0)).items;
    panel.fromPage({ type: 'flag', requestId: 'f-1', itemId: item!.id });
    assert.equal((await panel.wait('saved', (m) => m.requestId === 'f-1')).itemId, item!.id);
  } finally {
    session.dispose();
  }
});

test('Choose Sampling Strategy: remembered with the dataset, not in settings; the next item comes from it', async () => {
  const root = path.join(dir, 'ws3');
  await fs.mkdir(root);
  // workspaceState as a map; setup.json goes beside the label log, as in VS Code.
  const state = new Map<string, unknown>();
  const memory = new SetupMemory({ get: <T>(key: string) => state.get(key) as T | undefined, update: (key, value) => Promise.resolve(void state.set(key, value)) }, (file) => datasetStoreDir(root, file));
  const answers: SetupAnswers = { textField: 'text', labels: ['storm', 'market', 'goal'], mode: 'single', seedPatterns: [], seed: 4 };
  // No random share: a cold-start batch of `margin` then has no random items, so a `random`
  // reason can only come from the new strategy.
  const settings: Partial<Settings> = { randomShare: 0 };
  const saveAnswers = (next: SetupAnswers): Promise<void> => memory.set(dataset, next);
  const { session, panel } = open('lexical', root, { settings, answers, saveAnswers });
  try {
    panel.fromPage({ type: 'ready', restored: false });
    await panel.wait('init', (m) => m.dataset.total === 60);
    panel.fromPage({ type: 'needItems', count: 12 });
    const first = (await panel.wait('items')).items;
    assert.equal(first.length, 12);
    assert.deepEqual(first.filter((i) => i.reason.strategy === 'random'), [], 'margin (cold start) picked these');
    // The page labels the first item and shows the second; the other ten wait in its queue.
    const [labeled, onScreen] = first as [(typeof first)[0], (typeof first)[0]];
    panel.fromPage({ type: 'label', requestId: 's-1', itemId: labeled.id, labels: ['storm'], source: 'queue' });
    await panel.wait('saved', (m) => m.requestId === 's-1');

    const before = panel.received.length;
    const choosing = session.chooseStrategy('random');
    const header = panel.received.slice(before).find((m) => m.type === 'init');
    assert.equal(header?.type === 'init' ? header.strategy : undefined, 'Random', 'the header names the new strategy at once');
    await choosing;
    assert.equal(session.strategy, 'random');
    const replaced = await panel.wait('items', (m) => m.replace === true, before);
    assert.equal(replaced.items.length, 11, 'as many items as the page held');
    assert.deepEqual([...new Set(replaced.items.map((i) => i.reason.strategy))], ['random'], 'every replacement comes from the new strategy');
    assert.ok(!replaced.items.some((i) => i.id === labeled.id), 'a labeled item is not served again');
    assert.ok(!replaced.items.some((i) => i.id === onScreen.id), 'the card on screen stays with the page: it is not picked again');

    // The card still on screen keeps the reason it was served with; the next item names `random`.
    const next = replaced.items[0];
    assert.ok(next);
    panel.fromPage({ type: 'label', requestId: 's-2', itemId: onScreen.id, labels: ['market'], source: 'queue' });
    panel.fromPage({ type: 'label', requestId: 's-3', itemId: next.id, labels: ['goal'], source: 'queue' });
    await panel.wait('saved', (m) => m.requestId === 's-3');
    const { events } = await replay(labelLogPath(root, dataset));
    assert.equal(events.find((e) => e.eventId === 'req-s-2')?.strategy, onScreen.reason.strategy);
    assert.equal(events.find((e) => e.eventId === 'req-s-3')?.strategy, 'random');

    // Remembered with the dataset's setup answers; no settings file appears in the workspace.
    assert.equal((await memory.get(dataset))?.strategy, 'random');
    const setupFile = JSON.parse(await fs.readFile(path.join(datasetStoreDir(root, dataset), 'setup.json'), 'utf8')) as { strategy?: string };
    assert.equal(setupFile.strategy, 'random');
    await assert.rejects(fs.stat(path.join(root, '.vscode')), { code: 'ENOENT' });

    // The setting is only the default of a dataset without a choice: this one keeps its own.
    const sinceSetting = panel.received.length;
    session.updateSettings({ ...defaultSettings, model: 'lexical', strategy: 'entropy', ...settings });
    panel.fromPage({ type: 'needItems', count: 3 });
    const more = await panel.wait('items', () => true, sinceSetting);
    assert.notEqual(more.replace, true, 'nothing was replaced');
    assert.deepEqual([...new Set(more.items.map((i) => i.reason.strategy))], ['random']);
    assert.ok(!panel.received.slice(sinceSetting).some((m) => m.type === 'init'), 'the header still says Random');
  } finally {
    session.dispose();
  }

  // A new session on the dataset (Start Labeling again, or a reload) starts with its strategy.
  const remembered = await memory.get(dataset);
  assert.ok(remembered);
  const again = open('lexical', root, { settings, answers: remembered, saveAnswers });
  try {
    again.panel.fromPage({ type: 'ready', restored: false });
    const ready = await again.panel.wait('init', (m) => m.dataset.total === 60);
    assert.equal(ready.strategy, 'Random');
    again.panel.fromPage({ type: 'needItems', count: 5 });
    const items = (await again.panel.wait('items')).items;
    assert.ok(items.length > 0);
    assert.deepEqual([...new Set(items.map((i) => i.reason.strategy))], ['random']);
  } finally {
    again.session.dispose();
  }
});
