/**
 * Dataset snapshots decode to exactly what `loadDataset` returns (every field, on every kind of
 * file the loader reads), and stand in for it only for the same bytes and options. Real files,
 * the real loader; the snapshot threshold lowered to 1 so the files stay small.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadDataset, loadDatasetCached, type LoadOptions, type OpenedDataset } from '../../../src/core/dataset';
import { defaultMaxRecordBytes, LOADER_VERSION } from '../../../src/core/dataset';
import { SNAPSHOT_FORMAT_VERSION, writeSnapshot, type SnapshotKey } from '../../../src/core/dataset/snapshot';
import { hashFile, writeSnapshotFile } from '../../../src/core/dataset/snapshotFile';
import type { Dataset } from '../../../src/core/types';
import { useTempDir } from './tempFiles';

const tmp = useTempDir();
let n = 0;

/** A dataset file and its own snapshot path, in a folder of their own. */
async function dataset(name: string, content: string | Buffer): Promise<{ file: string; snap: string }> {
  const folder = path.join(tmp.dir(), `case-${n++}`);
  await fs.mkdir(folder);
  const file = path.join(folder, name);
  await fs.writeFile(file, content);
  return { file, snap: path.join(folder, 'store', 'dataset.snapshot.bin') };
}

async function open(file: string, snap: string, options: LoadOptions = {}, minItems = 1): Promise<OpenedDataset> {
  return loadDatasetCached(file, options, { path: snap, minItems });
}

/** Parses, writes the snapshot, reads it back: both must equal a plain `loadDataset`. */
async function roundTrip(file: string, snap: string, options: LoadOptions = {}): Promise<Dataset> {
  const expected = await loadDataset(file, options);
  const cold = await open(file, snap, options);
  assert.equal(cold.fromSnapshot, false);
  assert.deepStrictEqual(cold.dataset, expected);
  const outcome = await cold.save!();
  assert.equal(outcome.written, true, JSON.stringify(outcome));
  const progress: [number, number][] = [];
  const warm = await open(file, snap, { ...options, onProgress: (done, total) => progress.push([done, total]) });
  assert.equal(warm.fromSnapshot, true, 'the second load reads the snapshot');
  assert.equal(warm.save, undefined);
  assert.deepStrictEqual(warm.dataset, expected);
  const size = (await fs.stat(file)).size;
  assert.ok(progress.length > 0, 'progress is reported from the snapshot path');
  assert.deepEqual(progress.at(-1), [size, size]);
  return expected;
}

test('JSONL with duplicates, bad lines, ids, imported labels, numbers as text and a late field', async () => {
  const rows = [
    '{"id": "a1", "text": "first text", "label": "pos"}',
    '{"id": "a2", "text": "second  text", "labels": ["neg", "pos", "neg"]}',
    '{"text": "first text", "label": "other"}',
    'not json at all',
    '[1, 2, 3]',
    '{"title": "no text here"}',
    '{"text": "   "}',
    '{"text": "\\u200b\\u200d"}',
    '{"id": "a1", "text": "a different text with a used id"}',
    '{"text": 1.50}',
    '{"text": true, "label": 3}',
    '{"text": null}',
    '{"text": "nul \u0000 byte"}',
    '{"text": "late field", "extra": 1}',
    '',
    '{"id": 7, "text": "numeric id"}',
  ];
  const bad = Buffer.concat([Buffer.from(rows.join('\n') + '\n'), Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a])]);
  const { file, snap } = await dataset('mixed.jsonl', bad);
  const d = await roundTrip(file, snap);
  // The file really exercises what it claims to.
  assert.ok(d.summary.duplicateRows >= 1 && d.summary.skipped >= 6 && (d.summary.nonStringTexts ?? 0) >= 2);
  assert.ok(d.items.some((i) => i.importedLabels !== undefined) && d.items.some((i) => !i.id.startsWith('h:')));
  assert.ok(new Set(d.problems.map((p) => p.reason)).size >= 5);
  // The same file with the label and id fields named, and a small record limit.
  await roundTrip(file, path.join(path.dirname(snap), 'named', 'dataset.snapshot.bin'), { labelField: 'label', idField: 'id', maxRecordBytes: 40 });
});

test('a named field first met after the sampled head', async () => {
  const rows = Array.from({ length: 1100 }, (_, i) => JSON.stringify(i === 1050 ? { text: `row ${i}`, tag: 'late' } : { text: `row ${i}` }));
  const { file, snap } = await dataset('late.jsonl', `${rows.join('\n')}\n`);
  const d = await roundTrip(file, snap, { labelField: 'tag' });
  assert.ok(d.fields.includes('tag'));
  assert.deepEqual(d.items.find((i) => i.importedLabels !== undefined)?.importedLabels, ['late']);
});

