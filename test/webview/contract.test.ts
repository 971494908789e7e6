/**
 * The fake host the UI tests run against must behave like the real one. This plain-Node test runs
 * one scripted page session against (a) the FakeEngine behind test/webview/harness.ts and (b) the
 * real host and engine: src/host/panelSession.ts itself (with its Presenter) in front of the real
 * EngineService, in-process, on a small JSONL dataset with lexical embeddings. Both must show the
 * same observable contract:
 * - `needItems` is answered with `items`; an item is never served again while it is outstanding
 *   (served and not answered), and a drain serves exactly what is neither labeled, skipped nor out;
 * - after `ready` with `restored: false` (the page lost its queue) the outstanding items come back;
 * - a resent write is answered `saved` once more and written once; a request id reused for another
 *   item is `saveFailed`; so is a label for an unknown item or with an unknown label;
 * - a skip is a write like a label (logged once, a resend answered `saved` again); a skipped item
 *   is not served again, after a restart either, until `revisitSkipped`;
 * - an undo takes back the named item's latest label, skip or flag, and the item can be served again;
 * - a restart (the Retry action) keeps the log and forgets what was out;
 * - a strategy change sends `init` with the new title, then one `items` with `replace: true`: as
 *   many items as the page held, picked by the new strategy, none labeled or skipped, not the card
 *   on screen (the first item out); a write for the card still on screen is saved, and a drain
 *   serves the rest exactly once;
 * - every message the page receives is valid under HostToWebview.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { labelLogPath, replay } from '../../src/core/labels';
import { PanelSession, type EnginePort, type PanelPort, type SessionUi } from '../../src/host/panelSession';
import { HostToWebview, parseWith, type Message, type QueueItem, type WebviewToHost } from '../../src/shared/protocol';
import { WorkerToHost } from '../../src/shared/protocol/engine';
import { defaultSettings, type Settings, type StrategyId } from '../../src/shared/settings';
import { EngineService } from '../../src/worker/engineService';
import { FakeEngine } from './fakeEngine';

const LABELS = ['storm', 'market'];
const TOPICS = ['storm warning', 'market report', 'flood alert', 'stock prices'];
const ROWS = Array.from({ length: 24 }, (_, i) => ({ id: `c${i}`, text: `${TOPICS[i % TOPICS.length]} number ${i}` }));
const ALL = ROWS.map((r) => r.id);

/** One side of the contract: a host and engine that the scripted page talks to. */
interface Side {
  /** Posts one page message; resolves with everything the page receives until the host is idle. */
  send(m: WebviewToHost): Promise<HostToWebview[]>;
  /** Choose Sampling Strategy on the host; resolves with everything the page receives. */
  changeStrategy(strategy: StrategyId): Promise<HostToWebview[]>;
  /** The writes in the label log, oldest first, by request id. */
  written(): Promise<{ requestId: string; type: string; itemId: string }[]>;
  close(): Promise<void>;
}

function fakeSide(strategy?: StrategyId): Side {
  const items: QueueItem[] = ROWS.map((r) => ({ id: r.id, text: r.text, reason: { strategy: 'random', score: 0 } }));
  const engine = new FakeEngine({ items, labels: LABELS, ...(strategy ? { strategy } : {}) });
  return {
    send: (m) => Promise.resolve(engine.handle(structuredClone(m))),
    changeStrategy: (next) => Promise.resolve(engine.changeStrategy(next)),
    written: () => Promise.resolve(engine.log.map((e) => ({ requestId: e.requestId, type: e.type, itemId: e.itemId }))),
    close: () => Promise.resolve(),
  };
}

/**
 * The real engine, in-process, as the EnginePort of the real PanelSession: the page's messages go
 * through panelSession.ts's own forwarding (ready -> init, and `release` when not restored; the
 * writes, skips and item requests as they are; Retry restarts the engine), and the page receives
 * what the real Presenter posts. Only VS Code's UI is a stub (an error notification is dismissed).
 */
