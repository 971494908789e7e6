import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completeEvent } from '../../../src/core/labels/events';
import { LabelingSession } from '../../../src/core/session/session';
import { blobs, labelEvent, servedEvent } from './fixtures';

const classes = ['red', 'green', 'blue'];

function answerBatch(session: LabelingSession, truth: readonly string[], n = 10): string[] {
  const picks = session.nextBatch(n);
  for (const p of picks) session.applyLabel(servedEvent(p, [truth[p.row] as string]));
  return picks.map((p) => p.itemId);
}

test('cold start: no model and no predictions until two classes have training labels', () => {
  const { items, x, truth } = blobs(300, classes);
  const s = new LabelingSession(items, x, { labels: classes, mode: 'single', strategy: 'margin', seed: 3 });
  assert.equal(s.shouldRetrain(), false);
  assert.equal(s.retrain(), null);
  const batch = s.nextBatch(10);
  assert.equal(batch.length, 10);
  assert.equal(new Set(batch.map((b) => b.itemId)).size, 10);
  assert.ok(batch.every((b) => b.prediction === undefined));
  // Only "red" training labels: still no model.
  const reds = items.filter((_, i) => truth[i] === 'red').slice(0, 12);
  for (const item of reds) s.applyLabel(labelEvent(item.id, ['red']));
  assert.equal(s.canTrain(), false);
  assert.equal(s.shouldRetrain(), false);
  assert.equal(s.model, undefined);
});

test('the loop: batches never repeat, retrain every N labels, every label trains, predictions', () => {
  const { items, x, truth } = blobs(400, classes, 2);
  // A large random share, so that the out-of-fold estimate has its 20 items within 80 labels.
  const s = new LabelingSession(items, x, { labels: classes, mode: 'single', strategy: 'clustered-uncertainty', seed: 5, retrainEvery: 10, randomShare: 0.4 });
  const served = new Set<string>();
  let updates = 0;
  for (let round = 0; round < 8; round++) {
    for (const id of answerBatch(s, truth)) {
      assert.ok(!served.has(id), `${id} served twice`);
      served.add(id);
    }
    if (s.shouldRetrain()) {
      const update = s.retrain();
      assert.ok(update !== null);
      updates++;
      assert.equal(update.version, updates);
    }
  }
  assert.ok(updates >= 6, `${updates} retrains`);
  const progress = s.progress();
  assert.equal(progress.labeled, 80);
  // Every label trains, the evaluation items too.
  const training = s.trainingSet();
  assert.equal(training.rows.length, 80);
  assert.equal(training.evaluation.length, progress.evaluationLabeled);
  assert.ok(progress.evaluationLabeled >= 20, `${progress.evaluationLabeled} random-share labels`);
  const latest = s.latest!;
  assert.ok(latest.metrics !== null && latest.metrics.accuracy > 0.9, `accuracy ${latest.metrics?.accuracy}`);
  assert.equal(latest.metrics.evaluated, progress.evaluationLabeled);
  // Points only from the version whose estimate rests on 20 items or more.
  assert.ok(latest.curve.length >= 1 && latest.curve.length <= updates);
  assert.ok(latest.curve.every((p) => p.evaluated >= 20 && p.low <= p.accuracy && p.accuracy <= p.high));
  assert.ok(latest.curve.every((p, i) => i === 0 || p.labels >= latest.curve[i - 1]!.labels));
  // Predictions follow the data.
  let right = 0;
  items.forEach((item, i) => {
    if (s.prediction(item.id)?.label === truth[i]) right++;
  });
  assert.ok(right / items.length > 0.9);
  const counts = s.counts();
  assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 80);
});

