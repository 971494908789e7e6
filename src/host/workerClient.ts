/**
 * The extension host's side of the engine worker (dist/worker.js). Everything heavy (parsing,
 * embedding, training, fsync) runs in that thread, so the host only posts and receives messages
 * and never blocks for more than a few milliseconds. What arrives is validated once, here, with the
 * protocol's schema; a malformed message is logged with its reason, never passed on.
 *
 * Free of the `vscode` module so it can be tested with a real worker in plain Node.
 */
import { randomUUID } from 'node:crypto';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { WorkerToHost, type HostToWorker } from '../shared/protocol/engine';
import type { Message } from '../shared/protocol/page';
import { parseWith } from '../shared/protocol/parse';

export type WorkerListener = (message: WorkerToHost) => void;

type ExportReply = Message<WorkerToHost, 'exported' | 'error'>;
type ImportReply = Message<WorkerToHost, 'imported' | 'error'>;
/** Replies matched to their request by requestId. */
type Reply = Message<WorkerToHost, 'exported' | 'imported' | 'error'>;

export class WorkerExitedError extends Error {
  constructor(readonly exitCode: number | null, detail: string) {
    super(`The Active Label engine stopped unexpectedly (${detail}).`);
    this.name = 'WorkerExitedError';
  }
}

export class WorkerClient {
  private readonly worker: Worker;
  private readonly listeners = new Set<WorkerListener>();
  private readonly pending = new Map<string, { resolve(reply: Reply): void; reject(error: Error): void }>();
  private exited = false;
  private lastError: Error | undefined;

  /**
   * @param workerFile absolute path of the bundled worker (dist/worker.js)
   * @param onInvalid called with the reason a message failed validation (logged, never thrown)
   * @param options extra Worker options (tests run the TypeScript entry through tsx with `eval`)
   */
  constructor(workerFile: string, private readonly onInvalid: (reason: string) => void = () => undefined, options: WorkerOptions = {}) {
    // resourceLimits are left at Node's defaults: embedding models need the heap they need.
    this.worker = new Worker(workerFile, { stdout: false, stderr: false, ...options });
    this.worker.on('message', (raw: unknown) => this.receive(raw));
    this.worker.on('error', (error) => {
      this.lastError = error;
    });
    this.worker.on('exit', (code) => {
      this.exited = true;
      const reason = new WorkerExitedError(code, this.lastError ? this.lastError.message : `exit code ${code}`);
      for (const [, p] of this.pending) p.reject(reason);
      this.pending.clear();
      if (code !== 0 || this.lastError) this.emit({ type: 'error', kind: 'internal', message: reason.message, actions: ['retry'] });
    });
  }

  get isAlive(): boolean {
    return !this.exited;
  }

  /** Subscribes to every validated message; returns an unsubscribe function. */
  onMessage(listener: WorkerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a message; throws WorkerExitedError when the worker has exited. */
  post(message: HostToWorker): void {
    if (this.exited) throw new WorkerExitedError(null, 'it has already exited');
    this.worker.postMessage(message);
  }

  /** Exports the labels; resolves with the worker's `exported` or `error` reply. */
  exportLabels(format: 'jsonl' | 'csv', outFile: string): Promise<ExportReply> {
    return this.request((requestId) => ({ type: 'export', requestId, format, outFile })) as Promise<ExportReply>;
  }

  /** Imports another tool's export into the session's log; resolves with `imported` or `error`. */
  importLabels(file: string): Promise<ImportReply> {
    return this.request((requestId) => ({ type: 'importLabels', requestId, file })) as Promise<ImportReply>;
  }

  private request(message: (requestId: string) => HostToWorker): Promise<Reply> {
    const requestId = randomUUID();
    const reply = new Promise<Reply>((resolve, reject) => this.pending.set(requestId, { resolve, reject }));
    try {
      this.post(message(requestId));
    } catch (error) {
      this.pending.delete(requestId);
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return reply;
  }

  /** Asks the worker to close its log and exit; terminates it if it has not gone after `graceMs`. */
  async dispose(graceMs = 2000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    try {
      this.worker.postMessage({ type: 'dispose' } satisfies HostToWorker);
    } catch {
      /* already closing */
    }
    const timer = setTimeout(() => void this.worker.terminate(), graceMs);
    await gone;
    clearTimeout(timer);
    this.listeners.clear();
  }

  private receive(raw: unknown): void {
    const parsed = parseWith(WorkerToHost, raw);
    if (!parsed.ok) {
      this.onInvalid(parsed.error);
      return;
    }
    const m = parsed.value;
    if ((m.type === 'exported' || m.type === 'imported' || m.type === 'error') && m.requestId !== undefined) {
      const waiting = this.pending.get(m.requestId);
      if (waiting) {
        this.pending.delete(m.requestId);
        waiting.resolve(m);
        return;
      }
    }
    this.emit(m);
  }

  private emit(message: WorkerToHost): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(message);
      } catch (error) {
        // A faulty listener must not stop the others or the worker's message loop.
        console.error('[active-label] worker listener failed', error);
      }
    }
  }
}
