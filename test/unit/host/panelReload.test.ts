/**
 * The host's side of an edited dataset, with the real engine: PanelSession.reloadDataset (what the
 * file watcher calls) reaches the real worker, and what comes back is shown: the page gets
 * `poolChanged` and a notice saying what changed; the log names each bad row with file:line and a
 * warning says rows were skipped. Only VS Code's side is replaced by recorders.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { PanelSession, type PanelPort, type SessionUi } from '../../../src/host/panelSession';
import { reloadReport } from '../../../src/host/reloadReport';
import type { WorkerClient } from '../../../src/host/workerClient';
import { defaultSettings } from '../../../src/shared/settings';
import type { HostToWebview } from '../../../src/shared/protocol';
import { sourceEngine } from './recordingPorts';

let dir: string;
let dataset: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-panel-reload-'));
  dataset = path.join(dir, 'news.jsonl');
});
/** Every engine the sessions spawned: a disposed session's engine may still be saving into the workspace. */
const engines: WorkerClient[] = [];
after(async () => {
  // Each engine closes its log and exits (dispose resolves on its exit event) before the folder goes.
  await Promise.all(engines.map((engine) => engine.dispose()));
  await fs.rm(dir, { recursive: true, force: true });
});

const rows = (n: number): string[] => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `n${i}`, text: `${['storm', 'market'][i % 2]} report ${i}` }));

/** Records what the page receives; resolves waits as messages arrive. */
function recordingPanel(): PanelPort & { received: HostToWebview[]; send(raw: unknown): void; visible: boolean; wait(pred: (m: HostToWebview) => boolean, since?: number): Promise<HostToWebview> } {
  const received: HostToWebview[] = [];
  const waiters: { pred: (m: HostToWebview) => boolean; resolve: (m: HostToWebview) => void }[] = [];
  let listener: ((raw: unknown) => void) | undefined;
  return {
    received,
    visible: true,
    post(message) {
      received.push(structuredClone(message));
      for (const w of waiters.splice(0)) {
        if (w.pred(message)) w.resolve(message);
        else waiters.push(w);
      }
    },
    onMessage: (l) => (listener = l),
    onDidDispose: () => undefined,
    reveal: () => undefined,
    dispose: () => undefined,
    send: (raw) => listener?.(raw),
    wait: (pred, since = 0) => {
      const seen = received.slice(since).find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; got ${received.map((m) => m.type).join(',')}`)), 120_000);
        waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
  };
}

test('reloadDataset: the page drops nothing it should keep, hears what changed; bad rows are logged with file:line', async () => {
  await fs.writeFile(dataset, rows(20).join('\n') + '\n');
  const panel = recordingPanel();
  const logs: { level: string; message: string }[] = [];
  const warnings: string[] = [];
  const ui: SessionUi = {
    executeCommand: () => undefined,
    showError: () => Promise.resolve(undefined),
    showWarning: (message) => (warnings.push(message), Promise.resolve(undefined)),
    setModel: () => Promise.resolve(),
    apiKey: () => Promise.resolve(undefined),
    chooseModelFolder: () => Promise.resolve(undefined),
    showProgress: () => undefined,
    endProgress: () => undefined,
    log: (level, message) => logs.push({ level, message }),
    showLog: () => undefined,
  };
  const session = new PanelSession({
    datasetFile: dataset,
    workspaceRoot: dir,
    cacheDir: path.join(dir, 'models'),
    answers: { textField: 'text', labels: ['storm', 'market'], mode: 'single', seedPatterns: [], seed: 4 },
    settings: { ...defaultSettings, model: 'lexical', strategy: 'margin' },
    annotator: 'ana',
    saveAnswers: () => Promise.resolve(),
    panel,
    status: { showProgress: () => undefined, showModel: () => undefined, showError: () => undefined, hide: () => undefined },
    ui,
    spawnEngine: () => {
      const engine = sourceEngine();
      engines.push(engine);
      return engine;
    },
  });
  try {
    panel.send({ type: 'ready', restored: false });
    await panel.wait((m) => m.type === 'init' && m.dataset.total === 20);
    panel.send({ type: 'needItems', count: 5 });
    const served = await panel.wait((m) => m.type === 'items');
    assert.ok(served.type === 'items' && served.items.length === 5);
    const first = served.items[0]!.id;

    // The first served item is deleted, two rows are added, one row is malformed.
    const next = rows(20).filter((r) => JSON.parse(r).id !== first);
    next.splice(3, 0, '{"id": "broken", "text": ');
    next.push(JSON.stringify({ id: 'n-new-1', text: 'market rally report' }), JSON.stringify({ id: 'n-new-2', text: 'storm warning report' }));
    await fs.writeFile(dataset, next.join('\n') + '\n');
    session.reloadDataset();

    const pool = await panel.wait((m) => m.type === 'poolChanged');
    assert.ok(pool.type === 'poolChanged');
    assert.deepEqual(pool.withdrawn, [first], 'the deleted item the page held is withdrawn');
    const notice = await panel.wait((m) => m.type === 'notice' && m.message.includes('changed'));
    assert.ok(notice.type === 'notice');
    assert.equal(notice.message, 'news.jsonl changed: 2 new items, 1 removed.');
    const counts = await panel.wait((m) => m.type === 'counts' && m.total === 21);
    assert.ok(counts.type === 'counts');
    assert.ok(logs.some((l) => l.level === 'warn' && l.message.startsWith(`${dataset}:4: invalid JSON`)), JSON.stringify(logs.slice(-3)));
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0]!.includes('skipped 1 of 22 rows of news.jsonl'), warnings[0]);

    // A hidden panel's page is destroyed and restores its queue when shown: the items withdrawn
    // meanwhile are sent again after its init, so the restored queue drops them too.
    panel.visible = false;
    const second = served.items[1]!.id;
    await fs.writeFile(dataset, next.filter((r) => !r.includes(`"${second}"`)).join('\n') + '\n');
    const hiddenSince = panel.received.length;
    session.reloadDataset();
    await panel.wait((m) => m.type === 'notice' && m.message === 'news.jsonl changed: 1 removed.', hiddenSince);
    panel.visible = true;
    const shownSince = panel.received.length;
    panel.send({ type: 'ready', restored: true });
    const again = await panel.wait((m) => m.type === 'poolChanged', shownSince);
    assert.ok(again.type === 'poolChanged');
    assert.deepEqual(again.withdrawn, [second]);
    assert.equal(panel.received[shownSince]?.type, 'init', 'after the page\'s init');
  } finally {
    session.dispose();
  }
});

test('reloadReport words each outcome', () => {
  const base = { type: 'datasetReloaded' as const, summary: { rows: 10, loaded: 10, skipped: 0, duplicateRows: 0 }, problems: [], added: 0, removed: 0, changed: 0 };
  assert.deepEqual(reloadReport(base, 'a.jsonl'), { notice: 'a.jsonl was saved; no item changed.', log: ['Reloaded a.jsonl: 10 items, 0 rows skipped; no item changed.'] });
  assert.equal(reloadReport({ ...base, added: 1, changed: 2 }, 'a.jsonl').notice, 'a.jsonl changed: 1 new item, 2 edited with the same id (re-embedded, labels kept).');
  const failed = reloadReport({ ...base, failed: 'The dataset file changed but could not be followed: x.' }, 'a.jsonl');
  assert.equal(failed.warning, 'The dataset file changed but could not be followed: x.');
});
