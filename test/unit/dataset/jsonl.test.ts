import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { DatasetError, formatSummary, loadDataset } from '../../../src/core/dataset';
import { useTempDir } from './tempFiles';

const tmp = useTempDir();
const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('JSONL bad rows are reported with file:line, reason and fix; the rest loads', () => {
  it('invalid JSON line', async () => {
    const file = await tmp.write('bad-json.jsonl', '{"text":"one"}\n{"text": "two",\n{"text":"three"}\n');
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => i.text), ['one', 'three']);
    assert.equal(ds.problems.length, 1);
    const [p] = ds.problems;
    assert.equal(p.reason, 'invalid-json');
    assert.equal(p.line, 2);
    assert.match(p.message, new RegExp(`^${escape(file)}:2: invalid JSON .*Fix: `));
    assert.deepEqual(ds.summary.skippedByReason, { 'invalid-json': 1 });
    assert.equal(ds.summary.rows, 3);
    assert.equal(ds.summary.loaded, 2);
  });

  it('a row without the text field, and a line that is not an object', async () => {
    const file = await tmp.write('missing.jsonl', jsonl([{ text: 'a' }, { body: 'no text here' }, { text: null }, [1, 2], { text: 'b' }]));
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => i.text), ['a', 'b']);
    assert.deepEqual(
      ds.problems.map((p) => [p.line, p.reason]),
      [
        [2, 'missing-text-field'],
        [3, 'missing-text-field'],
        [4, 'not-an-object'],
      ],
    );
    assert.match(ds.problems[0].message, /missing\.jsonl:2: no text in field "text".*Fix: .*fields in this file: text, body/);
    assert.equal(ds.summary.skipped, 3);
  });

  it('empty text (blank or whitespace only) is skipped, blank lines are not rows', async () => {
    const file = await tmp.write('empty-text.jsonl', '{"text":"x"}\n\n{"text":""}\n   \n{"text":" \\t "}\n{"text":"y"}\n');
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => [i.text, i.line]), [
      ['x', 1],
      ['y', 6],
    ]);
    assert.deepEqual(ds.problems.map((p) => [p.line, p.reason]), [
      [3, 'empty-text'],
      [5, 'empty-text'],
    ]);
    assert.equal(ds.summary.rows, 4);
    assert.match(ds.problems[0].message, /empty-text\.jsonl:3: field "text" is empty.*Fix: /);
  });

  it('UTF-8 BOM is stripped from the first row', async () => {
    const file = await tmp.write('bom.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(jsonl([{ text: 'first' }, { text: 'second' }]))]));
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => i.text), ['first', 'second']);
    assert.equal(ds.problems.length, 0);
  });

  it('CRLF line endings', async () => {
    const file = await tmp.write('crlf.jsonl', '{"text":"a"}\r\n{"text":"b"}\r\n\r\n{"text":"c"}\r\n');
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => [i.text, i.line]), [
      ['a', 1],
      ['b', 2],
      ['c', 4],
    ]);
    assert.equal(ds.problems.length, 0);
  });

  it('invalid UTF-8 bytes spoil only their own line', async () => {
    const latin1 = Buffer.from('{"text":"caf\xe9 au lait"}\n', 'latin1'); // é as the single byte 0xE9
    const file = await tmp.write('latin1.jsonl', Buffer.concat([Buffer.from('{"text":"fine ✓"}\n'), latin1, Buffer.from('{"text":"also fine"}\n')]));
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => i.text), ['fine ✓', 'also fine']);
    assert.equal(ds.problems.length, 1);
    assert.equal(ds.problems[0].reason, 'invalid-utf8');
    assert.equal(ds.problems[0].line, 2);
    assert.match(ds.problems[0].message, /latin1\.jsonl:2: .*not valid UTF-8.*iconv -f latin1 -t utf-8/);
  });

  it('one 10 MB line loads under the default limit', async () => {
    const long = 'word '.repeat(2 * 1024 * 1024); // 10 MiB of text
    const file = await tmp.write('long.jsonl', jsonl([{ text: 'before' }, { text: long }, { text: 'after' }]));
    const ds = await loadDataset(file);
    assert.equal(ds.items.length, 3);
    assert.equal(ds.items[1].text.length, long.length);
    assert.equal(ds.items[2].line, 3);
  });

  it('one 10 MB line over a smaller maxRecordBytes is reported and skipped, the rest loads', async () => {
    const long = 'word '.repeat(2 * 1024 * 1024);
    const file = await tmp.write('too-long.jsonl', jsonl([{ text: 'before' }, { text: long }, { text: 'after' }]));
    const ds = await loadDataset(file, { maxRecordBytes: 1024 * 1024 });
    assert.deepEqual(ds.items.map((i) => [i.text, i.line]), [
      ['before', 1],
      ['after', 3],
    ]);
    assert.equal(ds.problems.length, 1);
    assert.equal(ds.problems[0].reason, 'line-too-long');
    assert.match(ds.problems[0].message, /too-long\.jsonl:2: the row is 10\.0 MiB, over the 1\.0 MiB limit/);
  });

  it('an empty file loads as 0 items with a summary that says it is empty', async () => {
    for (const [name, content] of [
      ['empty.jsonl', ''],
      ['only-bom.jsonl', Buffer.from([0xef, 0xbb, 0xbf])],
      ['blank-lines.jsonl', '\n\r\n  \n'],
    ] as const) {
      const file = await tmp.write(name, content);
      const ds = await loadDataset(file);
      assert.equal(ds.items.length, 0, name);
      assert.equal(ds.problems.length, 0, name);
      assert.equal(ds.summary.rows, 0, name);
      assert.match(formatSummary(ds), /is empty/, name);
    }
  });

  it('a binary file is refused with a clear error naming the file', async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37) % 256;
    const file = await tmp.write('model.jsonl', bytes);
    await assert.rejects(loadDataset(file), (err: unknown) => {
      assert.ok(err instanceof DatasetError);
      assert.equal(err.file, file);
      assert.match(err.message, new RegExp(`${escape(file)}.*binary file`));
      return true;
    });
  });

  it('duplicate ids with different texts: the first is kept, the later row reported with both lines', async () => {
    const file = await tmp.write('dup-ids.jsonl', jsonl([{ id: 'a', text: 'one' }, { id: 'b', text: 'two' }, { id: 'a', text: 'three' }, { id: 'a', text: 'one' }]));
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => [i.id, i.text, i.count]), [
      ['a', 'one', 2],
      ['b', 'two', 1],
    ]);
    assert.equal(ds.problems.length, 1);
    assert.equal(ds.problems[0].reason, 'duplicate-id');
    assert.equal(ds.problems[0].line, 3);
    assert.match(ds.problems[0].message, /dup-ids\.jsonl:3: id "a" is already used by line 1.*Fix: /);
    assert.equal(ds.summary.duplicateRows, 1);
  });
});

