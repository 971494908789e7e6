/**
 * A test host for the real engine worker (src/worker/engineWorker.ts in a real worker thread,
 * TypeScript through tsx): validates every message on the typed protocol, timestamps it, and lets
 * a test wait for one.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { isWorkerToHost, type HostToWorker, type WorkerToHost } from '../../../src/shared/workerProtocol';

const WORKER = path.resolve(__dirname, '../../../src/worker/engineWorker.ts');

export type Of<T extends WorkerToHost['type']> = Extract<WorkerToHost, { type: T }>;

interface Waiter {
  pred: (m: WorkerToHost) => boolean;
  resolve: (m: WorkerToHost) => void;
  reject: (e: Error) => void;
}

export class WorkerHost {
  readonly worker: Worker;
  readonly messages: { at: number; message: WorkerToHost }[] = [];
  private waiters: Waiter[] = [];

  constructor() {
    // Node 20 workers do not take a .ts entry even with tsx preloaded: register tsx inside.
    this.worker = new Worker("require('tsx/cjs'); require(require('node:worker_threads').workerData.file);", {
      eval: true,
      workerData: { file: WORKER },
    });
    this.worker.on('error', (error) => {
      for (const w of this.waiters) w.reject(error);
      this.waiters = [];
    });
    this.worker.on('message', (m: unknown) => {
      assert.ok(isWorkerToHost(m), `malformed message ${JSON.stringify(m).slice(0, 300)}`);
      this.messages.push({ at: performance.now(), message: m });
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(m)) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  send(m: HostToWorker): void {
    this.worker.postMessage(m);
  }

  /** The next message of `type` matching `pred` that arrives after `since` messages were seen. */
  wait<T extends WorkerToHost['type']>(type: T, pred: (m: Of<T>) => boolean = () => true, ms = 60_000, since = 0): Promise<Of<T>> {
    return this.waitAny((m) => m.type === type && pred(m as Of<T>), ms, since) as Promise<Of<T>>;
  }

  private waitAny(match: (m: WorkerToHost) => boolean, ms: number, since: number): Promise<WorkerToHost> {
    const seen = this.messages.slice(since).find((e) => match(e.message));
    if (seen !== undefined) return Promise.resolve(seen.message);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const errors = this.messages.filter((e) => e.message.type === 'error').map((e) => JSON.stringify(e.message).slice(0, 400));
        reject(new Error(`timed out after ${ms} ms; got ${this.messages.length} messages; errors: ${errors.join(' | ') || 'none'}`));
      }, ms);
      this.waiters.push({
        pred: match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  /** The reply (`saved` or `saveFailed`) to `requestId`, seen after `since` messages. */
  reply(requestId: string, ms = 60_000, since = 0): Promise<Of<'saved'> | Of<'saveFailed'>> {
    return this.waitAny((m) => (m.type === 'saved' || m.type === 'saveFailed') && m.requestId === requestId, ms, since) as Promise<
      Of<'saved'> | Of<'saveFailed'>
    >;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.send({ type: 'dispose' });
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
