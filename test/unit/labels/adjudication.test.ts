import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completeEvent, disagreements, LabelState, undoOf, type LabelEvent, type LabelEventInput } from '../../../src/core/labels';

const at = (annotator: string, itemId: string, label: string, time: string, extra: Partial<LabelEventInput> = {}): LabelEvent =>
  completeEvent({ type: 'label', itemId, labels: [label], annotator, source: 'queue', time, ...extra });

describe('disagreements (the adjudication order)', () => {
  it('lists unreviewed disagreements only, most recent first by the labels\' time, not file order', () => {
    const state = new LabelState();
    const review = at('rev', 'reviewed', 'a', '2025-01-05T00:00:00.000Z', { source: 'review' });
    const events = [
      // after a merge, bob's branch comes wholly after alice's in the file
      at('alice', 'old', 'a', '2025-01-01T00:00:00.000Z'),
      at('alice', 'new', 'a', '2025-01-01T00:00:00.000Z'),
      at('alice', 'agreed', 'a', '2025-01-01T00:00:00.000Z'),
      at('alice', 'reviewed', 'a', '2025-01-01T00:00:00.000Z'),
      at('bob', 'new', 'b', '2025-01-04T00:00:00.000Z'),
      at('bob', 'old', 'b', '2025-01-02T00:00:00.000Z'),
      at('bob', 'agreed', 'a', '2025-01-03T00:00:00.000Z'),
      at('bob', 'reviewed', 'b', '2025-01-03T00:00:00.000Z'),
      review,
    ];
    for (const e of events) state.apply(e);
    const list = disagreements(state.labels);
    assert.deepEqual(list.map((d) => d.itemId), ['new', 'old']);
    assert.deepEqual(list[0], {
      itemId: 'new',
      annotators: state.get('new')?.annotators,
      current: ['b'],
      time: '2025-01-04T00:00:00.000Z',
    });
    assert.deepEqual(list[0]?.annotators.map((a) => `${a.annotator}:${a.labels[0]}`), ['alice:a', 'bob:b']);
    // Undoing the review puts the item back in the list.
    state.apply(completeEvent(undoOf(review, { annotator: 'rev' })));
    assert.deepEqual(disagreements(state.labels).map((d) => d.itemId), ['new', 'reviewed', 'old']);
  });

  it('is empty for a single-annotator log, whatever its history', () => {
    const state = new LabelState();
    for (const [item, label] of [['x', 'a'], ['x', 'b'], ['y', 'a']] as const) state.apply(at('alice', item, label, new Date().toISOString()));
    assert.deepEqual(disagreements(state.labels), []);
  });
});