test('non-ASCII text: emoji, CJK, combining marks, Latin-1, invisible marks and lone surrogates', async () => {
  const texts = ['😀 emoji and 👩‍👩‍👧 family', '中文文本，日本語のテキスト', 'cafe\u0301 and caf\u00e9', 'na\u00efve r\u00e9sum\u00e9 \u00fc', 'zero\u200bwidth', 'a lone \ud800 surrogate', 'a lone \udfff low one', 'مرحبا بالعالم', 'plain ascii that is long enough to be sliced'];
  const body = texts.map((text, i) => JSON.stringify({ id: i % 2 === 0 ? `ид-${i}` : undefined, text, label: i % 3 === 0 ? 'ラベル' : undefined })).join('\n');
  const { file, snap } = await dataset('unicode.jsonl', `\ufeff${body}\r\n`);
  const d = await roundTrip(file, snap);
  assert.ok(d.items.some((i) => /[\ud800-\udbff](?![\udc00-\udfff])/.test(i.text)), 'the loader keeps the lone surrogate');
  assert.ok(d.items.some((i) => i.id === 'ид-0') && d.items.some((i) => i.importedLabels?.[0] === 'ラベル'));
});

test('CSV with a header, headerless CSV, TSV and TXT', async () => {
  const csv = await dataset('data.csv', 'id,text,label\n1,"hello, world",a\n2,"multi\nline ""quoted""",b\n3,hello,a\n4,"unclosed,c\n');
  await roundTrip(csv.file, csv.snap);
  const headless = await dataset('plain.csv', 'x,first row text\ny,second row text\nz,first row text\n');
  await roundTrip(headless.file, headless.snap, { textField: 'column2' });
  const tsv = await dataset('data.tsv', 'text\tlabel\nalpha beta\tx\ngamma\ty\nalpha beta\tz\n\t\n');
  await roundTrip(tsv.file, tsv.snap);
  const txt = await dataset('lines.txt', 'one line\r\ntwo lines\r\n\r\none line\r\n   \r\nÜnïcödé line\n');
  await roundTrip(txt.file, txt.snap);
});

test('a text larger than a write chunk, and more items than a decode slice', async () => {
  const big = 'x'.repeat(9 * 1024 * 1024);
  const one = await dataset('big.jsonl', `${JSON.stringify({ text: big })}\n{"text": "small é"}\n`);
  await roundTrip(one.file, one.snap);
  const many = Array.from({ length: 140_000 }, (_, i) => `row ${i % 130_000} ${i % 7 === 0 ? 'é' : ''}`);
  const lots = await dataset('lots.txt', `${many.join('\n')}\n`);
  const d = await roundTrip(lots.file, lots.snap);
  assert.ok(d.items.length > 131_072, `${d.items.length} items span two decode slices`);
});

test('an edit of one byte with the same size and the mtime restored invalidates the snapshot', async () => {
  const { file, snap } = await dataset('edit.jsonl', '{"text": "alpha"}\n{"text": "bravo"}\n');
  // A whole second, which utimes sets back exactly.
  await fs.utimes(file, 1_700_000_000, 1_700_000_000);
  await roundTrip(file, snap);
  const stat = await fs.stat(file, { bigint: true });
  await fs.writeFile(file, '{"text": "alpha"}\n{"text": "brave"}\n');
  await fs.utimes(file, 1_700_000_000, 1_700_000_000);
  const edited = await fs.stat(file, { bigint: true });
  assert.deepEqual([edited.size, edited.mtimeNs], [stat.size, stat.mtimeNs]);
  const after = await open(file, snap);
  assert.equal(after.fromSnapshot, false);
  assert.deepStrictEqual(after.dataset, await loadDataset(file));
  assert.ok(after.dataset.items.some((i) => i.text === 'brave'));
  // The miss writes a new snapshot, which the next load uses.
  assert.equal((await after.save!()).written, true);
  const again = await open(file, snap);
  assert.equal(again.fromSnapshot, true);
  assert.deepStrictEqual(again.dataset, after.dataset);
});

test('other loader options do not use the snapshot', async () => {
  const { file, snap } = await dataset('opts.jsonl', '{"id": "1", "text": "alpha", "body": "one", "label": "x", "tag": "t"}\n{"id": "2", "text": "bravo", "body": "two", "label": "y", "tag": "u"}\n');
  await roundTrip(file, snap);
  const others: LoadOptions[] = [{ textField: 'body' }, { labelField: 'tag' }, { idField: 'tag' }, { maxRecordBytes: 1000 }, { format: 'jsonl' }];
  for (const options of others) {
    const other = await open(file, snap, options);
    assert.equal(other.fromSnapshot, false, JSON.stringify(options));
    assert.deepStrictEqual(other.dataset, await loadDataset(file, options));
  }
  assert.equal((await open(file, snap)).fromSnapshot, true, 'the snapshot itself is untouched by the misses');
});

