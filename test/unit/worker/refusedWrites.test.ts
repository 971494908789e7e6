/**
 * A write the worker refuses at its boundary (a message its schema rejects) is still answered, so
 * nothing on the host waits for ever: `saveFailed` for the panel's writes (skip included, now a
 * write), `reviewSaved` with the failure for the editor's review decisions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_REVIEW_DECISIONS, type HostToWorker } from '../../../src/shared/protocol/engine';
import { Host } from './workerHost';

test('a refused skip and an oversized reviewLabel are answered, not dropped', async () => {
  const host = new Host();
  try {
    // Untyped on purpose: the message a buggy or hostile host might send.
    host.send({ type: 'skip', requestId: 'bad-skip', itemId: 42 } as unknown as HostToWorker);
    const failed = await host.reply('bad-skip');
    assert.equal(failed.type, 'saveFailed');
    const decisions = Array.from({ length: MAX_REVIEW_DECISIONS + 1 }, (_, i) => ({ itemId: `i${i}`, labels: ['a'] }));
    host.send({ type: 'reviewLabel', requestId: 'too-many', decisions });
    const answer = await host.wait('reviewSaved', (m) => m.requestId === 'too-many');
    assert.equal(answer.written, 0);
    assert.equal(answer.failed.length, 1);
    assert.match(answer.failed[0]?.message ?? '', /^Not written: /);
  } finally {
    await host.close();
  }
});