describe('JSONL items, ids and labels', () => {
  it('exact duplicate texts are grouped into one item with a count', async () => {
    const file = await tmp.write('dups.jsonl', jsonl([{ text: 'Flood  warning' }, { text: 'other' }, { text: ' Flood warning ' }, { text: 'Flood warning' }]));
    const ds = await loadDataset(file);
    assert.equal(ds.items.length, 2);
    assert.equal(ds.items[0].count, 3);
    assert.equal(ds.items[0].line, 1);
    assert.equal(ds.summary.duplicateRows, 2);
    assert.equal(ds.summary.loaded, 4);
    assert.match(formatSummary(ds), /2 duplicate texts grouped/);
  });

  it('hashed ids are sha256 of the normalized text, and stable across two loads', async () => {
    const file = await tmp.write('stable.jsonl', jsonl([{ text: 'Cafe\u0301   on  fire ' }, { text: 'b' }]));
    const first = await loadDataset(file);
    const second = await loadDataset(file);
    assert.deepEqual(first.items.map((i) => i.id), second.items.map((i) => i.id));
    // Independent reference: NFC + trim + collapsed whitespace, sha256 hex, first 32 chars.
    const expected = createHash('sha256').update('Café on fire').digest('hex').slice(0, 32);
    assert.equal(first.items[0].textHash, expected);
    assert.equal(first.items[0].id, `h:${expected}`);
  });

  it('`labels` arrays and `label` strings are imported', async () => {
    const file = await tmp.write('labels.jsonl', jsonl([{ text: 'a', labels: ['x', 'y'] }, { text: 'b', labels: [] }, { text: 'c', labels: 'z' }]));
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => i.importedLabels), [['x', 'y'], undefined, ['z']]);
    const single = await tmp.write('label.jsonl', jsonl([{ text: 'a', label: 'pos' }, { text: 'b', label: 1 }, { text: 'c' }]));
    const ds2 = await loadDataset(single);
    assert.deepEqual(ds2.items.map((i) => i.importedLabels), [['pos'], ['1'], undefined]);
  });

  it('the text field is detected by name, and can be overridden', async () => {
    const file = await tmp.write('fields.jsonl', jsonl([{ uuid: 'u1', title: 'short title', body: 'the long body text' }, { uuid: 'u2', title: 'another', body: 'more body' }]));
    const detected = await loadDataset(file);
    assert.equal(detected.textField, 'body'); // `body` comes before `title` in the detection order
    assert.deepEqual(detected.items.map((i) => i.id), ['u1', 'u2']);
    const overridden = await loadDataset(file, { textField: 'title' });
    assert.equal(overridden.textField, 'title');
    assert.deepEqual(overridden.items.map((i) => i.text), ['short title', 'another']);
    await assert.rejects(loadDataset(file, { textField: 'titel' }), /field "titel" is not in the file. Fields found: uuid, title, body/);
  });

  it('without a conventional name, the longest mostly non-numeric string field is the text', async () => {
    const file = await tmp.write('unnamed.jsonl', jsonl([{ n: 1, tag: 'ab', sentence_en: 'a sentence of some length' }, { n: 2, tag: 'cd', sentence_en: 'another one here' }]));
    const ds = await loadDataset(file);
    assert.equal(ds.textField, 'sentence_en');
  });

  it('a 50,000-line generated JSONL loads completely', async () => {
    const n = 50_000;
    const rows: string[] = [];
    for (let i = 0; i < n; i++) rows.push(JSON.stringify({ id: `r${i}`, text: `generated headline ${i} about topic ${i % 97}`, label: i % 3 === 0 ? 'a' : 'b' }));
    const file = await tmp.write('big.jsonl', rows.join('\n'));
    let progressCalls = 0;
    let lastProgress = 0;
    // Throughput check (run by hand, not asserted): on the 2-core dev machine this load took about
    // 0.3 s, i.e. ~170k rows/s; 500k such rows took ~3 s.
    const ds = await loadDataset(file, {
      onProgress: (read, total) => {
        progressCalls++;
        lastProgress = read / total;
      },
    });
    assert.equal(ds.items.length, n);
    assert.equal(ds.problems.length, 0);
    assert.equal(ds.items[n - 1].id, `r${n - 1}`);
    assert.equal(ds.items[n - 1].line, n);
    assert.ok(progressCalls >= 1);
    assert.equal(lastProgress, 1);
  });

  it('a cancelled load rejects', async () => {
    const file = await tmp.write('cancel.jsonl', jsonl([{ text: 'a' }]));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(loadDataset(file, { signal: controller.signal }), { name: 'CancelledError' });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
