import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completeEvent, LabelState, undoOf, type LabelEvent, type LabelEventInput } from '../../../src/core/labels';
import { REVIEW_ORDER_IDS, REVIEW_ORDERS, reviewCandidates, type ReviewContext, type SuspectRow } from '../../../src/core/review/reviewOrder';
import { STRONG_CHANGE } from '../../../src/core/review/itemView';

const CLASSES = ['sports', 'business', 'weather'];
const IDS = ['a', 'b', 'c', 'd', 'e', 'f'];

let clock = Date.parse('2025-03-01T00:00:00.000Z');
const ev = (annotator: string, itemId: string, label: string, extra: Partial<LabelEventInput> = {}): LabelEvent =>
  completeEvent({ type: 'label', itemId, labels: [label], annotator, source: 'queue', time: new Date((clock += 1000)).toISOString(), ...extra });
const flag = (annotator: string, itemId: string): LabelEvent =>
  completeEvent({ type: 'flag', itemId, labels: [], annotator, source: 'queue', time: new Date((clock += 1000)).toISOString() });

/** Model probabilities per row of IDS (sports, business, weather). */
const PROBS: Record<string, number[]> = {
  a: [0.9, 0.05, 0.05],
  b: [0.2, 0.7, 0.1],
  c: [0.5, 0.3, 0.2],
  d: [0.1, 0.1, 0.8],
  e: [0.34, 0.33, 0.33],
  f: [0.6, 0.3, 0.1],
};

function context(state: LabelState, extra: Partial<ReviewContext> = {}): ReviewContext {
  return {
    itemIds: IDS,
    rowOf: (id) => (IDS.includes(id) ? IDS.indexOf(id) : undefined),
    mode: 'single',
    state: state.labels,
    model: { classes: CLASSES, probs: (row) => PROBS[IDS[row] as string] },
    suspects: [],
    toReview: new Map(),
    ...extra,
  };
}

function stateOf(events: readonly LabelEvent[]): LabelState {
  const s = new LabelState();
  for (const e of events) assert.equal(s.apply(e), undefined);
  return s;
}

