import assert from 'node:assert/strict';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  completeEvent,
  crc32,
  LabelLog,
  mkdirDurable,
  parseEventLine,
  RECORD_PREFIX,
  replay,
  serializeEvent,
  type LabelEvent,
} from '../../../src/core/labels';
import { eachTempLog, labelInput, tempDir } from './helpers';

/** A line as versions before the checksum wrote it: the same keys, no crc. */
function oldLine(event: LabelEvent): string {
  const { v, type, eventId, itemId, labels, annotator, time, source } = event;
  return JSON.stringify({ v, type, eventId, itemId, labels, annotator, time, source });
}

const event = (itemId: string, labels: string[]): LabelEvent => completeEvent(labelInput(itemId, labels));

describe('per-event checksum', () => {
  let file: string;
  eachTempLog((path) => (file = path));

  it('is the standard CRC-32', () => {
    assert.equal(crc32('123456789'), 0xcbf43926);
    assert.equal(crc32(''), 0);
    assert.equal(crc32(Buffer.from([0xff, 0x00])), crc32(Buffer.from([0xff, 0x00])));
  });

  it('ends every line with "crc" over the line without it, and keeps RECORD_PREFIX at the start', () => {
    const e = event('a', ['é', 'x"y']);
    const line = serializeEvent(e);
    assert.ok(line.startsWith(RECORD_PREFIX));
    const match = /^(.*),"crc":"([0-9a-f]{8})"\}$/.exec(line);
    assert.ok(match, line);
    assert.equal(parseInt(match[2]!, 16), crc32(`${match[1]}}`));
    assert.deepEqual(parseEventLine(line), { ok: true, event: e });
  });

  it('detects a flipped byte inside a well-formed line and skips it with file:line', async () => {
    const log = await LabelLog.open(file);
    await log.append([labelInput('a', ['spam']), labelInput('b', ['spam']), labelInput('c', ['ham'])]);
    await log.close();
    const bytes = await readFile(file);
    const lines = bytes.toString('utf8').split('\n');
    const at = lines[0]!.length + 1 + lines[1]!.indexOf('"spam"') + 3; // the "a" of line 2's label
    bytes[at] = 'i'.charCodeAt(0); // "spim": still valid JSON, still a valid event
    await writeFile(file, bytes);

    const result = await replay(file);
    assert.deepEqual([...result.state.keys()], ['a', 'c'], 'the corrupted event is not accepted');
    assert.deepEqual(result.problems.map((p) => [p.line, p.kind]), [[2, 'bad-checksum']]);
    assert.match(result.problems[0]!.message, /^.*labels\.jsonl:2: the line does not match its checksum .*; the line was skipped\. If you edited the line on purpose, delete its "crc" field/);
  });

  it('reads lines without a crc (written by earlier versions) and rejects a crc that is not last', async () => {
    const a = event('a', ['x']);
    const b = event('b', ['y']);
    const misplaced = serializeEvent(b).replace(/,"crc":"([0-9a-f]{8})"\}$/, '}').replace('{"v":1,', '{"v":1,"crc":"00000000",');
    await writeFile(file, `${oldLine(a)}\n${misplaced}\n`);
    const result = await replay(file);
    assert.deepEqual(result.events, [a]);
    assert.deepEqual(result.problems.map((p) => [p.line, p.kind]), [[2, 'bad-checksum']]);
    assert.match(result.problems[0]!.message, /not the last key/);
  });

  it('accepts a line edited by hand once its crc is removed, as the message advises', async () => {
    const line = serializeEvent(event('a', ['spam'])).replace('"spam"', '"ham"');
    await writeFile(file, `${line}\n`);
    assert.equal((await replay(file)).state.size, 0);
    await writeFile(file, `${line.replace(/,"crc":"[0-9a-f]{8}"/, '')}\n`);
    const result = await replay(file);
    assert.deepEqual(result.state.get('a')?.labels, ['ham']);
    assert.deepEqual(result.problems, []);
  });
});

