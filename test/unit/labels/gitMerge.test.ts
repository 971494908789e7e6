import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ensureStoreRoot, labelLogPath, LabelLog, replay, STORE_GITATTRIBUTES, STORE_GITATTRIBUTES_LINE, type LabelEvent } from '../../../src/core/labels';
import { labelInput, tempDir } from './helpers';

/** Real git in a throwaway repository, isolated from the user's and the system's configuration. */
function gitIn(dir: string): (...args: string[]) => { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
  return (...args) => {
    const r = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', ...args], { cwd: dir, env, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}

async function appendAs(file: string, annotator: string, items: ReadonlyArray<[string, string]>): Promise<LabelEvent[]> {
  const log = await LabelLog.open(file);
  try {
    const written: LabelEvent[] = [];
    // One append per event, as a labeling session writes them.
    for (const [itemId, label] of items) written.push(...(await log.append(labelInput(itemId, [label], { annotator }))));
    return written;
  } finally {
    await log.close();
  }
}

describe('two annotators on two branches, merged by git', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let git: ReturnType<typeof gitIn>;
  let log: string;
  let rel: string;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    git = gitIn(dir);
    assert.equal(git('init', '-q', '-b', 'main').status, 0);
    await writeFile(join(dir, 'data.jsonl'), '{"text":"a"}\n');
    await ensureStoreRoot(dir);
    log = labelLogPath(dir, 'data.jsonl');
    rel = relative(dir, log);
  });
  afterEach(() => cleanup());

  const commitAll = (message: string): void => {
    assert.equal(git('add', '-A').status, 0);
    const r = git('commit', '-q', '-m', message);
    assert.equal(r.status, 0, r.stderr);
  };

  /** base on main, then alice and bob each append on their own branch; returns every event written. */
  async function twoBranches(): Promise<{ base: LabelEvent[]; alice: LabelEvent[]; bob: LabelEvent[] }> {
    const base = await appendAs(log, 'carol', [['i1', 'sports'], ['i2', 'business']]);
    commitAll('base labels');
    assert.equal(git('checkout', '-q', '-b', 'alice').status, 0);
    const alice = await appendAs(log, 'alice', [['i3', 'sports'], ['i4', 'world'], ['i5', 'sports']]);
    commitAll('alice labels');
    assert.equal(git('checkout', '-q', '-b', 'bob', 'main').status, 0);
    const bob = await appendAs(log, 'bob', [['i3', 'sports'], ['i4', 'business'], ['i6', 'tech']]);
    commitAll('bob labels');
    assert.equal(git('checkout', '-q', 'alice').status, 0);
    return { base, alice, bob };
  }

  it('ships merge=union for the label logs, as git reads it', async () => {
    const attr = git('check-attr', 'merge', '--', rel);
    assert.equal(attr.stdout.trim(), `${rel}: merge: union`);
    assert.equal(await readFile(join(dir, '.activelabel', '.gitattributes'), 'utf8'), STORE_GITATTRIBUTES);
  });

  it('merges without a conflict, and replay keeps every event of both branches', async () => {
    const { base, alice, bob } = await twoBranches();
    const merge = git('merge', '--no-edit', 'bob');
    assert.equal(merge.status, 0, `merge failed: ${merge.stdout}${merge.stderr}`);
    assert.equal(git('status', '--porcelain').stdout, '', 'nothing left unmerged');
    const text = await readFile(log, 'utf8');
    assert.doesNotMatch(text, /^(<<<<<<<|=======|>>>>>>>)/m);

    const replayed = await replay(log);
    assert.deepEqual(replayed.problems, []);
    const ids = replayed.events.map((e) => e.eventId).sort();
    assert.deepEqual(ids, [...base, ...alice, ...bob].map((e) => e.eventId).sort());
    // Each annotator's labels survive: i4 is the item the two disagree on.
    const i4 = replayed.state.get('i4');
    assert.deepEqual(
      i4?.annotators.map((a) => [a.annotator, a.labels]).sort(),
      [['alice', ['world']], ['bob', ['business']]],
    );
    assert.equal(i4?.disagree, true);
    assert.equal(replayed.state.get('i3')?.decidedBy, 'agreement');
    assert.deepEqual(replayed.state.get('i6')?.labels, ['tech']);
    assert.deepEqual(replayed.state.get('i5')?.labels, ['sports']);
  });

  it('without the attribute the same merge conflicts (so the attribute is what makes it work)', async () => {
    await rm(join(dir, '.activelabel', '.gitattributes'));
    await twoBranches();
    const merge = git('merge', '--no-edit', 'bob');
    assert.notEqual(merge.status, 0);
    assert.match(merge.stdout, /CONFLICT/);
    git('merge', '--abort');
  });

  it('an event both branches carry (a cherry-pick) is read once', async () => {
    const { base, alice, bob } = await twoBranches();
    const bobHead = git('rev-parse', 'bob').stdout.trim();
    // alice cherry-picks bob's commit, then labels one more item; then bob's branch is merged. Git 2.39
    // leaves bob's three lines in the file twice here; replay reads each once.
    const pick = git('cherry-pick', bobHead);
    assert.equal(pick.status, 0, pick.stderr);
    const more = await appendAs(log, 'alice', [['i7', 'world']]);
    commitAll('alice again');
    const merge = git('merge', '--no-edit', 'bob');
    assert.equal(merge.status, 0, `merge failed: ${merge.stdout}${merge.stderr}`);
    const replayed = await replay(log);
    const ids = replayed.events.map((e) => e.eventId);
    assert.equal(new Set(ids).size, ids.length, 'no event is counted twice');
    assert.deepEqual([...ids].sort(), [...base, ...alice, ...bob, ...more].map((e) => e.eventId).sort());
    assert.ok(replayed.problems.every((p) => p.kind === 'duplicate-event'), JSON.stringify(replayed.problems));
  });

  it("a torn last line on one branch (a crash, then a commit) loses none of the other branch's events", async () => {
    const { base, alice, bob } = await twoBranches();
    // alice's session was killed mid-write and she committed the log as it was: no final newline.
    await appendFile(log, '{"v":1,"type":"label","eventId":"torn-1","itemId":"i9","lab');
    commitAll('alice, after a crash');
    const merge = git('merge', '--no-edit', 'bob');
    assert.equal(merge.status, 0, `merge failed: ${merge.stdout}${merge.stderr}`);
    const replayed = await replay(log);
    assert.deepEqual(replayed.events.map((e) => e.eventId).sort(), [...base, ...alice, ...bob].map((e) => e.eventId).sort());
    assert.ok(replayed.problems.length >= 1);
    assert.ok(replayed.problems.every((p) => ['torn-line', 'torn-tail', 'invalid-json'].includes(p.kind)), JSON.stringify(replayed.problems));
  });
});

