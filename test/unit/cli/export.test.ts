/**
 * `active-label export`, in process through `main`: the label log, a flag on an unlabeled item, a
 * review, and --include-predictions with --min-confidence. The output must be JSONL with the same
 * keys and types on every line (what Hugging Face `datasets` infers one Arrow type per column
 * from), parse with Python's `json` when python3 is present, and read back with the import reader.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../../src/cli/args';
import { main } from '../../../src/cli/main';
import { LabelLog, labelLogPath } from '../../../src/core/labels';
import { parseImport } from '../../../src/core/labels/importers';

const TOPICS: Record<string, string[]> = {
  sports: ['match', 'goal', 'team', 'coach', 'league', 'striker'],
  business: ['bank', 'market', 'shares', 'profit', 'loan', 'earnings'],
};

function capture(): CliIO & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), progress: () => undefined };
}

function hasPython(): boolean {
  return spawnSync('python3', ['-c', 'import json'], { encoding: 'utf8' }).status === 0;
}

describe('active-label export', () => {
  let dir: string;
  let data: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-export-cli-'));
    data = path.join(dir, 'news.jsonl');
    const rows = Array.from({ length: 40 }, (_, i) => {
      const topic = i % 2 === 0 ? 'sports' : 'business';
      const words = TOPICS[topic] as string[];
      return JSON.stringify({ id: `r${i}`, text: `${words[i % 6]} ${words[(i + 1) % 6]} ${words[(i + 2) % 6]} report ${i}` });
    });
    await writeFile(data, rows.join('\n') + '\n');
    const log = await LabelLog.open(labelLogPath(dir, data));
    const events = Array.from({ length: 12 }, (_, i) => ({
      type: 'label' as const,
      itemId: `r${i}`,
      labels: [i % 2 === 0 ? 'sports' : 'business'],
      annotator: 'ana',
      source: i === 3 ? ('review' as const) : ('queue' as const),
    }));
    await log.append(events);
    await log.append({ type: 'flag', itemId: 'r30', labels: [], annotator: 'ana', source: 'queue' });
    await log.append({ type: 'flag', itemId: 'r1', labels: [], annotator: 'ana', source: 'queue' });
    await log.close();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('has --help and exits 0', async () => {
    const io = capture();
    assert.equal(await main(['export', '--help'], io), 0);
    assert.match(io.lines.join('\n'), /--include-predictions/);
  });

  it('refuses a bad --min-confidence with a usage error', async () => {
    const io = capture();
    assert.equal(await main(['export', '--data', data, '--include-predictions', '--min-confidence', '2'], io), 2);
    assert.match(io.errors.join('\n'), /--min-confidence must be between 0 and 1/);
  });

  it('writes labels, flags and predictions as uniform JSONL that reads back', async () => {
    const out = path.join(dir, 'out.jsonl');
    const io = capture();
    const code = await main(['export', '--data', data, '--out', out, '--include-predictions', '--min-confidence', '0.5', '--workspace', dir], io);
    assert.equal(code, 0, io.errors.join('\n'));
    const rows = (await readFile(out, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { text: string; label: unknown; meta: Record<string, unknown> });
    const byId = new Map(rows.map((r) => [r.meta.id as string, r]));

    // Labels from the log, with reviewed and flagged.
    assert.equal(byId.get('r0')?.label, 'sports');
    assert.equal(byId.get('r0')?.meta.source, 'queue');
    assert.equal(byId.get('r3')?.meta.reviewed, true);
    assert.equal(byId.get('r0')?.meta.reviewed, false);
    assert.equal(byId.get('r1')?.meta.flagged, true);
    assert.equal(byId.get('r1')?.label, 'business');
    // A flagged item without a label is written, with a null label unless the model predicts it.
    const flagged = byId.get('r30');
    assert.ok(flagged, 'the flagged unlabeled item is in the export');
    assert.equal(flagged.meta.flagged, true);
    // Predictions: only for unlabeled items, marked, with a confidence at or above the minimum.
    const predicted = rows.filter((r) => r.meta.source === 'prediction');
    assert.ok(predicted.length > 0, io.errors.join('\n'));
    for (const p of predicted) {
      assert.ok(Number(String(p.meta.id).slice(1)) >= 12, `${String(p.meta.id)} was labeled; no prediction expected`);
      assert.equal(typeof p.meta.confidence, 'number');
      assert.ok((p.meta.confidence as number) >= 0.5);
      assert.equal(p.meta.annotator, null);
    }
    // The lexical head separates these two vocabularies: most predictions match the topic.
    const right = predicted.filter((p) => p.label === (Number(String(p.meta.id).slice(1)) % 2 === 0 ? 'sports' : 'business')).length;
    assert.ok(right / predicted.length >= 0.8, `${right}/${predicted.length} predictions right`);

    // Same keys, one type per column (null beside at most one other type).
    const keys = JSON.stringify(Object.keys(rows[0]?.meta ?? {}));
    const types = new Map<string, Set<string>>();
    for (const r of rows) {
      assert.deepEqual(Object.keys(r), ['text', 'label', 'meta']);
      assert.equal(JSON.stringify(Object.keys(r.meta)), keys);
      for (const [k, v] of Object.entries({ label: r.label, ...r.meta })) {
        const set = types.get(k) ?? new Set();
        set.add(v === null ? 'null' : typeof v);
        types.set(k, set);
      }
    }
    for (const [k, set] of types) assert.ok([...set].filter((t) => t !== 'null').length <= 1, `${k}: ${[...set].join(',')}`);

    // Read back with the import reader: human labels come back, predictions and null labels do not.
    const back = parseImport('out.jsonl', await readFile(out, 'utf8'));
    assert.equal(back.tool, 'hf-datasets');
    const humanRows = rows.filter((r) => r.label !== null && r.meta.source !== 'prediction');
    assert.deepEqual(back.records.map((r) => [r.itemRef.id, r.labels[0], r.annotator]), humanRows.map((r) => [r.meta.id, r.label, r.meta.annotator]));

    if (hasPython()) {
      const script = 'import json,sys\nrows=[json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]\nprint(len(rows), sum(1 for r in rows if r["meta"]["source"]=="prediction"))';
      const run = spawnSync('python3', ['-c', script, out], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout.trim(), `${rows.length} ${predicted.length}`);
    }
  });

  it('writes CSV and, without predictions, leaves unlabeled unflagged items out', async () => {
    const out = path.join(dir, 'out.csv');
    const io = capture();
    assert.equal(await main(['export', '--data', data, '--out', out, '--workspace', dir], io), 0);
    const text = await readFile(out, 'utf8');
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], 'id,text,label,annotator,time,source,strategy,score,tool,reviewed,flagged,confidence');
    assert.equal(lines.length, 1 + 12 + 1, '12 labeled items and the flagged unlabeled one');
    assert.match(io.lines.join('\n'), /Wrote 13 rows .*12 labeled, 1 flagged without a label, 0 predictions; 27 items left out/);
  });
});
