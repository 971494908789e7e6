import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { DatasetError, loadDataset, previewDataset } from '../../../src/core/dataset';
import { useTempDir } from './tempFiles';

const fifos: string[] = [];

// Registered before useTempDir's hook, so it runs while the FIFOs still exist. Should a reader ever
// block on a FIFO again, opening the write end lets it see EOF: the test then fails (on its
// timeout guard) instead of leaving the process hanging.
after(() => {
  for (const fifo of fifos) {
    try {
      fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    } catch {
      // ENXIO: no reader is waiting, which is the expected case.
    }
  }
});
const tmp = useTempDir();

function refusal(pattern: RegExp, file: string): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof DatasetError, String(err));
    assert.equal(err.file, file);
    assert.match(err.message, pattern);
    return true;
  };
}

describe('files that are not regular files are refused before they are opened', () => {
  it('a FIFO given as --data is refused at once (it used to hang for ever)', { timeout: 120_000 }, async () => {
    const fifo = path.join(tmp.dir(), 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    fifos.push(fifo);
    await assert.rejects(loadDataset(fifo), refusal(/pipe\.csv: it is a named pipe \(FIFO\), not a regular file\. Fix: /, fifo));
    await assert.rejects(previewDataset(fifo), refusal(/named pipe/, fifo));
  });

  it('a folder and a device are refused with what they are', async () => {
    const folder = path.join(tmp.dir(), 'folder.csv');
    fs.mkdirSync(folder);
    await assert.rejects(loadDataset(folder), refusal(/folder\.csv: it is a folder, not a regular file/, folder));
    await assert.rejects(loadDataset('/dev/null', { format: 'txt' }), refusal(/\/dev\/null: it is a character device, not a regular file/, '/dev/null'));
  });
});

describe('binary files are refused; a stray NUL byte in a text file is a bad row', () => {
  it('one NUL byte in the first 8 KB: that row is reported, the rest loads (CSV, TXT, JSONL)', async () => {
    const csv = await tmp.write('nul.csv', 'text,label\nfine,a\nbad\0row,b\nlast,a\n');
    const a = await loadDataset(csv);
    assert.deepEqual(a.items.map((i) => [i.text, i.line]), [
      ['fine', 2],
      ['last', 4],
    ]);
    assert.deepEqual(a.problems.map((p) => [p.line, p.reason]), [[3, 'nul-byte']]);
    assert.match(a.problems[0].message, /nul\.csv:3: the row holds a NUL byte \(at byte 4 of the row\).*Fix: /);

    const txt = await tmp.write('nul.txt', 'stray\0nul\nok line\n');
    const b = await loadDataset(txt);
    assert.deepEqual(b.items.map((i) => [i.text, i.line]), [['ok line', 2]]);
    assert.deepEqual(b.problems.map((p) => [p.line, p.reason]), [[1, 'nul-byte']]);

    const jsonl = await tmp.write('nul.jsonl', '{"text":"a"}\n{"text":"b\0"}\n{"text":"c"}\n');
    const c = await loadDataset(jsonl);
    assert.deepEqual(c.items.map((i) => i.text), ['a', 'c']);
    assert.deepEqual(c.problems.map((p) => [p.line, p.reason]), [[2, 'nul-byte']]);
  });

  it('a NUL byte past the head is reported on its line too, never loaded as text', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `row number ${i}`);
    rows[900] = 'hidden\0nul';
    const file = await tmp.write('late-nul.txt', rows.join('\n'));
    const ds = await loadDataset(file);
    assert.equal(ds.items.length, 999);
    assert.deepEqual(ds.problems.map((p) => [p.line, p.reason]), [[901, 'nul-byte']]);
    assert.ok(!ds.items.some((i) => i.text.includes('\0')));
  });

  it('real binary content is still refused: an executable header, random bytes', async () => {
    const elf = await tmp.write('elf.jsonl', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]));
    await assert.rejects(loadDataset(elf), refusal(/elf\.jsonl: it looks like a binary file/, elf));
    const noise = Buffer.alloc(8192);
    let x = 12345;
    for (let i = 0; i < noise.length; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      noise[i] = x >>> 23;
    }
    const random = await tmp.write('random.csv', noise);
    await assert.rejects(loadDataset(random), refusal(/random\.csv: it looks like a binary file/, random));
  });

  it('UTF-16 text is refused as UTF-16, with or without a byte order mark', async () => {
    const text = 'text\nfirst line\nsecond line\n';
    const withBom = await tmp.write('bom16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    await assert.rejects(loadDataset(withBom), refusal(/bom16\.csv: it is UTF-16 text.*re-save it as UTF-8/, withBom));
    const noBom = await tmp.write('nobom16.txt', Buffer.from(text, 'utf16le'));
    await assert.rejects(loadDataset(noBom), refusal(/nobom16\.txt: it looks like UTF-16 text/, noBom));
  });
});
