/**
 * The engine thread lowers its own priority, not the process's: the extension host's main thread
 * (the editor's side) keeps its own. Checked in a real worker thread against the kernel's figures.
 */
import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ENGINE_NICE_STEP, enginePriorityStep, threadId } from '../../../src/worker/threadPriority';

const linux = process.platform === 'linux';

test('a worker thread that lowers its priority leaves the main thread and the process as they were', { skip: linux ? false : 'per-thread priority is Linux only' }, async () => {
  const mainTid = threadId();
  assert.equal(mainTid, process.pid, "the main thread's id is the process id");
  const before = getPriority(process.pid);
  const source = `
    const { parentPort } = require('node:worker_threads');
    require('tsx/cjs');
    const { lowerThreadPriority, threadId } = require(${JSON.stringify(require.resolve('../../../src/worker/threadPriority'))});
    const tid = threadId();
    const nice = lowerThreadPriority();
    const { getPriority } = require('node:os');
    parentPort.postMessage({ tid, nice, seen: getPriority(tid) });
  `;
  const worker = new Worker(source, { eval: true });
  const reply = await new Promise<{ tid: number; nice: number; seen: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.notEqual(reply.tid, process.pid, 'the worker has its own thread id');
  assert.equal(reply.nice, Math.min(19, before + ENGINE_NICE_STEP));
  assert.equal(reply.seen, reply.nice);
  assert.equal(getPriority(process.pid), before, 'the main thread keeps its priority');
});

test('the step comes from ACTIVE_LABEL_ENGINE_NICE when it is an integer from 0 to 19, else the default', () => {
  assert.equal(enginePriorityStep(undefined), ENGINE_NICE_STEP);
  assert.equal(enginePriorityStep('0'), 0);
  assert.equal(enginePriorityStep('5'), 5);
  for (const bad of ['', ' ', '-1', '20', '2.5', 'ten']) assert.equal(enginePriorityStep(bad), ENGINE_NICE_STEP, bad);
});
