/**
 * Binary mode in the editor: the suspects and predictions name the reject class ("not spam"), so a
 * quick fix or Accept Prediction sends it as a label; the worker writes it as the panel writes a
 * reject (the stored class name), instead of refusing it as an unknown label.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { replay } from '../../../src/core/labels';
import { labelLogPath } from '../../../src/core/labels/storePath';
import { Host, initMessage } from './workerHost';

test('binary mode: a review decision for the reject class is written as a reject; an unknown label is still refused', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-review-binary-'));
  const data = path.join(dir, 'd.jsonl');
  await fs.writeFile(data, Array.from({ length: 12 }, (_, i) => JSON.stringify({ id: `b${i}`, text: `${i % 2 ? 'win money now' : 'meeting at noon'} ${i}` })).join('\n') + '\n');
  const host = new Host();
  try {
    host.send(initMessage(data, dir, ['spam'], { mode: 'binary', model: 'lexical' }));
    await host.wait('engineReady');
    host.send({ type: 'reviewLabel', requestId: 'rb-1', decisions: [{ itemId: 'b1', labels: ['spam'] }, { itemId: 'b2', labels: ['not spam'] }, { itemId: 'b3', labels: ['ham'] }] });
    const saved = await host.wait('reviewSaved', (m) => m.requestId === 'rb-1');
    assert.equal(saved.written, 2);
    assert.deepEqual(saved.failed.map((f) => f.itemId), ['b3']);
    const { events } = await replay(labelLogPath(dir, data));
    assert.deepEqual(events.map((e) => [e.itemId, e.labels, e.source]), [['b1', ['spam'], 'review'], ['b2', ['not spam'], 'review']]);
  } finally {
    await host.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
