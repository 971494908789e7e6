import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Relay, type RelayConfig } from '../../../src/host/relay';
import { DEFAULT_KEYMAP, MAX_ITEMS_MESSAGE_CHARS, type HostToWebview } from '../../../src/shared/webviewProtocol';
import { parseHostToWebview } from '../../../src/shared/webviewValidation';
import type { BatchItem, HostToWorker, WorkerToHost } from '../../../src/shared/workerProtocol';

const config: RelayConfig = { datasetName: 'd.jsonl', labels: ['pos', 'neg'], mode: 'single', keymap: DEFAULT_KEYMAP, strategy: 'margin' };

function setup(cfg: RelayConfig = config) {
  const toWorker: HostToWorker[] = [];
  const toWebview: HostToWebview[] = [];
  const logs: string[] = [];
  const relay = new Relay(cfg, { post: (m) => void toWorker.push(m) }, (m) => void toWebview.push(m), {
    openSettings: () => undefined,
    chooseStrategy: () => undefined,
    retry: () => undefined,
    errorAction: () => undefined,
    log: (m) => void logs.push(m),
  });
  const ready: WorkerToHost = {
    type: 'ready',
    summary: { rows: 3, loaded: 3, skipped: 0, skippedByReason: {}, duplicateRows: 0 },
    problems: [],
    embedder: 'lexical',
    labelsState: { labeled: 0, total: 3, counts: {}, evaluation: 0, events: 0 },
    logProblems: [],
  };
  return { relay, toWorker, toWebview, logs, ready };
}

const item = (id: string): BatchItem => ({ id, text: `text ${id}`, reason: 'why', strategy: 'margin', score: 0.5 });

test('every message sent to the webview passes the webview protocol validator', () => {
  const { relay, toWebview, ready } = setup();
  relay.fromWebview({ type: 'ready', restored: false });
  relay.fromWorker({ type: 'progress', phase: 'loading', done: 0, total: 0, itemsPerSecond: 0, etaSeconds: 0 });
  relay.fromWorker({ type: 'progress', phase: 'embedding', done: 5, total: 10, itemsPerSecond: 85, etaSeconds: 3 });
  relay.fromWorker(ready);
  relay.fromWorker({ type: 'batch', items: [item('a'), { ...item('b'), prediction: { label: 'pos', confidence: 0.7 }, cluster: 2 }], exhausted: false });
  relay.fromWorker({
    type: 'model', version: 1, labeled: 2, total: 3, counts: { pos: 1, neg: 1 },
    metrics: { evaluated: 2, accuracy: 0.5, macroF1: 0.4, perClass: [], classes: ['pos', 'neg'] },
    curve: [{ labels: 2, accuracy: 0.5, macroF1: 0.4, version: 1 }],
    stopping: { stop: true, kappa: 0.99, message: 'stop now' },
  });
  relay.fromWorker({ type: 'progress', phase: 'training', done: 1, total: 1, itemsPerSecond: 0, etaSeconds: 0 });
  assert.ok(toWebview.length >= 7);
  for (const m of toWebview) assert.ok(parseHostToWebview(m).ok, `${m.type}: ${JSON.stringify(parseHostToWebview(m))}`);
  const model = toWebview.find((m) => m.type === 'model');
  assert.equal(model?.type === 'model' && model.stopping, 'stop now');
  assert.equal(toWebview.at(-1)?.type === 'progress' && toWebview.at(-1)?.type, 'progress');
});

test('a label is confirmed only after the worker saved it, and a retried requestId is not written twice', () => {
  const { relay, toWorker, toWebview, ready } = setup();
  relay.fromWorker(ready);
  relay.fromWorker({ type: 'batch', items: [item('a')], exhausted: false });
  toWebview.length = 0;
  relay.fromWebview({ type: 'label', requestId: 'r1', itemId: 'a', labels: ['pos'], source: 'queue' });
  assert.equal(toWorker.filter((m) => m.type === 'label').length, 1);
  assert.equal(toWebview.filter((m) => m.type === 'saved').length, 0, 'nothing confirmed before the worker answers');
  relay.fromWebview({ type: 'label', requestId: 'r1', itemId: 'a', labels: ['pos'], source: 'queue' });
  assert.equal(toWorker.filter((m) => m.type === 'label').length, 1, 'in-flight retry not re-sent');
  relay.fromWorker({ type: 'saved', requestId: 'r1', eventId: 'e1' });
  assert.deepEqual(toWebview.at(-1), { type: 'saved', requestId: 'r1', itemId: 'a' });
  relay.fromWebview({ type: 'label', requestId: 'r1', itemId: 'a', labels: ['pos'], source: 'queue' });
  assert.equal(toWorker.filter((m) => m.type === 'label').length, 1, 'saved retry answered from memory');
  assert.equal(toWebview.filter((m) => m.type === 'saved').length, 2);
});

