/**
 * A host on the typed protocol for tests: runs the real engine worker (TypeScript through tsx) in a
 * real worker thread, validates and timestamps every message it sends back, and lets a test wait
 * for one. Shared by the worker tests and the QA tests.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as v from 'valibot';
import { WorkerToHost, type HostToWorker, type StartMessage } from '../../../src/shared/protocol/engine';

const WORKER = path.resolve(__dirname, '../../../src/worker/engineWorker.ts');

export type Of<T extends WorkerToHost['type']> = Extract<WorkerToHost, { type: T }>;

interface Waiter {
  pred: (m: WorkerToHost) => boolean;
  resolve: (m: WorkerToHost) => void;
  reject: (e: Error) => void;
}

export class Host {
  readonly worker: Worker;
  /** Every message, in order of arrival. */
  readonly messages: WorkerToHost[] = [];
  /** performance.now() at the arrival of messages[i]. */
  readonly arrivedAt: number[] = [];
  private waiters: Waiter[] = [];

  /**
   * `file`: the worker entry; the TypeScript source by default, or a built bundle (`dist/worker.js`).
   * `bundleArgv`: Node options for a bundle's thread (a benchmark's `--cpu-prof`); none by default.
   */
  constructor(file = WORKER, bundleArgv: readonly string[] = []) {
    // Node 20 workers do not take a .ts entry even with tsx preloaded; register tsx's CJS hook
    // inside the thread, then load the real entry file.
    this.worker = file.endsWith('.ts')
      ? new Worker("require('tsx/cjs'); require(require('node:worker_threads').workerData.file);", { eval: true, workerData: { file } })
      : // A bundle runs as in the extension host: without this process's tsx loader (workers inherit execArgv).
        new Worker(file, { execArgv: [...bundleArgv] });
    this.worker.on('error', (error) => {
      for (const w of this.waiters) w.reject(error);
      this.waiters = [];
    });
    this.worker.on('message', (m: unknown) => {
      assert.ok(v.is(WorkerToHost, m), `malformed message ${JSON.stringify(m).slice(0, 300)}`);
      this.messages.push(m);
      this.arrivedAt.push(performance.now());
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

  /** The first message of `type` matching `pred` among those after the first `since` messages. */
  wait<T extends WorkerToHost['type']>(type: T, pred: (m: Of<T>) => boolean = () => true, ms = 20_000, since = 0): Promise<Of<T>> {
    return this.waitAny((m) => m.type === type && pred(m as Of<T>), ms, since, type) as Promise<Of<T>>;
  }

  /** The reply (`saved` or `saveFailed`) to `requestId`, seen after `since` messages. */
  reply(requestId: string, ms = 60_000, since = 0): Promise<Of<'saved'> | Of<'saveFailed'>> {
    return this.waitAny((m) => (m.type === 'saved' || m.type === 'saveFailed') && m.requestId === requestId, ms, since, `reply to ${requestId}`) as Promise<
      Of<'saved'> | Of<'saveFailed'>
    >;
  }

  private waitAny(match: (m: WorkerToHost) => boolean, ms: number, since: number, what: string): Promise<WorkerToHost> {
    const seen = this.messages.slice(since).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const errors = this.messages.filter((m) => m.type === 'error').map((m) => JSON.stringify(m).slice(0, 400));
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; got ${this.messages.map((m) => m.type).join(',')}; errors: ${errors.join(' | ') || 'none'}`));
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

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.send({ type: 'dispose' });
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Items served so far, in order (every `items` message after the first `since` messages). */
export function servedItems(host: Host, since = 0): Of<'items'>['items'] {
  return host.messages.slice(since).flatMap((m) => (m.type === 'items' ? m.items : []));
}

/**
 * A `start` for a dataset in a test workspace: lexical embeddings (no download), the engine's
 * usual defaults, models cached inside the workspace. Tests override what they are about.
 */
export function initMessage(
  datasetFile: string,
  workspaceRoot: string,
  labels: readonly string[],
  overrides: Partial<StartMessage> = {},
): StartMessage {
  return {
    type: 'start',
    datasetFile,
    workspaceRoot,
    textField: 'text',
    labels: [...labels],
    mode: 'single',
    strategy: 'margin',
    batchSize: 10,
    retrainEvery: 10,
    randomShare: 0.1,
    annotator: 'tester',
    model: 'lexical',
    cacheDir: path.join(workspaceRoot, 'models'),
    seed: 1,
    ...overrides,
  };
}