test('undo and skip: an undone item can come back, a skipped one waits for "serve skipped again", in later sessions too', () => {
  const { items, x, truth } = blobs(60, classes, 4);
  const config = { labels: classes, mode: 'single' as const, strategy: 'random', seed: 1 };
  const s = new LabelingSession(items, x, config);
  const [first, second, third] = s.nextBatch(3);
  const events = [
    labelEvent(first!.itemId, [truth[first!.row]!]),
    completeEvent({ type: 'flag', itemId: second!.itemId, labels: [], annotator: 't', source: 'queue' }),
    completeEvent({ type: 'skip', itemId: third!.itemId, labels: [], annotator: 't', source: 'queue' }),
  ];
  for (const e of events) s.applyLabel(e);
  assert.equal(s.progress().skipped, 1);

  // Backspace walks back through the page's history: the flag, then the label.
  const undoFlag = s.undoEventFor(second!.itemId, 't');
  assert.equal(undoFlag?.undoes !== undefined && undoFlag.itemId, second!.itemId);
  const undoLabel = s.undoEventFor(first!.itemId, 't');
  assert.equal(undoLabel?.itemId, first!.itemId);
  for (const e of [undoFlag!, undoLabel!].map((u) => completeEvent(u))) {
    events.push(e);
    s.applyLabel(e);
  }
  assert.equal(s.isLabeled(first!.itemId), false);
  assert.equal(s.undoEventFor(first!.itemId, 't'), undefined);
  assert.equal(s.undoEventFor(second!.itemId, 't'), undefined);
  assert.equal(s.progress().labeled, 0);

  const rest = s.nextBatch(100).map((p) => p.itemId);
  assert.ok(rest.includes(first!.itemId), 'the undone item is served again');
  assert.ok(rest.includes(second!.itemId), 'the unflagged item is served again');
  assert.ok(!rest.includes(third!.itemId), 'the skipped item is not');
  assert.equal(rest.length, 59);
  assert.equal(s.nextBatch(5).length, 0, 'everything left is outstanding');

  // A later session over the same log passes over the skipped item too, until asked to serve it.
  const later = new LabelingSession(items, x, config);
  for (const e of events) later.applyLabel(e);
  assert.ok(!later.nextBatch(100).some((p) => p.itemId === third!.itemId), 'still skipped in a later session');
  later.releaseOutstanding();
  later.forgetSkips();
  assert.ok(later.nextBatch(100).some((p) => p.itemId === third!.itemId), 'served after "serve skipped again"');
  // Skipped again: passed over again, even after a release.
  later.applyLabel(completeEvent({ type: 'skip', itemId: third!.itemId, labels: [], annotator: 't', source: 'queue' }));
  later.releaseOutstanding();
  assert.ok(!later.nextBatch(100).some((p) => p.itemId === third!.itemId), 'skipped again');
  // Undoing both skips leaves none in effect; labeling it then makes it a labeled item.
  for (let i = 0; i < 2; i++) later.applyLabel(completeEvent(later.undoEventFor(third!.itemId, 't')!));
  assert.equal(later.progress().skipped, 0);
  later.releaseOutstanding();
  assert.ok(later.nextBatch(100).some((p) => p.itemId === third!.itemId), 'no skip in effect');
  later.applyLabel(completeEvent({ type: 'skip', itemId: third!.itemId, labels: [], annotator: 't', source: 'queue' }));
  later.applyLabel(labelEvent(third!.itemId, ['red']));
  assert.deepEqual([later.isLabeled(third!.itemId), later.progress().skipped], [true, 0], 'a label overrides the skip');
});

test('imports are applied but never undone by backspace', () => {
  const { items, x } = blobs(30, classes, 6);
  const s = new LabelingSession(items, x, { labels: classes, mode: 'single', strategy: 'random' });
  s.applyLabel(labelEvent(items[0]!.id, ['red'], 'import'));
  assert.equal(s.isLabeled(items[0]!.id), true);
  assert.equal(s.undoEventFor(items[0]!.id, 't'), undefined);
});

