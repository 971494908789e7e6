import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../../src/cli/main';
import { createRng, shuffled } from '../../../src/core/random';

function capture(): { io: NonNullable<Parameters<typeof main>[1]>; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l), progress: () => undefined }, out, err };
}

const TOPICS: Record<string, readonly string[]> = {
  sports: ['goal', 'match', 'team', 'league', 'coach', 'striker', 'referee', 'season'],
  business: ['market', 'stock', 'profit', 'bank', 'shares', 'investor', 'revenue', 'merger'],
  weather: ['rain', 'storm', 'snow', 'flood', 'wind', 'forecast', 'thunder', 'drought'],
};
const FILLER = ['today', 'report', 'new', 'says', 'after', 'local', 'big', 'week'];

interface Generated {
  readonly file: string;
  /** id -> true label, for the rows whose label was flipped. */
  readonly flipped: Map<string, string>;
  readonly rows: number;
}

/** Topic headlines from a seeded generator; `flips` of them get another topic's label. */
async function generate(dir: string, seed: number, perTopic: number, flips: number): Promise<Generated> {
  const rng = createRng(seed);
  const labels = Object.keys(TOPICS);
  const rows: { id: string; text: string; label: string }[] = [];
  for (let i = 0; i < perTopic * labels.length; i++) {
    const label = labels[i % labels.length] as string;
    const words = TOPICS[label] as readonly string[];
    const text = [...Array.from({ length: 5 }, () => words[rng.int(words.length)]), FILLER[rng.int(FILLER.length)], FILLER[rng.int(FILLER.length)]].join(' ');
    rows.push({ id: `item-${i}`, text: `${text} ${i}`, label });
  }
  const flipped = new Map<string, string>();
  for (const i of shuffled(rows.map((_, k) => k), rng).slice(0, flips)) {
    const row = rows[i] as (typeof rows)[number];
    flipped.set(row.id, row.label);
    const others = labels.filter((l) => l !== row.label);
    row.label = others[rng.int(others.length)] as string;
  }
  const file = path.join(dir, `planted-${seed}.jsonl`);
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { file, flipped, rows: rows.length };
}

describe('active-label review', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-review-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ranks planted label errors near the top, suggests their true label, and writes parseable JSONL', async () => {
    const data = await generate(dir, 7, 40, 8);
    const { io, out, err } = capture();
    const code = await main(['review', '--data', data.file, '--model', 'lexical', '--format', 'jsonl', '--cache-dir', path.join(dir, 'cache')], io);
    assert.equal(code, 0, err.join('\n'));
    const rows = out.map((line) => JSON.parse(line) as { rank: number; id: string; line: number; label: string; suggested: string; score: number; flagged: boolean });
    // Every labeled item is listed once, ranked 1..n by non-increasing score.
    assert.equal(rows.length, data.rows);
    assert.equal(new Set(rows.map((r) => r.id)).size, data.rows);
    rows.forEach((r, i) => {
      assert.equal(r.rank, i + 1);
      assert.notEqual(r.suggested, r.label);
      assert.ok(r.score >= 0 && r.score <= 1, `score ${r.score}`);
      if (i > 0) assert.ok(rows[i - 1]!.score >= r.score);
      // The id names the line it came from (item-k is on line k + 1).
      assert.equal(r.line, Number(r.id.slice('item-'.length)) + 1);
    });
    const k = data.flipped.size;
    const top2k = rows.slice(0, 2 * k).filter((r) => data.flipped.has(r.id));
    assert.ok(top2k.length >= Math.ceil(0.8 * k), `only ${top2k.length} of ${k} planted errors in the top ${2 * k}: ${rows.slice(0, 2 * k).map((r) => r.id).join(', ')}`);
    const topK = rows.slice(0, k).filter((r) => data.flipped.has(r.id));
    assert.ok(topK.length >= Math.ceil(0.6 * k), `precision in the top ${k}: ${topK.length}/${k}`);
    for (const r of topK) assert.equal(r.suggested, data.flipped.get(r.id), `suggestion for ${r.id}`);
    assert.ok(rows.filter((r) => r.flagged).some((r) => data.flipped.has(r.id)), 'confident learning flags at least one planted error');
  });

  it('prints a table with --top, writes --out, and reports unreadable rows as file:line', async () => {
    const data = await generate(dir, 3, 20, 4);
    const withBad = path.join(dir, 'with-bad-line.jsonl');
    const lines = (await readFile(data.file, 'utf8')).trimEnd().split('\n');
    lines.splice(5, 0, '{"id": "broken", "text": ');
    await writeFile(withBad, lines.join('\n') + '\n');
    const table = capture();
    assert.equal(await main(['review', '--data', withBad, '--model', 'lexical', '--top', '5', '--cache-dir', path.join(dir, 'cache')], table.io), 0, table.err.join('\n'));
    assert.match(table.out[0] ?? '', /^rank\s+line\s+id\s+label\s+suggested\s+score\s+flagged\s+text$/);
    assert.equal(table.out.length, 6);
    assert.ok(table.err.some((l) => l.startsWith(`${withBad}:6:`)), table.err.join('\n'));

    const outFile = path.join(dir, 'suspects.jsonl');
    const written = capture();
    const args = ['review', '--data', data.file, '--model', 'lexical', '--format', 'jsonl', '--top', '3', '--out', outFile, '--cache-dir', path.join(dir, 'cache')];
    assert.equal(await main(args, written.io), 0, written.err.join('\n'));
    assert.equal(written.out.length, 0);
    const parsed = (await readFile(outFile, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { rank: number });
    assert.deepEqual(parsed.map((r) => r.rank), [1, 2, 3]);
  });

  it('--help exits 0 and bad arguments exit 2 with a message', async () => {
    const help = capture();
    assert.equal(await main(['review', '--help'], help.io), 0);
    assert.match(help.out.join('\n'), /Usage: active-label review --data FILE/);
    const file = path.join(dir, 'tiny.jsonl');
    await writeFile(file, '{"text": "a", "label": "x"}\n');
    const cases: [string[], RegExp][] = [
      [['review'], /--data FILE is required/],
      [['review', '--data', file, '--format', 'xml'], /--format must be table or jsonl/],
      [['review', '--data', file, '--top', '0'], /--top must be a positive integer/],
      [['review', '--data', file, '--bogus'], /Unknown option '--bogus'/],
      [['review', '--data', path.join(dir, 'missing.jsonl')], /no such file/],
      [['review', '--data', file, '--model', 'lexical', '--cache-dir', path.join(dir, 'cache')], /need at least 4 labeled items and 2 labels/],
    ];
    for (const [argv, message] of cases) {
      const c = capture();
      assert.equal(await main(argv, c.io), 2, `${argv.join(' ')}: ${c.err.join('\n')}`);
      assert.match(c.err.join('\n'), message);
    }
  });
});
