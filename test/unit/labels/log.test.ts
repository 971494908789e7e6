import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { LabelLog, LabelLogError, parseEventLine, replay, undoOf } from '../../../src/core/labels';
import { eachTempLog, labelInput, tempDir } from './helpers';

describe('LabelLog append and replay', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    file = join(dir, 'nested', 'store', 'labels.jsonl');
  });
  afterEach(() => cleanup());

  it('round-trips events, filling eventId, time and v, and creates missing folders', async () => {
    const log = await LabelLog.open(file);
    const [a] = await log.append(labelInput('item-1', ['spam'], { strategy: 'margin', score: 0.25, cluster: 3, modelVersion: 'm1' }));
    const batch = await log.append([labelInput('item-2', ['ham']), labelInput('item-3', ['spam', 'promo'])]);
    await log.close();
    assert.equal(batch.length, 2);
    assert.ok(a && a.eventId.length > 0 && a.v === 1);
    assert.ok(!Number.isNaN(Date.parse(a.time)));

    const result = await replay(file);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.events, [a, ...batch]);
    assert.deepEqual(result.state.get('item-1')?.labels, ['spam']);
    assert.equal(result.state.get('item-1')?.labelEvent?.strategy, 'margin');
    assert.equal(result.state.get('item-1')?.labelEvent?.score, 0.25);
    assert.deepEqual(result.state.get('item-3')?.labels, ['spam', 'promo']);
    assert.equal(result.state.size, 3);
  });

  it('writes keys in the schema order with the checksum last, one event per line', async () => {
    const log = await LabelLog.open(file);
    await log.append(labelInput('x', ['a'], { modelVersion: 'm', score: 1, strategy: 's' }));
    await log.close();
    const text = await readFile(file, 'utf8');
    assert.ok(text.endsWith('\n'));
    assert.equal(text.split('\n').length, 2);
    const keys = Object.keys(JSON.parse(text) as object);
    assert.deepEqual(keys, ['v', 'type', 'eventId', 'itemId', 'labels', 'annotator', 'time', 'source', 'strategy', 'score', 'modelVersion', 'crc']);
  });

  it('acknowledges only once the line is in the file', async () => {
    const log = await LabelLog.open(file);
    for (let i = 0; i < 20; i++) {
      const [event] = await log.append(labelInput(`i${i}`, ['a']));
      // read through a separate descriptor: the bytes must already be there when append resolves
      const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
      const last = parseEventLine(lines[lines.length - 1] as string);
      assert.ok(last.ok);
      assert.equal(last.event.eventId, event?.eventId);
      assert.equal(lines.length, i + 1);
    }
    await log.close();
  });

  it('keeps the call order of concurrent appends within one process', async () => {
    const log = await LabelLog.open(file);
    const pending = Array.from({ length: 100 }, (_, i) => log.append(labelInput('same', [`v${i}`])));
    await Promise.all(pending);
    await log.close();
    const result = await replay(file);
    assert.deepEqual(result.events.map((e) => e.labels[0]), Array.from({ length: 100 }, (_, i) => `v${i}`));
    assert.deepEqual(result.state.get('same')?.labels, ['v99']);
  });

  it('lets the last event per item win', async () => {
    const log = await LabelLog.open(file);
    await log.append([labelInput('a', ['x']), labelInput('b', ['y']), labelInput('a', ['z'], { annotator: 'bob' })]);
    await log.close();
    const { state } = await replay(file);
    assert.deepEqual(state.get('a')?.labels, ['z']);
    assert.equal(state.get('a')?.labelEvent?.annotator, 'bob');
    assert.deepEqual(state.get('b')?.labels, ['y']);
  });

  it('rejects invalid events without writing anything', async () => {
    const log = await LabelLog.open(file);
    assert.throws(() => log.append(labelInput('a', [])), /at least one label/);
    assert.throws(() => log.append(labelInput('', ['x'])), /itemId/);
    assert.throws(() => log.append(labelInput('a', ['x'], { score: Number.NaN })), /score/);
    assert.throws(() => log.append({ type: 'undo', itemId: 'a', labels: [], annotator: 'a', source: 'queue' }), /undoes/);
    await log.close();
    assert.equal(await readFile(file, 'utf8'), '');
  });

  it('refuses appends after close', async () => {
    const log = await LabelLog.open(file);
    await log.close();
    await assert.rejects(log.append(labelInput('a', ['x'])), LabelLogError);
  });

  it('reads a missing log as empty', async () => {
    const result = await replay(join(dir, 'nope.jsonl'));
    assert.equal(result.state.size, 0);
    assert.deepEqual(result.problems, []);
  });
});

