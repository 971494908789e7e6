/**
 * A session that adopts a replayed label state (what the worker's start does) ends up exactly as one
 * that applies every replayed event again (what it did before): labels, undo and redo targets,
 * history, classes, versions, evaluation items, the retrain count, batches and models.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { replay, serializeEvent, type LabelEvent } from '../../../src/core/labels';
import { createRng } from '../../../src/core/random';
import { LabelingSession } from '../../../src/core/session/session';
import { tempDir } from '../labels/helpers';
import { blobs } from './fixtures';

const classes = ['red', 'green', 'blue'];

/** A log with every kind of event the session counts differently, duplicates and no-effect undos included. */
function randomLog(seed: number, itemIds: readonly string[], count: number): LabelEvent[] {
  const rng = createRng(seed);
  const events: LabelEvent[] = [];
  for (let n = 0; n < count; n++) {
    const r = rng.next();
    const base = { v: 1, eventId: `e${n}`, itemId: itemIds[rng.int(itemIds.length)] as string, annotator: rng.next() < 0.8 ? 'ann' : 'bob', time: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString() } as const;
    if (r < 0.04 && events.length > 0) {
      events.push(events[rng.int(events.length)] as LabelEvent);
      continue;
    }
    if (r < 0.2 && events.length > 0) {
      const u = rng.next();
      // Mostly a recent event (an undo, a redo, or one already undone: no effect), sometimes one never written.
      const undoes = u < 0.1 ? 'never-written' : (events[events.length - 1 - rng.int(Math.min(events.length, 8))] as LabelEvent).eventId;
      events.push({ ...base, type: 'undo', labels: [], source: 'queue', undoes, ...(u > 0.9 ? { modelVersion: '9' } : {}) });
      continue;
    }
    const type = r < 0.28 ? 'skip' : r < 0.33 ? 'flag' : 'label';
    const strategy = rng.next() < 0.3 ? 'random' : 'margin';
    const source = rng.next() < 0.1 ? 'import' : rng.next() < 0.1 ? 'review' : 'queue';
    const labels = type === 'label' ? [rng.next() < 0.05 ? 'purple' : (classes[rng.int(classes.length)] as string)] : [];
    const modelVersion = rng.next() < 0.3 ? String(rng.int(6)) : undefined;
    events.push({ ...base, type, labels, source, strategy, score: rng.int(100) / 100, ...(modelVersion !== undefined ? { modelVersion } : {}) });
  }
  return events;
}

/** The session's own state besides the label state: what `applyLabel` changes. */
function internals(s: LabelingSession): unknown {
  const raw = s as unknown as { evaluationIds: Set<string>; changesSinceTrain: number; served: unknown };
  return { evaluationIds: [...raw.evaluationIds], changesSinceTrain: raw.changesSinceTrain, served: raw.served, classes: s.classMap.classes, version: s.latestVersion };
}

describe('LabelingSession.adoptLabels', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: the same session as applying every replayed event`, async () => {
      const { items, x } = blobs(90, classes, seed);
      const file = join(dir, `labels-${seed}.jsonl`);
      await writeFile(file, randomLog(seed, items.slice(0, 60).map((item) => item.id), 500).map((e) => `${serializeEvent(e)}\n`).join(''));
      const config = { labels: classes, mode: 'single', strategy: 'margin', seed, retrainEvery: 1000 } as const;

      const reapplied = new LabelingSession(items, x, config);
      const adopted = new LabelingSession(items, x, config);
      // Served before the labels come in (some then released; items 60-89 have no event): answering
      // them clears them the same way.
      for (const s of [reapplied, adopted]) {
        for (const item of items.slice(0, 20)) s.markServed(item.id, { strategy: 'margin', score: 0.5 });
        s.releaseOutstanding();
        for (const item of items.slice(50, 70)) s.markServed(item.id, { strategy: 'margin', score: 0.25 });
      }
      const before = await replay(file);
      for (const event of before.events) reapplied.applyLabel(event);

      const replayed = await replay(file);
      const kinds = new Set(replayed.problems.map((p) => p.kind));
      for (const kind of ['duplicate-event', 'unknown-undo-target', 'undo-no-effect'] as const) assert.ok(kinds.has(kind), `the log exercises ${kind}`);
      adopted.adoptLabels(replayed.labelState);

      assert.equal(adopted.labelState, replayed.labelState, 'adopted, not copied');
      assert.deepEqual(internals(adopted), internals(reapplied));
      assert.ok(adopted.outstandingCount > 0 && adopted.outstandingCount < 20, 'some served items answered, some not');
      assert.ok(adopted.classMap.classes.includes('purple') && adopted.latestVersion > 0, 'the log names a new class and a version');
      assert.deepEqual(adopted.labelState.events, reapplied.labelState.events);
      assert.deepEqual([...adopted.labelState.labels.entries()], [...reapplied.labelState.labels.entries()]);
      assert.equal(adopted.labelState.nextUndo()?.eventId, reapplied.labelState.nextUndo()?.eventId);
      assert.equal(adopted.labelState.nextRedo()?.eventId, reapplied.labelState.nextRedo()?.eventId);
      for (const item of items) {
        assert.equal(adopted.undoEventFor(item.id, 'me')?.undoes, reapplied.undoEventFor(item.id, 'me')?.undoes);
        assert.equal(adopted.labelState.nextRedo(item.id)?.eventId, reapplied.labelState.nextRedo(item.id)?.eventId);
        assert.equal(adopted.labelState.hasHistory(item.id), reapplied.labelState.hasHistory(item.id));
      }
      assert.deepEqual(adopted.progress(), reapplied.progress());
      assert.deepEqual(adopted.counts(), reapplied.counts());
      assert.deepEqual(adopted.trainingSet(), reapplied.trainingSet());
      assert.deepEqual(adopted.nextBatch(7), reapplied.nextBatch(7));

      // Both go on the same way: a later event, then a retrain.
      const later = { ...(replayed.events.find((e) => e.type === 'label') as LabelEvent), eventId: 'later', labels: ['green'] };
      adopted.applyLabel(later);
      reapplied.applyLabel(later);
      assert.deepEqual(internals(adopted), internals(reapplied));
      assert.equal(adopted.shouldRetrain(), reapplied.shouldRetrain());
      assert.deepEqual(adopted.retrain()?.version, reapplied.retrain()?.version);
    });
  }

  it('refuses a session that already has label events', async () => {
    const { items, x } = blobs(30, classes);
    const file = join(dir, 'one.jsonl');
    const [event] = randomLog(9, [items[0]!.id], 1);
    await writeFile(file, `${serializeEvent(event!)}\n`);
    const session = new LabelingSession(items, x, { labels: classes, mode: 'single', strategy: 'margin' });
    session.applyLabel(event!);
    await assert.rejects(async () => session.adoptLabels((await replay(file)).labelState), /already has label events/);
  });
});