describe('replay edge cases', () => {
  let file: string;
  eachTempLog((path) => (file = path));

  it('reports a line with invalid UTF-8 instead of accepting a mangled label', async () => {
    const good = event('a', ['ok']);
    // an old-format line, so no checksum hides the problem: the label "caf\xff" is not UTF-8
    const bad = Buffer.from(oldLine(event('b', ['cafX'])), 'utf8');
    bad[bad.indexOf('cafX') + 3] = 0xff;
    await writeFile(file, Buffer.concat([Buffer.from(`${serializeEvent(good)}\n`), bad, Buffer.from('\n')]));
    const result = await replay(file);
    assert.deepEqual(result.events, [good]);
    assert.deepEqual(result.problems.map((p) => [p.line, p.kind]), [[2, 'invalid-utf8']]);
    assert.match(result.problems[0]!.message, /labels\.jsonl:2: the line is not valid UTF-8.*skipped.*restore the file from git/);
  });

  it('still calls a tail cut inside a multi-byte character an interrupted write', async () => {
    const good = event('a', ['ok']);
    const torn = Buffer.from(serializeEvent(event('b', ['日本語'])), 'utf8');
    const cut = torn.subarray(0, torn.indexOf(Buffer.from('日本語')) + 4); // one byte into 本
    await writeFile(file, Buffer.concat([Buffer.from(`${serializeEvent(good)}\n`), cut]));
    const result = await replay(file);
    assert.deepEqual(result.events, [good]);
    assert.deepEqual(result.problems.map((p) => [p.line, p.kind]), [[2, 'torn-tail']]);
  });

  it('accepts a UTF-8 byte order mark before the first event without a warning', async () => {
    const a = event('a', ['x']);
    const b = event('b', ['y']);
    await writeFile(file, `\uFEFF${serializeEvent(a)}\n${serializeEvent(b)}\n`);
    const result = await replay(file);
    assert.deepEqual(result.events, [a, b]);
    assert.deepEqual(result.problems, []);
    // and the log appends after it as usual
    const log = await LabelLog.open(file);
    const [c] = await log.append(labelInput('c', ['z']));
    await log.close();
    assert.deepEqual((await replay(file)).events, [a, b, c]);
    // two logs joined with `cat`: the second one's mark lands mid-file
    await appendFile(file, `\uFEFF${serializeEvent(event('d', ['w']))}\n`);
    const joined = await replay(file);
    assert.deepEqual(joined.events.map((e) => e.itemId), ['a', 'b', 'c', 'd']);
    assert.deepEqual(joined.problems, []);
  });

  it('reads a file that is only a byte order mark as empty, and appends to it', async () => {
    await writeFile(file, '\uFEFF');
    assert.deepEqual(await replay(file).then((r) => [r.events, r.problems]), [[], []]);
    const log = await LabelLog.open(file);
    const [a] = await log.append(labelInput('a', ['x']));
    await log.close();
    assert.deepEqual(await replay(file).then((r) => [r.events, r.problems]), [[a], []]);
  });

  it('recovers both of two complete events glued on one line, and says so', async () => {
    const [a, b, c] = [event('a', ['x']), event('b', ['y']), event('c', ['z'])];
    await writeFile(file, `${serializeEvent(a)}${serializeEvent(b)}\n${serializeEvent(c)}\n`);
    const result = await replay(file);
    assert.deepEqual(result.events, [a, b, c]);
    assert.deepEqual(result.problems.map((p) => [p.line, p.kind]), [[1, 'glued-line']]);
    assert.match(result.problems[0]!.message, /labels\.jsonl:1: 2 complete events were on this one line .*Nothing to do/);
  });

  it('recovers the complete events on both sides of a fragment, including old lines without crc', async () => {
    const [a, b] = [event('a', ['x']), event('b', ['y'])];
    const fragment = serializeEvent(event('lost', ['w'])).slice(0, 50);
    await appendFile(file, `${oldLine(a)}${fragment}${serializeEvent(b)}\n`);
    const result = await replay(file);
    assert.deepEqual(result.events, [a, b]);
    assert.deepEqual(result.problems.map((p) => [p.line, p.kind]), [[1, 'torn-line']]);
    assert.match(result.problems[0]!.message, /a partial event here; it was ignored and the 2 complete events on the line kept/);
  });

  it('keeps the complete event before a torn tail on the same line', async () => {
    const a = event('a', ['x']);
    const fragment = serializeEvent(event('lost', ['w'])).slice(0, 50);
    await writeFile(file, `${serializeEvent(a)}${fragment}`);
    const result = await replay(file);
    assert.deepEqual(result.events, [a]);
    assert.deepEqual(result.problems.map((p) => [p.line, p.kind]), [[1, 'torn-line']]);
  });

  it('names the file and line in every problem and says what to do', async () => {
    const a = event('a', ['x']);
    const undo = completeEvent({ type: 'undo', itemId: 'a', labels: [], annotator: 'x', source: 'queue', undoes: 'ghost' });
    await writeFile(file, [serializeEvent(a), '{oops', serializeEvent(a), serializeEvent(undo), '{"v":9,"type":"label"}', ''].join('\n'));
    const { problems } = await replay(file);
    assert.deepEqual(problems.map((p) => p.kind), ['invalid-json', 'duplicate-event', 'unknown-undo-target', 'newer-version']);
    const advice = [/restore the file from git or a backup; otherwise fix or delete the line/, /delete the later copy/, /Harmless/, /Update Active Label/];
    for (const [i, p] of problems.entries()) {
      assert.ok(p.message.startsWith(`${file}:${p.line}: `), p.message);
      assert.match(p.message, advice[i]!);
    }
  });
});

describe('durable folders', () => {
  it('fsyncs every folder that mkdir -p created and the existing one above them', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const deep = join(dir, 'a', 'b', 'c');
      const synced = await mkdirDurable(deep);
      assert.ok((await stat(deep)).isDirectory());
      assert.deepEqual(synced, [deep, join(dir, 'a', 'b'), join(dir, 'a'), dir]);
      assert.deepEqual(await mkdirDurable(deep), [], 'nothing created, nothing to sync');
      assert.deepEqual(await mkdirDurable(join(deep, 'd')), [join(deep, 'd'), deep]);
    } finally {
      await cleanup();
    }
  });
});
