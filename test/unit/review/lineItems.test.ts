import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDataset } from '../../../src/core/dataset';
import { textHash } from '../../../src/core/dataset/normalize';
import { LineItemMapper, type LineLayout } from '../../../src/core/review/lineItems';
import { useTempDir } from '../dataset/tempFiles';

const tmp = useTempDir();

const jsonl: LineLayout = { format: 'jsonl', textField: 'text', hasHeader: false };
const jsonlWithId: LineLayout = { ...jsonl, idField: 'id' };
const row = (text: string, id?: string): string => JSON.stringify(id === undefined ? { text } : { id, text });
const hid = (text: string): string => `h:${textHash(text)}`;

/** zero-based line -> item id, for every mapped line. */
function lineIds(mapper: LineItemMapper, text: string): Array<[number, string]> {
  return mapper.map(text).items.map((it) => [it.line, it.itemId]);
}

describe('line <-> item mapping', () => {
  it('gives every line the id the loader gives its item (JSONL, hashed and explicit ids)', async () => {
    const text = [row('alpha'), row('beta', 'b1'), '', row('gamma', '7'), row('alpha'), 'not json', row('delta')].join('\n');
    const file = await tmp.write('ids.jsonl', text);
    const ds = await loadDataset(file, { idField: 'id' });
    const map = new LineItemMapper(jsonlWithId).map(text);
    const firstLines = map.items.filter((it) => !it.duplicate).map((it) => [it.itemId, it.line + 1]);
    assert.deepEqual(firstLines, ds.items.map((i) => [i.id, i.line]));
    assert.deepEqual(map.unmapped.map((u) => u.line), [5]);
    assert.equal(map.itemAt(2), undefined, 'a blank line is no item');
    assert.equal(map.itemAt(4)?.itemId, map.itemAt(0)?.itemId, 'a duplicate text is the earlier item');
    assert.equal(map.itemAt(4)?.duplicate, true);
  });

  it('inserting and deleting lines moves no label onto another item', () => {
    const mapper = new LineItemMapper(jsonl);
    const before = lineIds(mapper, [row('one'), row('two'), row('three')].join('\n'));
    assert.deepEqual(before, [
      [0, hid('one')],
      [1, hid('two')],
      [2, hid('three')],
    ]);
    const inserted = lineIds(mapper, [row('one'), row('new'), row('two'), row('three')].join('\n'));
    assert.deepEqual(inserted, [
      [0, hid('one')],
      [1, hid('new')],
      [2, hid('two')],
      [3, hid('three')],
    ]);
    const deleted = lineIds(mapper, [row('two'), row('three')].join('\n'));
    assert.deepEqual(deleted, [
      [0, hid('two')],
      [1, hid('three')],
    ]);
  });

  it('an edited line with an explicit id keeps its id; one without becomes another item', () => {
    const withId = new LineItemMapper(jsonlWithId);
    const a = withId.map([row('old text', 'x1'), row('plain')].join('\n'));
    const b = withId.map([row('new text', 'x1'), row('plain, edited')].join('\n'));
    assert.equal(b.itemAt(0)?.itemId, 'x1');
    assert.equal(b.itemAt(0)?.explicitId, true);
    assert.notEqual(b.itemAt(0)?.textHash, a.itemAt(0)?.textHash, 'the text hash tells the edit');
    assert.equal(a.itemAt(1)?.itemId, hid('plain'));
    assert.equal(b.itemAt(1)?.itemId, hid('plain, edited'));
    assert.equal(b.linesOf(hid('plain')).length, 0, 'the old item is on no line any more');
  });

  it('duplicated lines are one item on several lines; a reused id with another text is no item', () => {
    const mapper = new LineItemMapper(jsonlWithId);
    const map = mapper.map([row('same'), row('same'), row('a', 'k'), row('b', 'k')].join('\n'));
    assert.deepEqual(map.linesOf(hid('same')).map((it) => it.line), [0, 1]);
    assert.equal(map.itemAt(3), undefined);
    assert.match(map.unmapped[0]?.why ?? '', /already used by line 3/);
  });

  it('CRLF, lone CR and LF number lines as the editor does', () => {
    const mapper = new LineItemMapper(jsonl);
    const ids = lineIds(mapper, `${row('a')}\r\n${row('b')}\r${row('c')}\n\r\n${row('d')}\r\n`);
    assert.deepEqual(ids, [
      [0, hid('a')],
      [1, hid('b')],
      [2, hid('c')],
      [4, hid('d')],
    ]);
  });

  it('TXT: each non-blank line is an item', () => {
    const mapper = new LineItemMapper({ format: 'txt', textField: 'text', hasHeader: false });
    assert.deepEqual(lineIds(mapper, 'first\n\n  second  \n'), [
      [0, hid('first')],
      [2, hid('second')],
    ]);
  });

  it('CSV with a header and quoted multi-line fields: items span their lines, ids match the loader', async () => {
    const text = ['id,text,label', '1,"a headline, with a comma",x', '2,"spans', 'three', 'lines",y', '3,"he said ""hi""",x', '', '4,after,y'].join('\r\n');
    const file = await tmp.write('quoted.csv', text);
    const ds = await loadDataset(file);
    const map = new LineItemMapper({ format: 'csv', textField: 'text', idField: 'id', hasHeader: true }).map(text);
    assert.deepEqual(map.items.map((it) => [it.itemId, it.line, it.endLine]), [
      ['1', 1, 1],
      ['2', 2, 4],
      ['3', 5, 5],
      ['4', 7, 7],
    ]);
    assert.deepEqual(map.items.map((it) => [it.itemId, it.line + 1]), ds.items.map((i) => [i.id, i.line]));
    assert.equal(map.itemAt(3)?.itemId, '2', 'a line inside a quoted field belongs to its record');
    assert.equal(map.itemAt(0), undefined, 'the header is no item');
  });

  it('CSV without ids: the hash of the text column, the same as the loader', async () => {
    const text = 'text,label\n"x, y",a\nplain,b\n';
    const file = await tmp.write('hashed.csv', text);
    const ds = await loadDataset(file);
    const map = new LineItemMapper({ format: 'csv', textField: 'text', hasHeader: true }).map(text);
    assert.deepEqual(map.items.map((it) => it.itemId), ds.items.map((i) => i.id));
    assert.equal(map.items[0]?.itemId, hid('x, y'));
  });

  it('TSV without a header reads columns by position', () => {
    const mapper = new LineItemMapper({ format: 'tsv', textField: 'column2', hasHeader: false, columns: ['column1', 'column2'] });
    assert.deepEqual(lineIds(mapper, 'a\tfirst text\nb\tsecond text\n'), [
      [0, hid('first text')],
      [1, hid('second text')],
    ]);
  });

  it('renaming a CSV header column is seen by every record (the cache keys on the columns)', () => {
    const mapper = new LineItemMapper({ format: 'csv', textField: 'text', hasHeader: true });
    assert.equal(mapper.map('text\nhello\n').items.length, 1);
    const renamed = mapper.map('body\nhello\n');
    assert.equal(renamed.items.length, 0);
    assert.match(renamed.unmapped[0]?.why ?? '', /no text in field "text"/);
  });

  it('itemsBetween returns the items of a visible range, a multi-line record included when it overlaps', () => {
    const text = ['id,text', '1,"a', 'b', 'c"', '2,z', '3,w'].join('\n');
    const map = new LineItemMapper({ format: 'csv', textField: 'text', idField: 'id', hasHeader: true }).map(text);
    assert.deepEqual(map.itemsBetween(2, 4).map((it) => it.itemId), ['1', '2']);
    assert.deepEqual(map.itemsBetween(5, 100).map((it) => it.itemId), ['3']);
    assert.deepEqual(map.itemsBetween(6, 100), []);
  });
});