describe('undo, redo, skip and flag', () => {
  let file: string;
  eachTempLog((path) => (file = path));

  it('undo reverts the item to what it was before, and undo twice goes back two steps', async () => {
    const log = await LabelLog.open(file);
    const [e1] = await log.append(labelInput('a', ['one']));
    const [e2] = await log.append(labelInput('a', ['two']));
    const [e3] = await log.append(labelInput('a', ['three']));
    await log.append(undoOf(e3!, { annotator: 'alice' }));
    let result = await replay(file);
    assert.deepEqual(result.state.get('a')?.labels, ['two']);
    // the session asks the reducer what to undo next
    const next = result.labelState.nextUndo();
    assert.equal(next?.eventId, e2!.eventId);
    await log.append(undoOf(next!, { annotator: 'alice' }));
    result = await replay(file);
    assert.deepEqual(result.state.get('a')?.labels, ['one']);
    await log.append(undoOf(e1!, { annotator: 'alice' }));
    result = await replay(file);
    assert.equal(result.state.has('a'), false, 'all labels undone: the item is unlabeled again');
    assert.equal(result.labelState.hasHistory('a'), true);
    assert.equal(result.events.length, 6, 'history is never rewritten');
    await log.close();
  });

  it('undoing an undo is a redo, and undoing that again undoes', async () => {
    const log = await LabelLog.open(file);
    await log.append(labelInput('a', ['one']));
    const [e2] = await log.append(labelInput('a', ['two']));
    const [u1] = await log.append(undoOf(e2!, { annotator: 'alice' }));
    let result = await replay(file);
    assert.deepEqual(result.state.get('a')?.labels, ['one']);
    assert.equal(result.labelState.nextRedo()?.eventId, u1!.eventId);
    const [u2] = await log.append(undoOf(u1!, { annotator: 'alice' }));
    result = await replay(file);
    assert.deepEqual(result.state.get('a')?.labels, ['two']);
    assert.equal(result.labelState.nextUndo()?.eventId, e2!.eventId);
    assert.equal(result.labelState.nextRedo(), undefined, 'nothing left to redo');
    const [u3] = await log.append(undoOf(u2!, { annotator: 'alice' }));
    result = await replay(file);
    assert.deepEqual(result.state.get('a')?.labels, ['one']);
    assert.equal(result.labelState.nextRedo()?.eventId, u3!.eventId);
    assert.deepEqual(result.problems, []);
    await log.close();
  });

  it('undoing an older event removes only that event', async () => {
    const log = await LabelLog.open(file);
    const [e1] = await log.append(labelInput('a', ['one']));
    await log.append(labelInput('a', ['two']));
    await log.append(undoOf(e1!, { annotator: 'alice' }));
    await log.close();
    const { state } = await replay(file);
    assert.deepEqual(state.get('a')?.labels, ['two']);
  });

  it('reports undo of an unknown or already undone event, and changes nothing', async () => {
    const log = await LabelLog.open(file);
    const [e1] = await log.append(labelInput('a', ['one']));
    await log.append(undoOf(e1!, { annotator: 'alice' }));
    await log.append(undoOf(e1!, { annotator: 'bob' }));
    await log.append({ type: 'undo', itemId: 'a', labels: [], annotator: 'x', source: 'queue', undoes: 'ghost' });
    await log.close();
    const { state, problems } = await replay(file);
    assert.equal(state.has('a'), false);
    assert.deepEqual(problems.map((p) => [p.kind, p.line]), [['undo-no-effect', 3], ['unknown-undo-target', 4]]);
    assert.match(problems[0]!.message, /labels\.jsonl:3: /);
  });

  it('records skip and flag as state flags; a later label clears the skip', async () => {
    const log = await LabelLog.open(file);
    const base = { labels: [], annotator: 'alice', source: 'queue' as const };
    await log.append([{ ...base, type: 'skip', itemId: 's' }, { ...base, type: 'flag', itemId: 'f' }]);
    await log.append([labelInput('f', ['x']), labelInput('ls', ['y']), { ...base, type: 'skip', itemId: 'ls' }]);
    const [skip2] = await log.append({ ...base, type: 'skip', itemId: 'relabel' });
    await log.append(labelInput('relabel', ['z']));
    const { state } = await replay(file);
    assert.deepEqual(
      [state.get('s')?.skipped, state.get('s')?.labeled, state.get('s')?.flagged],
      [true, false, false],
    );
    assert.deepEqual([state.get('f')?.flagged, state.get('f')?.labels], [true, ['x']]);
    assert.deepEqual([state.get('ls')?.skipped, state.get('ls')?.labeled], [true, false], 'the last event wins');
    assert.deepEqual([state.get('relabel')?.skipped, state.get('relabel')?.labels], [false, ['z']]);
    assert.equal(skip2?.type, 'skip');
    // unflag by undoing the flag
    const flag = (await replay(file)).events.find((e) => e.type === 'flag');
    await log.append(undoOf(flag!, { annotator: 'alice' }));
    await log.close();
    const after = await replay(file);
    assert.deepEqual([after.state.get('f')?.flagged, after.state.get('f')?.labels], [false, ['x']]);
  });
});
