import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completeEvent, LabelState, undoOf, type LabelEvent, type LabelEventInput } from '../../../src/core/labels';
import { createRng } from '../../../src/core/random';
import { labelInput } from './helpers';

const ev = (itemId: string, labels: string[], annotator: string, extra: Partial<LabelEventInput> = {}): LabelEvent =>
  completeEvent(labelInput(itemId, labels, { annotator, ...extra }));
const skip = (itemId: string, annotator: string): LabelEvent =>
  completeEvent({ type: 'skip', itemId, labels: [], annotator, source: 'queue' });

function fed(...events: LabelEvent[]): LabelState {
  const state = new LabelState();
  for (const e of events) assert.equal(state.apply(e), undefined);
  return state;
}

/**
 * The single-annotator semantics as they were before several annotators: replay the undo chains,
 * then the item's last label/skip in effect decides. Written independently of LabelState.
 */
function reference(events: readonly LabelEvent[]): Map<string, { labels: readonly string[]; skipped: boolean }> {
  const active = new Map<string, boolean>();
  const target = new Map<string, string>();
  for (const e of events) {
    if (e.type !== 'undo') {
      active.set(e.eventId, true);
      continue;
    }
    const t = e.undoes as string;
    if (!active.get(t)) {
      active.set(e.eventId, false);
      continue;
    }
    active.set(e.eventId, true);
    target.set(e.eventId, t);
    for (let x: string | undefined = t, on = false; x !== undefined; x = target.get(x), on = !on) active.set(x, on);
  }
  const out = new Map<string, { labels: readonly string[]; skipped: boolean }>();
  for (const e of events) {
    if (!active.get(e.eventId) || (e.type !== 'label' && e.type !== 'skip')) continue;
    out.set(e.itemId, { labels: e.type === 'label' ? e.labels : [], skipped: e.type === 'skip' });
  }
  return out;
}

describe('several annotators: the current-label rule', () => {
  it('keeps a single-annotator log exactly as before (random sequences with undo, redo, skip, review)', () => {
    const rng = createRng(11);
    for (let round = 0; round < 40; round++) {
      const state = new LabelState();
      const events: LabelEvent[] = [];
      for (let step = 0; step < 60; step++) {
        const item = `i${rng.int(4)}`;
        const roll = rng.int(10);
        let event: LabelEvent;
        if (roll < 3 && events.length > 0) {
          // undo any earlier event, including an undo (a redo), by any annotator name
          event = completeEvent(undoOf(events[rng.int(events.length)] as LabelEvent, { annotator: rng.int(2) === 0 ? 'alice' : 'bot' }));
        } else if (roll < 5) {
          event = skip(item, 'alice');
        } else {
          event = ev(item, [['a', 'b', 'c'][rng.int(3)] as string], 'alice', { source: rng.int(3) === 0 ? 'review' : 'queue' });
        }
        events.push(event);
        state.apply(event);
      }
      const expected = reference(events);
      for (const [itemId, want] of expected) {
        const got = state.get(itemId);
        assert.deepEqual({ labels: got?.labels, skipped: got?.skipped }, want, `round ${round}, item ${itemId}`);
        if (got?.labeled) assert.ok(got.decidedBy === 'single' || got.decidedBy === 'review');
        assert.equal(got?.disagree, false);
      }
      for (const [itemId, got] of state.labels) {
        if (got.labeled || got.skipped) assert.ok(expected.has(itemId), `item ${itemId} has a decision only in the new state`);
      }
    }
  });

  it('agreement: all annotators chose the same label (a multi-label set in any order)', () => {
    const state = fed(ev('x', ['a', 'b'], 'alice'), ev('x', ['b', 'a'], 'bob'));
    const x = state.get('x');
    assert.equal(x?.decidedBy, 'agreement');
    assert.equal(x?.disagree, false);
    assert.deepEqual(x?.annotators.map((a) => a.annotator), ['alice', 'bob']);
  });

  it('disagreement: the latest label wins and the item says so; each annotator keeps only their latest', () => {
    const first = ev('x', ['a'], 'alice');
    const state = fed(first, ev('x', ['b'], 'bob'), ev('x', ['c'], 'alice'));
    const x = state.get('x');
    assert.deepEqual(x?.labels, ['c']);
    assert.equal(x?.decidedBy, 'latest');
    assert.equal(x?.disagree, true);
    assert.deepEqual(x?.annotators.map((a) => [a.annotator, a.labels[0]]), [['bob', 'b'], ['alice', 'c']]);
  });

  it('review: the latest review decides, even when an annotator relabels afterwards; undoing it falls back', () => {
    const review = ev('x', ['b'], 'rev', { source: 'review' });
    const state = fed(ev('x', ['a'], 'alice'), ev('x', ['b'], 'bob'), review, ev('x', ['a'], 'alice'));
    let x = state.get('x');
    assert.deepEqual(x?.labels, ['b']);
    assert.equal(x?.decidedBy, 'review');
    assert.equal(x?.labelEvent?.eventId, review.eventId);
    assert.equal(x?.disagree, true, 'the review settles the disagreement without hiding it');
    state.apply(completeEvent(undoOf(review, { annotator: 'rev' })));
    x = state.get('x');
    assert.deepEqual(x?.labels, ['a']);
    assert.equal(x?.decidedBy, 'latest');
  });

  it("a reviewer's own later queue label replaces their review", () => {
    const state = fed(ev('x', ['a'], 'alice'), ev('x', ['b'], 'rev', { source: 'review' }), ev('x', ['c'], 'rev'));
    assert.equal(state.get('x')?.decidedBy, 'latest');
    assert.deepEqual(state.get('x')?.labels, ['c']);
  });

  it("one annotator's skip does not erase another's label; everybody skipping leaves it skipped", () => {
    let state = fed(ev('x', ['a'], 'alice'), skip('x', 'bob'));
    assert.deepEqual(state.get('x')?.labels, ['a']);
    assert.equal(state.get('x')?.skipped, false);
    assert.equal(state.get('x')?.decidedBy, 'single');
    state = fed(ev('x', ['a'], 'alice'), skip('x', 'bob'), skip('x', 'alice'));
    assert.equal(state.get('x')?.labeled, false);
    assert.equal(state.get('x')?.skipped, true);
    assert.deepEqual(state.get('x')?.annotators, []);
  });
});
