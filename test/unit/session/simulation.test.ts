import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/args';
import { fullPoolReference, runSimulation, type SimulationData } from '../../../src/core/session/simulation';
import { blobs } from './fixtures';

const HEADLINES = path.resolve(__dirname, '../../../..', 'shared/datasets/disaster-headlines');

function capture(): CliIO & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), progress: () => undefined };
}

test('the oracle loop: learning curve rises towards the full-pool accuracy on separable data', () => {
  const classes = ['a', 'b', 'c'];
  const { items, x, truth } = blobs(300, classes, 5, 0.9);
  const data: SimulationData = { items, embeddings: x, truth: truth.map((t) => [t]), labels: classes, mode: 'single' };
  const run = runSimulation(data, { strategy: 'margin', seed: 1, budget: 60, batchSize: 10, evalFraction: 0.2 });
  assert.equal(run.points.length, 6);
  assert.deepEqual(
    run.points.map((p) => p.labels),
    [10, 20, 30, 40, 50, 60],
  );
  assert.equal(run.evaluated, 60);
  const full = fullPoolReference(data, { seed: 1, evalFraction: 0.2 });
  assert.equal(full.trainedOn, 240);
  const last = run.points[run.points.length - 1]!;
  assert.ok(last.accuracy >= 0.9 * full.accuracy, `${last.accuracy} vs full ${full.accuracy}`);
  assert.ok(run.alc > 0 && run.alc <= 1);
});

test('simulate on the shared disaster headlines: table, JSON shape, ALC in [0, 1], full-pool reference', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-sim-'));
  try {
    const out = path.join(dir, 'curve.json');
    const io = capture();
    const code = await main(
      [
        'simulate',
        '--data',
        HEADLINES,
        '--text-field',
        'column2',
        '--label-field',
        'column3',
        '--strategy',
        'random',
        '--model',
        'lexical',
        '--budget',
        '40',
        '--seeds',
        '1,2',
        '--out',
        out,
      ],
      io,
    );
    assert.equal(code, 0, io.errors.join('\n'));
    const json = JSON.parse(await fs.readFile(out, 'utf8')) as Record<string, unknown>;
    assert.equal(json.strategy, 'random');
    assert.equal(json.embedder, 'lexical');
    assert.deepEqual(json.seeds, [1, 2]);
    assert.equal(typeof json.dataset, 'string');
    const points = json.points as { labels: number; accuracy: number; macroF1: number }[];
    assert.deepEqual(
      points.map((p) => p.labels),
      [10, 20, 30, 40],
    );
    for (const p of points) {
      assert.ok(p.accuracy >= 0 && p.accuracy <= 1);
      assert.ok(p.macroF1 >= 0 && p.macroF1 <= 1);
    }
    const alc = json.alc as number;
    assert.ok(alc >= 0 && alc <= 1, `alc ${alc}`);
    const full = json.fullPool as { accuracy: number; trainedOn: number };
    assert.ok(full.accuracy > 0 && full.accuracy <= 1);
    // 1,292 unique labeled headlines, 20% held out.
    assert.ok(full.trainedOn > 1000, `${full.trainedOn}`);
    assert.ok(io.lines.some((l) => /^Full pool/.test(l)));
    assert.ok(io.lines.some((l) => /labels\s+accuracy\s+macro-F1/.test(l)));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('simulate --strategy all compares every strategy against random', async () => {
  const io = capture();
  const code = await main(
    ['simulate', '--data', HEADLINES, '--text-field', 'column2', '--label-field', 'column3', '--strategy', 'all', '--model', 'lexical', '--budget', '20', '--seeds', '1'],
    io,
  );
  assert.equal(code, 0, io.errors.join('\n'));
  const rows = io.lines.filter((l) => l.startsWith('| ') && !l.startsWith('| strategy'));
  assert.equal(rows.length, 11);
  assert.match(rows[0]!, /^\| random \|.*\(1\.00x\)/);
});

test('simulate refuses bad arguments with a usage error', async () => {
  const io = capture();
  assert.equal(await main(['simulate', '--data', HEADLINES, '--strategy', 'random'], io), 2);
  assert.match(io.errors.join('\n'), /--label-field/);
  assert.equal(await main(['simulate', '--data', HEADLINES, '--label-field', 'column3', '--strategy', 'nope'], io), 2);
  assert.match(io.errors.join('\n'), /unknown strategy "nope"/);
});

test('simulate refuses malformed numbers: empty seeds, fractional batch, stray positionals', async () => {
  const base = ['simulate', '--data', HEADLINES, '--label-field', 'column3', '--strategy', 'random'];
  const cases: [string[], RegExp][] = [
    [['--seeds', '1,,2'], /--seeds must be comma-separated integers/],
    [['--seeds', ''], /--seeds must be comma-separated integers/],
    [['--batch', '2.5'], /--batch must be a positive integer/],
    [['--budget', '0'], /--budget must be a positive integer/],
    [['extra'], /unexpected argument: extra/],
  ];
  for (const [extra, message] of cases) {
    const io = capture();
    assert.equal(await main([...base, ...extra], io), 2, extra.join(' '));
    assert.match(io.errors.join('\n'), message);
  }
});
