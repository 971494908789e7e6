/**
 * The worker -> host validator checks every field the host reads: a malformed message from the
 * worker is dropped (and logged) instead of reaching the relay and the webview half-formed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWorkerToHost, type WorkerToHost } from '../../../src/shared/workerProtocol';

const labelsState = { labeled: 1, total: 3, counts: { pos: 1 }, evaluation: 0, events: 1 };
const item = { id: 'a', text: 't', reason: 'why', strategy: 'margin', score: 0.5 };
const valid: WorkerToHost[] = [
  {
    type: 'ready',
    summary: { rows: 3, loaded: 3, skipped: 0, skippedByReason: {}, duplicateRows: 0 },
    problems: [],
    embedder: 'lexical',
    labelsState,
    logProblems: [],
  },
  { type: 'batch', items: [item, { ...item, id: 'b', cluster: 2, prediction: { label: 'pos', confidence: 0.7 } }], exhausted: false },
  {
    type: 'model',
    version: 1,
    metrics: { evaluated: 2, accuracy: 0.5, macroF1: 0.4, perClass: [], classes: ['pos', 'neg'] },
    curve: [{ labels: 2, accuracy: 0.5, macroF1: 0.4, version: 1 }],
    stopping: { stop: false, kappa: null, message: 'not yet' },
    counts: { pos: 1 },
    labeled: 1,
    total: 3,
  },
  { type: 'error', kind: 'model-load', message: 'm', actions: ['useLexical', 'retry'] },
  { type: 'saved', requestId: 'r', eventId: 'e', labelsState },
];

test('well-formed worker messages pass', () => {
  for (const m of valid) assert.ok(isWorkerToHost(structuredClone(m)), m.type);
});

test('a field the host reads that is missing or of the wrong type fails the whole message', () => {
  const [ready, batch, model, error] = valid as [
    Extract<WorkerToHost, { type: 'ready' }>,
    Extract<WorkerToHost, { type: 'batch' }>,
    Extract<WorkerToHost, { type: 'model' }>,
    Extract<WorkerToHost, { type: 'error' }>,
  ];
  const bad: [string, unknown][] = [
    ['ready without counts', { ...ready, labelsState: { labeled: 1 } }],
    ['ready without logProblems', { ...ready, logProblems: undefined }],
    ['batch item without a strategy', { ...batch, items: [{ ...item, strategy: undefined }] }],
    ['batch item with a NaN score', { ...batch, items: [{ ...item, score: NaN }] }],
    ['batch item with a bad prediction', { ...batch, items: [{ ...item, prediction: { label: 'pos' } }] }],
    ['batch item with a string cluster', { ...batch, items: [{ ...item, cluster: '2' }] }],
    ['batch without exhausted', { type: 'batch', items: [] }],
    ['model with a malformed curve point', { ...model, curve: [{ labels: 2, accuracy: 'high', macroF1: 0.4, version: 1 }] }],
    ['model with stopping lacking a message', { ...model, stopping: { stop: true, kappa: 1 } }],
    ['model with non-numeric counts', { ...model, counts: { pos: 'one' } }],
    ['error with non-string actions', { ...error, actions: [1] }],
  ];
  for (const [what, message] of bad) assert.equal(isWorkerToHost(message), false, what);
});
