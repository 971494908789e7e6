import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSummary, loadDataset } from '../../../src/core/dataset';
import { invisibleCodePoints, normalizeText } from '../../../src/core/dataset/normalize';
import { useTempDir } from './tempFiles';

const tmp = useTempDir();

describe('texts that look empty, differ invisibly, or are not strings', () => {
  it('a text of only invisible characters is empty text, reported with its code points', async () => {
    const invisible = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', ' \u200b\t\u2060 '];
    const rows = ['{"text":"visible"}', ...invisible.map((t) => JSON.stringify({ text: t })), '{"text":"a\\u200bb"}'];
    const file = await tmp.write('invisible.jsonl', rows.join('\n'));
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => i.text), ['visible', 'a\u200bb']);
    assert.deepEqual(
      ds.problems.map((p) => [p.line, p.reason]),
      invisible.map((_, k) => [k + 2, 'empty-text']),
    );
    assert.match(ds.problems[0].message, /invisible\.jsonl:2: field "text" is empty \(it holds only invisible characters: U\+200B\).*Fix: /);
    assert.match(ds.problems[5].message, /U\+00AD/);
  });

  it('invisible-only cells in CSV and lines in TXT too', async () => {
    const csv = await tmp.write('invisible.csv', 'text,label\nreal,a\n\u200b\u200d,b\n');
    assert.deepEqual((await loadDataset(csv)).problems.map((p) => [p.line, p.reason]), [[3, 'empty-text']]);
    const txt = await tmp.write('invisible.txt', 'real\n\u2060\u00ad\nmore\n');
    const ds = await loadDataset(txt);
    assert.deepEqual(ds.items.map((i) => i.text), ['real', 'more']);
    assert.deepEqual(ds.problems.map((p) => [p.line, p.reason]), [[2, 'empty-text']]);
  });

  it('two different lone-surrogate texts stay two items, with their texts as written', async () => {
    const file = await tmp.write('surrogates.jsonl', '{"text":"x\\ud800"}\n{"text":"x\\ud801"}\n{"text":"x\\ufffd"}\n{"text":"x\\ud800"}\n');
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => [i.text, i.count]), [
      ['x\ud800', 2],
      ['x\ud801', 1],
      ['x\ufffd', 1],
    ]);
    assert.equal(new Set(ds.items.map((i) => i.id)).size, 3);
    assert.equal(ds.summary.duplicateRows, 1);
  });

  it('JSON numbers and booleans as text keep their source spelling, and the summary says so', async () => {
    const lines = ['{"id":1,"text":1e400}', '{"id":2,"text":1.50}', '{"id":3,"text":true}', '{"id":4,"text":-0}', '{"id":5,"text":12345678901234567890}', '{"id":6,"text":"plain"}', '{"id":7, "text" : 2.0 , "text": 3.10}'];
    const file = await tmp.write('numbers.jsonl', lines.join('\n'));
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => [i.id, i.text]), [
      ['1', '1e400'],
      ['2', '1.50'],
      ['3', 'true'],
      ['4', '-0'],
      ['5', '12345678901234567890'],
      ['6', 'plain'],
      ['7', '3.10'],
    ]);
    assert.equal(ds.summary.nonStringTexts, 6);
    assert.match(formatSummary(ds), /none skipped\. 6 rows had a number or boolean as text; they were read as text\./);
    const strings = await tmp.write('strings.jsonl', '{"text":"a"}\n');
    const plain = await loadDataset(strings);
    assert.equal(plain.summary.nonStringTexts, undefined);
    assert.doesNotMatch(formatSummary(plain), /number or boolean/);
  });

  it('a number as text inside a nested, escaped line is still found by its key', async () => {
    const file = await tmp.write('nested.jsonl', '{"meta":{"text":"decoy","n":[1,{"text":2}]},"note":"a \\"text\\": 9 here","text":0.10}\n');
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => i.text), ['0.10']);
  });
});

