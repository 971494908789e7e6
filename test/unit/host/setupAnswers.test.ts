/** The remembered setup answers: the dataset's own strategy is kept; one the registry lacks is dropped. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAnswers } from '../../../src/host/setupAnswers';

const BASE = { textField: 'text', labels: ['a', 'b'], mode: 'single', seedPatterns: [], seed: 7 };

test('a chosen strategy is part of the answers; none means the setting applies', () => {
  assert.equal(parseAnswers({ ...BASE, strategy: 'entropy' })?.strategy, 'entropy');
  const without = parseAnswers(BASE);
  assert.ok(without);
  assert.equal(without.strategy, undefined);
});

test('a hand-edited unknown strategy falls back to the setting, and the other answers survive', () => {
  const answers = parseAnswers({ ...BASE, strategy: 'no-such-strategy' });
  assert.ok(answers, 'the answers are not lost over one bad field');
  assert.equal(answers.strategy, undefined);
  assert.deepEqual(answers.labels, ['a', 'b']);
  assert.equal(answers.seed, 7);
});
