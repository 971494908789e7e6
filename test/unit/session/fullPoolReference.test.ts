/**
 * `fullPoolReference` trains once on every pool label without going through label events. Its
 * figures must be those of the loop it replaces: a LabelingSession that is given every pool row's
 * label as an event and retrains (written out here from the public pieces, as `simulate` ran it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseEvaluationItems } from '../../../src/core/evaluation/split';
import { completeEvent } from '../../../src/core/labels/events';
import { Int8Matrix } from '../../../src/core/embedding/int8Matrix';
import { takeRows } from '../../../src/core/math/matrix';
import { PoolScores, scoreVersion } from '../../../src/core/session/scoring';
import { LabelingSession } from '../../../src/core/session/session';
import { fullPoolReference, type SimulationData } from '../../../src/core/session/simulation';
import { blobs } from './fixtures';

/** The reference loop: label each pool row through the session, retrain, score the test split. */
function byEvents(data: SimulationData, seed: number, evalFraction: number): { accuracy: number; macroF1: number; trainedOn: number } {
  const test = chooseEvaluationItems(data.items.map((i) => i.id), evalFraction, seed);
  const rows: number[] = [];
  const testRows: number[] = [];
  data.items.forEach((item, row) => (test.has(item.id) ? testRows : rows).push(row));
  const session = new LabelingSession(rows.map((r) => data.items[r]!), takeRows(data.embeddings, rows), {
    labels: data.labels,
    mode: data.mode,
    strategy: 'random',
    batchSize: 10,
    retrainEvery: 10,
    randomShare: 0.1,
    seed,
    estimate: false,
    minPerLabel: 3,
    stopSetSize: 200,
  });
  for (const row of rows) {
    session.applyLabel(completeEvent({ type: 'label', itemId: data.items[row]!.id, labels: data.truth[row] as string[], annotator: 'oracle', source: 'queue' }));
  }
  assert.ok(session.canTrain());
  session.retrain();
  const head = session.model!;
  const p = head.predict(takeRows(data.embeddings, testRows));
  const scores = new PoolScores(head.classes.length, p.probs.data, p.logits.data, p.hidden);
  const m = scoreVersion(scores, testRows.map((_, i) => i), (i) => data.truth[testRows[i]!]!, session.classMap)!;
  return { accuracy: m.accuracy, macroF1: m.macroF1, trainedOn: session.progress().labeled };
}

test('the full-pool reference gives exactly the figures of labeling every pool row and retraining', () => {
  const classes = ['a', 'b', 'c', 'd'];
  const { items, x, truth } = blobs(400, classes, 3, 1.4);
  const single: SimulationData = { items, embeddings: x, truth: truth.map((t) => [t]), labels: classes, mode: 'single' };
  // Multi-label: a second label on some items, so the targets are sets.
  const multiTruth = truth.map((t, i) => (i % 3 === 0 ? [t, classes[(classes.indexOf(t) + 1) % 4]!] : [t]));
  const multi: SimulationData = { items, embeddings: x, truth: multiTruth, labels: classes, mode: 'multi' };
  // The pool as a session keeps a model's vectors: int8 rows (the direct path trains on a view of them).
  const int8 = new Int8Matrix(x.rows, x.cols);
  for (let r = 0; r < x.rows; r++) int8.putVector(r, x.data.subarray(r * x.cols, (r + 1) * x.cols));
  const quantized: SimulationData = { ...single, embeddings: int8 };
  for (const data of [single, multi, quantized]) {
    for (const seed of [1, 2]) {
      const want = byEvents(data, seed, 0.25);
      const got = fullPoolReference(data, { seed, evalFraction: 0.25 });
      assert.deepEqual(got, want, `${data.mode}${data === quantized ? ' (int8)' : ''}, seed ${seed}`);
      assert.ok(want.macroF1 > 0.3 && want.accuracy < 1, `figures that can differ (${want.accuracy}, ${want.macroF1})`);
    }
  }
});

test('with a single class in the pool there is no model: the majority baseline, as the event loop reports it', () => {
  const { items, x } = blobs(60, ['a', 'b'], 5, 0.5);
  const data: SimulationData = { items, embeddings: x, truth: items.map(() => ['a']), labels: ['a', 'b'], mode: 'single' };
  const got = fullPoolReference(data, { seed: 1, evalFraction: 0.25 });
  assert.equal(got.trainedOn, 45);
  assert.equal(got.accuracy, 1, 'every test item is the one class the pool has');
});
