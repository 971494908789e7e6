import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { LabelLog, parseEventLine, replay } from '../../../src/core/labels';
import { createRng } from '../../../src/core/random';
import { eachTempLog, exited, forkChild, labelInput, nextMessage } from './helpers';

describe('the label log across real processes', () => {
  let file: string;
  eachTempLog((path) => (file = path));

  it('two writers appending at once never interleave partial lines (writes up to 260 KB)', { timeout: 600_000 }, async () => {
    const writers = ['a', 'b'];
    const count = 500;
    const children = writers.map((w, i) => forkChild('concurrentWriter.ts', [file, w, String(count), String(1000 + i)]));
    const done = children.map((c) => exited(c));
    await Promise.all(children.map((c) => nextMessage(c)));
    // both have the log open; release them together so their appends overlap
    for (const c of children) c.send('go');
    for (const { code } of await Promise.all(done)) assert.equal(code, 0);

    const text = await readFile(file, 'utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.slice(0, -1).split('\n');
    assert.equal(lines.length, writers.length * count, 'one line per event, none split or merged');
    const nextSeq = new Map(writers.map((w) => [w, 0]));
    let switches = 0;
    let previous = '';
    let maxLine = 0;
    for (const [index, line] of lines.entries()) {
      const parsed = parseEventLine(line);
      assert.ok(parsed.ok, `line ${index + 1} does not parse`);
      const { event } = parsed;
      const [writer, seqText, lenText] = (event.modelVersion ?? '').split(':');
      const seq = Number(seqText);
      assert.equal(event.itemId, `${writer}-${seq}`);
      assert.equal(event.strategy, (writer as string).repeat(Number(lenText)), `line ${index + 1} has foreign bytes in it`);
      assert.equal(seq, nextSeq.get(writer as string), `writer ${writer} events out of order at line ${index + 1}`);
      nextSeq.set(writer as string, seq + 1);
      if (writer !== previous) switches++;
      previous = writer as string;
      maxLine = Math.max(maxLine, Buffer.byteLength(line));
    }
    for (const w of writers) assert.equal(nextSeq.get(w), count);
    assert.ok(switches > 10, `the writers did not actually overlap (only ${switches} runs)`);
    assert.ok(maxLine > 65_536, 'some single writes exceeded PIPE_BUF');
    const { problems, state } = await replay(file);
    assert.deepEqual(problems, []);
    assert.equal(state.size, writers.length * count);
  });

  it('loses no acknowledged event when the writer is SIGKILLed mid-append, over several crashes', { timeout: 600_000 }, async () => {
    const seed = Date.now() % 100_000;
    const rng = createRng(seed);
    const acknowledged: string[] = [];
    for (let round = 0; round < 4; round++) {
      const child = forkChild('ackLoop.ts', [file, String(round), String(seed + round)], true);
      const exit = exited(child);
      let buffer = '';
      const roundAcks: string[] = [];
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        buffer += chunk;
        const parts = buffer.split('\n');
        buffer = parts.pop() ?? '';
        roundAcks.push(...parts.filter((p) => p !== ''));
      });
      await nextMessage(child);
      await new Promise((resolve) => setTimeout(resolve, 100 + rng.int(400)));
      child.kill('SIGKILL');
      const { signal } = await exit;
      assert.equal(signal, 'SIGKILL');
      // a partial stdout line was not a complete acknowledgement: it is ignored, as the child died
      acknowledged.push(...roundAcks);
      assert.ok(roundAcks.length > 0, `round ${round} (seed ${seed}) acknowledged nothing before the kill`);
    }
    const { events, problems } = await replay(file);
    const inLog = new Set(events.map((e) => e.eventId));
    const missing = acknowledged.filter((id) => !inLog.has(id));
    assert.deepEqual(missing, [], `seed ${seed}: acknowledged events missing from the log`);
    // the only acceptable problems are interrupted writes
    for (const p of problems) assert.ok(['torn-tail', 'invalid-json', 'torn-line'].includes(p.kind), p.message);
    assert.ok(events.length >= acknowledged.length);
  });

  it('a kill in the middle of a 96 MB write leaves a torn tail that is reported, and the log stays usable', { timeout: 600_000 }, async () => {
    const child = forkChild('hugeWrite.ts', [file], true);
    const exit = exited(child);
    const lines: string[] = [];
    let buffer = '';
    child.stdout?.setEncoding('utf8');
    const writing = new Promise<void>((resolve) => {
      child.stdout?.on('data', (chunk: string) => {
        buffer += chunk;
        const parts = buffer.split('\n');
        buffer = parts.pop() ?? '';
        lines.push(...parts);
        if (lines.includes('writing')) resolve();
      });
    });
    await writing;
    const acked = lines.slice(0, 3);
    const base = (await stat(file)).size;
    // kill as soon as the file starts growing: the write is then in flight in the kernel
    const deadline = Date.now() + 20_000;
    while ((await stat(file)).size === base && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    child.kill('SIGKILL');
    await exit;
    const tornSize = (await stat(file)).size;

    const result = await replay(file);
    assert.deepEqual(result.events.slice(0, 3).map((e) => e.eventId), acked, 'every acknowledged event survives');
    if (!lines.includes('done') && result.events.length === 3) {
      // the usual outcome: the kill landed mid-write
      assert.deepEqual(result.problems.map((p) => [p.kind, p.line]), [['torn-tail', 4]]);
      assert.ok(tornSize > base);
    }
    const log = await LabelLog.open(file);
    const [next] = await log.append(labelInput('after', ['y']));
    await log.close();
    const again = await replay(file);
    assert.equal(again.events.at(-1)?.eventId, next?.eventId);
    assert.deepEqual(again.state.get('after')?.labels, ['y']);
    assert.ok(again.problems.every((p) => p.kind === 'invalid-json'), 'the fragment is reported, nothing else');
  });
});
