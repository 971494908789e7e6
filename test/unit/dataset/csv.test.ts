import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadDataset, previewDataset } from '../../../src/core/dataset';
import { headlinesDir, useTempDir } from './tempFiles';

const tmp = useTempDir();

describe('CSV and TSV', () => {
  it('quoted fields with commas, quotes and newlines; rows after them keep their true line numbers', async () => {
    const content = [
      'id,text,label',
      '1,"a headline, with a comma",x',
      '2,"spans',
      'three',
      'lines",y',
      '3,"he said ""hi""",x',
      '4,after the multi-line row,y',
    ].join('\r\n');
    const file = await tmp.write('quoted.csv', content);
    const ds = await loadDataset(file);
    assert.deepEqual(ds.fields, ['id', 'text', 'label']);
    assert.deepEqual(ds.items.map((i) => [i.id, i.line]), [
      ['1', 2],
      ['2', 3],
      ['3', 6],
      ['4', 7],
    ]);
    assert.equal(ds.items[1].text, 'spans\r\nthree\r\nlines');
    assert.equal(ds.items[2].text, 'he said "hi"');
    assert.deepEqual(ds.items.map((i) => i.importedLabels), [['x'], ['y'], ['x'], ['y']]);
  });

  it('bad rows in CSV: invalid UTF-8, empty text, unclosed quote; each with its line, the rest loads', async () => {
    const file = await tmp.write(
      'bad.csv',
      Buffer.concat([
        Buffer.from('text,label\n"multi\nline",a\n'),
        Buffer.from('caf\xe9,b\n', 'latin1'),
        Buffer.from(',c\nfine,d\n"never closed,e\nswallowed,f\n'),
      ]),
    );
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => [i.text, i.line]), [
      ['multi\nline', 2],
      ['fine', 6],
    ]);
    assert.deepEqual(ds.problems.map((p) => [p.line, p.reason]), [
      [4, 'invalid-utf8'],
      [5, 'empty-text'],
      [7, 'csv-syntax'],
    ]);
    assert.match(ds.problems[2].message, /bad\.csv:7: CSV syntax error: Quote Not Closed.*Fix: /);
  });

  it('a CSV row over maxRecordBytes is reported and skipped', async () => {
    const file = await tmp.write('long.csv', `text\nshort\n"${'x'.repeat(5000)}\n${'y'.repeat(5000)}"\nlast\n`);
    const ds = await loadDataset(file, { maxRecordBytes: 4096 });
    assert.deepEqual(ds.items.map((i) => [i.text, i.line]), [
      ['short', 2],
      ['last', 5],
    ]);
    assert.deepEqual(ds.problems.map((p) => [p.line, p.reason]), [[3, 'line-too-long']]);
  });

  it('ragged real CSVs without a header (disaster-headlines, 3 to 5 fields) load every row', async () => {
    const files = fs.readdirSync(headlinesDir).filter((f) => f.endsWith('.csv'));
    assert.equal(files.length, 4);
    for (const name of files) {
      const file = path.join(headlinesDir, name);
      // Independent count: these files have no quoted newlines, so rows are non-empty physical lines.
      const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
      const nonEmpty = lines.filter((l) => l.trim() !== '').length;
      const ds = await loadDataset(file);
      assert.equal(ds.summary.rows, nonEmpty, name);
      assert.equal(ds.summary.skipped, 0, name);
      assert.equal(ds.items.reduce((sum, i) => sum + i.count, 0), nonEmpty, name);
      assert.equal(ds.textField, 'column2', name);
      assert.ok(ds.fields.length >= 3 && ds.fields.length <= 5, name);
      assert.equal(ds.items[0].importedLabels, undefined, `${name}: a guessed label column is not imported`);
      // Spot-check against a naive split of an unquoted line.
      const unquoted = lines.findIndex((l) => !l.includes('"') && l.trim() !== '');
      const item = ds.items.find((i) => i.line === unquoted + 1);
      assert.equal(item?.text, lines[unquoted].split(',')[1], name);
    }
  });

  it('headerless CSV: preview offers the label column, loading imports it only when asked', async () => {
    const file = path.join(headlinesDir, 'evaluation_data-related.csv');
    const preview = await previewDataset(file, 3);
    assert.equal(preview.format, 'csv');
    assert.equal(preview.detectedTextField, 'column2');
    assert.equal(preview.detectedLabelField, 'column3');
    assert.deepEqual(preview.labelValues, ['1']);
    assert.equal(preview.rows.length, 3);
    const firstLine = fs.readFileSync(file, 'utf8').split(/\r?\n/)[0].split(',');
    assert.equal(preview.rows[0].column2, firstLine[1]);
    const ds = await loadDataset(file, { labelField: 'column3', idField: 'column1' });
    assert.ok(ds.items.every((i) => i.importedLabels?.[0] === '1'));
    assert.equal(ds.items[0].id, firstLine[0]);
  });

  it('header detection: a header of names is used; a first row of data is not', async () => {
    const named = await tmp.write('named.csv', 'review,stars\nThe food was great and the staff friendly,5\nCold soup and a long wait,1\n');
    const a = await loadDataset(named);
    assert.deepEqual(a.fields, ['review', 'stars']);
    assert.equal(a.textField, 'review');
    assert.equal(a.items.length, 2);
    assert.equal(a.items[0].line, 2);
    const data = await tmp.write('data.csv', 'I loved every minute of it,positive\nDull and far too long,negative\nA pleasant surprise,positive\n');
    const b = await loadDataset(data);
    assert.deepEqual(b.fields, ['column1', 'column2']);
    assert.equal(b.textField, 'column1');
    assert.equal(b.items.length, 3);
    assert.equal(b.items[0].line, 1);
  });

  it('TSV with a header', async () => {
    const file = await tmp.write('data.tsv', 'id\tsentence\tlabel\nA1\tfirst, with a comma\tpos\nA2\tsecond\tneg\n');
    const ds = await loadDataset(file);
    assert.equal(ds.format, 'tsv');
    assert.equal(ds.textField, 'sentence');
    assert.deepEqual(ds.items.map((i) => [i.id, i.text, i.importedLabels?.[0]]), [
      ['A1', 'first, with a comma', 'pos'],
      ['A2', 'second', 'neg'],
    ]);
  });
});
