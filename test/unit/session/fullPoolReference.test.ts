/**
 * `fullPoolReference` trains once on every pool label without going through label events. Its
 * figures must be those of the loop it replaces: a LabelingSession that is given every pool row's
 * label as an event and retrains (written out here from the public pieces, as `simulate` ran it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseEvaluationItems } from '../../../src/core/evaluation/split';
import { completeEvent } from '../../../src/core/labels/events';
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
  for (const data of [single, multi]) {
    for (const seed of [1, 2]) {
      const want = byEvents(data, seed, 0.25);
      const got = fullPoolReference(data, { seed, evalFraction: 0.25 });
      assert.deepEqual(got, want, `${data.mode}, seed ${seed}`);
      assert.ok(want.macroF1 > 0.3 && want.accuracy < 1, `figures that can differ (${want.accuracy}, ${want.macroF1})`);
    }
  }
});