test('deterministic under a seed', () => {
  const run = (seed: number): string[] => {
    const { items, x, truth } = blobs(300, classes, 9);
    const s = new LabelingSession(items, x, { labels: classes, mode: 'single', strategy: 'margin', seed });
    const out: string[] = [];
    for (let i = 0; i < 4; i++) {
      out.push(...answerBatch(s, truth));
      if (s.shouldRetrain()) s.retrain();
    }
    return out;
  };
  assert.deepEqual(run(7), run(7));
  assert.notDeepEqual(run(7), run(8));
});

test('binary mode: accept/reject for one label; a reject is stored as "not <label>"', () => {
  const { items, x, truth } = blobs(200, ['spam', 'ham'], 3);
  const s = new LabelingSession(items, x, { labels: ['spam'], mode: 'binary', strategy: 'least-confidence', seed: 2 });
  assert.deepEqual(s.classMap.classes, ['spam', 'not spam']);
  assert.deepEqual(s.classMap.normalize([]), ['not spam']);
  assert.deepEqual(s.classMap.normalize(['spam']), ['spam']);
  for (let i = 0; i < 4; i++) {
    for (const p of s.nextBatch(10)) s.applyLabel(labelEvent(p.itemId, s.classMap.normalize(truth[p.row] === 'spam' ? ['spam'] : [])));
    if (s.shouldRetrain()) s.retrain();
  }
  assert.ok(s.model !== undefined);
  const counts = s.counts();
  assert.equal(counts.spam! + counts['not spam']!, 40);
  let right = 0;
  items.forEach((item, i) => {
    const p = s.prediction(item.id)!;
    if ((p.label === 'spam') === (truth[i] === 'spam')) right++;
  });
  assert.ok(right / items.length > 0.9, `${right}`);
  assert.throws(() => new LabelingSession(items, x, { labels: ['a', 'b'], mode: 'binary' }), RangeError);
});

test('multi-label mode: several labels per item, per-label sigmoid predictions, micro-F1', () => {
  const { items, x, truth } = blobs(300, classes, 8, 0.3);
  // Each item also carries "blue" when it is "red": a second label that co-occurs.
  const labelsOf = (row: number): string[] => (truth[row] === 'red' ? ['red', 'blue'] : [truth[row]!]);
  const s = new LabelingSession(items, x, { labels: classes, mode: 'multi', strategy: 'entropy', seed: 4, randomShare: 0.5 });
  for (let i = 0; i < 6; i++) {
    for (const p of s.nextBatch(10)) s.applyLabel(servedEvent(p, labelsOf(p.row)));
    if (s.shouldRetrain()) s.retrain();
  }
  const update = s.latest!;
  assert.ok(update.metrics?.microF1 !== undefined);
  assert.ok(update.metrics.microF1 > 0.8, `micro-F1 ${update.metrics.microF1}`);
  const redRow = truth.indexOf('red');
  const p = s.prediction(items[redRow]!.id)!;
  assert.deepEqual([...(p.labels ?? [])].sort(), ['blue', 'red']);
});

test('retrainSteps yields between chunks and only swaps the model at the end', () => {
  const { items, x, truth } = blobs(500, classes, 10);
  const s = new LabelingSession(items, x, { labels: classes, mode: 'single', strategy: 'random', chunkRows: 50, seed: 1 });
  for (let i = 0; i < 3; i++) answerBatch(s, truth);
  const steps = s.retrainSteps();
  let yields = 0;
  let result = steps.next();
  while (!result.done) {
    yields++;
    assert.equal(s.model, undefined, 'no half-scored model is visible');
    // A label arriving mid-retrain is applied at once and counts towards the next version.
    if (yields === 3) answerBatch(s, truth, 1);
    result = steps.next();
  }
  assert.ok(yields >= 10, `${yields} steps`);
  assert.equal(result.value?.trainedOn, s.progress().labeled - 1);
  assert.ok(s.model !== undefined);
  assert.equal(s.shouldRetrain(), false);
});
