/**
 * The worker writes the dataset snapshot after a start (and after a reload) and the next start
 * reads it: the real engine worker over the typed protocol, the real loader, lexical embeddings.
 * The snapshot threshold is lowered through `snapshotMinItems` so the file stays small.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { SNAPSHOT_FILE_NAME } from '../../../src/core/dataset';
import { datasetStoreDir } from '../../../src/core/labels';
import { Host, initMessage, servedItems, type Of } from './workerHost';

const LABELS = ['sport', 'weather'];
let root: string;

before(async () => {
  root = await fs.mkdtemp(path.join(tmpdir(), 'al-snapshot-'));
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const WRITTEN = /^Dataset snapshot written/;
const READ = /^Dataset read from its snapshot/;

function rows(n: number, offset = 0): string {
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ text: `match report ${i + offset}: the ${i % 2 ? 'rain' : 'striker'} held on`, label: i % 3 === 0 ? 'sport' : undefined }));
  // A duplicate and a bad row, so the summary and the problems have something to carry.
  return `${[...lines, lines[0], '{"text": broken'].join('\n')}\n`;
}

async function workspace(name: string, content: string): Promise<{ dir: string; file: string; snapshot: string }> {
  const dir = path.join(root, name);
  await fs.mkdir(dir);
  const file = path.join(dir, 'data.jsonl');
  await fs.writeFile(file, content);
  return { dir, file, snapshot: path.join(datasetStoreDir(dir, file), SNAPSHOT_FILE_NAME) };
}

/** The file's labels kept for review: the loader's label field is part of what the snapshot is for. */
const init = (file: string, dir: string): ReturnType<typeof initMessage> =>
  initMessage(file, dir, LABELS, { snapshotMinItems: 1, existingLabels: { field: 'label', use: 'review', map: { sport: 'sport' } } });

interface Run {
  readonly ready: Of<'engineReady'>;
  readonly items: string[];
  readonly logs: Of<'log'>[];
}

/** A start, its first batch, and (when `until` is given) the log line it waits for before closing. */
async function start(dir: string, file: string, until?: RegExp): Promise<Run> {
  const host = new Host();
  try {
    host.send(init(file, dir));
    host.send({ type: 'needItems', count: 10 });
    const ready = await host.wait('engineReady', () => true, 60_000);
    await host.wait('items', () => true, 60_000);
    if (until !== undefined) await host.wait('log', (m) => until.test(m.message), 60_000);
    assert.deepEqual(host.messages.filter((m) => m.type === 'error'), []);
    return { ready, items: servedItems(host).map((i) => i.id), logs: host.messages.filter((m): m is Of<'log'> => m.type === 'log') };
  } finally {
    await host.close();
  }
}

test('a start writes the snapshot, the next start reads it and serves what a parse would', async () => {
  const { dir, file, snapshot } = await workspace('roundtrip', rows(60));
  const cold = await start(dir, file, WRITTEN);
  assert.ok(!cold.logs.some((m) => READ.test(m.message)));
  assert.ok((await fs.stat(snapshot)).size > 0);
  const written = await fs.readFile(snapshot);

  const warm = await start(dir, file);
  assert.ok(warm.logs.some((m) => READ.test(m.message)), 'the second start reads the snapshot');
  assert.ok(!warm.logs.some((m) => WRITTEN.test(m.message)), 'and writes none');
  assert.deepEqual(warm.ready.summary, cold.ready.summary);
  assert.deepEqual(warm.ready.problems, cold.ready.problems);
  assert.equal(warm.ready.toReview, cold.ready.toReview);
  assert.deepEqual(await fs.readFile(snapshot), written);

  // The same resume without the snapshot parses the file: the same items come first.
  await fs.rm(snapshot);
  const parsed = await start(dir, file, WRITTEN);
  assert.ok(!parsed.logs.some((m) => READ.test(m.message)));
  assert.deepEqual(parsed.ready, warm.ready);
  assert.deepEqual(parsed.items, warm.items);
});

test('a snapshot that cannot be written is a warning in the log, never a failed start', async () => {
  const { dir, file, snapshot } = await workspace('blocked', rows(30));
  // A non-empty folder where the snapshot goes: it can neither be read nor replaced.
  await fs.mkdir(snapshot, { recursive: true });
  await fs.writeFile(path.join(snapshot, 'keep'), 'x');
  const run = await start(dir, file, /^No dataset snapshot written/);
  assert.equal(run.ready.summary.rows, 32);
  const warning = run.logs.find((m) => /^No dataset snapshot written/.test(m.message));
  assert.equal(warning?.level, 'warn');
  assert.ok(run.items.length > 0);
});

test('a corrupt snapshot is ignored and rewritten', async () => {
  const { dir, file, snapshot } = await workspace('corrupt', rows(30));
  const first = await start(dir, file, WRITTEN);
  const bytes = await fs.readFile(snapshot);
  bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
  await fs.writeFile(snapshot, bytes);
  const again = await start(dir, file, WRITTEN);
  assert.ok(!again.logs.some((m) => READ.test(m.message)));
  assert.deepEqual(again.ready.summary, first.ready.summary);
  assert.ok(!(await fs.readFile(snapshot)).equals(bytes), 'rewritten');
  assert.ok((await start(dir, file)).logs.some((m) => READ.test(m.message)));
});

test('a reload after the file changed writes the new snapshot, which the next start reads', async () => {
  const { dir, file, snapshot } = await workspace('reload', rows(30));
  const host = new Host();
  try {
    host.send(init(file, dir));
    host.send({ type: 'needItems', count: 10 });
    await host.wait('engineReady', () => true, 60_000);
    await host.wait('log', (m) => WRITTEN.test(m.message), 60_000);
    const before = await fs.readFile(snapshot);
    await fs.writeFile(file, rows(40, 100));
    const since = host.messages.length;
    host.send({ type: 'reloadDataset' });
    const reloaded = await host.wait('datasetReloaded', () => true, 60_000, since);
    assert.equal(reloaded.failed, undefined);
    await host.wait('log', (m) => WRITTEN.test(m.message), 60_000, since);
    assert.ok(!(await fs.readFile(snapshot)).equals(before));
  } finally {
    await host.close();
  }
  const next = await start(dir, file);
  assert.ok(next.logs.some((m) => READ.test(m.message)));
  assert.equal(next.ready.summary.rows, 42);
});
