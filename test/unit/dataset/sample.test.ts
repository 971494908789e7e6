import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadDataset, previewDataset } from '../../../src/core/dataset';

const sampleDir = path.resolve(__dirname, '../../../sample');

describe('bundled sample data', () => {
  it('headlines.jsonl loads cleanly, one item per line, ids from the file', async () => {
    const file = path.join(sampleDir, 'headlines.jsonl');
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    const ds = await loadDataset(file);
    assert.equal(ds.problems.length, 0);
    assert.equal(ds.items.length, lines.length);
    assert.ok(ds.items.length >= 350 && ds.items.length <= 450);
    assert.equal(ds.items[0].id, (JSON.parse(lines[0]) as { id: string }).id);
    assert.ok(ds.items.every((i) => i.importedLabels === undefined));
  });

  it('headlines-labeled.csv has a header and imports disaster/other labels', async () => {
    const file = path.join(sampleDir, 'headlines-labeled.csv');
    const preview = await previewDataset(file);
    assert.deepEqual(preview.fields, ['id', 'text', 'label']);
    assert.deepEqual(preview.labelValues, ['disaster', 'other']);
    const ds = await loadDataset(file);
    assert.equal(ds.problems.length, 0);
    assert.ok(ds.items.length >= 250 && ds.items.length <= 350);
    const counts = new Map<string, number>();
    for (const item of ds.items) counts.set(item.importedLabels?.[0] ?? '', (counts.get(item.importedLabels?.[0] ?? '') ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort(), ['disaster', 'other']);
    assert.ok((counts.get('disaster') ?? 0) >= 30, 'both classes are represented');
  });
});
