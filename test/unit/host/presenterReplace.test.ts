/**
 * A strategy change's replacement items while the panel is hidden: VS Code drops messages to a
 * hidden webview, so the Presenter keeps them and gives them to the page when it comes back,
 * after its `init`; ordinary items (answers to the page's own requests) pass as they are.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Presenter, type PageConfig } from '../../../src/host/presenter';
import { DEFAULT_KEYMAP, type HostToWebview, type QueueItem } from '../../../src/shared/protocol';

const CONFIG: PageConfig = { datasetName: 'd.jsonl', labels: ['a', 'b'], mode: 'single', keymap: DEFAULT_KEYMAP, strategy: 'Random' };
const item = (id: string): QueueItem => ({ id, text: `text ${id}`, reason: { strategy: 'random', score: 0 } });
const status = { showProgress: () => undefined, showModel: () => undefined, showError: () => undefined };

test('replacement items wait for a hidden page and follow its init; a visible page gets them at once', () => {
  const posted: HostToWebview[] = [];
  const page = { visible: false, post: (m: HostToWebview) => void posted.push(m) };
  const presenter = new Presenter(CONFIG, page, status);
  presenter.present({ type: 'items', items: [item('x1')], replace: true });
  presenter.present({ type: 'items', items: [item('y1'), item('y2')], replace: true });
  assert.equal(posted.length, 0, 'nothing is posted to a hidden page');
  page.visible = true;
  presenter.pageReady();
  assert.deepEqual(posted.map((m) => m.type), ['init', 'items']);
  const replaced = posted[1];
  assert.ok(replaced?.type === 'items' && replaced.replace === true);
  assert.deepEqual(replaced.items.map((i) => i.id), ['y1', 'y2'], 'the latest replacement');
  presenter.pageReady();
  assert.deepEqual(posted.map((m) => m.type), ['init', 'items', 'init'], 'given once');
  presenter.present({ type: 'items', items: [item('z1')], replace: true });
  presenter.present({ type: 'items', items: [item('z2')] });
  assert.deepEqual(posted.slice(3).map((m) => (m.type === 'items' ? m.items[0]?.id : m.type)), ['z1', 'z2']);
});

test('the status bar follows the counts during a retrain (marked training), and not during other work', () => {
  const shown: { labeled: number; training: boolean }[] = [];
  const progress: string[] = [];
  const bar = { showProgress: (p: { phase: string }) => void progress.push(p.phase), showModel: (m: { labeled: number; training: boolean }) => void shown.push({ labeled: m.labeled, training: m.training }), showError: () => undefined };
  const presenter = new Presenter(CONFIG, { visible: true, post: () => undefined }, bar);
  presenter.present({
    type: 'engineReady',
    summary: { rows: 10, loaded: 10, skipped: 0, duplicateRows: 0 },
    problems: [],
    embedder: 'lexical',
    logProblems: [],
    counts: { counts: {}, labeled: 0, total: 10 },
    toReview: 0,
    imported: 0,
  });
  const counts = (labeled: number) => ({ type: 'counts' as const, counts: { a: labeled }, labeled, total: 10 });
  presenter.present({ type: 'progress', phase: 'training', done: 0, total: 1, itemsPerSecond: 0, etaSeconds: -1 });
  presenter.present(counts(1));
  assert.deepEqual(shown.at(-1), { labeled: 1, training: true }, 'a label during a retrain reaches the status bar');
  presenter.present({ type: 'progress', phase: 'embedding', done: 1, total: 5, itemsPerSecond: 1, etaSeconds: 4 });
  const before = shown.length;
  presenter.present(counts(2));
  assert.equal(shown.length, before, 'while embedding the status bar shows the progress, not the counts');
  assert.equal(progress.at(-1), 'embedding');
  presenter.present({ type: 'progress', phase: 'idle', done: 1, total: 1, itemsPerSecond: 0, etaSeconds: -1 });
  assert.deepEqual(shown.at(-1), { labeled: 2, training: false }, 'and the counts come back when the work ends');
});

test('the slow-embedding warning is given again to a page that comes back while the pool still embeds, and not after', () => {
  const posted: HostToWebview[] = [];
  const presenter = new Presenter(CONFIG, { visible: true, post: (m: HostToWebview) => void posted.push(m) }, status);
  const pool = (state: 'embedding' | 'done', embedded: number) => ({ type: 'poolEmbedding' as const, state, embedded, total: 1000, fromCache: 0, itemsPerSecond: 10, etaSeconds: 90 });
  presenter.present(pool('embedding', 100));
  presenter.present({ type: 'slowEmbedding', etaSeconds: 5400, itemsPerSecond: 10, remaining: 900, warnAfterMinutes: 30, embedder: 'use-lite' });
  posted.length = 0;
  presenter.pageReady();
  assert.deepEqual(posted.map((m) => m.type), ['init', 'slowEmbedding']);
  presenter.present(pool('done', 1000));
  posted.length = 0;
  presenter.pageReady();
  assert.deepEqual(posted.map((m) => m.type), ['init'], 'the pool is embedded: nothing to warn about');
});
