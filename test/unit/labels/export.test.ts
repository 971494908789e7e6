import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { exportCsv, exportJsonl, LabelLog, replay, CSV_COLUMNS, type CurrentLabel, type LabelEventInput } from '../../../src/core/labels';
import { tempDir } from './helpers';

const HEADLINES = path('shared/datasets/disaster-headlines');
function path(rel: string): string {
  return resolve(__dirname, '../../../..', rel);
}

interface Item {
  id: string;
  text: string;
  truth: string;
}

async function loadHeadlines(): Promise<Item[]> {
  const items: Item[] = [];
  for (const name of ['evaluation_data-related.csv', 'evaluation_data-not_related.csv']) {
    const rows = parse(await readFile(join(HEADLINES, name)), { relax_column_count: true }) as string[][];
    for (const row of rows) items.push({ id: row[0] as string, text: row[1] as string, truth: row[2] === '1' ? 'related' : 'not_related' });
  }
  // texts that stress quoting: commas, quotes, line breaks, edge spaces, non-ASCII
  const tricky = ['a, b and "c"', 'line one\nline two', '  padded  ', 'crlf\r\nend', 'émoji 🌊 "flood"', '=SUM(A1)', ''];
  tricky.forEach((text, i) => items.push({ id: `tricky-${i}`, text: text === '' ? '"' : text, truth: i % 2 ? 'related' : 'not_related' }));
  return items;
}

function hasPython(module: string): boolean {
  return spawnSync('python3', ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

describe('export', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let items: Item[];
  let state: ReadonlyMap<string, CurrentLabel>;
  /** What we labeled, kept independently of the code under test. */
  const expected = new Map<string, { label: string; strategy: string | null; score: number | null }>();

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    items = await loadHeadlines();
    const log = await LabelLog.open(join(dir, 'labels.jsonl'));
    const events: LabelEventInput[] = [];
    items.forEach((item, i) => {
      if (i % 5 === 4) return; // left unlabeled
      const fromQueue = i % 3 === 0;
      events.push({
        type: 'label',
        itemId: item.id,
        labels: [item.truth],
        annotator: 'alice',
        source: fromQueue ? 'queue' : 'edit',
        ...(fromQueue ? { strategy: 'margin', score: i / 1000 } : {}),
      });
      expected.set(item.id, { label: item.truth, strategy: fromQueue ? 'margin' : null, score: fromQueue ? i / 1000 : null });
    });
    // a skip after a label removes the item from the export
    events.push({ type: 'skip', itemId: items[0]!.id, labels: [], annotator: 'alice', source: 'queue' });
    expected.delete(items[0]!.id);
    // a label for an item that is not in the dataset any more
    events.push({ type: 'label', itemId: 'gone', labels: ['related'], annotator: 'alice', source: 'queue' });
    await log.append(events);
    await log.close();
    ({ state } = await replay(join(dir, 'labels.jsonl')));
  });
  after(() => cleanup());

  it('writes JSONL with uniform keys and types per column, in dataset order', async () => {
    const out = join(dir, 'out', 'labels.jsonl');
    const summary = await exportJsonl(items, state, out, { mode: 'single' });
    assert.equal(summary.written, expected.size);
    assert.equal(summary.unlabeled, items.length - expected.size);
    assert.equal(summary.orphaned, 1);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, expected.size);
    const types = new Map<string, Set<string>>();
    const order = items.filter((i) => expected.has(i.id)).map((i) => i.id);
    lines.forEach((line, n) => {
      const row = JSON.parse(line) as { text: string; label: unknown; meta: Record<string, unknown> };
      assert.deepEqual(Object.keys(row), ['text', 'label', 'meta']);
      const id = row.meta.id as string;
      assert.equal(id, order[n]);
      const want = expected.get(id)!;
      assert.equal(row.label, want.label);
      assert.equal(row.text, items.find((i) => i.id === id)!.text);
      assert.equal(row.meta.strategy, want.strategy);
      assert.equal(row.meta.score, want.score);
      for (const [key, value] of Object.entries({ label: row.label, text: row.text, ...row.meta })) {
        const set = types.get(key) ?? new Set<string>();
        set.add(value === null ? 'null' : typeof value);
        types.set(key, set);
      }
    });
    // one type per column (null allowed beside one other type): what datasets/Arrow can infer
    assert.deepEqual(
      [...types.keys()].sort(),
      ['annotator', 'cluster', 'confidence', 'flagged', 'id', 'label', 'modelVersion', 'reviewed', 'score', 'source', 'strategy', 'text', 'time', 'tool'],
    );
    for (const [key, set] of types) assert.ok([...set].filter((t) => t !== 'null').length <= 1, `${key}: ${[...set]}`);
    assert.equal(types.get('label')?.size, 1);
  });

  it('writes label arrays in multi mode', async () => {
    const out = join(dir, 'multi.jsonl');
    await exportJsonl(items, state, out, { mode: 'multi' });
    const first = JSON.parse((await readFile(out, 'utf8')).split('\n')[0] as string) as { label: unknown };
    assert.ok(Array.isArray(first.label));
  });

  it('loads with Hugging Face datasets when python has it', { skip: !hasPython('datasets') && 'python3 datasets not installed' }, async () => {
    const out = join(dir, 'hf.jsonl');
    await exportJsonl(items, state, out, { mode: 'single' });
    const script = `import datasets,sys; d=datasets.load_dataset("json", data_files=sys.argv[1], split="train"); print(len(d))`;
    const run = spawnSync('python3', ['-c', script, out], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(Number(run.stdout.trim().split('\n').pop()), expected.size);
  });

  it('writes CSV that csv-parse (and Python csv) read back exactly', async () => {
    const out = join(dir, 'labels.csv');
    await writeFile(out, 'old content that must be replaced');
    await exportCsv(items, state, out, { mode: 'single' });
    const text = await readFile(out, 'utf8');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0] ?? {}), [...CSV_COLUMNS]);
    assert.equal(rows.length, expected.size);
    const byId = new Map(items.map((i) => [i.id, i]));
    for (const row of rows) {
      const want = expected.get(row.id as string)!;
      assert.equal(row.text, byId.get(row.id as string)!.text, `text of ${row.id}`);
      assert.equal(row.label, want.label);
      assert.equal(row.strategy, want.strategy ?? '');
      assert.equal(row.score, want.score === null ? '' : String(want.score));
      assert.equal(row.annotator, 'alice');
    }
    assert.ok(rows.some((r) => r.text === 'line one\nline two') && rows.some((r) => r.text === '  padded  '));
    if (hasPython('csv')) {
      const script = 'import csv,sys,json; print(json.dumps([r["text"] for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))]))';
      const run = spawnSync('python3', ['-c', script, out], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), rows.map((r) => r.text));
    }
  });

  it('joins multi labels with the separator and leaves no temp files behind', async () => {
    const sub = join(dir, 'clean');
    const multiState = new Map(state);
    const [id, current] = [...state.entries()].find(([, c]) => c.labeled)!;
    multiState.set(id, { ...current, labels: ['a|b', 'c'] });
    await exportCsv(items, multiState, join(sub, 'm.csv'), { mode: 'multi', multiLabelSeparator: ';' });
    const rows = parse(await readFile(join(sub, 'm.csv')), { columns: true }) as Record<string, string>[];
    assert.equal(rows.find((r) => r.id === id)?.label, 'a|b;c');
    assert.deepEqual(await readdir(sub), ['m.csv']);
  });
});
