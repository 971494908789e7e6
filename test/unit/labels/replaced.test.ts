import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  completeEvent,
  LabelLog,
  LabelLogChangedError,
  replay,
  serializeEvent,
  type LabelEvent,
  type LogReplacement,
} from '../../../src/core/labels';
import { labelInput, tempDir } from './helpers';

const run = promisify(execFile);

/** The ids of the events in the file at the path, in file order. */
async function idsAt(file: string): Promise<string[]> {
  return (await replay(file)).events.map((e) => e.eventId);
}

/** What another program does: write a new file beside the log and rename it over the log. */
async function replaceWith(file: string, lines: readonly string[]): Promise<void> {
  const temp = `${file}.new`;
  await writeFile(temp, lines.map((l) => `${l}\n`).join(''));
  await rename(temp, file);
}

function external(itemId: string, extra: Partial<LabelEvent> = {}): { event: LabelEvent; line: string } {
  const event = completeEvent(labelInput(itemId, ['ext'], extra));
  return { event, line: serializeEvent(event) };
}

describe('a label log replaced or removed while it is open', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  let reports: LogReplacement[];
  const onReplaced = (r: LogReplacement): void => {
    reports.push(r);
  };
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    file = join(dir, '.activelabel', 'data.csv-01234567', 'labels.jsonl');
    reports = [];
  });
  afterEach(() => cleanup());

  it('writes into the file that replaced it (rename-over), after telling the owner what the new file holds', async () => {
    const log = await LabelLog.open(file, { onReplaced });
    const [mine] = await log.append(labelInput('a', ['x']));
    const other = external('b');
    await replaceWith(file, [...(await readFile(file, 'utf8')).split('\n').filter((l) => l !== ''), other.line]);

    const [next] = await log.append(labelInput('c', ['z']));
    assert.deepEqual(await idsAt(file), [mine!.eventId, other.event.eventId, next!.eventId], 'the acknowledged event is in the file at the path');
    assert.equal(reports.length, 1);
    const [report] = reports;
    assert.equal(report?.change, 'replaced');
    assert.deepEqual(report?.replayed.events.map((e) => e.eventId), [mine!.eventId, other.event.eventId]);
    assert.deepEqual(report?.pending.map((e) => e.eventId), [next!.eventId]);
    assert.deepEqual(report?.alreadyPresent, []);
    assert.deepEqual(report?.missing, []);
    assert.match(report!.message, /labels\.jsonl was replaced outside Active Label/);

    await log.append(labelInput('d', ['w']));
    await log.close();
    assert.equal(reports.length, 1, 'reported once, not on every append');
    assert.equal((await idsAt(file)).length, 4);
  });

  it('recreates a deleted log and its folders, reports it once, and names the events the new file lacks', async () => {
    const log = await LabelLog.open(file, { onReplaced });
    const [mine] = await log.append(labelInput('a', ['x']));
    await rm(join(dir, '.activelabel'), { recursive: true, force: true });

    const [next] = await log.append(labelInput('b', ['y']));
    assert.deepEqual(await idsAt(file), [next!.eventId]);
    assert.equal(reports.length, 1);
    assert.equal(reports[0]?.change, 'removed');
    assert.deepEqual(reports[0]?.replayed.events, []);
    assert.deepEqual(reports[0]?.missing.map((e) => e.eventId), [mine!.eventId]);
    assert.match(reports[0]!.message, /labels\.jsonl was deleted outside Active Label.*created again.*1 event that was in the old file is not in it: restore the file from git/);

    await log.append(labelInput('c', ['z']));
    await log.close();
    assert.equal(reports.length, 1);
    assert.equal((await idsAt(file)).length, 2);
  });

  it('keeps working for an owner that passes no callback', async () => {
    const log = await LabelLog.open(file);
    await log.append(labelInput('a', ['x']));
    await rm(file);
    const [next] = await log.append(labelInput('b', ['y']));
    await log.close();
    assert.deepEqual(await idsAt(file), [next!.eventId]);
  });

  it('does not write twice an event whose eventId the new file already has, and says so', async () => {
    const log = await LabelLog.open(file, { onReplaced });
    await log.append(labelInput('a', ['x']));
    // e.g. another window saved the resent request before this one got to it
    const resent = external('r', { eventId: 'request-42' });
    await replaceWith(file, [resent.line]);

    const outcome = await log.appendNew([labelInput('r', ['mine'], { eventId: 'request-42' }), labelInput('s', ['new'])]);
    assert.deepEqual(outcome.alreadyPresent, [resent.event], 'the file copy is returned');
    assert.deepEqual(outcome.written.map((e) => e.itemId), ['s']);
    assert.deepEqual(outcome.events.map((e) => e.labels), [['ext'], ['new']], 'call order, file copy for the present one');
    assert.deepEqual(reports[0]?.alreadyPresent, [outcome.events[0]]);
    await log.close();
    const ids = await idsAt(file);
    assert.equal(ids.filter((id) => id === 'request-42').length, 1);
    assert.equal(ids.length, 2);
    assert.deepEqual((await replay(file)).problems, []);
  });

  it('knows the file as read and its own writes, not events the replayed state took afterwards', async () => {
    const first = await LabelLog.open(file);
    const [opened] = await first.append(labelInput('a', ['x'], { eventId: 'in-file' }));
    await first.close();
    const { log, replayed } = await LabelLog.openReplayed(file, { onReplaced });
    // An owner (the session) adopts the replay's state and applies an event it never wrote.
    replayed.labelState.apply(completeEvent(labelInput('b', ['y'], { eventId: 'only-applied' })));
    const [written] = await log.append(labelInput('c', ['z'], { eventId: 'written' }));
    const outcome = await log.appendNew([
      labelInput('a', ['x'], { eventId: 'in-file' }),
      labelInput('b', ['y'], { eventId: 'only-applied' }),
      labelInput('c', ['z'], { eventId: 'written' }),
    ]);
    assert.deepEqual(outcome.alreadyPresent, [opened, written]);
    assert.deepEqual(outcome.written.map((e) => e.eventId), ['only-applied']);
    // After a replacement, what the old file held (as far as the log knew) and the new one lacks.
    await replaceWith(file, [external('d').line]);
    await log.append(labelInput('e', ['w']));
    await log.close();
    assert.deepEqual(reports[0]?.missing.map((e) => e.eventId), ['in-file', 'written', 'only-applied']);
  });

  it('skips an eventId that was already in the file when it was opened', async () => {
    const first = await LabelLog.open(file);
    await first.append(labelInput('a', ['x'], { eventId: 'request-7' }));
    await first.close();
    const log = await LabelLog.open(file);
    const outcome = await log.appendNew(labelInput('a', ['x'], { eventId: 'request-7' }));
    const [again] = await log.append(labelInput('a', ['x'], { eventId: 'request-7' }));
    await log.close();
    assert.deepEqual([outcome.written.length, outcome.alreadyPresent.length], [0, 1]);
    assert.equal(again?.eventId, 'request-7');
    assert.deepEqual(await idsAt(file), ['request-7']);
    assert.equal((await readFile(file, 'utf8')).split('\n').length, 2, 'one line, one newline');
  });

  it('lets the owner cancel the pending append: it rejects and nothing is written', async () => {
    const log = await LabelLog.open(file, {
      onReplaced: (r) => {
        reports.push(r);
        return 'cancel';
      },
    });
    await log.append(labelInput('a', ['x']));
    const other = external('b');
    await replaceWith(file, [other.line]);
    await assert.rejects(log.append(labelInput('c', ['z'])), (error: unknown) => {
      assert.ok(error instanceof LabelLogChangedError);
      assert.equal(error.change, 'replaced');
      assert.match(error.message, /cancelled; nothing was written/);
      return true;
    });
    assert.deepEqual(await idsAt(file), [other.event.eventId]);
    const [later] = await log.append(labelInput('d', ['w']));
    await log.close();
    assert.equal(reports.length, 1);
    assert.deepEqual(await idsAt(file), [other.event.eventId, later!.eventId]);
  });

  it('never acknowledges a write that landed in a file replaced during the append', async () => {
    const second = external('second');
    const log = await LabelLog.open(file, {
      onReplaced: async (r) => {
        reports.push(r);
        // replaced again after the check and before our write: our bytes go to an orphan
        if (reports.length === 1) await replaceWith(file, [second.line]);
      },
    });
    await log.append(labelInput('a', ['x']));
    await replaceWith(file, [external('first').line]);
    const [next] = await log.append(labelInput('c', ['z']));
    await log.close();
    assert.deepEqual(reports.map((r) => r.change), ['replaced', 'replaced']);
    assert.deepEqual(reports[1]?.replayed.events.map((e) => e.eventId), [second.event.eventId]);
    assert.deepEqual(await idsAt(file), [second.event.eventId, next!.eventId]);
  });

  it('survives a real git pull: the pulled events are reported and the next label is in the pulled file', { timeout: 600_000 }, async () => {
    const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
    const git = async (cwd: string, ...args: string[]): Promise<void> => {
      await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'init.defaultBranch=main', ...args], { cwd, env });
    };
    const origin = join(dir, 'origin.git');
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await git(dir, 'init', '-q', '--bare', origin);
    await git(dir, 'init', '-q', a);
    await git(a, 'remote', 'add', 'origin', origin);
    const rel = join('.activelabel', 'data.csv-01234567', 'labels.jsonl');
    const fileA = join(a, rel);

    const log = await LabelLog.open(fileA, { onReplaced });
    const [e1] = await log.append(labelInput('a1', ['x']));
    await git(a, 'add', '-A');
    await git(a, 'commit', '-q', '-m', 'one');
    await git(a, 'push', '-q', '-u', 'origin', 'main');

    await git(dir, 'clone', '-q', origin, b);
    const logB = await LabelLog.open(join(b, rel));
    const fromB = await logB.append([labelInput('b1', ['y']), labelInput('b2', ['z'])]);
    await logB.close();
    await git(b, 'commit', '-q', '-am', 'two');
    await git(b, 'push', '-q');

    await git(a, 'pull', '-q', '--ff-only');
    const [e3] = await log.append(labelInput('a3', ['w']));
    await log.close();

    const expected = [e1!, ...fromB].map((e) => e.eventId);
    assert.deepEqual(await idsAt(fileA), [...expected, e3!.eventId], 'the new label is in the file git left at the path');
    assert.equal(reports.length, 1);
    assert.equal(reports[0]?.change, 'replaced');
    assert.deepEqual(reports[0]?.replayed.events.map((e) => e.eventId), expected, 'the events from B were reported');
    assert.equal(dirname(reports[0]!.file), dirname(fileA));
  });
});