describe('ensureStoreRoot and .gitattributes', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());
  const attributes = (): string => join(dir, '.activelabel', '.gitattributes');

  it('adds the union line to a user file that does not mention it, keeping what was there', async () => {
    await ensureStoreRoot(dir);
    await writeFile(attributes(), '*.csv text eol=lf');
    await ensureStoreRoot(dir);
    assert.equal(await readFile(attributes(), 'utf8'), `*.csv text eol=lf\n${STORE_GITATTRIBUTES_LINE}\n`);
    await ensureStoreRoot(dir);
    assert.equal(await readFile(attributes(), 'utf8'), `*.csv text eol=lf\n${STORE_GITATTRIBUTES_LINE}\n`, 'added once');
  });

  it("leaves a user's own merge setting for the logs alone", async () => {
    await ensureStoreRoot(dir);
    for (const mine of ['labels.jsonl -merge\n', '*.jsonl merge=mydriver\n', '# note\nsub/labels.jsonl merge\n']) {
      await writeFile(attributes(), mine);
      await ensureStoreRoot(dir);
      assert.equal(await readFile(attributes(), 'utf8'), mine);
    }
    // A comment that names the log does not count as a setting.
    await writeFile(attributes(), '# labels.jsonl merge=union\n');
    await ensureStoreRoot(dir);
    assert.equal(await readFile(attributes(), 'utf8'), `# labels.jsonl merge=union\n${STORE_GITATTRIBUTES_LINE}\n`);
  });
});
