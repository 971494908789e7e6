/** A session whose pool is still embedding: only embedded rows are served, trained on or predicted. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LabelingSession } from '../../../src/core/session';
import { blobs, servedEvent } from './fixtures';

const classes = ['a', 'b', 'c'];

/** The blobs with only `embeddedRows` holding their vectors (the others zeroed, as before embedding). */
function partial(n: number, embeddedRows: readonly number[]) {
  const b = blobs(n, classes, 9);
  const full = b.x.data.slice();
  const flags = new Uint8Array(n);
  for (const r of embeddedRows) flags[r] = 1;
  for (let r = 0; r < n; r++) if (flags[r] === 0) b.x.data.fill(0, r * b.x.cols, (r + 1) * b.x.cols);
  /** What the background embedding does: write the rows' vectors, then tell the session. */
  const arrive = (s: LabelingSession, rows: readonly number[]): void => {
    for (const r of rows) b.x.data.set(full.subarray(r * b.x.cols, (r + 1) * b.x.cols), r * b.x.cols);
    s.addEmbedded(rows);
  };
  return { ...b, flags, arrive };
}

for (const strategy of ['margin', 'clustered-uncertainty', 'random'] as const) {
  it(`${strategy}: serves only embedded rows; rows that arrive join the pool and get predictions`, () => {
    const n = 300;
    const first = Array.from({ length: 60 }, (_, i) => i * 5);
    const p = partial(n, first);
    const s = new LabelingSession(p.items, p.x, { labels: classes, mode: 'single', strategy, seed: 4, retrainEvery: 5, batchSize: 10 }, undefined, p.flags);
    assert.equal(s.embeddedCount, 60);
    const served = new Set<number>();
    for (let round = 0; round < 3; round++) {
      for (const pick of s.nextBatch(10)) {
        assert.ok(first.includes(pick.row), `row ${pick.row} served before it was embedded`);
        served.add(pick.row);
        s.applyLabel(servedEvent(pick, [p.truth[pick.row] as string]));
      }
      if (s.shouldRetrain()) s.retrain();
    }
    assert.ok(s.model !== undefined, 'a model was trained on the embedded rows');
    const notYet = 1;
    assert.equal(s.isEmbedded(notYet), false);
    assert.equal(s.prediction(p.items[notYet]?.id as string), undefined);
    assert.equal(s.classProbabilities(notYet), undefined);

    const later = Array.from({ length: n }, (_, r) => r).filter((r) => !first.includes(r));
    p.arrive(s, later.slice(0, 100));
    assert.equal(s.embeddedCount, 160);
    assert.ok(s.prediction(p.items[later[0] as number]?.id as string) !== undefined, 'an arrived row is scored by the current model');
    const rows = new Set<number>();
    for (let k = 0; k < 6; k++) for (const pick of s.nextBatch(10)) rows.add(pick.row);
    assert.ok([...rows].every((r) => first.includes(r) || later.slice(0, 100).includes(r)));
    assert.ok([...rows].some((r) => later.includes(r)), 'the grown pool is drawn from');
  });
}

it('a labeled row without its vector does not train until it arrives', () => {
  const n = 120;
  const first = Array.from({ length: 40 }, (_, i) => i);
  const p = partial(n, first);
  const s = new LabelingSession(p.items, p.x, { labels: classes, mode: 'single', strategy: 'margin', seed: 2 }, undefined, p.flags);
  // Labels from the log for rows embedded and not (a replayed session).
  for (const row of [0, 1, 2, 3, 4, 5, 100, 101]) s.applyLabel(servedEvent({ itemId: p.items[row]?.id as string, reason: { strategy: 'random', score: 0 } }, [p.truth[row] as string]));
  assert.deepEqual(s.trainingSet().rows, [0, 1, 2, 3, 4, 5]);
  p.arrive(s, [100]);
  assert.deepEqual(s.trainingSet().rows, [0, 1, 2, 3, 4, 5, 100]);
});

it('rows that arrive while a retrain runs are scored by the new head, not left as zeros', () => {
  const n = 200;
  const first = Array.from({ length: 100 }, (_, i) => i);
  const p = partial(n, first);
  const s = new LabelingSession(p.items, p.x, { labels: classes, mode: 'single', strategy: 'margin', seed: 6, chunkRows: 16, estimate: false }, undefined, p.flags);
  for (let row = 0; row < 30; row++) s.applyLabel(servedEvent({ itemId: p.items[row]?.id as string, reason: { strategy: 'random', score: 0 } }, [p.truth[row] as string]));
  const steps = s.retrainSteps();
  steps.next();
  steps.next();
  p.arrive(s, [150, 199]);
  for (let r = steps.next(); !r.done; r = steps.next()) {
    // the retrain goes on
  }
  const reference = new LabelingSession(p.items, p.x, { labels: classes, mode: 'single', strategy: 'margin', seed: 6, chunkRows: 16, estimate: false });
  for (let row = 0; row < 30; row++) reference.applyLabel(servedEvent({ itemId: p.items[row]?.id as string, reason: { strategy: 'random', score: 0 } }, [p.truth[row] as string]));
  reference.retrain();
  for (const row of [150, 199]) {
    const got = s.classProbabilities(row);
    const want = reference.classProbabilities(row);
    assert.ok(got !== undefined && want !== undefined);
    for (let c = 0; c < classes.length; c++) assert.ok(Math.abs((got[c] as number) - (want[c] as number)) < 1e-5, `row ${row} class ${c}: ${got[c]} vs ${want[c]}`);
  }
});