async function realSide(dir: string, settings: Partial<Settings> = {}): Promise<Side> {
  const datasetFile = path.join(dir, 'contract.jsonl');
  await fs.writeFile(datasetFile, ROWS.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const toPage: HostToWebview[] = [];
  const fromWorker: WorkerToHost[] = [];
  let pageListener: (raw: unknown) => void = () => undefined;
  let engine: EngineService | undefined;
  const engines: EngineService[] = [];
  const panel: PanelPort = {
    visible: true,
    // VS Code serializes webview messages: a clone is what the page gets.
    post: (m) => void toPage.push(structuredClone(m)),
    onMessage: (listener) => void (pageListener = listener),
    onDidDispose: () => undefined,
    reveal: () => undefined,
    dispose: () => undefined,
  };
  const ui: SessionUi = {
    executeCommand: () => undefined,
    showError: () => Promise.resolve(undefined),
    showWarning: () => Promise.resolve(undefined),
    setModel: () => Promise.resolve(),
    apiKey: () => Promise.resolve(undefined),
    chooseModelFolder: () => Promise.resolve(undefined),
    showProgress: () => undefined,
    endProgress: () => undefined,
    log: () => undefined,
    showLog: () => undefined,
  };
  const spawnEngine = (): EnginePort => {
    let listener: (m: WorkerToHost) => void = () => undefined;
    const service = new EngineService((m) => {
      // What the WorkerClient checks on arrival, before the session sees it.
      const parsed = parseWith(WorkerToHost, structuredClone(m));
      assert.ok(parsed.ok, `the engine sent an invalid message: ${parsed.ok ? '' : parsed.error}`);
      fromWorker.push(parsed.value);
      listener(parsed.value);
    });
    engine = service;
    engines.push(service);
    return {
      isAlive: true,
      post: (m) => service.receive(structuredClone(m)),
      onMessage: (l) => void (listener = l),
      exportLabels: () => Promise.reject(new Error('not used by the contract')),
      importLabels: () => Promise.reject(new Error('not used by the contract')),
      dispose: async () => {
        service.receive({ type: 'dispose' });
        await service.idle();
      },
    };
  };
  const session = new PanelSession({
    datasetFile,
    workspaceRoot: dir,
    cacheDir: path.join(dir, 'models'),
    answers: { textField: 'text', labels: LABELS, mode: 'single', seedPatterns: [], seed: 3 },
    settings: { ...defaultSettings, model: 'lexical', strategy: 'random', ...settings },
    annotator: 'tester',
    panel,
    status: { showProgress: () => undefined, showModel: () => undefined, showError: () => undefined, hide: () => undefined },
    ui,
    spawnEngine,
    saveAnswers: () => Promise.resolve(),
  });
  const idle = async (): Promise<void> => {
    for (const e of engines) await e.idle();
  };
  await idle();
  const ready = fromWorker.find((m) => m.type === 'engineReady' || m.type === 'error');
  assert.equal(ready?.type, 'engineReady', `the engine did not start: ${JSON.stringify(ready)}`);
  assert.equal(engines.length, 1);
  toPage.length = 0;
  return {
    async send(m) {
      pageListener(structuredClone(m));
      await idle();
      return toPage.splice(0);
    },
    async changeStrategy(strategy) {
      await session.chooseStrategy(strategy);
      await idle();
      return toPage.splice(0);
    },
    async written() {
      const { events } = await replay(labelLogPath(dir, datasetFile));
      return events.map((e) => ({ requestId: e.eventId.replace(/^req-/, ''), type: e.type, itemId: e.itemId }));
    },
    async close() {
      session.dispose();
      await engine?.idle();
    },
  };
}

/** Sends `m`, checks every answer is a valid page message, and returns the answers. */
async function exchange(side: Side, m: WebviewToHost): Promise<HostToWebview[]> {
  const answers = await side.send(m);
  for (const a of answers) {
    const parsed = parseWith(HostToWebview, a);
    assert.ok(parsed.ok, `invalid page message after ${m.type}: ${parsed.ok ? '' : parsed.error}`);
  }
  return answers;
}

function only<T extends HostToWebview['type']>(answers: readonly HostToWebview[], type: T): Extract<HostToWebview, { type: T }>[] {
  return answers.filter((a): a is Extract<HostToWebview, { type: T }> => a.type === type);
}

/** Asks for `count` items and returns the single `items` answer. */
async function need(side: Side, count: number): Promise<{ ids: string[]; exhausted: boolean }> {
  const answers = only(await exchange(side, { type: 'needItems', count }), 'items');
  assert.equal(answers.length, 1, 'one items message per needItems');
  const ids = answers[0].items.map((i) => i.id);
  assert.equal(new Set(ids).size, ids.length, 'no id twice in one answer');
  return { ids, exhausted: answers[0].exhausted === true };
}

/** The answer to one write: exactly one saved or saveFailed for its request id. */
async function write(side: Side, m: Extract<WebviewToHost, { type: 'label' | 'undo' | 'skip' | 'flag' }>): Promise<{ reply: HostToWebview; counts?: Message<HostToWebview, 'counts'> }> {
  const answers = await exchange(side, m);
  const replies = answers.filter((a) => (a.type === 'saved' || a.type === 'saveFailed') && a.requestId === m.requestId);
  assert.equal(replies.length, 1, `one answer to ${m.type} ${m.requestId}: ${JSON.stringify(answers.map((a) => a.type))}`);
  const counts = only(answers, 'counts').at(-1);
  return { reply: replies[0], ...(counts ? { counts } : {}) };
}

const label = (requestId: string, itemId: string, labels = ['storm']): Message<WebviewToHost, 'label'> => ({ type: 'label', requestId, itemId, labels, source: 'queue' });

function without(ids: readonly string[], ...drop: (readonly string[])[]): string[] {
  const gone = new Set(drop.flat());
  return ids.filter((id) => !gone.has(id));
}

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

async function scenario(side: Side): Promise<void> {
  // A fresh page: init, then two requests that never overlap (the first four are still out).
  const inits = only(await exchange(side, { type: 'ready', restored: false }), 'init');
  assert.ok(inits.length >= 1, 'ready is answered with init');
  assert.equal(inits.at(-1)?.dataset.total, ROWS.length);
  assert.deepEqual(inits.at(-1)?.labels.map((l) => l.name), LABELS);
  const a = await need(side, 4);
  assert.equal(a.ids.length, 4);
  assert.equal(a.exhausted, false);
  const b = await need(side, 4);
  assert.equal(b.ids.length, 4);
  assert.deepEqual(b.ids.filter((id) => a.ids.includes(id)), [], 'nothing outstanding is served again');
  const [a0, a1, a2, a3] = a.ids;

  // Writes: saved once, a resend is saved again and not written again, reuse and unknowns fail.
  const first = await write(side, label('r-1', a0));
  assert.deepEqual(first.reply, { type: 'saved', requestId: 'r-1', itemId: a0 });
  assert.deepEqual(first.counts, { type: 'counts', counts: { storm: 1, market: 0 }, labeled: 1, total: ROWS.length }, 'counts follow a saved write');
  assert.equal((await write(side, label('r-1', a0))).reply.type, 'saved', 'a resent label is answered saved again');
  assert.equal((await write(side, label('r-1', a1))).reply.type, 'saveFailed', 'a request id reused for another item');
  assert.equal((await write(side, label('r-2', 'no-such-item'))).reply.type, 'saveFailed', 'a label for an unknown item');
  assert.equal((await write(side, label('r-2b', a1, ['weather']))).reply.type, 'saveFailed', 'a label the session does not have');
  assert.deepEqual(await side.written(), [{ requestId: 'r-1', type: 'label', itemId: a0 }], 'written once; nothing failed was written');
  assert.deepEqual((await write(side, { type: 'flag', requestId: 'r-3', itemId: a2 })).reply, { type: 'saved', requestId: 'r-3', itemId: a2 });
  assert.equal((await write(side, { type: 'flag', requestId: 'r-3', itemId: a2 })).reply.type, 'saved', 'a resent flag is answered saved again');
  assert.equal((await side.written()).length, 2);
  assert.deepEqual((await write(side, { type: 'skip', requestId: 'r-3s', itemId: a3 })).reply, { type: 'saved', requestId: 'r-3s', itemId: a3 });
  assert.equal((await write(side, { type: 'skip', requestId: 'r-3s', itemId: a3 })).reply.type, 'saved', 'a resent skip is answered saved again');
  assert.equal((await write(side, { type: 'skip', requestId: 'r-3s', itemId: a1 })).reply.type, 'saveFailed', 'a skip request id reused for another item');
  assert.equal((await write(side, { type: 'skip', requestId: 'r-3t', itemId: 'no-such-item' })).reply.type, 'saveFailed', 'a skip of an unknown item');
  assert.equal((await side.written()).length, 3, 'the skip is written once');

  // A drain serves exactly what is neither labeled (a0), flagged (a2: it waits for review),
  // skipped (a3) nor out (a1 and b).
  const c = await need(side, 200);
  assert.deepEqual(sorted(c.ids), sorted(without(ALL, [a0, a2, a3, a1], b.ids)));
  assert.equal(c.exhausted, true);
  assert.deepEqual(await need(side, 5), { ids: [], exhausted: true }, 'everything is out');

  // A restored page keeps its queue: nothing is released. A page that lost it gets it back.
  assert.ok(only(await exchange(side, { type: 'ready', restored: true }), 'init').length >= 1);
  assert.deepEqual((await need(side, 5)).ids, [], 'a restored page releases nothing');
  assert.ok(only(await exchange(side, { type: 'ready', restored: false }), 'init').length >= 1);
  const d = await need(side, 200);
  assert.deepEqual(sorted(d.ids), sorted(without(ALL, [a0, a2, a3])), 'the outstanding items come back after release');
  assert.equal(d.exhausted, true);

  // Undo takes back the named item's latest label or flag; a resent undo is not written twice (a
  // second copy would undo something else).
  assert.deepEqual((await write(side, { type: 'undo', requestId: 'r-4', itemId: a2 })).reply, { type: 'saved', requestId: 'r-4', itemId: a2 });
  const undo = await write(side, { type: 'undo', requestId: 'r-5', itemId: a0 });
  assert.deepEqual(undo.reply, { type: 'saved', requestId: 'r-5', itemId: a0 });
  assert.deepEqual(undo.counts, { type: 'counts', counts: { storm: 0, market: 0 }, labeled: 0, total: ROWS.length });
  assert.deepEqual((await write(side, { type: 'undo', requestId: 'r-5', itemId: a0 })).reply, { type: 'saved', requestId: 'r-5', itemId: a0 });
  assert.deepEqual(
    (await side.written()).map((e) => [e.requestId, e.type, e.itemId]),
    [['r-1', 'label', a0], ['r-3', 'flag', a2], ['r-3s', 'skip', a3], ['r-4', 'undo', a2], ['r-5', 'undo', a0]],
  );
  assert.equal((await write(side, { type: 'undo', requestId: 'r-6', itemId: a0 })).reply.type, 'saveFailed', 'nothing left to undo');
  // a0's label answered a served item: the undo puts it back on the page's card, out with the page
  // (its next label records why it was served). a2's flag was no answer: it is served again.
  assert.deepEqual(sorted((await need(side, 5)).ids), sorted([a2]));

  // A restart keeps the log (a resend is still answered saved, not written) and forgets what was
  // out; the skip is in the log, so the skipped item still waits.
  assert.ok(only(await exchange(side, { type: 'errorAction', actionId: 'retry' }), 'init').length >= 1, 'a restart sends init');
  assert.equal((await write(side, label('r-1', a0))).reply.type, 'saved', 'a resend after a restart');
  assert.equal((await write(side, label('r-1', a1))).reply.type, 'saveFailed', 'a reused id after a restart');
  assert.equal((await write(side, { type: 'skip', requestId: 'r-3s', itemId: a3 })).reply.type, 'saved', 'a resent skip after a restart');
  assert.equal((await side.written()).length, 5);
  const e = await need(side, 200);
  assert.deepEqual(sorted(e.ids), sorted(without(ALL, [a3])), 'everything but the skipped item is served again');
  assert.equal(e.exhausted, true);

  // "Serve skipped again" brings the skipped item back; skipping it again passes over it again, and
  // an undo of that skip brings it back once more.
  assert.deepEqual(await exchange(side, { type: 'revisitSkipped' }), []);
  assert.deepEqual((await need(side, 5)).ids, [a3]);
  assert.equal((await write(side, { type: 'skip', requestId: 'r-7', itemId: a3 })).reply.type, 'saved');
  assert.deepEqual(await need(side, 5), { ids: [], exhausted: true }, 'skipped again: not served');
  // An undo goes back one step: undoing the second skip leaves the first in effect; undoing that
  // one too lets the item be served.
  assert.deepEqual((await write(side, { type: 'undo', requestId: 'r-8', itemId: a3 })).reply, { type: 'saved', requestId: 'r-8', itemId: a3 });
  assert.deepEqual(await need(side, 5), { ids: [], exhausted: true }, 'the first skip still holds');
  assert.deepEqual((await write(side, { type: 'undo', requestId: 'r-9', itemId: a3 })).reply, { type: 'saved', requestId: 'r-9', itemId: a3 });
  // No skip is in effect, and a3 is back on the page's card after each undo: out with the page, not served twice.
  assert.deepEqual((await need(side, 5)).ids, [], 'no skip in effect, and a3 is out with the page');
  assert.ok(only(await exchange(side, { type: 'ready', restored: false }), 'init').length >= 1);
  assert.ok((await need(side, 200)).ids.includes(a3), 'a page that lost its queue gets a3 back');
  // Labeling a skipped item overrides the skip: it counts as labeled.
  assert.equal((await write(side, { type: 'skip', requestId: 'r-10', itemId: a3 })).reply.type, 'saved');
  const relabel = await write(side, label('r-11', a3, ['market']));
  assert.deepEqual(relabel.counts, { type: 'counts', counts: { storm: 0, market: 1 }, labeled: 1, total: ROWS.length });
  assert.deepEqual(
    (await side.written()).slice(5).map((x) => [x.requestId, x.type, x.itemId]),
    [['r-7', 'skip', a3], ['r-8', 'undo', a3], ['r-9', 'undo', a3], ['r-10', 'skip', a3], ['r-11', 'label', a3]],
  );
}

/** A strategy change mid-session: the page's prefetched items are replaced by the new strategy's. */
async function strategyScenario(side: Side): Promise<void> {
  assert.ok(only(await exchange(side, { type: 'ready', restored: false }), 'init').length >= 1);
  const a = await need(side, 6);
  assert.equal(a.ids.length, 6);
  const [a0, a1, a2] = a.ids;
  assert.equal((await write(side, label('s-1', a0))).reply.type, 'saved');
  assert.equal((await write(side, { type: 'skip', requestId: 's-1s', itemId: a1 })).reply.type, 'saved');

  // The page holds a2..a5 (a2 on screen): four items picked by the old strategy.
  const answers = await side.changeStrategy('random');
  const initAt = answers.findIndex((m) => m.type === 'init');
  const replaced = only(answers, 'items');
  assert.ok(initAt >= 0, `the header hears the new strategy: ${JSON.stringify(answers.map((m) => m.type))}`);
  assert.equal(only(answers, 'init').at(-1)?.strategy, 'Random');
  assert.equal(replaced.length, 1, 'one items message');
  assert.ok(answers.indexOf(replaced[0]) > initAt, 'the title first, then the items');
  assert.equal(replaced[0].replace, true);
  const ids = replaced[0].items.map((i) => i.id);
  assert.equal(ids.length, 4, 'as many as the page held');
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ids.filter((id) => id === a0 || id === a1), [], 'nothing labeled or skipped comes back');
  assert.ok(!ids.includes(a2), 'the card on screen stays with the page, served by the old strategy');
  assert.deepEqual([...new Set(replaced[0].items.map((i) => i.reason.strategy))], ['random'], 'picked by the new strategy');

  // The card still on screen (a2, served by the old strategy) is labeled as usual.
  assert.deepEqual((await write(side, label('s-2', a2))).reply, { type: 'saved', requestId: 's-2', itemId: a2 });
  assert.deepEqual(await side.changeStrategy('random'), [], 'the same strategy again changes nothing');
  const rest = await need(side, 200);
  assert.deepEqual(sorted(rest.ids), sorted(without(ALL, [a0, a1, a2], ids)), 'the rest, once: what was replaced is out, what the page dropped is back');
  assert.equal(rest.exhausted, true);
  assert.deepEqual((await side.written()).map((e) => e.requestId), ['s-1', 's-1s', 's-2']);
}

