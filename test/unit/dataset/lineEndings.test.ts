import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDataset } from '../../../src/core/dataset';
import { readCsvRecords } from '../../../src/core/dataset/csvRecords';
import { readLines } from '../../../src/core/dataset/lines';
import { useTempDir } from './tempFiles';

const tmp = useTempDir();

/** Every event a reader yields, flattened, read `chunkBytes` at a time. */
async function collect<T>(read: (opts: { maxRecordBytes: number; chunkBytes?: number }) => AsyncGenerator<T[]>, chunkBytes?: number): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of read({ maxRecordBytes: 1 << 20, chunkBytes })) out.push(...batch);
  return out;
}

const facts = (content: string | Buffer): { size: number; hasBom: boolean } => ({ size: Buffer.byteLength(content), hasBom: false });

/** Chunk sizes that put a boundary between every pair of bytes (1), and at odd places. */
const chunkSizes = [1, 2, 3, 5, 7, 1 << 20];

describe('line endings: CRLF, LF and a lone CR are one line ending each, in any mix', () => {
  it('CSV with mixed endings loads every row with its line (the attack file)', async () => {
    const file = await tmp.write('mixed.csv', 'text,label\r\nrow one,a\nrow two,b\rrow three,a\r\nrow four,b\n');
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => [i.text, i.line, i.importedLabels?.[0]]), [
      ['row one', 2, 'a'],
      ['row two', 3, 'b'],
      ['row three', 4, 'a'],
      ['row four', 5, 'b'],
    ]);
    assert.equal(ds.summary.rows, 4);
    assert.equal(ds.problems.length, 0);
  });

  it('a CSV that uses CR only is not "empty": line N is the Nth CR-terminated line', async () => {
    const file = await tmp.write('cr-only.csv', 'text,label\rfirst,a\rsecond,b\rthird,a\r');
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => [i.text, i.line]), [
      ['first', 2],
      ['second', 3],
      ['third', 4],
    ]);
    assert.equal(ds.summary.rows, 3);
  });

  it('TSV with mixed endings', async () => {
    const file = await tmp.write('mixed.tsv', 'id\tsentence\rA1\tone, with a comma\r\nA2\ttwo\nA3\tthree\r');
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => [i.id, i.text, i.line]), [
      ['A1', 'one, with a comma', 2],
      ['A2', 'two', 3],
      ['A3', 'three', 4],
    ]);
  });

  it('TXT with CR only is one item per line, and mixed endings keep their line numbers', async () => {
    const cr = await tmp.write('cr.txt', 'alpha\rbeta\rgamma\rdelta');
    assert.deepEqual((await loadDataset(cr)).items.map((i) => [i.text, i.line]), [
      ['alpha', 1],
      ['beta', 2],
      ['gamma', 3],
      ['delta', 4],
    ]);
    const mixed = await tmp.write('mixed.txt', 'one\r\ntwo\rthree\n\rfive\r\r\nseven');
    assert.deepEqual((await loadDataset(mixed)).items.map((i) => [i.text, i.line]), [
      ['one', 1],
      ['two', 2],
      ['three', 3],
      ['five', 5],
      ['seven', 7],
    ]);
  });

  it('JSONL with mixed endings', async () => {
    const file = await tmp.write('mixed.jsonl', '{"text":"a"}\r{"text":"b"}\r\n{"text":"c"}\n\r{"text":"e"}');
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => [i.text, i.line]), [
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['e', 5],
    ]);
    assert.equal(ds.problems.length, 0);
  });

  it('quoted CSV fields keep their CR, LF and CRLF newlines, and later rows keep true line numbers', async () => {
    const file = await tmp.write('quoted-cr.csv', 'id,text\r1,"two\rlines"\r2,"lf\nand crlf\r\ninside"\r\n3,after\r4,"ends in a newline\r"\n5,last');
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => [i.id, i.text, i.line]), [
      ['1', 'two\rlines', 2],
      ['2', 'lf\nand crlf\r\ninside', 4],
      ['3', 'after', 7],
      ['4', 'ends in a newline\r', 8],
      ['5', 'last', 10],
    ]);
    assert.equal(ds.problems.length, 0);
  });

  it('a CRLF split across two chunks is one line ending, not two (lines reader)', async () => {
    const content = 'a\r\nb\rc\n\r\nd\r\r\ne\r\n';
    const file = await tmp.write('split.txt', content);
    const expected = [
      { kind: 'line', line: 1, text: 'a' },
      { kind: 'line', line: 2, text: 'b' },
      { kind: 'line', line: 3, text: 'c' },
      { kind: 'line', line: 4, text: '' },
      { kind: 'line', line: 5, text: 'd' },
      { kind: 'line', line: 6, text: '' },
      { kind: 'line', line: 7, text: 'e' },
    ];
    for (const chunkBytes of chunkSizes) {
      assert.deepEqual(await collect((o) => readLines(file, facts(content), o), chunkBytes), expected, `chunks of ${chunkBytes}`);
    }
  });

  it('a CRLF split across two chunks is one record ending, inside quotes and out (CSV framer)', async () => {
    const content = 'a,"x\r\ny"\r\nb,z\r\r\nc,"\r"\rd,é\r\n';
    const file = await tmp.write('split.csv', content);
    const expected = [
      { kind: 'record', line: 1, fields: ['a', 'x\r\ny'] },
      { kind: 'record', line: 3, fields: ['b', 'z'] },
      { kind: 'record', line: 5, fields: ['c', '\r'] },
      { kind: 'record', line: 7, fields: ['d', 'é'] },
    ];
    for (const chunkBytes of chunkSizes) {
      assert.deepEqual(await collect((o) => readCsvRecords(file, facts(content), ',', o), chunkBytes), expected, `chunks of ${chunkBytes}`);
    }
  });

  it('round trip: random rows written with random endings read back field for field, line for line, at any chunk size', async () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const pieces = ['a', 'bc', ' ', ',', '"', '\r', '\n', '\r\n', 'é', '✓'];
    const endings = ['\n', '\r', '\r\n'];
    const rows: string[][] = [];
    for (let r = 0; r < 60; r++) {
      const width = 1 + Math.floor(random() * 3);
      rows.push(Array.from({ length: width }, () => Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(pieces)).join('')));
    }
    // Independent writer: quote every field that needs it; count lines with a regex, not the reader's code.
    const quoteField = (f: string): string => (/[",\r\n]/.test(f) || f.trim() === '' ? `"${f.replace(/"/g, '""')}"` : f);
    let content = '';
    const expected: { kind: string; line: number; fields: string[] }[] = [];
    for (const row of rows) {
      const line = 1 + (content.match(/\r\n|\r|\n/g) ?? []).length;
      expected.push({ kind: 'record', line, fields: row });
      content += row.map(quoteField).join(',') + pick(endings);
    }
    const file = await tmp.write('roundtrip.csv', content);
    for (const chunkBytes of [1, 3, 64, 1 << 20]) {
      assert.deepEqual(await collect((o) => readCsvRecords(file, facts(content), ',', o), chunkBytes), expected, `chunks of ${chunkBytes}`);
    }
  });
});
