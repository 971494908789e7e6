/**
 * `importLabels` through the real engine worker: the worker owns the log while a session runs, so
 * the import is parsed and matched there and appended through the LabelWriter; the reply carries
 * the counts and every line left out with file:line, and the session's counts follow.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { replay } from '../../../src/core/labels/replay';
import { labelLogPath } from '../../../src/core/labels/storePath';
import { Host, initMessage } from './workerHost';

const FIXTURES = path.resolve(__dirname, '../../fixtures/imports');
let root: string;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'al-import-'));
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test('a Prodigy export is imported into the running session, once, with file:line for what was left out', async () => {
  const datasetFile = path.join(root, 'news.jsonl');
  await fs.copyFile(path.join(FIXTURES, 'news.jsonl'), datasetFile);
  const host = new Host();
  try {
    host.send(initMessage(datasetFile, root, ['sports', 'business', 'tech']));
    await host.wait('engineReady');
    const file = path.join(FIXTURES, 'prodigy.jsonl');
    host.send({ type: 'importLabels', requestId: 'imp-1', file });
    const reply = await host.wait('imported', (m) => m.requestId === 'imp-1');
    assert.equal(reply.tool, 'prodigy');
    assert.equal(reply.imported, 3);
    assert.equal(reply.unmatched, 1);
    assert.match(reply.summary, /^Imported 3 labels from prodigy\.jsonl \(prodigy\)\./);
    assert.deepEqual(reply.problems.map((p) => [p.line, p.kind]), [[4, 'rejected'], [5, 'ignored'], [6, 'unmatched'], [7, 'invalid-json'], [8, 'unknown-label']]);
    assert.ok(reply.problems.every((p) => p.message.startsWith(`prodigy.jsonl:${p.line}: `)));
    const counts = await host.wait('counts', (m) => m.labeled === 3);
    assert.equal(counts.labeled, 3);

    const { state, events } = await replay(labelLogPath(root, datasetFile));
    assert.deepEqual([...state.values()].map((c) => [c.itemId, c.labels[0], c.labelEvent?.annotator, c.labelEvent?.tool]).sort(), [
      ['n1', 'sports', 'news-alex', 'prodigy'],
      ['n2', 'business', 'news-alex', 'prodigy'],
      ['n3', 'tech', '2018-08-11_13-28-10', 'prodigy'],
    ]);

    host.send({ type: 'importLabels', requestId: 'imp-2', file });
    const again = await host.wait('imported', (m) => m.requestId === 'imp-2');
    assert.equal(again.imported, 0);
    assert.equal(again.alreadyImported, 3);
    assert.equal((await replay(labelLogPath(root, datasetFile))).events.length, events.length, 'nothing written twice');

    host.send({ type: 'importLabels', requestId: 'imp-3', file: path.join(root, 'missing.jsonl') });
    const failed = await host.wait('error', (m) => m.requestId === 'imp-3');
    assert.match(failed.message, /Could not import .*missing\.jsonl/);
  } finally {
    await host.close();
  }
});