test('a failed write is reported and may be retried with the same requestId', () => {
  const { relay, toWorker, toWebview } = setup();
  relay.fromWebview({ type: 'label', requestId: 'r2', itemId: 'a', labels: ['neg'], source: 'queue' });
  relay.fromWorker({ type: 'saveFailed', requestId: 'r2', message: 'EACCES' });
  assert.deepEqual(toWebview.at(-1), { type: 'saveFailed', requestId: 'r2', itemId: 'a', message: 'EACCES' });
  relay.fromWebview({ type: 'label', requestId: 'r2', itemId: 'a', labels: ['neg'], source: 'queue' });
  assert.equal(toWorker.filter((m) => m.type === 'label').length, 2);
});

test('unknown labels and malformed messages never reach the worker', () => {
  const { relay, toWorker, toWebview, logs } = setup();
  relay.fromWebview({ type: 'label', requestId: 'r3', itemId: 'a', labels: ['<img onerror=x>'], source: 'queue' });
  relay.fromWebview({ type: 'label', requestId: 'r4', itemId: 'a', labels: ['pos', 'neg'], source: 'queue' });
  relay.fromWebview({ type: 'label', requestId: 5, itemId: 'a', labels: ['pos'] });
  relay.fromWebview({ type: 'eval', code: 'x' });
  relay.fromWebview(null);
  assert.equal(toWorker.length, 0);
  assert.equal(toWebview.filter((m) => m.type === 'saveFailed').length, 2);
  assert.equal(logs.length, 3);
});

test('binary mode maps accept/reject onto the worker protocol', () => {
  const { relay, toWorker } = setup({ ...config, labels: ['spam'], mode: 'binary' });
  relay.fromWebview({ type: 'label', requestId: 'a1', itemId: 'x', labels: ['spam'], source: 'queue', answer: 'accept' });
  relay.fromWebview({ type: 'label', requestId: 'a2', itemId: 'y', labels: ['spam'], source: 'queue', answer: 'reject' });
  const labels = toWorker.flatMap((m) => (m.type === 'label' ? [m.labels] : []));
  assert.deepEqual(labels, [['spam'], []]);
});

test('needItems asks the worker once at a time; a fresh webview gets back what it held', () => {
  const { relay, toWorker, toWebview, ready } = setup();
  relay.fromWebview({ type: 'needItems', count: 5, exclude: [] });
  assert.equal(toWorker.length, 0, 'nothing asked before the engine is ready');
  relay.fromWorker(ready);
  assert.deepEqual(toWorker, [{ type: 'requestBatch', count: 5 }]);
  relay.fromWebview({ type: 'needItems', count: 5, exclude: [] });
  assert.equal(toWorker.length, 1, 'one batch in flight at a time');
  relay.fromWorker({ type: 'batch', items: [item('a'), item('b')], exhausted: false });
  relay.fromWebview({ type: 'skip', itemId: 'a' });
  toWebview.length = 0;
  relay.fromWebview({ type: 'ready', restored: false });
  const items = toWebview.find((m) => m.type === 'items');
  assert.deepEqual(items?.type === 'items' && items.items.map((i) => i.id), ['b']);
});

test('the held-out count travels from the worker metrics and curve into the webview model', () => {
  const { relay, toWebview, ready } = setup();
  relay.fromWorker(ready);
  relay.fromWorker({
    type: 'model', version: 2, labeled: 24, total: 3, counts: { pos: 12, neg: 12 },
    metrics: { evaluated: 3, accuracy: 2 / 3, macroF1: 0.6, perClass: [], classes: ['pos', 'neg'] },
    curve: [{ labels: 8, accuracy: 0.5, macroF1: 0.5, version: 1, evaluated: 2 }, { labels: 21, accuracy: 2 / 3, macroF1: 0.6, version: 2, evaluated: 3 }],
    stopping: { stop: false, kappa: null, message: '' },
  });
  const model = toWebview.find((m) => m.type === 'model');
  assert.ok(model?.type === 'model');
  assert.equal(model.evaluated, 3);
  assert.deepEqual(model.curve.map((p) => p.evaluated), [2, 3]);
  assert.ok(parseHostToWebview(model).ok);
  assert.equal(relay.snapshot.evaluated, 3, 'the status bar reads the same snapshot');
  assert.equal(relay.initMessage().state.evaluated, 3, 'a reloaded page gets it in init');
});

