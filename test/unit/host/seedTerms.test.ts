/**
 * The seed-terms answer of the setup flow: parsed into the terms the engine gets, validated as the
 * user types, and shown again (prefilled) without changing meaning.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePattern } from '../../../src/core/sampling/coldStart';
import { formatSeedTerms, MAX_SEED_TERMS, parseSeedTerms, seedTermProblem, validateSeedTerms } from '../../../src/host/seedTerms';

test('keywords split on commas, trimmed, empty and duplicate terms dropped, order kept', () => {
  assert.deepEqual(parseSeedTerms(' flood ,quake,, flood, storm surge ,'), ['flood', 'quake', 'storm surge']);
  assert.deepEqual(parseSeedTerms(''), []);
  assert.deepEqual(parseSeedTerms('  , ,  '), []);
});

test('a comma inside a /regex/ does not split it; a slash in a class or escaped does not close it', () => {
  assert.deepEqual(parseSeedTerms('flood, /quake{1,3}|tsunami/i, fire'), ['flood', '/quake{1,3}|tsunami/i', 'fire']);
  assert.deepEqual(parseSeedTerms('/[,/]x/, /a\\/b,c/'), ['/[,/]x/', '/a\\/b,c/']);
  assert.deepEqual(parseSeedTerms('/a/,b'), ['/a/', 'b']);
});

test('the parsed regex finds what the user meant, through the engine matcher', () => {
  const [term] = parseSeedTerms('/quake{1,3}|tsunami/i, x');
  const matches = compilePattern(term);
  assert.equal(matches('TSUNAMI warning'), true);
  assert.equal(matches('quakee here'), true);
  assert.equal(matches('quiet day'), false);
});

test('an invalid /regex/ is reported with the engine error; keywords and valid regexes pass', () => {
  assert.equal(validateSeedTerms(''), undefined, 'empty means skip');
  assert.equal(validateSeedTerms('flood, /quake|tsunami/i, a+b, (x'), undefined, 'keywords are literal, even with regex characters');
  const open = validateSeedTerms('flood, /quake(/i');
  assert.ok(open?.includes('/quake(/i') && /not a valid regex/.test(open), open);
  const flags = validateSeedTerms('/flood/q');
  assert.ok(flags?.includes('/flood/q') && /not a valid regex/.test(flags), flags);
  const unclosed = seedTermProblem('/flood');
  assert.ok(unclosed && /no closing slash/.test(unclosed), unclosed);
  assert.equal(seedTermProblem('/'), undefined, 'a lone slash is a keyword');
  const many = Array.from({ length: MAX_SEED_TERMS + 1 }, (_, i) => `t${i}`).join(',');
  assert.match(validateSeedTerms(many) ?? '', /At most/);
});

test('the remembered terms prefill the box and parse back to the same terms', () => {
  const cases = [[], ['flood'], ['flood', '/quake{1,3}|tsunami/i', 'storm surge'], ['/[,/]x/', '/a\\/b,c/', 'z']];
  for (const terms of cases) assert.deepEqual(parseSeedTerms(formatSeedTerms(terms)), terms, JSON.stringify(terms));
});
