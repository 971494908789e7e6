import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { agreementSummary, cohenKappa, krippendorffAlphaNominal, type Annotation } from '../../../src/core/evaluation/agreement';
import { stoppingSignal } from '../../../src/core/evaluation/stopping';
import { createRng } from '../../../src/core/random';

test('kappa: identical labelings give 1, a hand case gives 0.5', () => {
  assert.equal(cohenKappa([0, 1, 2, 1, 0], [0, 1, 2, 1, 0]), 1);
  assert.equal(cohenKappa([3, 3, 3], [3, 3, 3]), 1);
  // po = 0.75, pe = 0.5*0.25 + 0.5*0.75 = 0.5
  assert.ok(Math.abs(cohenKappa([0, 0, 1, 1], [0, 1, 1, 1]) - 0.5) < 1e-12);
});

test('kappa: independent random labelings agree only by chance (about 0)', () => {
  const rng = createRng(7);
  const a = Array.from({ length: 20000 }, () => rng.int(3));
  const b = Array.from({ length: 20000 }, () => rng.int(3));
  assert.ok(Math.abs(cohenKappa(a, b)) < 0.03);
});

test('kappa: systematic disagreement is negative', () => {
  assert.ok(cohenKappa([0, 1, 0, 1], [1, 0, 1, 0]) < 0);
  assert.throws(() => cohenKappa([0], [0, 1]), RangeError);
});

test('stopping: too early, still changing, then stabilized', () => {
  const v1 = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
  const early = stoppingSignal([v1, v1]);
  assert.equal(early.stop, false);
  assert.equal(early.kappa, null);

  const v2 = [1, 1, 0, 1, 0, 0, 0, 1, 1, 1];
  const changing = stoppingSignal([v1, v2, v1, v2]);
  assert.equal(changing.stop, false);
  assert.ok(changing.kappa !== null && changing.kappa < 0.99);
  assert.match(changing.message, /^Still changing: kappa -?\d\.\d\d over the last 3 retrains/);

  const stable = stoppingSignal([v2, v1, v1, v1, v1]);
  assert.equal(stable.stop, true);
  assert.equal(stable.reason, 'stable');
  assert.equal(stable.message, 'Predictions have stabilized: more labels are unlikely to help.');
});

test('stopping: reaching the target accuracy fires the hint, but only with enough evaluation items', () => {
  const v = [0, 1];
  assert.equal(stoppingSignal([v], { accuracy: 0.95, evaluated: 50 }, { targetAccuracy: 0.9 }).reason, 'target');
  assert.equal(stoppingSignal([v], { accuracy: 0.95, evaluated: 5 }, { targetAccuracy: 0.9 }).stop, false);
  assert.equal(stoppingSignal([v], { accuracy: 0.85, evaluated: 50 }, { targetAccuracy: 0.9 }).stop, false);
});

/** A 2x2 table (rater A's answer, rater B's answer) as two parallel labelings. */
function fromTable(yesYes: number, yesNo: number, noYes: number, noNo: number): { a: string[]; b: string[] } {
  const a: string[] = [];
  const b: string[] = [];
  const add = (count: number, x: string, y: string): void => {
    for (let i = 0; i < count; i++) {
      a.push(x);
      b.push(y);
    }
  };
  add(yesYes, 'yes', 'yes');
  add(yesNo, 'yes', 'no');
  add(noYes, 'no', 'yes');
  add(noNo, 'no', 'no');
  return { a, b };
}

function asAnnotations(labelings: Record<string, ReadonlyArray<string | null>>): Annotation[] {
  const out: Annotation[] = [];
  for (const [annotator, labels] of Object.entries(labelings)) {
    labels.forEach((label, i) => label !== null && out.push({ item: `u${i + 1}`, annotator, label }));
  }
  return out;
}

const close = (actual: number | null | undefined, expected: number, digits: number): void => {
  assert.ok(actual !== null && actual !== undefined, `expected ${expected}, got ${actual}`);
  assert.ok(Math.abs(actual - expected) <= 0.5 * 10 ** -digits, `expected ${expected} (to ${digits} places), got ${actual}`);
};