describe('field and header detection never drops data it only sampled', () => {
  it('an explicit text field first used after row 1,000 is accepted; rows without it are reported', async () => {
    const rows: string[] = [];
    for (let i = 0; i < 1500; i++) rows.push(JSON.stringify(i < 1200 ? { other: `early ${i}` } : { late: `late text ${i}` }));
    const file = await tmp.write('late.jsonl', rows.join('\n'));
    const ds = await loadDataset(file, { textField: 'late' });
    assert.equal(ds.items.length, 300);
    assert.equal(ds.items[0].line, 1201);
    assert.equal(ds.problems.length, 1200);
    assert.ok(ds.problems.every((p) => p.reason === 'missing-text-field'));
    assert.ok(ds.fields.includes('late'));
    // A field that no row has is still refused, after the whole file was checked.
    await assert.rejects(loadDataset(file, { textField: 'lat' }), /the text field "lat" is not in the file/);
  });

  it('an explicit label field first used after row 1,000 is imported', async () => {
    const rows = Array.from({ length: 1100 }, (_, i) => JSON.stringify(i < 1050 ? { text: `t${i}` } : { text: `t${i}`, tag: 'x' }));
    const file = await tmp.write('late-label.jsonl', rows.join('\n'));
    const ds = await loadDataset(file, { labelField: 'tag' });
    assert.equal(ds.items.filter((i) => i.importedLabels?.[0] === 'x').length, 50);
  });

  it('a CSV header typo is refused without reading the whole file', async () => {
    const rows = ['id,text', ...Array.from({ length: 1200 }, (_, i) => `${i},text ${i}`)];
    const file = await tmp.write('typo.csv', rows.join('\n'));
    await assert.rejects(loadDataset(file, { textField: 'txet' }), /the text field "txet" is not in the file\. Fields found: id, text/);
  });

  it('a headerless CSV whose first row is short (fewer cells) keeps that row as data', async () => {
    const file = await tmp.write('short-first.csv', 'Great\nI loved every minute of it,positive\nDull and far too long,negative\nA pleasant surprise,positive\n');
    const ds = await loadDataset(file);
    assert.deepEqual(ds.fields, ['column1', 'column2']);
    assert.deepEqual(ds.items.map((i) => [i.text, i.line]), [
      ['Great', 1],
      ['I loved every minute of it', 2],
      ['Dull and far too long', 3],
      ['A pleasant surprise', 4],
    ]);
  });

  it('a header of names is still a header when some data rows have a trailing empty cell', async () => {
    const file = await tmp.write('trailing.csv', 'review,stars\nThe food was great and the staff friendly,5,\nCold soup and a long wait,1,\nFine,3\n');
    const ds = await loadDataset(file);
    assert.equal(ds.textField, 'review');
    assert.equal(ds.items.length, 3);
  });
});

describe('normalization fast path', () => {
  it('printable ASCII is its own normalization; anything else goes through NFC, trim and collapse, as before', () => {
    const reference = (t: string): string => t.normalize('NFC').trim().replace(/\s+/g, ' ');
    // Every character class the fast path must tell apart: printable ASCII, spaces (single, double,
    // leading, trailing), tabs and other controls, DEL, no-break and ideographic spaces, combining marks.
    const alphabet = ['a', 'Z', '7', '~', '!', ' ', ' ', '\t', '\n', '\r', '\x0b', '\x7f', '\x00', '\u00a0', '\u3000', '\u0301', 'e', '\u00e9', '\ufeff'];
    let seed = 12345;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let fast = 0;
    for (let k = 0; k < 5000; k++) {
      let t = '';
      const length = next(12);
      for (let i = 0; i < length; i++) t += alphabet[next(k % 2 === 0 ? 6 : alphabet.length)];
      assert.equal(normalizeText(t), reference(t), JSON.stringify(t));
      if (normalizeText(t) === t && t !== '') fast++;
      const invisible = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}]*$/u.test(t);
      assert.equal(invisibleCodePoints(t) !== undefined, invisible, JSON.stringify(t));
    }
    assert.ok(fast > 500, `${fast} texts were already normalized`);
    // Decomposed é is composed; the ASCII look-alike is not touched.
    assert.equal(normalizeText('cafe\u0301'), 'caf\u00e9');
    assert.equal(normalizeText('cafe'), 'cafe');
  });
});
