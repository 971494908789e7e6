/**
 * The session keeps the pool's embeddings packed between batches instead of copying every row for
 * every batch (about 200 MB per batch at 50,000 x 512 before). What the strategies see must be
 * exactly the rows a fresh copy would hold.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../src/core/random';
import { defaultEngine, type Engine } from '../../../src/core/session/engine';
import type { SamplingInput } from '../../../src/core/sampling';
import { takeRows } from '../../../src/core/math/matrix';
import { PoolRows } from '../../../src/core/session/poolRows';
import { LabelingSession } from '../../../src/core/session/session';
import type { Matrix } from '../../../src/core/types';
import { blobs, labelEvent } from './fixtures';

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = createRng(seed);
  return { data: Float32Array.from({ length: rows * cols }, () => rng.normal()), rows, cols };
}

test('PoolRows: removals compact in place, additions rebuild, and the rows always equal a fresh copy', () => {
  const x = randomMatrix(500, 7, 1);
  const pool = new PoolRows(x);
  const rng = createRng(2);
  let rows = Array.from({ length: x.rows }, (_, i) => i);
  let view = pool.update(rows);
  assert.equal(pool.lastUpdate, 'rebuilt');
  const firstBuffer = view.data.buffer;
  for (let step = 0; step < 30; step++) {
    if (step % 10 === 9) {
      // Rows come back (an undo, a released queue): rebuilt from the source.
      rows = Array.from({ length: x.rows }, (_, i) => i).filter((r) => r % 3 !== step % 3 || r < 100);
      view = pool.update(rows);
      assert.equal(pool.lastUpdate, 'rebuilt');
    } else {
      rows = rows.filter(() => rng.next() > 0.05);
      view = pool.update(rows);
      assert.equal(pool.lastUpdate, 'compacted');
      assert.equal(view.data.buffer, firstBuffer, 'no new buffer for removals');
    }
    assert.deepEqual(view, takeRows(x, rows), `step ${step}`);
  }
  pool.update(rows);
  assert.equal(pool.lastUpdate, 'unchanged');
  assert.deepEqual(pool.update([]), { data: new Float32Array(0), rows: 0, cols: 7 });
});

test('the session hands strategies packed pool rows, and a logistic head shares them as its hidden layer', () => {
  const classes = ['red', 'green', 'blue'];
  const { items, x, truth } = blobs(300, classes, 4);
  const seen: { pool: Matrix; hiddenIsPool: boolean | undefined; expected: Matrix }[] = [];
  const outstanding = new Set<string>();
  const holder: { session?: LabelingSession } = {};
  const engine: Engine = {
    train: defaultEngine.train,
    select: (input: SamplingInput, request) => {
      const s = holder.session as LabelingSession;
      // The rows a fresh copy would hold: unlabeled, not outstanding.
      const rows = items.flatMap((item, row) => (!s.isLabeled(item.id) && !outstanding.has(item.id) ? [row] : []));
      seen.push({ pool: { ...input.pool, data: input.pool.data.slice() }, hiddenIsPool: input.poolPrediction && input.poolPrediction.hidden === input.pool, expected: takeRows(x, rows) });
      return defaultEngine.select(input, request);
    },
  };
  const session = new LabelingSession(items, x, { labels: classes, mode: 'single', strategy: 'margin', seed: 2, retrainEvery: 5 }, engine);
  holder.session = session;
  for (let round = 0; round < 6; round++) {
    const batch = session.nextBatch(8);
    for (const p of batch) outstanding.add(p.itemId);
    for (const p of batch.slice(0, 6)) {
      session.applyLabel(labelEvent(p.itemId, [truth[p.row] as string]));
      outstanding.delete(p.itemId);
    }
    if (session.shouldRetrain()) session.retrain();
  }
  assert.equal(seen.length, 6);
  for (const [i, s] of seen.entries()) assert.deepEqual(s.pool, s.expected, `batch ${i + 1}`);
  assert.ok(session.model?.kind === 'logistic', 'the default head is logistic');
  assert.equal(seen.at(-1)?.hiddenIsPool, true, 'hidden = the packed pool, not another copy');
});

test('PoolRows packs a view only when its data is read; a sample taken from it comes from the source, and a stale view keeps its rows', () => {
  const x = randomMatrix(400, 5, 3);
  const pool = new PoolRows(x);
  const rows = Array.from({ length: x.rows }, (_, i) => i).filter((r) => r % 7 !== 0);
  const view = pool.update(rows);
  const sample = [0, 3, 17, rows.length - 1, 3];
  // A sample (cold start's clustering) equals the same sample of a fresh copy...
  assert.deepEqual(takeRows(view, sample), takeRows(takeRows(x, rows), sample));
  // ...and packed nothing: the same rows again still need the rebuild the first update would have done.
  pool.update(rows);
  assert.equal(pool.lastUpdate, 'rebuilt');

  const fewer = rows.filter((r) => r % 3 !== 0);
  const older = pool.update(rows);
  assert.deepEqual(older.data, takeRows(x, rows).data);
  const newer = pool.update(fewer);
  assert.equal(pool.lastUpdate, 'compacted');
  assert.deepEqual(newer, takeRows(x, fewer));
  // Read after a later update, an unread view still gives its own rows, not the buffer's new ones.
  const stale = pool.update(rows);
  pool.update(fewer);
  assert.deepEqual(stale.data, takeRows(x, rows).data);
});
