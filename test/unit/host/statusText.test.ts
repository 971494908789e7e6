import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatEta, formatModel, modelTooltip } from '../../../src/host/statusText';
import { roughDuration } from '../../../src/shared/poolText';
import { MIN_TRUSTED_EVALUATION_ITEMS, type ModelSnapshot } from '../../../src/shared/protocol';

const model = (over: Partial<ModelSnapshot>): ModelSnapshot => ({
  version: 3, training: false, accuracy: 0.83, macroF1: 0.8, curve: [], counts: {}, labeled: 120, total: 1000, ...over,
});

test('the status bar names the items behind the out-of-fold accuracy, and the tooltip its band', () => {
  assert.equal(formatModel(model({ evaluated: 25 })), '120/1,000 labeled · acc 83% on 25 scored');
  const tooltip = modelTooltip(model({ evaluated: 25, accuracyLow: 0.64, accuracyHigh: 0.93 })).join('\n');
  assert.match(tooltip, /accuracy 83\.0% \(95% CI 64–93%\), macro-F1 80\.0% on 25 items scored out of fold/);
  assert.doesNotMatch(tooltip, /too few/i);
});

test('before 20 items the status bar counts the items to score, and the tooltip says why', () => {
  const few = model({ accuracy: undefined, macroF1: undefined, labeled: 40, evaluated: 7 });
  assert.ok(7 < MIN_TRUSTED_EVALUATION_ITEMS);
  assert.equal(formatModel(few), `40/1,000 labeled · 7/${MIN_TRUSTED_EVALUATION_ITEMS} items to score`);
  const tooltip = modelTooltip(few).join('\n');
  assert.match(tooltip, new RegExp(`7 of ${MIN_TRUSTED_EVALUATION_ITEMS} items to score`));
  assert.match(tooltip, /random share/);
});

test('the stopping progress is in the tooltip; "consider stopping" only when the hint fires', () => {
  const changing = { stop: false, kappa: 0.82, threshold: 0.99, message: 'Predictions still changing: κ 0.82 of 0.99 (mean over the last 3 retrains).' };
  assert.doesNotMatch(formatModel(model({ evaluated: 25, stopping: changing })), /consider stopping/);
  assert.match(modelTooltip(model({ stopping: changing })).join('\n'), /κ 0\.82 of 0\.99/);
  assert.match(formatModel(model({ evaluated: 25, stopping: { ...changing, stop: true, kappa: 0.995, message: 'Predictions have stabilized.' } })), /consider stopping$/);
  assert.equal(formatModel(model({ version: 0, accuracy: undefined, macroF1: undefined })), '120/1,000 labeled · no model yet');
});

test('durations: the status bar compact ("1h 5m"), the pool banner spelled out ("1 h 5 min"), one rounding', () => {
  assert.deepEqual([0.2, 45, 90, 3900, -1, NaN].map(formatEta), ['1s', '45s', '2m', '1h 5m', '?', '?']);
  assert.deepEqual([0.2, 45, 90, 3900, -1].map((s) => roughDuration(s)), ['1 s', '45 s', '2 min', '1 h 5 min', '?']);
});
