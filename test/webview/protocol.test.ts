/**
 * The protocol validators and the page template, in plain Node: what the host and the webview
 * accept at the boundary, and the CSP every panel is served with.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_KEYMAP,
  ERROR_ACTIONS,
  HostToWebview,
  assertUnreachable,
  describeScored,
  itemsToScore,
  isEvaluationTrusted,
  labelKeyForIndex,
  MIN_TRUSTED_EVALUATION_ITEMS,
  parseWith,
  WebviewToHost,
} from '../../src/shared/protocol';
import { WEBVIEW_ROOT_ID, makeNonce, renderWebviewHtml } from '../../src/shared/webviewHtml';

const model = { version: 2, training: false, accuracy: 0.8, macroF1: 0.7, curve: [{ labels: 10, accuracy: 0.8, macroF1: 0.7, evaluated: 20, low: 0.58, high: 0.92 }], counts: { a: 3, b: 7 }, labeled: 10, total: 100 };

const validHost: HostToWebview[] = [
  { type: 'init', dataset: { name: 'd.jsonl', total: 100 }, labels: [{ name: 'a', key: '1' }], mode: 'single', keymap: DEFAULT_KEYMAP, strategy: 'margin', state: { ...model, progress: { phase: 'embedding', done: 1, total: 2, itemsPerSecond: 3, etaSeconds: 4 } } },
  { type: 'items', items: [{ id: 'x', text: 't', prediction: { label: 'a', confidence: 0.9 }, reason: { strategy: 'margin', score: 0.5, cluster: 1, detail: 'd' } }], exhausted: false },
  { type: 'items', items: [] },
  { type: 'saved', requestId: 'r1', itemId: 'x' },
  { type: 'saveFailed', requestId: 'r1', itemId: 'x', message: 'disk full' },
  { type: 'progress', phase: 'training', done: 0, total: 10, itemsPerSecond: 0, etaSeconds: -1 },
  { type: 'progress', phase: 'loading-model', done: 0, total: 0, itemsPerSecond: 0, etaSeconds: -1 },
  { type: 'model', ...model, stopping: { stop: true, kappa: 0.995, threshold: 0.99, message: 'stop' } },
  { type: 'counts', counts: { a: 4, b: 7 }, labeled: 11, total: 100 },
  { type: 'error', kind: 'model-load', message: 'm', actions: ['chooseLocalModel', 'useLexical', 'retry'] },
  { type: 'error', kind: 'internal', message: 'm', actions: [], requestId: 'export-1' },
  { type: 'notice', message: 'n' },
  { type: 'reveal', section: 'chart' },
  { type: 'model', ...model, evaluated: 12, curve: [{ labels: 10, accuracy: 0.8, macroF1: 0.7, evaluated: 2, low: 0.1, high: 1 }] },
];

const validWebview: WebviewToHost[] = [
  { type: 'ready', restored: false },
  { type: 'label', requestId: 'r', itemId: 'x', labels: ['a'], source: 'queue' },
  { type: 'label', requestId: 'r', itemId: 'x', labels: ['a'], source: 'edit', answer: 'reject' },
  { type: 'undo', requestId: 'r', itemId: 'x' },
  { type: 'skip', requestId: 'r', itemId: 'x' },
  { type: 'flag', requestId: 'r', itemId: 'x' },
  { type: 'needItems', count: 5 },
  { type: 'needItems', count: 200 },
  { type: 'openSettings' },
  { type: 'chooseStrategy' },
  { type: 'errorAction', actionId: 'useLexical' },
  { type: 'errorAction', actionId: 'retry' },
];

describe('parseWith(HostToWebview) / parseWith(WebviewToHost)', () => {
  it('accept every well-formed message and return it unchanged', () => {
    for (const message of validHost) assert.deepEqual(parseWith(HostToWebview, structuredClone(message)), { ok: true, value: message });
    for (const message of validWebview) assert.deepEqual(parseWith(WebviewToHost, structuredClone(message)), { ok: true, value: message });
  });

  it('reject malformed messages with a reason that names the message and the field', () => {
    const cases: [unknown, RegExp][] = [
      [null, /Expected Object but received null/],
      [[], /type: Invalid type: .* but received undefined/],
      [{}, /type: Invalid type: .* but received undefined/],
      [{ type: 'nope' }, /^'nope' message: type: Invalid type/],
      [{ type: 'saved', requestId: 1, itemId: 'x' }, /^'saved' message: requestId: Invalid type: Expected string but received 1/],
      [{ type: 'items', items: [{ id: 'x', text: 't' }] }, /items\.0\.reason: Invalid key/],
      [{ type: 'items', items: [{ id: 'x', text: 't', reason: { strategy: 's', score: NaN } }] }, /items\.0\.reason\.score/],
      [{ type: 'items', items: [{ id: 'x', text: 't', reason: { strategy: 's', score: 1, cluster: 0 } }] }, /items\.0\.reason\.cluster: Invalid value: Expected >=1/],
      [{ type: 'items', items: [{ id: '', text: 't', reason: { strategy: 's', score: 1 } }] }, /items\.0\.id: Invalid length/],
      [{ ...validHost[0], mode: 'triple' }, /mode: Invalid type: Expected \("single" \| "multi" \| "binary"\)/],
      [{ ...validHost[0], keymap: { ...DEFAULT_KEYMAP, undo: 3 } }, /keymap\.undo: Invalid type: Expected string/],
      [{ type: 'model', ...model, counts: { a: 'many' } }, /counts\.a: Invalid type: Expected number/],
      [{ type: 'progress', phase: 'dreaming', done: 0, total: 0, itemsPerSecond: 0, etaSeconds: 0 }, /phase: Invalid type/],
      [{ type: 'error', message: 'm', actions: [{ id: 'retry', title: 'Retry' }] }, /kind: Invalid key/],
      [{ type: 'error', kind: 'internal', message: 'm', actions: ['chooseModelFolder'] }, /actions\.0: Invalid type/],
      [{ type: 'reveal', section: 'settings' }, /section: Invalid type/],
      [{ type: 'reveal' }, /section: Invalid key/],
      [{ type: 'progress', phase: 'embedding', done: 1, total: Infinity, itemsPerSecond: 0, etaSeconds: 0 }, /total/],
      [{ type: 'model', ...model, evaluated: '12' }, /evaluated: Invalid type: Expected number/],
      [{ type: 'model', ...model, curve: [{ labels: 1, accuracy: 1, macroF1: 1, evaluated: null }] }, /curve\.0\.evaluated: Invalid type/],
      [{ type: 'ready', restored: false }, /^'ready' message: type: Invalid type/],
    ];
    for (const [value, error] of cases) {
      const result = parseWith(HostToWebview, value);
      assert.equal(result.ok, false, JSON.stringify(value));
      if (!result.ok) assert.match(result.error, error);
    }
    const webviewCases: [unknown, RegExp][] = [
      [{ type: 'label', requestId: 'r', itemId: 'x', labels: [1], source: 'queue' }, /labels\.0: Invalid type: Expected string/],
      [{ type: 'label', requestId: 'r', itemId: 'x', labels: [], source: 'import' }, /source: Invalid type: Expected \("queue" \| "edit" \| "review"\)/],
      [{ type: 'label', requestId: 'r', itemId: 'x', labels: [], source: 'queue', answer: 'maybe' }, /answer: Invalid type/],
      [{ type: 'ready' }, /restored: Invalid key/],
      [{ type: 'needItems', count: '5' }, /count: Invalid type: Expected number/],
      [{ type: 'needItems', count: 0 }, /count: Invalid value: Expected >=1/],
      [{ type: 'needItems', count: 201 }, /count: Invalid value: Expected <=200/],
      [{ type: 'needItems', count: 2.5 }, /count: Invalid/],
      [{ type: 'init' }, /^'init' message: type: Invalid type/],
      [{ type: 'retry' }, /^'retry' message: type: Invalid type/],
      [{ type: 'flag', itemId: 'x' }, /requestId: Invalid key/],
      [{ type: 'undo', requestId: 'r' }, /itemId: Invalid key/],
      [{ type: 'errorAction', actionId: 7 }, /actionId: Invalid type/],
      [{ type: 'errorAction', actionId: 'chooseModelFolder' }, /actionId: Invalid type/],
    ];
    for (const [value, error] of webviewCases) {
      const result = parseWith(WebviewToHost, value);
      assert.equal(result.ok, false, JSON.stringify(value));
      if (!result.ok) assert.match(result.error, error);
    }
  });

  it('drops fields the protocol no longer has (exclude, reason on a label)', () => {
    const need = parseWith(WebviewToHost, { type: 'needItems', count: 5, exclude: ['x'] });
    assert.deepEqual(need, { ok: true, value: { type: 'needItems', count: 5 } });
    const label = parseWith(WebviewToHost, { type: 'label', requestId: 'r', itemId: 'x', labels: ['a'], source: 'queue', reason: { strategy: 's', score: 1 } });
    assert.ok(label.ok && !('reason' in label.value));
  });

  it('items replace the prefetched ones only with replace: true (a strategy change)', () => {
    assert.deepEqual(parseWith(HostToWebview, { type: 'items', items: [], replace: true }), { ok: true, value: { type: 'items', items: [], replace: true } });
    assert.equal(parseWith(HostToWebview, { type: 'items', items: [], replace: 'yes' }).ok, false);
  });

  it('every error action has a title', () => {
    assert.deepEqual(Object.keys(ERROR_ACTIONS).sort(), ['chooseLocalModel', 'openSettings', 'retry', 'useLexical', 'useLite']);
    for (const title of Object.values(ERROR_ACTIONS)) assert.ok(title.length > 0);
  });

  it('assertUnreachable throws with the value', () => {
    assert.throws(() => assertUnreachable('x' as never), /Unexpected value: "x"/);
  });

  it('default label keys are 1-9 then 0, then Shift with 1-9 and 0 for labels 11-20', () => {
    const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];
    assert.deepEqual(Array.from({ length: 21 }, (_, i) => labelKeyForIndex(i)), [...digits, ...digits.map((d) => `shift+${d}`), '']);
    assert.equal(labelKeyForIndex(-1), '');
    assert.equal(labelKeyForIndex(1.5), '');
  });
});

describe('items scored', () => {
  it('is phrased once for every place that shows it, and trusted from the minimum up', () => {
    assert.equal(describeScored(1), 'on 1 item scored');
    assert.equal(describeScored(1234), 'on 1,234 items scored');
    assert.equal(MIN_TRUSTED_EVALUATION_ITEMS, 20);
    assert.equal(itemsToScore(7), '7 of 20 items to score');
    assert.equal(isEvaluationTrusted(MIN_TRUSTED_EVALUATION_ITEMS - 1), false);
    assert.equal(isEvaluationTrusted(MIN_TRUSTED_EVALUATION_ITEMS), true);
    assert.equal(isEvaluationTrusted(0), false);
    assert.equal(isEvaluationTrusted(undefined), true, 'an unknown count is shown without a claim either way');
  });
});

describe('renderWebviewHtml', () => {
  const options = { cspSource: 'https://file+.vscode-resource.vscode-cdn.net', nonce: makeNonce(), scriptUri: 'https://x/dist/webview.js', styleUri: 'https://x/dist/webview.css', title: 'Label "data" <1>' };

  it('sets a strict CSP and puts the nonce on the one script and stylesheet', () => {
    const html = renderWebviewHtml(options);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    assert.equal(
      csp,
      `default-src 'none'; script-src 'nonce-${options.nonce}'; style-src ${options.cspSource} 'nonce-${options.nonce}'; img-src ${options.cspSource} data:; font-src ${options.cspSource}; base-uri 'none'; form-action 'none'`,
    );
    assert.equal(html.match(/<script /g)?.length, 1);
    assert.ok(html.includes(`<script nonce="${options.nonce}" src="${options.scriptUri}"></script>`));
    assert.ok(html.includes(`<link rel="stylesheet" nonce="${options.nonce}" href="${options.styleUri}">`));
    assert.ok(html.includes(`<main id="${WEBVIEW_ROOT_ID}" tabindex="0"`));
    assert.ok(html.includes('<title>Label &quot;data&quot; &lt;1&gt;</title>'));
  });

  it('refuses a weak nonce and makes fresh random ones', () => {
    assert.throws(() => renderWebviewHtml({ ...options, nonce: 'abc' }), /nonce/);
    assert.throws(() => renderWebviewHtml({ ...options, nonce: "abcdefgh' 'unsafe-inline" }), /nonce/);
    const nonces = new Set(Array.from({ length: 50 }, makeNonce));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) assert.match(nonce, /^[0-9a-f]{36}$/);
  });
});