test("Cohen's kappa against the textbook 2x2 tables (Wikipedia, Cohen's kappa: worked and 'same percentages' examples)", () => {
  // 50 grant proposals, each read by A and B: 20 both yes, 5 A yes B no, 10 A no B yes, 15 both no.
  // po = 0.7, pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa = 0.4.
  const grants = fromTable(20, 5, 10, 15);
  const summary = agreementSummary([
    ...grants.a.map((label, i) => ({ item: `p${i}`, annotator: 'A', label })),
    ...grants.b.map((label, i) => ({ item: `p${i}`, annotator: 'B', label })),
  ]);
  const pair = summary.pairs[0];
  close(pair?.kappa, 0.4, 10);
  assert.equal(pair?.items, 50);
  assert.equal(pair?.agreed, 35);
  // rows: A's label, columns: B's label, labels sorted (no, yes)
  assert.deepEqual(pair?.confusion, { labels: ['no', 'yes'], counts: [[15, 10], [5, 20]] });
  // Both tables have po = 0.60 but different marginals: kappa 0.1304 and 0.2593.
  const first = fromTable(45, 15, 25, 15);
  const second = fromTable(25, 35, 5, 35);
  const asIndex = (xs: string[]): number[] => xs.map((x) => (x === 'yes' ? 1 : 0));
  close(cohenKappa(asIndex(first.a), asIndex(first.b)), 0.1304, 4);
  close(cohenKappa(asIndex(second.a), asIndex(second.b)), 0.2593, 4);
});

test("Cohen's kappa matches scikit-learn's cohen_kappa_score on random multi-class labelings", (t) => {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import sklearn'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip('python3 with scikit-learn is not installed');
    return;
  }
  const rng = createRng(3);
  const a = Array.from({ length: 300 }, () => rng.int(4));
  const b = a.map((x) => (rng.next() < 0.6 ? x : rng.int(4)));
  const script = 'import json,sys; from sklearn.metrics import cohen_kappa_score as k; d=json.load(sys.stdin); print(repr(k(d[0], d[1])))';
  const run = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify([a, b]), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  close(cohenKappa(a, b), Number(run.stdout), 12);
});

test("Krippendorff's alpha (nominal) against the published examples", () => {
  // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal data, 4 observers,
  // 12 units, missing values: alpha = 0.743.
  const canonical = asAnnotations({
    A: ['1', '2', '3', '3', '2', '1', '4', '1', '2', null, null, null],
    B: ['1', '2', '3', '3', '2', '2', '4', '1', '2', '5', null, '3'],
    C: [null, '3', '3', '3', '2', '3', '4', '2', '2', '5', '1', null],
    D: ['1', '2', '3', '3', '2', '4', '4', '1', '2', '5', '1', null],
  });
  const summary = agreementSummary(canonical);
  close(summary.alpha?.alpha, 0.743, 3);
  // Unit 12 has a single value, so it cannot be paired; 40 values in the 11 other units.
  assert.equal(summary.alpha?.units, 11);
  assert.equal(summary.alpha?.values, 40);
  assert.equal(summary.pairs.length, 6);
  assert.deepEqual(summary.annotators, ['A', 'B', 'C', 'D']);

  // Same paper, binary data, two observers, no missing data: alpha = 0.095.
  const binary = asAnnotations({
    A: ['0', '1', '0', '0', '0', '0', '0', '0', '1', '0'],
    B: ['1', '1', '1', '0', '0', '1', '0', '0', '0', '0'],
  });
  close(agreementSummary(binary).alpha?.alpha, 0.095, 3);

  // Wikipedia's computational example (3 coders, 15 units, missing values): nominal alpha = 0.691.
  const wiki = asAnnotations({
    A: [null, null, null, null, null, '3', '4', '1', '2', '1', '1', '3', '3', null, '3'],
    B: ['1', null, '2', '1', '3', '3', '4', '3', null, null, null, null, null, null, null],
    C: [null, null, '2', '1', '3', '4', '4', null, '2', '1', '1', '3', '3', null, '4'],
  });
  close(agreementSummary(wiki).alpha?.alpha, 0.691, 3);
});

test('alpha and kappa edge cases: perfect, undefined, no shared items', () => {
  assert.equal(krippendorffAlphaNominal([['a', 'a'], ['b', 'b', 'b']]).alpha, 1);
  // Only one value in use: expected disagreement is 0, alpha is undefined (not 1, not NaN).
  assert.equal(krippendorffAlphaNominal([['a', 'a'], ['a', 'a']]).alpha, null);
  assert.equal(krippendorffAlphaNominal([['a'], ['b']]).alpha, null);
  const apart = agreementSummary([
    { item: 'x', annotator: 'ana', label: 'a' },
    { item: 'y', annotator: 'ben', label: 'b' },
  ]);
  assert.equal(apart.pairs[0]?.kappa, null);
  assert.equal(apart.pairs[0]?.items, 0);
  assert.equal(apart.alpha?.alpha, null);
  assert.equal(agreementSummary([{ item: 'x', annotator: 'ana', label: 'a' }]).alpha, null);
});
