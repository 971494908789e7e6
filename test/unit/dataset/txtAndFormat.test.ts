import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatasetError, detectFormat, loadDataset, previewDataset } from '../../../src/core/dataset';
import { useTempDir } from './tempFiles';

const tmp = useTempDir();

describe('TXT and format detection', () => {
  it('TXT: one item per non-blank line, CRLF and BOM handled, duplicates grouped', async () => {
    const file = await tmp.write('lines.txt', '\ufeffFirst line\r\n\r\nSecond line\r\nFirst line\r\nThird, with a comma\r\n');
    const ds = await loadDataset(file);
    assert.equal(ds.format, 'txt');
    assert.deepEqual(ds.fields, []);
    assert.deepEqual(ds.items.map((i) => [i.text, i.line, i.count]), [
      ['First line', 1, 2],
      ['Second line', 3, 1],
      ['Third, with a comma', 5, 1],
    ]);
    assert.equal(ds.summary.rows, 4);
    assert.equal(ds.summary.duplicateRows, 1);
    const preview = await previewDataset(file, 2);
    assert.deepEqual(preview.rows, [{ text: 'First line' }, { text: 'Second line' }]);
  });

  it('detectFormat by extension, with a clear error for anything else', () => {
    assert.equal(detectFormat('/a/b.JSONL'), 'jsonl');
    assert.equal(detectFormat('x.ndjson'), 'jsonl');
    assert.equal(detectFormat('x.json-lines'), 'jsonl');
    assert.equal(detectFormat('x.csv'), 'csv');
    assert.equal(detectFormat('x.tsv'), 'tsv');
    assert.equal(detectFormat('x.txt'), 'txt');
    assert.throws(() => detectFormat('data.json'), (err: unknown) => err instanceof DatasetError && /data\.json.*unsupported.*JSON Lines/.test(err.message));
    assert.throws(() => detectFormat('data.xlsx'), /unsupported file type "\.xlsx". Supported: \.jsonl/);
  });

  it('the format option overrides the extension', async () => {
    const file = await tmp.write('export.data', '{"text":"a"}\n{"text":"b"}\n');
    const ds = await loadDataset(file, { format: 'jsonl' });
    assert.equal(ds.items.length, 2);
  });

  it('a missing file is a DatasetError naming it', async () => {
    await assert.rejects(loadDataset(`${tmp.dir()}/nope.csv`), /nope\.csv: the file does not exist/);
  });

  it('preview of JSONL: fields, detected text and label fields, distinct label values', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: i, content: `item ${i}`, labels: i % 2 ? ['a', 'b'] : ['c'] }));
    const file = await tmp.write('preview.jsonl', rows.join('\n'));
    const p = await previewDataset(file);
    assert.deepEqual(p.fields, ['id', 'content', 'labels']);
    assert.equal(p.detectedTextField, 'content');
    assert.equal(p.detectedLabelField, 'labels');
    assert.deepEqual(p.labelValues, ['a', 'b', 'c']);
    assert.equal(p.rows.length, 5);
    assert.deepEqual(p.rows[1], { id: '1', content: 'item 1', labels: '["a","b"]' });
  });
});