describe('review orders', () => {
  it('suspects: in the given order, with the model suggestion; a changed label or a kept one leaves, a strong change brings it back', () => {
    const events = [ev('ana', 'a', 'business'), ev('ana', 'b', 'sports'), ev('ana', 'c', 'weather')];
    const state = stateOf(events);
    const suspects: SuspectRow[] = [
      { row: 1, given: 'sports', suggested: 'business', score: 0.8, suggestedProb: 0.7 },
      { row: 0, given: 'business', suggested: 'sports', score: 0.6, suggestedProb: 0.55 },
      // about a label the item no longer has: left out
      { row: 2, given: 'sports', suggested: 'weather', score: 0.5, suggestedProb: 0.5 },
    ];
    const list = reviewCandidates('suspects', context(state, { suspects }));
    assert.deepEqual(list.map((c) => [c.itemId, c.suggestion?.labels, c.suggestion?.from, c.score]), [
      ['b', ['business'], 'model', 0.8],
      ['a', ['sports'], 'model', 0.6],
    ]);
    assert.deepEqual(list[0]?.current, { labels: ['sports'], annotator: 'ana', source: 'queue' });
    assert.match(list[0]?.detail ?? '', /ana labeled "sports".*"business" \(0\.70, out of fold\)/);
    // A reviewer keeps b at the score shown: it leaves the order until the model doubts it much more.
    state.apply(ev('rev', 'b', 'sports', { source: 'review', score: 0.8 }));
    assert.deepEqual(reviewCandidates('suspects', context(state, { suspects })).map((c) => c.itemId), ['a']);
    const stronger = [{ ...suspects[0], score: 0.8 + STRONG_CHANGE + 0.01 } as SuspectRow];
    assert.deepEqual(reviewCandidates('suspects', context(state, { suspects: stronger })).map((c) => c.itemId), ['b']);
  });

  it('lowest confidence: labeled, unreviewed items by the model probability of their label, lowest first', () => {
    const state = stateOf([ev('ana', 'a', 'sports'), ev('ana', 'b', 'sports'), ev('ana', 'c', 'weather'), ev('ana', 'd', 'weather'), ev('rev', 'e', 'business', { source: 'review' })]);
    const list = reviewCandidates('low-confidence', context(state));
    // P(label): a 0.9, b 0.2, c 0.2, d 0.8; e is reviewed; ties by row.
    assert.deepEqual(list.map((c) => c.itemId), ['b', 'c', 'd', 'a']);
    assert.deepEqual(list[0]?.suggestion, { labels: ['business'], from: 'model', score: 0.7 });
    assert.ok(Math.abs((list[0]?.score ?? 0) - 0.8) < 1e-9);
    assert.match(list[0]?.detail ?? '', /"sports" only 0\.20; it predicts "business" \(0\.70\)/);
    assert.deepEqual(reviewCandidates('low-confidence', context(state, { model: undefined })), [], 'nothing to rank before a model');
  });

  it('model disagrees: only labels the model predicts otherwise, its most confident first', () => {
    const state = stateOf([ev('ana', 'a', 'sports'), ev('ana', 'b', 'sports'), ev('ana', 'd', 'business'), ev('ana', 'f', 'weather')]);
    const list = reviewCandidates('model-disagrees', context(state));
    assert.deepEqual(list.map((c) => [c.itemId, c.suggestion?.labels[0]]), [['d', 'weather'], ['b', 'business'], ['f', 'sports']]);
    assert.ok(list.every((c) => c.disagreement));
  });

  it('annotators: unreviewed disagreements, suggesting the other annotator\'s label; a review settles one', () => {
    const state = stateOf([ev('ana', 'a', 'sports'), ev('bob', 'a', 'business'), ev('ana', 'b', 'sports'), ev('bob', 'b', 'sports'), ev('ana', 'c', 'weather'), ev('bob', 'c', 'sports')]);
    const list = reviewCandidates('annotators', context(state));
    assert.deepEqual(list.map((c) => c.itemId), ['c', 'a'], 'most recent first; b agrees');
    assert.deepEqual(list[0]?.current, { labels: ['sports'], annotator: 'bob', source: 'queue' });
    assert.deepEqual(list[0]?.suggestion, { labels: ['weather'], from: 'annotator', annotator: 'ana' });
    assert.equal(list[0]?.detail, 'ana: "weather" · bob: "sports"');
    assert.deepEqual(list[0]?.annotators, ['ana', 'bob']);
    state.apply(ev('rev', 'c', 'weather', { source: 'review' }));
    assert.deepEqual(reviewCandidates('annotators', context(state)).map((c) => c.itemId), ['a']);
  });

  it('flagged: flags in effect and not reviewed since; a flag raised after a review brings it back', () => {
    const f1 = flag('ana', 'c');
    const state = stateOf([ev('ana', 'a', 'sports'), flag('ana', 'a'), f1, ev('ana', 'd', 'weather')]);
    let list = reviewCandidates('flagged', context(state));
    assert.deepEqual(list.map((c) => [c.itemId, c.current?.labels, c.suggestion?.labels]), [['a', ['sports'], ['sports']], ['c', undefined, ['sports']]]);
    assert.match(list[1]?.detail ?? '', /Flagged by ana; not labeled yet/);
    state.apply(ev('rev', 'a', 'business', { source: 'review' }));
    state.apply(completeEvent(undoOf(f1, { annotator: 'ana' })));
    assert.deepEqual(reviewCandidates('flagged', context(state)), [], 'a reviewed, c unflagged');
    state.apply(flag('bob', 'a'));
    list = reviewCandidates('flagged', context(state));
    assert.deepEqual(list.map((c) => c.itemId), ['a']);
  });

  it('imported: the file\'s labels not decided yet, the ones the model doubts most first, suggested from the file', () => {
    const toReview = new Map<string, readonly string[]>([['a', ['sports']], ['b', ['sports']], ['d', ['sports']], ['e', ['weather']]]);
    const state = stateOf([ev('ana', 'e', 'weather', { source: 'review' })]);
    const list = reviewCandidates('imported', context(state, { toReview }));
    assert.deepEqual(list.map((c) => c.itemId), ['d', 'b', 'a'], 'P(sports): d 0.1, b 0.2, a 0.9; e is decided');
    assert.deepEqual(list[0]?.suggestion, { labels: ['sports'], from: 'file', score: 0.1 });
    assert.equal(list[0]?.current, undefined);
    assert.deepEqual(reviewCandidates('imported', context(state, { toReview, model: undefined })).map((c) => c.itemId), ['a', 'b', 'd'], 'file order before a model');
  });

  it('filters: label, predicted label, source, annotator, disagreement only, confidence range', () => {
    const state = stateOf([ev('ana', 'a', 'sports'), ev('bob', 'b', 'sports', { source: 'import' }), ev('ana', 'c', 'weather'), ev('ana', 'd', 'weather'), ev('bob', 'f', 'sports')]);
    const ids = (f: Parameters<typeof reviewCandidates>[2]): string[] => reviewCandidates('low-confidence', context(state), f).map((c) => c.itemId).sort();
    assert.deepEqual(ids({}), ['a', 'b', 'c', 'd', 'f']);
    assert.deepEqual(ids({ label: 'sports' }), ['a', 'b', 'f']);
    assert.deepEqual(ids({ predicted: 'business' }), ['b']);
    assert.deepEqual(ids({ source: 'import' }), ['b']);
    assert.deepEqual(ids({ annotator: 'bob' }), ['b', 'f']);
    assert.deepEqual(ids({ disagreementOnly: true }), ['b', 'c']);
    assert.deepEqual(ids({ minConfidence: 0.75 }), ['a', 'd']);
    assert.deepEqual(ids({ minConfidence: 0.55, maxConfidence: 0.75 }), ['b', 'f']);
    assert.deepEqual(ids({ label: 'sports', annotator: 'bob', disagreementOnly: true }), ['b']);
  });

  it('every order handles an empty state and no model', () => {
    for (const id of REVIEW_ORDER_IDS) {
      assert.deepEqual(REVIEW_ORDERS[id].rank(context(new LabelState(), { model: undefined })), [], id);
      assert.ok(REVIEW_ORDERS[id].title.length > 0);
    }
  });
});
