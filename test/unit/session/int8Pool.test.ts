/**
 * The session's pool is kept as int8 with a scale per row (src/core/embedding/int8Matrix.ts), as
 * the cache stores a model's vectors. It must hold exactly what the cache decodes, and a session
 * over it must choose, train and predict exactly as one over the decoded float32 matrix, without
 * ever decoding the whole pool.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Int8Matrix } from '../../../src/core/embedding/int8Matrix';
import { decodeRows, encodeRow, encodeRows, rowBytes } from '../../../src/core/embedding/quantize';
import { encodedFullDecodes, readRowInto, rowRange, rowsView, takeRows } from '../../../src/core/math/matrix';
import { createRng } from '../../../src/core/random';
import type { StrategyName } from '../../../src/core/sampling/registry';
import { LabelingSession } from '../../../src/core/session/session';
import { withSplitLayout } from '../../../src/core/session/splitLayout';
import type { Matrix } from '../../../src/core/types';
import { blobs, labelEvent, servedEvent } from './fixtures';

function quantized(x: Matrix): { readonly q: Int8Matrix; readonly decoded: Matrix } {
  const q = new Int8Matrix(x.rows, x.cols);
  for (let r = 0; r < x.rows; r++) q.putVector(r, x.data.subarray(r * x.cols, (r + 1) * x.cols));
  return { q, decoded: { data: decodeRows('int8', encodeRows('int8', x.data, x.cols), x.cols), rows: x.rows, cols: x.cols } };
}

test('Int8Matrix holds what the cache stores: rows, ranges, takes and encoded copies decode as quantize.ts decodes', () => {
  const rng = createRng(5);
  const x: Matrix = { data: Float32Array.from({ length: 60 * 9 }, () => rng.normal() * 3), rows: 60, cols: 9 };
  x.data.fill(0, 9 * 4, 9 * 5); // a zero row
  const { q, decoded } = quantized(x);
  const out = new Float32Array(60 * 9);
  q.readRows(0, 60, out, 0);
  assert.deepEqual(out, decoded.data);
  assert.deepEqual(rowRange(q, 10, 20).data, decoded.data.subarray(90, 180));
  assert.deepEqual(takeRows(q, [59, 0, 7, 7]), takeRows(decoded, [59, 0, 7, 7]));
  const one = new Float32Array(9);
  readRowInto(q, 33, one);
  assert.deepEqual(one, decoded.data.subarray(33 * 9, 34 * 9));

  // A row copied as the cache's bytes is the row the vector would have become.
  const bytes = new Uint8Array(rowBytes('int8', 9) + 3);
  encodeRow('int8', x.data.subarray(18, 27), bytes, 3);
  const copy = new Int8Matrix(1, 9);
  copy.putEncoded(0, bytes, 3);
  assert.deepEqual(rowRange(copy, 0, 1).data, decoded.data.subarray(18, 27));

  // Non-finite values are not stored (the cache does not keep them either): the row reads as zeros.
  const bad = Float32Array.from({ length: 9 }, (_, i) => (i === 4 ? NaN : 1));
  assert.equal(copy.putVector(0, bad), false);
  assert.deepEqual(rowRange(copy, 0, 1).data, new Float32Array(9));
});

test('Int8Matrix: a whole decode is counted and kept up to date; permute and views move codes and scales together', () => {
  const { x } = blobs(40, ['a', 'b'], 3);
  const { q, decoded } = quantized(x);
  const before = encodedFullDecodes();
  assert.deepEqual(q.data, decoded.data);
  assert.equal(encodedFullDecodes(), before + 1);
  q.putVector(2, x.data.subarray(0, x.cols));
  assert.deepEqual(q.data.subarray(2 * x.cols, 3 * x.cols), decoded.data.subarray(0, x.cols), 'the decoded copy follows writes');
  assert.equal(encodedFullDecodes(), before + 1, 'decoded once');

  const fresh = quantized(x).q;
  const order = Int32Array.from({ length: 40 }, (_, i) => (i * 7) % 40);
  fresh.permute(order);
  assert.deepEqual(takeRows(fresh, [...Array(40).keys()]), takeRows(decoded, Array.from(order)));
  const view = rowsView(fresh, 10, 25);
  assert.equal(view.rows, 15);
  assert.deepEqual(takeRows(view, [0, 14]), takeRows(decoded, [order[10] as number, order[24] as number]));

  // A simulation's split arranges an int8 matrix in place and restores it afterwards.
  const split = quantized(x).q;
  const pool = [...Array(40).keys()].filter((r) => r % 4 !== 0);
  const testRows = [...Array(40).keys()].filter((r) => r % 4 === 0);
  withSplitLayout(split, pool, testRows, (views) => {
    assert.deepEqual(takeRows(views.pool, [...Array(pool.length).keys()]), takeRows(decoded, pool));
    assert.deepEqual(takeRows(views.test, [...Array(testRows.length).keys()]), takeRows(decoded, testRows));
  });
  assert.deepEqual(takeRows(split, [...Array(40).keys()]), decoded);
});

const STRATEGIES: readonly StrategyName[] = ['margin', 'entropy', 'cluster', 'representative', 'model-outlier', 'clustered-uncertainty', 'active-transfer', 'atlas'];

for (const strategy of STRATEGIES) {
  test(`a session over the int8 pool picks, trains and predicts exactly as over the decoded float32 pool, never decoding it whole: ${strategy}`, () => {
    const classes = ['red', 'green', 'blue'];
    const { items, x, truth } = blobs(360, classes, 11, 0.9);
    const { q, decoded } = quantized(x);
    const run = (pool: Matrix): { picks: string[]; probs: number[][] } => {
      const session = new LabelingSession(items, pool, { labels: classes, mode: 'single', strategy, seed: 4, retrainEvery: 6, headOptions: { kind: strategy === 'active-transfer' ? 'mlp' : 'logistic' } });
      const picks: string[] = [];
      for (let round = 0; round < 7; round++) {
        const batch = session.nextBatch(6);
        for (const p of batch) {
          picks.push(`${p.itemId}:${p.reason.strategy}:${p.reason.score}`);
          session.applyLabel(servedEvent(p, [truth[p.row] as string]));
        }
        if (session.shouldRetrain()) session.retrain();
      }
      session.applyLabel(labelEvent('item-0', [truth[0] as string]));
      session.retrain();
      const probs = [0, 1, 100, 359].map((row) => Array.from(session.model?.predict(takeRows(decoded, [row])).probs.data ?? []));
      return { picks, probs };
    };
    const reference = run(decoded);
    // The training set of a simulation's full pool is one run of rows: a view, not a decoded copy.
    const before = encodedFullDecodes();
    const trained = simulateFullPool(q, truth, classes);
    assert.equal(encodedFullDecodes(), before);
    // Close, not bit-equal: at 8 dims the float32 trainer reads rows in place (the narrow path, for
    // error heads), while an int8 matrix is gathered into batches, which sums in another order.
    const expected = simulateFullPool(decoded, truth, classes);
    trained.forEach((p, i) => assert.ok(Math.abs(p - (expected[i] as number)) < 1e-5, `prob ${i}: ${p} vs ${expected[i]}`));
    const decodes = encodedFullDecodes();
    const actual = run(q);
    assert.equal(encodedFullDecodes(), decodes, 'the int8 pool was never decoded whole');
    assert.ok(reference.picks.length >= 30);
    assert.deepEqual(actual.picks, reference.picks);
    assert.deepEqual(actual.probs, reference.probs);
  });
}

/** The full-pool reference's shape: every row labeled, trained on one consecutive view; its predictions on a few rows. */
function simulateFullPool(x: Matrix, truth: readonly string[], classes: readonly string[]): number[] {
  const { items } = blobs(x.rows, classes, 11, 0.9);
  const session = new LabelingSession(items, x, { labels: [...classes], mode: 'single', strategy: 'margin', seed: 9 });
  items.forEach((item, row) => session.applyLabel(labelEvent(item.id, [truth[row] as string])));
  session.retrain();
  return Array.from(session.model?.predict(takeRows(x, [0, 5, 77])).probs.data ?? []);
}
