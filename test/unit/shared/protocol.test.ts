/**
 * The schemas are the protocol: every direction validates with them, so these cases pin what a
 * boundary accepts and what it refuses (with a reason that names the field).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { HostToWorker, WorkerToHost } from '../../../src/shared/protocol/engine';
import { HostToWebview, parseWith, WebviewToHost } from '../../../src/shared/protocol';

const item = { id: 'a', text: 't', reason: { strategy: 'margin', score: 0.5, cluster: 2, detail: 'why' } };
const model = { version: 1, training: false, curve: [{ labels: 30, accuracy: 0.5, macroF1: 0.4, evaluated: 20, low: 0.3, high: 0.7 }], counts: { pos: 1 }, labeled: 1, total: 3 };

const validWorker: unknown[] = [
  { type: 'engineReady', summary: { rows: 3, loaded: 3, skipped: 0, duplicateRows: 0 }, problems: [], embedder: 'lexical', logProblems: [], counts: { counts: { pos: 1 }, labeled: 1, total: 3 }, toReview: 0, imported: 1 },
  { type: 'items', items: [item, { ...item, id: 'b', prediction: { label: 'pos', confidence: 0.7 } }], exhausted: true },
  { type: 'model', ...model, accuracy: 0.5, macroF1: 0.4, accuracyLow: 0.3, accuracyHigh: 0.7, evaluated: 20, trainedOn: 30, stopping: { stop: false, kappa: 0.82, threshold: 0.99, message: 'Predictions still changing' } },
  { type: 'error', kind: 'model-load', message: 'm', actions: ['useLexical', 'retry'] },
  { type: 'saved', requestId: 'r', itemId: 'a' },
  { type: 'counts', counts: { pos: 1 }, labeled: 1, total: 3 },
  { type: 'progress', phase: 'embedding', done: 1, total: 3, itemsPerSecond: 10, etaSeconds: -1 },
];

test('well-formed worker messages pass, and the page-bound ones are page messages too', () => {
  for (const m of validWorker) assert.ok(v.is(WorkerToHost, structuredClone(m)), JSON.stringify(m).slice(0, 80));
  for (const m of validWorker.slice(1)) assert.ok(v.is(HostToWebview, m), `the page takes ${(m as { type: string }).type} unchanged`);
});

test('a field that is missing or of the wrong type fails the whole message, with a reason', () => {
  const bad: [string, unknown][] = [
    ['items with a NaN score', { type: 'items', items: [{ ...item, reason: { ...item.reason, score: NaN } }] }],
    ['items with a zero-based cluster', { type: 'items', items: [{ ...item, reason: { ...item.reason, cluster: 0 } }] }],
    ['items with a bad prediction', { type: 'items', items: [{ ...item, prediction: { label: 'pos' } }] }],
    ['items with a hole', { type: 'items', items: [item, , item] }],
    ['model with a malformed curve point', { type: 'model', ...model, curve: [{ labels: 2, accuracy: 'high', macroF1: 0.4 }] }],
    ['model with a curve point without its band', { type: 'model', ...model, curve: [{ labels: 30, accuracy: 0.5, macroF1: 0.4, evaluated: 20 }] }],
    ['model with the stopping hint as a bare string', { type: 'model', ...model, stopping: 'Predictions have stabilized' }],
    ['model with non-numeric counts', { type: 'model', ...model, counts: { pos: 'one' } }],
    ['error with an unknown action', { type: 'error', kind: 'internal', message: 'm', actions: ['rm -rf'] }],
    ['unknown type', { type: 'batch', items: [] }],
  ];
  for (const [what, message] of bad) {
    const parsed = parseWith(WorkerToHost, message);
    assert.equal(parsed.ok, false, what);
    assert.ok(!parsed.ok && parsed.error.length > 0, `${what} says why`);
  }
  const reason = parseWith(WorkerToHost, { type: 'saved', requestId: 7, itemId: 'a' });
  assert.ok(!reason.ok && /requestId/.test(reason.error), 'the reason names the field');
});

test('writes from the page: sizes are bounded and the shape is exact', () => {
  const label = { type: 'label', requestId: 'r1', itemId: 'i1', labels: ['a'], source: 'queue' };
  assert.ok(v.is(WebviewToHost, label));
  assert.ok(v.is(HostToWorker, label), 'the host forwards the same message to the worker');
  const refused: [string, unknown][] = [
    ['a 1 MB item id', { ...label, itemId: 'x'.repeat(1_000_000) }],
    ['a 100 KB label', { ...label, labels: ['y'.repeat(100_000)] }],
    ['an empty label', { ...label, labels: [''] }],
    ['a source the page may not claim', { ...label, source: 'import' }],
    ['a flag without a request id', { type: 'flag', itemId: 'i1' }],
    ['needItems over the cap', { type: 'needItems', count: 10_000 }],
    ['needItems of a fraction', { type: 'needItems', count: 2.5 }],
    ['an error action that does not exist', { type: 'errorAction', actionId: 'chooseModelFolder' }],
  ];
  for (const [what, m] of refused) assert.equal(v.is(WebviewToHost, m), false, what);
});

test('start: the settings fields are bounded by the settings schema', () => {
  const start = {
    type: 'start', datasetFile: '/d.jsonl', workspaceRoot: '/', textField: 'text', labels: ['a', 'b'], mode: 'single',
    strategy: 'margin', batchSize: 10, retrainEvery: 10, randomShare: 0.1, annotator: 'ann',
    model: 'lexical', cacheDir: '/tmp', seed: 1,
  };
  assert.ok(v.is(HostToWorker, start));
  assert.equal(v.is(HostToWorker, { ...start, strategy: 'nope' }), false);
  assert.equal(v.is(HostToWorker, { ...start, batchSize: 501 }), false);
  assert.equal(v.is(HostToWorker, { ...start, randomShare: 1.5 }), false);
  assert.equal(v.is(HostToWorker, { ...start, labels: [] }), false);
});
