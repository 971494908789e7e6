import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completeEvent, LabelState, undoOf, type LabelEvent } from '../../../src/core/labels';
import { labelInput } from './helpers';

describe('LabelState (the replay reducer, fed directly)', () => {
  it('survives a long undo/redo toggling chain and always agrees with the parity of toggles', () => {
    const state = new LabelState();
    const first = completeEvent(labelInput('a', ['one']));
    const second = completeEvent(labelInput('a', ['two']));
    state.apply(first);
    state.apply(second);
    let head: LabelEvent = second;
    for (let i = 1; i <= 2000; i++) {
      head = completeEvent(undoOf(head, { annotator: 'alice' }));
      assert.equal(state.apply(head), undefined);
      if (i % 997 === 0 || i > 1995) {
        // odd number of undos: 'two' removed; even: 'two' back
        assert.deepEqual(state.get('a')?.labels, i % 2 === 1 ? ['one'] : ['two'], `after ${i} toggles`);
      }
    }
  });

  it('ignores a duplicate eventId and reports it', () => {
    const state = new LabelState();
    const event = completeEvent(labelInput('a', ['one']));
    assert.equal(state.apply(event), undefined);
    assert.equal(state.apply({ ...event, labels: ['other'] })?.kind, 'duplicate-event');
    assert.deepEqual(state.get('a')?.labels, ['one']);
  });

  it('applies an undo to the target item even when the undo names another item', () => {
    const state = new LabelState();
    const event = completeEvent(labelInput('a', ['one']));
    state.apply(event);
    state.apply(completeEvent({ ...undoOf(event, { annotator: 'x' }), itemId: 'b' }));
    assert.equal(state.get('a'), undefined);
    assert.equal(state.get('b'), undefined);
  });

  it('finds the next undo across items in log order', () => {
    const state = new LabelState();
    const a = completeEvent(labelInput('a', ['x']));
    const b = completeEvent(labelInput('b', ['y']));
    state.apply(a);
    state.apply(b);
    assert.equal(state.nextUndo()?.eventId, b.eventId);
    state.apply(completeEvent(undoOf(b, { annotator: 'x' })));
    assert.equal(state.nextUndo()?.eventId, a.eventId);
    assert.equal(state.nextUndo('b'), undefined);
    assert.equal(state.nextRedo()?.itemId, 'b');
  });
});