test('a truncated, torn, corrupt, foreign or empty snapshot is ignored and rewritten, never trusted', async () => {
  const { file, snap } = await dataset('corrupt.jsonl', Array.from({ length: 50 }, (_, i) => JSON.stringify({ text: `text number ${i}`, label: i % 2 ? 'a' : 'b' })).join('\n'));
  const expected = await roundTrip(file, snap);
  const good = await fs.readFile(snap);
  const damaged: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['the magic only', good.subarray(0, 8)],
    ['header only', good.subarray(0, 20)],
    ['half', good.subarray(0, Math.floor(good.length / 2))],
    ['the last byte missing', good.subarray(0, good.length - 1)],
    ['a byte appended', Buffer.concat([good, Buffer.from([0])])],
    ['garbage', Buffer.from('this is not a snapshot at all, just text')],
  ];
  for (const at of [0, 9, 12, 17, 30, Math.floor(good.length / 2), good.length - 1]) {
    const flipped = Buffer.from(good);
    flipped[at] = flipped[at]! ^ 0x01;
    damaged.push([`byte ${at} flipped`, flipped]);
  }
  for (const [what, bytes] of damaged) {
    await fs.writeFile(snap, bytes);
    const opened = await open(file, snap);
    assert.equal(opened.fromSnapshot, false, what);
    assert.deepStrictEqual(opened.dataset, expected, what);
    assert.equal((await opened.save!()).written, true, what);
    assert.deepStrictEqual(await fs.readFile(snap), good, `${what}: rewritten as it was`);
  }
});

test('a snapshot of another loader version, Unicode version or format version is not used', async () => {
  const { file, snap } = await dataset('versions.jsonl', '{"text": "one"}\n{"text": "two"}\n');
  const expected = await roundTrip(file, snap);
  const { sha256, size } = await hashFile(file);
  const key: SnapshotKey = { loaderVersion: LOADER_VERSION, unicode: process.versions.unicode ?? '', file, format: null, textField: null, idField: null, labelField: null, maxRecordBytes: defaultMaxRecordBytes, size, sha256 };
  // The key as the loader builds it: written through the format's own API, it is used.
  await writeSnapshotFile(snap, (sink) => writeSnapshot(expected, key, sink));
  assert.equal((await open(file, snap)).fromSnapshot, true);
  for (const other of [{ loaderVersion: LOADER_VERSION + 1 }, { loaderVersion: LOADER_VERSION - 1 }, { unicode: '1.0' }, { sha256: '0'.repeat(64) }, { size: size + 1 }]) {
    await writeSnapshotFile(snap, (sink) => writeSnapshot(expected, { ...key, ...other }, sink));
    assert.equal((await open(file, snap)).fromSnapshot, false, JSON.stringify(other));
  }
  const old = await fs.readFile(snap);
  old.writeUInt32LE(SNAPSHOT_FORMAT_VERSION + 1, 8);
  await fs.writeFile(snap, old);
  assert.equal((await open(file, snap)).fromSnapshot, false);
});

test("another file's snapshot copied in place is not used, even for the same bytes at another path", async () => {
  const a = await dataset('a.jsonl', '{"text": "from file a"}\n{"text": "bad\n');
  const b = await dataset('b.jsonl', '{"text": "from file b"}\n{"text": "bad\n');
  await roundTrip(a.file, a.snap);
  await fs.mkdir(path.dirname(b.snap), { recursive: true });
  await fs.copyFile(a.snap, b.snap);
  const opened = await open(b.file, b.snap);
  assert.equal(opened.fromSnapshot, false);
  assert.deepStrictEqual(opened.dataset, await loadDataset(b.file));
  // Same bytes, other path: the messages name the path, so a's snapshot does not stand in.
  const twin = await dataset('a.jsonl', await fs.readFile(a.file));
  await fs.mkdir(path.dirname(twin.snap), { recursive: true });
  await fs.copyFile(a.snap, twin.snap);
  const copy = await open(twin.file, twin.snap);
  assert.equal(copy.fromSnapshot, false);
  assert.ok(copy.dataset.problems[0]!.message.startsWith(twin.file));
});

test('small datasets get no snapshot, and a stale one is removed', async () => {
  const { file, snap } = await dataset('small.jsonl', '{"text": "one"}\n{"text": "two"}\n');
  await roundTrip(file, snap);
  await fs.appendFile(file, '{"text": "three"}\n');
  const opened = await open(file, snap, {}, 10);
  const outcome = await opened.save!();
  assert.deepEqual(outcome.written ? 'written' : [outcome.failed, /under the 10/.test(outcome.reason)], [false, true]);
  await assert.rejects(fs.stat(snap), { code: 'ENOENT' });
});

