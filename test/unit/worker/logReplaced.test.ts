/**
 * The label log replaced or removed under a running session (a git pull, `git checkout`, a sync
 * tool, `rm -r .activelabel`): the real worker must write the next label into the file at the
 * path, adopt what that file holds, tell the user, and never answer `saved` for a write that is
 * not there.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { replay } from '../../../src/core/labels/replay';
import { labelLogPath } from '../../../src/core/labels/storePath';
import { Host, initMessage } from './workerHost';

let dir: string;
let dataset: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-replaced-'));
  dataset = path.join(dir, 'data.jsonl');
  await fs.writeFile(dataset, Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: `r${i}`, text: `row ${i} ${i % 2 ? 'rain' : 'goal'}` })).join('\n') + '\n');
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function label(host: Host, requestId: string, itemId: string, labels = ['sport']): Promise<string> {
  const since = host.messages.length;
  host.send({ type: 'label', requestId, itemId, labels, source: 'queue' });
  return (await host.reply(requestId, 60_000, since)).type;
}

test('rename-over: the next label lands in the new file, whose events the session adopts', async () => {
  const root = path.join(dir, 'rename');
  await fs.mkdir(root);
  const host = new Host();
  const log = labelLogPath(root, dataset);
  try {
    host.send(initMessage(dataset, root, ['sport', 'weather'], { workspaceRoot: root }));
    await host.wait('engineReady');
    assert.equal(await label(host, 'a1', 'r1'), 'saved');
    assert.equal(await label(host, 'a2', 'r2'), 'saved');
    // Another clone's log (one event of its own) replaces ours, as `git pull` does: a new inode.
    const theirs = (await fs.readFile(log, 'utf8')).split('\n')[0] + '\n';
    const other = theirs.replace('"itemId":"r1"', '"itemId":"r9"').replace(/,"crc":"[0-9a-f]{8}"/, '').replace('req-a1', 'theirs-1');
    await fs.writeFile(`${log}.tmp`, other);
    await fs.rename(`${log}.tmp`, log);

    const since = host.messages.length;
    assert.equal(await label(host, 'a3', 'r3'), 'saved');
    const notice = await host.wait('notice', () => true, 60_000, since);
    assert.match(notice.message, /replaced/i);
    const { events } = await replay(log);
    assert.deepEqual(events.map((e) => e.itemId), ['r9', 'r3'], 'the file at the path holds their event and our new one');
    const counts = await host.wait('counts', (m) => m.labeled === 2, 60_000, since);
    assert.equal(counts.labeled, 2, 'the session counts what the file at the path holds');
    // Our old request ids are gone with the old file; theirs is known.
    assert.equal(await label(host, 'a1', 'r1'), 'saved');
    assert.equal((await replay(log)).events.length, 3, 'a1 was not in the new file, so it is written there');
  } finally {
    await host.close();
  }
});

test('unlink: the log is recreated and the label is in it; an undo of an event the new file lacks is refused', async () => {
  const root = path.join(dir, 'unlink');
  await fs.mkdir(root);
  const host = new Host();
  const log = labelLogPath(root, dataset);
  try {
    host.send(initMessage(dataset, root, ['sport', 'weather'], { workspaceRoot: root }));
    await host.wait('engineReady');
    assert.equal(await label(host, 'b1', 'r1'), 'saved');
    await fs.rm(path.join(root, '.activelabel'), { recursive: true, force: true });

    const since = host.messages.length;
    host.send({ type: 'undo', requestId: 'u1', itemId: 'r1' });
    const undo = await host.reply('u1', 60_000, since);
    assert.equal(undo.type, 'saveFailed', 'the label it would undo is not in the file any more');
    assert.equal(await label(host, 'b2', 'r2'), 'saved');
    const { events } = await replay(log);
    assert.deepEqual(events.map((e) => [e.type, e.itemId]), [['label', 'r2']], 'recreated, with only the new label');
    assert.ok(host.messages.slice(since).some((m) => m.type === 'notice' && /removed|replaced/i.test(m.message)));
  } finally {
    await host.close();
  }
});
