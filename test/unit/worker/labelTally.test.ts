/**
 * The worker's incremental counts must always equal a full recount by the session, whatever the
 * sequence of labels, relabels, flags and undos (and in every mode).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completeEvent, undoOf, type LabelEvent } from '../../../src/core/labels/events';
import { createRng } from '../../../src/core/random';
import { LabelingSession } from '../../../src/core/session/session';
import type { LabelMode } from '../../../src/core/types';
import { LabelTally } from '../../../src/worker/labelTally';
import { blobs } from '../session/fixtures';

const CLASSES = ['a', 'b', 'c'];

function recount(s: LabelingSession): { labeled: number; counts: Record<string, number> } {
  return { labeled: s.progress().labeled, counts: s.counts() };
}

for (const mode of ['single', 'multi', 'binary'] as const satisfies readonly LabelMode[]) {
  test(`${mode}: 400 random events keep the tally equal to a full recount`, () => {
    const { items, x } = blobs(40, CLASSES, 3);
    const labels = mode === 'binary' ? ['a'] : CLASSES;
    const session = new LabelingSession(items, x, { labels, mode, seed: 2 });
    const tally = new LabelTally(session, 0);
    const rng = createRng(11);
    const applied: LabelEvent[] = [];
    for (let step = 0; step < 400; step++) {
      const item = items[rng.int(items.length)]!;
      const roll = rng.next();
      let event: LabelEvent;
      if (roll < 0.15 && applied.length > 0) event = completeEvent(undoOf(applied[rng.int(applied.length)]!, { annotator: 't', source: 'queue' }));
      else if (roll < 0.25) event = completeEvent({ type: 'flag', itemId: item.id, labels: [], annotator: 't', source: 'queue' });
      else {
        const chosen = mode === 'multi' ? CLASSES.filter(() => rng.next() < 0.5).concat('a').filter((v, i, all) => all.indexOf(v) === i) : mode === 'binary' ? [rng.next() < 0.5 ? 'a' : 'not a'] : [CLASSES[rng.int(3)]!];
        event = completeEvent({ type: 'label', itemId: item.id, labels: chosen, annotator: 't', source: 'queue' });
      }
      const before = tally.before(event.itemId);
      session.applyLabel(event);
      tally.after(event.itemId, before);
      applied.push(event);
      const { labeled, counts } = tally.counts();
      const expected = recount(session);
      assert.equal(labeled, expected.labeled, `step ${step}: labeled`);
      assert.deepEqual(counts, expected.counts, `step ${step}: counts`);
    }
    assert.ok(tally.counts().labeled > 0 && tally.eventCount === 400);
  });
}