test('a file changed between the load and the save gets no snapshot', async () => {
  const { file, snap } = await dataset('moving.jsonl', '{"text": "one"}\n{"text": "two"}\n');
  const opened = await open(file, snap);
  await fs.appendFile(file, '{"text": "three"}\n');
  const outcome = await opened.save!();
  assert.equal(outcome.written, false);
  await assert.rejects(fs.stat(snap), { code: 'ENOENT' });
});

test('an unusable store folder means no snapshot, never an error; no temp file is left behind', async () => {
  const { file, snap } = await dataset('nostore.jsonl', '{"text": "one"}\n{"text": "two"}\n');
  // The store folder's place is taken by a file: nothing can be created in it.
  await fs.writeFile(path.dirname(snap), 'in the way');
  const opened = await open(file, snap);
  assert.deepStrictEqual(opened.dataset, await loadDataset(file));
  const outcome = await opened.save!();
  assert.equal(outcome.written, false);
  assert.equal(outcome.written === false && outcome.failed, true);
  // A folder where the snapshot goes: unreadable as a snapshot, and not replaceable by one.
  await fs.rm(path.dirname(snap));
  await fs.mkdir(snap, { recursive: true });
  await fs.writeFile(path.join(snap, 'keep'), 'x');
  const again = await open(file, snap);
  assert.equal(again.fromSnapshot, false);
  assert.equal((await again.save!()).written, false);
  assert.deepEqual((await fs.readdir(path.dirname(snap))).filter((f) => f.endsWith('.tmp')), []);
});

test("a cancelled save stops, removes its temp file and keeps the old snapshot; a dead write's temp file is cleared", async () => {
  const { file, snap } = await dataset('cancel.jsonl', '{"text": "one"}\n{"text": "two"}\n');
  await roundTrip(file, snap);
  const good = await fs.readFile(snap);
  const leftover = path.join(path.dirname(snap), '.dataset.snapshot.bin.999.dead.tmp');
  await fs.writeFile(leftover, 'from a process that died an hour ago');
  const hourAgo = Date.now() / 1000 - 3600;
  await fs.utimes(leftover, hourAgo, hourAgo);
  // Another window's write, under way: left alone.
  const live = path.join(path.dirname(snap), '.dataset.snapshot.bin.998.live.tmp');
  await fs.writeFile(live, 'being written');
  await fs.appendFile(file, '{"text": "three"}\n');
  const opened = await open(file, snap);
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(opened.save!(abort.signal), { name: 'CancelledError' });
  assert.deepStrictEqual(await fs.readFile(snap), good);
  assert.equal((await opened.save!()).written, true);
  assert.deepEqual((await fs.readdir(path.dirname(snap))).sort(), ['.dataset.snapshot.bin.998.live.tmp', 'dataset.snapshot.bin']);
});

test('a crafted snapshot with a right checksum and key is refused when it holds more than its file could', async () => {
  const { file, snap } = await dataset('crafted.jsonl', '{"text": "one"}\n{"text": "two"}\n');
  const { sha256, size } = await hashFile(file);
  const key: SnapshotKey = { loaderVersion: LOADER_VERSION, unicode: process.versions.unicode ?? '', file, format: null, textField: null, idField: null, labelField: null, maxRecordBytes: defaultMaxRecordBytes, size, sha256 };
  const real = await loadDataset(file);
  // Written through the format's own API for this very key: only the content is impossible.
  const many = Array.from({ length: size + 5 }, (_, i) => ({ ...real.items[0]!, id: `id-${i}`, text: `t${i}`, textHash: i.toString(16).padStart(32, '0') }));
  const labeled = real.items.map((item) => ({ ...item, importedLabels: Array.from({ length: size + 1 }, () => 'x') }));
  for (const [what, forged] of [
    ['more items than bytes', { ...real, items: many }],
    ['more labels than bytes', { ...real, items: labeled }],
    ['more problems than lines', { ...real, problems: Array.from({ length: size + 2 }, (_, i) => ({ file, line: i + 1, reason: 'invalid-json' as const, message: 'm' })) }],
  ] as const) {
    await writeSnapshotFile(snap, (sink) => writeSnapshot(forged, key, sink));
    const opened = await open(file, snap);
    assert.equal(opened.fromSnapshot, false, what);
    assert.deepStrictEqual(opened.dataset, real, what);
  }
  // A file far larger than its dataset could need is not even read.
  await writeSnapshotFile(snap, (sink) => writeSnapshot(real, key, sink));
  assert.equal((await open(file, snap)).fromSnapshot, true, 'the real one is used');
  await fs.appendFile(snap, Buffer.alloc(64 * size + 1024 * 1024 + 1));
  assert.equal((await open(file, snap)).fromSnapshot, false);
});