test('reveal goes straight to a live page, and waits for the init of a page that was hidden', () => {
  const { relay, toWebview } = setup();
  relay.reveal('chart', true);
  assert.deepEqual(toWebview, [{ type: 'reveal', section: 'chart' }]);
  assert.ok(parseHostToWebview(toWebview[0]).ok);

  toWebview.length = 0;
  relay.reveal('chart', false);
  assert.equal(toWebview.length, 0, 'a hidden page would drop it');
  relay.fromWebview({ type: 'ready', restored: true });
  assert.deepEqual(toWebview.map((m) => m.type), ['init', 'reveal'], 'after the reloaded page has its state');
  toWebview.length = 0;
  relay.fromWebview({ type: 'ready', restored: true });
  assert.deepEqual(toWebview.map((m) => m.type), ['init'], 'sent once, not on every later reload');
});

test('every saved write updates the counts: snapshot, a counts message after saved, and the next init', () => {
  const { relay, toWebview, ready } = setup();
  relay.fromWorker(ready);
  relay.fromWorker({ type: 'batch', items: [item('a'), item('b'), item('c')], exhausted: false });
  const state = (labeled: number, pos: number, neg: number) => ({ labeled, total: 3, counts: { pos, neg }, evaluation: 0, events: labeled });
  toWebview.length = 0;
  relay.fromWebview({ type: 'label', requestId: 'r1', itemId: 'a', labels: ['pos'], source: 'queue' });
  relay.fromWorker({ type: 'saved', requestId: 'r1', eventId: 'e1', labelsState: state(1, 1, 0) });
  assert.deepEqual(toWebview.map((m) => m.type), ['saved', 'counts'], 'confirmed first, then the counts');
  assert.deepEqual(toWebview[1], { type: 'counts', counts: { pos: 1, neg: 0 }, labeled: 1, total: 3 });
  assert.ok(parseHostToWebview(toWebview[1]).ok);
  assert.equal(relay.snapshot.labeled, 1, 'the status bar reads the same snapshot');
  assert.equal(relay.snapshot.version, 0, 'nothing but the counts changed');
  assert.deepEqual(relay.initMessage().state.counts, { pos: 1, neg: 0 }, 'a reloaded page gets them in init');

  // A flag's saved confirms nothing in the UI, but its counts still apply.
  toWebview.length = 0;
  relay.fromWebview({ type: 'flag', itemId: 'b' });
  relay.fromWorker({ type: 'saved', requestId: 'flag-b-1', eventId: 'e2', labelsState: { ...state(1, 1, 0), events: 2 } });
  assert.equal(toWebview.length, 0, 'unchanged counts are not re-sent');
  relay.fromWebview({ type: 'undo', requestId: 'u1', itemId: 'a' });
  relay.fromWorker({ type: 'saved', requestId: 'u1', eventId: 'e3', labelsState: state(0, 0, 0) });
  relay.fromWorker({ type: 'undone', requestId: 'u1', itemId: 'a', labels: [], labelsState: state(0, 0, 0) });
  assert.deepEqual(toWebview.filter((m) => m.type === 'counts'), [{ type: 'counts', counts: { pos: 0, neg: 0 }, labeled: 0, total: 3 }]);
  relay.fromWorker({ type: 'undone', requestId: 'u2', itemId: 'c', labels: [], labelsState: state(2, 1, 1) });
  assert.equal(relay.snapshot.labeled, 2, 'undone carries counts too');
  assert.equal(toWebview.at(-1)?.type, 'counts');
});

