/**
 * The protocol validators and the page template, in plain Node: what the host and the webview
 * accept at the boundary, and the CSP every panel is served with.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_KEYMAP,
  assertUnreachable,
  describeHeldOut,
  isEvaluationTrusted,
  labelKeyForIndex,
  MIN_TRUSTED_EVALUATION_ITEMS,
} from '../../src/shared/webviewProtocol';
import { parseHostToWebview, parseWebviewToHost } from '../../src/shared/webviewValidation';
import type { HostToWebview, WebviewToHost } from '../../src/shared/webviewProtocol';
import { WEBVIEW_ROOT_ID, makeNonce, renderWebviewHtml } from '../../src/shared/webviewHtml';

const model = { version: 2, training: false, accuracy: 0.8, macroF1: 0.7, curve: [{ labels: 10, accuracy: 0.8, macroF1: 0.7 }], counts: { a: 3, b: 7 }, labeled: 10, total: 100 };

const validHost: HostToWebview[] = [
  { type: 'init', dataset: { name: 'd.jsonl', total: 100 }, labels: [{ name: 'a', key: '1' }], mode: 'single', keymap: DEFAULT_KEYMAP, strategy: 'margin', state: { ...model, progress: { phase: 'embedding', done: 1, total: 2, itemsPerSecond: 3, etaSeconds: 4 } } },
  { type: 'items', items: [{ id: 'x', text: 't', prediction: { label: 'a', confidence: 0.9 }, reason: { strategy: 'margin', score: 0.5, cluster: 2, detail: 'd' } }], exhausted: false, replace: true },
  { type: 'items', items: [] },
  { type: 'saved', requestId: 'r1', itemId: 'x' },
  { type: 'saveFailed', requestId: 'r1', itemId: 'x', message: 'disk full' },
  { type: 'progress', phase: 'training', done: 0, total: 10, itemsPerSecond: 0, etaSeconds: -1 },
  { type: 'model', ...model, stopping: 'stop' },
  { type: 'error', message: 'm', actions: [{ id: 'retry', title: 'Retry' }] },
  { type: 'notice', message: 'n' },
  { type: 'reveal', section: 'chart' },
  { type: 'model', ...model, evaluated: 12, curve: [{ labels: 10, accuracy: 0.8, macroF1: 0.7, evaluated: 2 }] },
];

const validWebview: WebviewToHost[] = [
  { type: 'ready', restored: false },
  { type: 'label', requestId: 'r', itemId: 'x', labels: ['a'], source: 'queue', reason: { strategy: 's', score: 1 } },
  { type: 'label', requestId: 'r', itemId: 'x', labels: ['a'], source: 'edit', answer: 'reject' },
  { type: 'undo', requestId: 'r', itemId: 'x' },
  { type: 'skip', itemId: 'x' },
  { type: 'flag', itemId: 'x' },
  { type: 'needItems', count: 5, exclude: ['x'] },
  { type: 'openSettings' },
  { type: 'chooseStrategy' },
  { type: 'retry' },
  { type: 'errorAction', actionId: 'useLexical' },
];

describe('parseHostToWebview / parseWebviewToHost', () => {
  it('accept every well-formed message and return it unchanged', () => {
    for (const message of validHost) assert.deepEqual(parseHostToWebview(structuredClone(message)), { ok: true, message });
    for (const message of validWebview) assert.deepEqual(parseWebviewToHost(structuredClone(message)), { ok: true, message });
  });

  it('reject malformed messages with a description of the first problem', () => {
    const cases: [unknown, RegExp][] = [
      [null, /message must be an object/],
      [[], /message must be an object/],
      [{}, /message\.type must be a string/],
      [{ type: 'nope' }, /unknown host message type 'nope'/],
      [{ type: 'saved', requestId: 1, itemId: 'x' }, /saved\.requestId must be a string/],
      [{ type: 'items', items: [{ id: 'x', text: 't' }] }, /items\.items\[0\]\.reason must be an object/],
      [{ type: 'items', items: [{ id: 'x', text: 't', reason: { strategy: 's', score: NaN } }] }, /reason\.score must be a number/],
      [{ ...validHost[0], mode: 'triple' }, /init\.mode must be one of single, multi, binary/],
      [{ ...validHost[0], keymap: { ...DEFAULT_KEYMAP, undo: 3 } }, /init\.keymap\.undo must be a string/],
      [{ type: 'model', ...model, counts: { a: 'many' } }, /model\.counts\.a must be a number/],
      [{ type: 'progress', phase: 'dreaming', done: 0, total: 0, itemsPerSecond: 0, etaSeconds: 0 }, /progress\.phase must be one of/],
      [{ type: 'error', message: 'm', actions: [{ id: 'x' }] }, /error\.actions\[0\]\.title must be a string/],
      [{ type: 'reveal', section: 'settings' }, /reveal\.section must be one of chart/],
      [{ type: 'reveal' }, /reveal\.section must be a string/],
      [{ type: 'progress', phase: 'embedding', done: 1, total: Infinity, itemsPerSecond: 0, etaSeconds: 0 }, /progress\.total must be a number/],
      [{ type: 'model', ...model, evaluated: '12' }, /model\.evaluated must be a number/],
      [{ type: 'model', ...model, curve: [{ labels: 1, accuracy: 1, macroF1: 1, evaluated: null }] }, /model\.curve\[0\]\.evaluated must be a number/],
    ];
    for (const [value, error] of cases) {
      const result = parseHostToWebview(value);
      assert.equal(result.ok, false, JSON.stringify(value));
      if (!result.ok) assert.match(result.error, error);
    }
    const webviewCases: [unknown, RegExp][] = [
      [{ type: 'label', requestId: 'r', itemId: 'x', labels: [1], source: 'queue' }, /label\.labels\[0\] must be a string/],
      [{ type: 'label', requestId: 'r', itemId: 'x', labels: [], source: 'import' }, /label\.source must be one of queue, edit/],
      [{ type: 'label', requestId: 'r', itemId: 'x', labels: [], source: 'queue', answer: 'maybe' }, /label\.answer must be one of/],
      [{ type: 'ready' }, /ready\.restored must be a boolean/],
      [{ type: 'needItems', count: '5', exclude: [] }, /needItems\.count must be a number/],
      [{ type: 'init' }, /unknown webview message type 'init'/],
      [{ type: 'needItems', count: Infinity, exclude: [] }, /needItems\.count must be a number/],
      [{ type: 'label', requestId: 'r', itemId: 'x', labels: ['a'], source: 'queue', reason: { strategy: 's', score: -Infinity } }, /label\.reason\.score must be a number/],
      [{ type: 'undo', requestId: 'r' }, /undo\.itemId must be a string/],
      [{ type: 'errorAction', actionId: 7 }, /errorAction\.actionId must be a string/],
    ];
    for (const [value, error] of webviewCases) {
      const result = parseWebviewToHost(value);
      assert.equal(result.ok, false, JSON.stringify(value));
      if (!result.ok) assert.match(result.error, error);
    }
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

describe('held-out count', () => {
  it('is phrased once for every place that shows it, and trusted from the minimum up', () => {
    assert.equal(describeHeldOut(1), 'on 1 held-out item');
    assert.equal(describeHeldOut(1234), 'on 1,234 held-out items');
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
      `default-src 'none'; script-src 'nonce-${options.nonce}'; style-src ${options.cspSource} 'nonce-${options.nonce}'; img-src ${options.cspSource} data:; font-src ${options.cspSource}`,
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
