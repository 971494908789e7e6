/**
 * VS Code's side of a PanelSession, replaced for tests and benchmarks that run the real host code
 * and the real engine worker: a panel that records what the page would receive (with waits on
 * arrival), a UI that records and answers like a user clicking a button, and a status bar item;
 * and the real engine worker run from its TypeScript source.
 */
import * as path from 'node:path';
import type { PanelPort, SessionUi } from '../../../src/host/panelSession';
import { WorkerClient } from '../../../src/host/workerClient';
import type { HostToWebview, ModelSnapshot, ProgressSnapshot } from '../../../src/shared/protocol';

export type Of<T extends HostToWebview['type']> = Extract<HostToWebview, { type: T }>;

/** The panel as VS Code would show it: what the page receives, with waits on arrival. */
export class RecordingPanel implements PanelPort {
  readonly received: HostToWebview[] = [];
  visible = true;
  disposed = false;
  private listener: ((raw: unknown) => void) | undefined;
  private readonly waiters: { match: (m: HostToWebview) => boolean; resolve: (m: HostToWebview) => void }[] = [];

  post(message: HostToWebview): void {
    // VS Code serializes webview messages; a clone is what the page gets.
    const m = structuredClone(message);
    this.received.push(m);
    for (const w of this.waiters.splice(0)) {
      if (w.match(m)) w.resolve(m);
      else this.waiters.push(w);
    }
  }
  onMessage(listener: (raw: unknown) => void): void {
    this.listener = listener;
  }
  onDidDispose(): void {}
  reveal(): void {}
  dispose(): void {
    this.disposed = true;
  }
  /** The page posts a raw message. */
  fromPage(raw: unknown): void {
    this.listener?.(raw);
  }
  wait<T extends HostToWebview['type']>(type: T, pred: (m: Of<T>) => boolean = () => true, since = 0): Promise<Of<T>> {
    const match = (m: HostToWebview): boolean => m.type === type && pred(m as Of<T>);
    const seen = this.received.slice(since).find(match);
    if (seen) return Promise.resolve(seen as Of<T>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}; got ${this.received.map((m) => m.type).join(',')}`)), 120_000);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m as Of<T>)) });
    });
  }
}

/** VS Code's UI as a user would answer it: records everything, clicks `answer` on an error. */
export class RecordingUi implements SessionUi {
  readonly logs: { level: string; message: string }[] = [];
  readonly errors: { message: string; actions: readonly string[] }[] = [];
  readonly warnings: { message: string; actions: readonly string[] }[] = [];
  readonly models: string[] = [];
  readonly commands: string[] = [];
  progressShown = 0;
  answer: string | undefined;
  executeCommand(id: string): void {
    this.commands.push(id);
  }
  showError(message: string, actions: readonly string[]): Promise<string | undefined> {
    this.errors.push({ message, actions });
    return Promise.resolve(this.answer);
  }
  showWarning(message: string, actions: readonly string[]): Promise<string | undefined> {
    this.warnings.push({ message, actions });
    return Promise.resolve(actions.includes(this.answer ?? '') ? this.answer : undefined);
  }
  setModel(model: string): Promise<void> {
    this.models.push(model);
    return Promise.resolve();
  }
  apiKey(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
  chooseModelFolder(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
  showProgress(_p: ProgressSnapshot): void {
    this.progressShown++;
  }
  endProgress(): void {}
  log(level: string, message: string): void {
    this.logs.push({ level, message });
  }
  showLog(): void {}
}

export class RecordingStatus {
  readonly models: ModelSnapshot[] = [];
  hidden = false;
  showProgress(): void {}
  showModel(m: ModelSnapshot): void {
    this.models.push(m);
  }
  showError(): void {}
  hide(): void {
    this.hidden = true;
  }
}

const ENGINE_SOURCE = path.resolve(__dirname, '../../../src/worker/engineWorker.ts');

/** The real engine worker, from source through tsx (what the packaged extension runs from dist/). */
export function sourceEngine(onWarning?: (reason: string) => void): WorkerClient {
  return new WorkerClient("require('tsx/cjs'); require(require('node:worker_threads').workerData.file);", onWarning, { eval: true, workerData: { file: ENGINE_SOURCE } });
}