test('items messages are capped by text size; the rest waits in the relay until the webview asks again', () => {
  const { relay, toWorker, toWebview, ready } = setup();
  relay.fromWorker(ready);
  relay.fromWebview({ type: 'needItems', count: 200, exclude: [] });
  const text = 'storm warning '.repeat(15_000).slice(0, 200_000);
  const big: BatchItem[] = Array.from({ length: 200 }, (_, i) => ({ ...item(`i${i}`), text: `${i} ${text}` }));
  // One item larger than the whole budget still goes, alone.
  big[150] = { ...item('huge'), text: 'x'.repeat(MAX_ITEMS_MESSAGE_CHARS + 1) };
  toWebview.length = 0;
  relay.fromWorker({ type: 'batch', items: big, exhausted: true });
  const asked = toWorker.length;
  const messages: HostToWebview[] = [...toWebview];
  for (let guard = 0; guard < 300 && !messages.some((m) => m.type === 'items' && m.exhausted); guard++) {
    toWebview.length = 0;
    relay.fromWebview({ type: 'needItems', count: 12, exclude: [] });
    messages.push(...toWebview);
  }
  assert.equal(toWorker.length, asked, 'served from the relay, the worker was not asked again');
  const batches = messages.flatMap((m) => (m.type === 'items' ? [m] : []));
  for (const b of batches) {
    const chars = b.items.reduce((sum, i) => sum + i.text.length, 0);
    assert.ok(b.items.length >= 1, 'never an empty answer while items wait');
    assert.ok(b.items.length === 1 || chars <= MAX_ITEMS_MESSAGE_CHARS, `${b.items.length} items, ${chars} chars`);
    assert.ok(b.items.length <= 12 || b === batches[0]);
    assert.ok(parseHostToWebview(b).ok);
  }
  assert.ok(batches[0]!.items.length >= 5, `the first message alone tops up the queue (${batches[0]!.items.length})`);
  assert.ok(batches.some((b) => b.items.length === 1 && b.items[0]!.id === 'huge'));
  assert.deepEqual(batches.flatMap((b) => b.items.map((i) => i.id)), big.map((i) => i.id), 'every item, in order, once');
  assert.deepEqual(batches.map((b) => b.exhausted === true), batches.map((_, i) => i === batches.length - 1), 'exhausted only with the last');

  // A fresh page (its queue lost) gets back what it held, under the same cap.
  toWebview.length = 0;
  relay.fromWebview({ type: 'ready', restored: false });
  const resent = toWebview.flatMap((m) => (m.type === 'items' ? [m] : []));
  assert.equal(resent.length, 1);
  assert.ok(resent[0]!.items.reduce((sum, i) => sum + i.text.length, 0) <= MAX_ITEMS_MESSAGE_CHARS);
});

test('after the worker is replaced, writes go to the new worker and unanswered ones are reported failed', () => {
  const { relay, toWorker, toWebview, ready } = setup();
  relay.fromWorker(ready);
  relay.fromWorker({ type: 'batch', items: [item('a'), item('b')], exhausted: false });
  relay.fromWebview({ type: 'label', requestId: 'r1', itemId: 'a', labels: ['pos'], source: 'queue' });
  toWebview.length = 0;
  // The old worker died with r1 in flight; the session spawns a new one and restarts the engine.
  const toNewWorker: HostToWorker[] = [];
  relay.resetEngine({ post: (m) => void toNewWorker.push(m) });
  const failed = toWebview.find((m) => m.type === 'saveFailed');
  assert.ok(failed?.type === 'saveFailed' && failed.requestId === 'r1' && failed.itemId === 'a', 'r1 is not left pending forever');
  assert.equal(toWebview.filter((m) => m.type === 'saved').length, 0, 'nothing is claimed saved');
  const before = toWorker.length;
  relay.fromWorker(ready);
  relay.fromWebview({ type: 'label', requestId: 'r1', itemId: 'a', labels: ['pos'], source: 'queue' });
  relay.fromWebview({ type: 'skip', itemId: 'b' });
  assert.equal(toWorker.length, before, 'the dead worker gets nothing more');
  assert.deepEqual(
    toNewWorker.filter((m) => m.type === 'label' || m.type === 'skip').map((m) => m.type),
    ['label', 'skip'],
    'the retry and the skip reach the new worker',
  );
});

test('restarting on the same worker (Configure Labels) keeps in-flight writes pending', () => {
  const { relay, toWorker, toWebview, ready } = setup();
  const port = { post: (m: HostToWorker) => void toWorker.push(m) };
  relay.resetEngine(port);
  relay.fromWorker(ready);
  relay.fromWorker({ type: 'batch', items: [item('a')], exhausted: false });
  relay.fromWebview({ type: 'label', requestId: 'r1', itemId: 'a', labels: ['pos'], source: 'queue' });
  relay.resetEngine(port);
  assert.equal(toWebview.filter((m) => m.type === 'saveFailed').length, 0);
  relay.fromWorker({ type: 'saved', requestId: 'r1', eventId: 'e1' });
  assert.ok(toWebview.some((m) => m.type === 'saved' && m.requestId === 'r1'));
});
