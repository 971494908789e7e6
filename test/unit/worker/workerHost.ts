/**
 * A host on the typed protocol for tests: runs the real engine worker (TypeScript through tsx) in a
 * real worker thread, validates every message it sends back, and lets a test wait for one.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { isWorkerToHost, type HostToWorker, type WorkerToHost } from '../../../src/shared/workerProtocol';

const WORKER = path.resolve(__dirname, '../../../src/worker/engineWorker.ts');

/** A host on the typed protocol: collects messages, lets a test wait for one. */
export class Host {
  readonly worker: Worker;
  readonly messages: WorkerToHost[] = [];
  private waiters: { pred: (m: WorkerToHost) => boolean; resolve: (m: WorkerToHost) => void; reject: (e: Error) => void }[] = [];

  constructor() {
    // Node 20 workers do not take a .ts entry even with tsx preloaded; register tsx's CJS hook
    // inside the thread, then load the real entry file.
    this.worker = new Worker("require('tsx/cjs'); require(require('node:worker_threads').workerData.file);", {
      eval: true,
      workerData: { file: WORKER },
    });
    this.worker.on('error', (error) => {
      for (const w of this.waiters) w.reject(error);
      this.waiters = [];
    });
    this.worker.on('message', (m: unknown) => {
      assert.ok(isWorkerToHost(m), `malformed message ${JSON.stringify(m)}`);
      this.messages.push(m);
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

  wait<T extends WorkerToHost['type']>(type: T, pred: (m: Extract<WorkerToHost, { type: T }>) => boolean = () => true, ms = 20000): Promise<Extract<WorkerToHost, { type: T }>> {
    const seen = this.messages.find((m) => m.type === type && pred(m as Extract<WorkerToHost, { type: T }>));
    if (seen !== undefined) return Promise.resolve(seen as Extract<WorkerToHost, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}; got ${this.messages.map((m) => m.type).join(',')}`)), ms);
      this.waiters.push({
        pred: (m) => m.type === type && pred(m as Extract<WorkerToHost, { type: T }>),
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<WorkerToHost, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.send({ type: 'dispose' });
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
