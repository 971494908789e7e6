import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatModel, modelTooltip } from '../../../src/host/statusText';
import { MIN_TRUSTED_EVALUATION_ITEMS, TOO_FEW_EVALUATION_ITEMS, type ModelSnapshot } from '../../../src/shared/protocol';

const model = (over: Partial<ModelSnapshot>): ModelSnapshot => ({
  version: 3, training: false, accuracy: 0.83, macroF1: 0.8, curve: [], counts: {}, labeled: 120, total: 1000, ...over,
});

test('the status bar names the held-out count behind the accuracy', () => {
  assert.equal(formatModel(model({ evaluated: 12 })), '120/1,000 labeled · acc 83% on 12 held-out');
  const tooltip = modelTooltip(model({ evaluated: 12 })).join('\n');
  assert.match(tooltip, /accuracy 83\.0%, macro-F1 80\.0% on 12 held-out items/);
  assert.doesNotMatch(tooltip, /too few/i);
});

test('below the trusted minimum the status bar flags the accuracy and the tooltip says why', () => {
  const few = model({ accuracy: 1, labeled: 20, evaluated: 2 });
  assert.ok(2 < MIN_TRUSTED_EVALUATION_ITEMS);
  assert.equal(formatModel(few), '20/1,000 labeled · acc 100%? on 2 held-out (too few)');
  const tooltip = modelTooltip(few).join('\n');
  assert.ok(tooltip.toLowerCase().includes(TOO_FEW_EVALUATION_ITEMS), tooltip);
  assert.match(tooltip, /moves the figure by 50 points/);
  // Exactly at the minimum the figure stands on its own.
  assert.doesNotMatch(formatModel(model({ evaluated: MIN_TRUSTED_EVALUATION_ITEMS })), /too few|\?/);
});

test('without a count (an older snapshot) the figure is shown as before, without a claim either way', () => {
  assert.equal(formatModel(model({})), '120/1,000 labeled · acc 83%');
  assert.match(modelTooltip(model({})).join('\n'), /on the held-out evaluation items/);
  assert.equal(formatModel(model({ version: 0, accuracy: undefined, macroF1: undefined })), '120/1,000 labeled · no model yet');
});