/** The review queue's flagged order (no model needed), on what `scenario` left in the log. */
async function reviewScenario(side: Side): Promise<void> {
  const [, , , , , f5, f6] = ALL as [string, string, string, string, string, string, string];
  assert.equal((await write(side, label('q-1', f6))).reply.type, 'saved');
  assert.equal((await write(side, { type: 'flag', requestId: 'f-2', itemId: f6 })).reply.type, 'saved');
  assert.equal((await write(side, { type: 'flag', requestId: 'f-1', itemId: f5 })).reply.type, 'saved');
  const progressOf = (answers: readonly HostToWebview[]): Message<HostToWebview, 'reviewProgress'> | undefined => only(answers, 'reviewProgress').at(-1);
  const flagged = { order: 'flagged' as const, filters: {} };

  const entered = progressOf(await exchange(side, { type: 'reviewMode', review: flagged }));
  // The model's orders depend on whether `scenario` left enough labels to train (the fake has no
  // model); the orders the log alone decides must agree exactly.
  const { suspects, 'low-confidence': lowConfidence, 'model-disagrees': modelDisagrees, ...logOrders } = entered?.orders ?? {};
  for (const n of [suspects, lowConfidence, modelDisagrees]) assert.equal(typeof n, 'number', 'every model order has a count');
  assert.deepEqual(
    entered && [entered.order, entered.toReview, entered.reviewed, entered.fixed, logOrders],
    ['flagged', 2, 0, 0, { annotators: 0, flagged: 2, imported: 0 }],
    'review mode answers with its progress and every order\'s count',
  );
  const served = only(await exchange(side, { type: 'needItems', count: 5 }), 'items');
  assert.equal(served.length, 1);
  assert.equal(served[0].review, true, 'served by the review queue');
  assert.equal(served[0].exhausted, true);
  assert.deepEqual(served[0].items.map((i) => [i.id, i.review?.order, i.review?.current?.labels]), [
    [f6, 'flagged', ['storm']],
    [f5, 'flagged', undefined],
  ], 'flagged items in log order, with their current label');

  const fixed = await exchange(side, { type: 'label', requestId: 'rv-1', itemId: f6, labels: ['market'], source: 'review' });
  assert.equal(only(fixed, 'saved').length, 1);
  const afterFix = progressOf(fixed);
  assert.deepEqual(afterFix && [afterFix.reviewed, afterFix.fixed, afterFix.toReview], [1, 1, 1], 'a correction is reviewed and fixed');
  assert.deepEqual(await need(side, 5), { ids: [], exhausted: true }, 'the reviewed item leaves the order; the other is out');
  await exchange(side, { type: 'reviewMode', review: flagged });
  assert.deepEqual((await need(side, 5)).ids, [], 'the same request again releases nothing');

  const undone = await exchange(side, { type: 'undo', requestId: 'u-1', itemId: f6 });
  assert.deepEqual(progressOf(undone)?.reviewed, 0, 'an undone review is not reviewed');
  assert.deepEqual((await need(side, 5)).ids, [], 'and is back on the page\'s card (out with the page), not served twice');

  await exchange(side, { type: 'reviewMode', review: { order: 'flagged', filters: { label: 'storm' } } });
  assert.deepEqual((await need(side, 5)).ids, [f6], 'a new request releases what was out; the label filter leaves the unlabeled one out');

  assert.deepEqual(progressOf(await exchange(side, { type: 'reviewMode', review: null })), undefined, 'no progress outside review mode');
  const labeling = await need(side, 200);
  const log = await side.written();
  // What `scenario` left in effect: each item's writes, an undo taking back the item's latest one.
  const inEffect = new Map<string, string[]>();
  for (const e of log) {
    const stack = inEffect.get(e.itemId) ?? [];
    if (e.type === 'undo') stack.pop();
    else stack.push(e.type);
    inEffect.set(e.itemId, stack);
  }
  const top = (id: string): string | undefined => inEffect.get(id)?.at(-1);
  const answered = ALL.filter((id) => top(id) === 'label' || top(id) === 'flag');
  const skipped = ALL.filter((id) => top(id) === 'skip');
  assert.deepEqual(labeling.ids.filter((id) => answered.includes(id)), [], 'labeling again: flagged and labeled items are not served');
  assert.ok(answered.includes(f5) && answered.includes(f6));
  // A skip lasts across sessions unless the skipped items were asked for again.
  assert.deepEqual(sorted(labeling.ids.filter((id) => !skipped.includes(id))), sorted(without(ALL, [...answered, ...skipped])), 'every other item is served');
  assert.deepEqual(log.slice(-5).map((e) => [e.requestId, e.type, e.itemId]), [['q-1', 'label', f6], ['f-2', 'flag', f6], ['f-1', 'flag', f5], ['rv-1', 'label', f6], ['u-1', 'undo', f6]]);
}

describe('the fake host keeps the real host and engine contract', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-contract-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('FakeEngine', async () => {
    const side = fakeSide();
    await scenario(side);
    await reviewScenario(side);
    await side.close();
  });

  it('the real engine (EngineService + Presenter, in-process)', async () => {
    const side = await realSide(dir);
    try {
      await scenario(side);
      await reviewScenario(side);
    } finally {
      await side.close();
    }
  });

  it('FakeEngine: a strategy change', async () => {
    const side = fakeSide('margin');
    await strategyScenario(side);
    await side.close();
  });

  it('the real engine: a strategy change', async () => {
    const sub = path.join(dir, 'strategy');
    await fs.mkdir(sub);
    const side = await realSide(sub, { strategy: 'margin', randomShare: 0 });
    try {
      await strategyScenario(side);
    } finally {
      await side.close();
    }
  });
});
