import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { completeEvent, LabelLog, parseEventLine, replay, serializeEvent } from '../../../src/core/labels';
import { eachTempLog, labelInput } from './helpers';

describe('crash tolerance of replay', () => {
  let file: string;
  eachTempLog((path) => (file = path));

  async function writeThree(): Promise<string[]> {
    const log = await LabelLog.open(file);
    const events = await log.append([labelInput('a', ['x']), labelInput('b', ['y']), labelInput('c', ['z'])]);
    await log.close();
    return events.map((e) => e.eventId);
  }

  it('reports a torn last line with file:line, keeps every complete event, and the next append is valid', async () => {
    const ids = await writeThree();
    const torn = serializeEvent(completeEvent(labelInput('d', ['partial'])));
    await appendFile(file, torn.slice(0, Math.floor(torn.length / 2)));

    const before = await replay(file);
    assert.deepEqual(before.events.map((e) => e.eventId), ids);
    assert.equal(before.problems.length, 1);
    assert.equal(before.problems[0]?.kind, 'torn-tail');
    assert.equal(before.problems[0]?.line, 4);
    assert.match(before.problems[0]!.message, /labels\.jsonl:4: the last write was interrupted; the partial event was ignored/);
    assert.equal(before.state.has('d'), false);

    const log = await LabelLog.open(file);
    const [next] = await log.append(labelInput('e', ['after']));
    await log.close();
    const after = await replay(file);
    assert.deepEqual(after.events.map((e) => e.eventId), [...ids, next!.eventId], 'the new event is not glued to the fragment');
    assert.deepEqual(after.state.get('e')?.labels, ['after']);
    assert.deepEqual(after.problems.map((p) => [p.kind, p.line]), [['invalid-json', 4]], 'the fragment is now a bad middle line, still reported');
    const lines = (await readFile(file, 'utf8')).split('\n');
    assert.ok(parseEventLine(lines[4] as string).ok);
  });

  it('keeps a complete last event that only lacks its newline', async () => {
    await writeThree();
    await appendFile(file, serializeEvent(completeEvent(labelInput('d', ['whole']))));
    const result = await replay(file);
    assert.deepEqual(result.state.get('d')?.labels, ['whole']);
    assert.deepEqual(result.problems, []);
  });

  it('reports invalid lines in the middle with file:line and skips them, never silently', async () => {
    const good = [labelInput('a', ['x']), labelInput('b', ['y'])].map((e) => serializeEvent(completeEvent(e)));
    const lines = [
      good[0],
      'not json at all',
      '[1,2,3]',
      '{"v":1,"type":"label","eventId":"e1","itemId":"q","labels":"notalist","annotator":"a","time":"2024-01-01T00:00:00Z","source":"queue"}',
      '{"v":2,"type":"label"}',
      '',
      '   ',
      good[1],
    ];
    await writeFile(file, lines.join('\r\n') + '\r\n');
    const result = await replay(file);
    assert.deepEqual([...result.state.keys()].sort(), ['a', 'b'], 'CRLF lines still parse');
    assert.deepEqual(
      result.problems.map((p) => [p.line, p.kind]),
      [[2, 'invalid-json'], [3, 'invalid-event'], [4, 'invalid-event'], [5, 'newer-version']],
    );
    for (const p of result.problems) assert.ok(p.message.startsWith(`${file}:${p.line}: `), p.message);
    assert.match(result.problems[2]!.message, /"labels" must be an array of strings/);
  });

  it('recovers a complete event glued behind a fragment (a writer killed between check and write)', async () => {
    const fragment = serializeEvent(completeEvent(labelInput('lost', ['x']))).slice(0, 40);
    const whole = completeEvent(labelInput('kept', ['y', 'has {"v":1,"type":" inside'] ));
    await writeFile(file, `${fragment}${serializeEvent(whole)}\n`);
    const result = await replay(file);
    assert.deepEqual(result.state.get('kept')?.labels, whole.labels);
    assert.deepEqual(result.problems.map((p) => [p.line, p.kind]), [[1, 'torn-line']]);
  });

  it('streams lines longer than a read chunk and many lines across chunk boundaries', async () => {
    const log = await LabelLog.open(file);
    const big = 'é'.repeat(1_500_000); // 3 MB of 2-byte characters, crossing 1 MB chunks mid-character
    await log.append(labelInput('big', [big]));
    const many = Array.from({ length: 3000 }, (_, i) => labelInput(`i${i}`, [`label-${'x'.repeat(i % 700)}`]));
    await log.append(many);
    await log.close();
    const result = await replay(file);
    assert.deepEqual(result.problems, []);
    assert.equal(result.state.get('big')?.labels[0], big);
    assert.equal(result.events.length, 3001);
    assert.equal(result.state.get('i2999')?.labels[0], `label-${'x'.repeat(2999 % 700)}`);
  });
});
