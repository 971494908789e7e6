/**
 * The extension host's side of the engine worker (dist/worker.js). Everything heavy (parsing,
 * embedding, training, fsync) runs in that thread, so the host only posts and receives messages
 * and never blocks for more than a few milliseconds.
 *
 * Free of the `vscode` module so it can be tested with a real worker in plain Node.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import {
  isWorkerToHost,
  type ExportMessage,
  type FlagMessage,
  type HostToWorker,
  type LabelMessage,
  type UndoMessage,
  type WorkerToHost,
} from '../shared/workerProtocol';

export type WorkerListener = (message: WorkerToHost) => void;

/** Messages that answer a request carry its requestId. */
type Reply = Extract<WorkerToHost, { requestId?: string }>;

interface Pending {
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

/** Distributive Omit, so each member of a union keeps its own fields. */
type WithoutRequestId<T> = T extends unknown ? Omit<T, 'requestId'> : never;
export type RequestMessage = WithoutRequestId<LabelMessage | UndoMessage | FlagMessage | ExportMessage>;

export class WorkerExitedError extends Error {
  constructor(readonly exitCode: number | null, detail: string) {
    super(`The Active Label engine stopped unexpectedly (${detail}).`);
    this.name = 'WorkerExitedError';
  }
}

export class WorkerClient {
  private readonly worker: Worker;
  private readonly listeners = new Set<WorkerListener>();
  private readonly pending = new Map<string, Pending>();
  private exited = false;
  private lastError: Error | undefined;

  /**
   * @param workerFile absolute path of the bundled worker (dist/worker.js)
   * @param onInvalid called with messages that fail validation (logged, never thrown)
   */
  constructor(workerFile: string, private readonly onInvalid: (raw: unknown) => void = () => undefined) {
    // resourceLimits are left at Node's defaults: embedding models need the heap they need.
    this.worker = new Worker(workerFile, { stdout: false, stderr: false });
    this.worker.on('message', (raw: unknown) => this.receive(raw));
    this.worker.on('error', (error) => {
      this.lastError = error;
    });
    this.worker.on('exit', (code) => {
      this.exited = true;
      const reason = new WorkerExitedError(code, this.lastError ? this.lastError.message : `exit code ${code}`);
      for (const [, p] of this.pending) p.reject(reason);
      this.pending.clear();
      if (code !== 0 || this.lastError) {
        this.emit({ type: 'error', kind: 'internal', message: reason.message });
      }
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

  /** Fire-and-forget messages (init, skip, requestBatch, setStrategy, cancel, dispose). */
  post(message: HostToWorker): void {
    if (this.exited) throw new WorkerExitedError(null, 'it has already exited');
    this.worker.postMessage(message);
  }

  /**
   * Sends a message that the worker answers with the same requestId (`saved`, `saveFailed`,
   * `undone`, `exported`, `error`). Resolves with the first reply whose type is in `until`.
   * For `undo` the worker sends `undone` then `saved`: wait for `saved`, and read `undone` from
   * the listeners.
   */
  request(message: RequestMessage, requestId: string = randomUUID()): { requestId: string; reply: Promise<Reply> } {
    const full = { ...message, requestId } as HostToWorker;
    const reply = new Promise<Reply>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
    });
    try {
      this.post(full);
    } catch (error) {
      this.pending.delete(requestId);
      return { requestId, reply: Promise.reject(error instanceof Error ? error : new Error(String(error))) };
    }
    return { requestId, reply };
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
    if (!isWorkerToHost(raw)) {
      this.onInvalid(raw);
      return;
    }
    this.emit(raw);
    const requestId = 'requestId' in raw ? raw.requestId : undefined;
    if (typeof requestId !== 'string') return;
    const waiting = this.pending.get(requestId);
    if (!waiting) return;
    // `undone` is an intermediate reply; the request completes with `saved` or `saveFailed`.
    if (raw.type === 'undone') return;
    this.pending.delete(requestId);
    waiting.resolve(raw as Reply);
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
