/**
 * Writes the dataset snapshot (src/core/dataset/snapshot.ts) once a session is up, in the
 * background: after a start that parsed the file, and after a reload. The first item is never
 * kept waiting for it, and its outcome only goes to the log: a snapshot that cannot be written
 * means the next start parses the file, nothing more. One write at a time; a newer read of the file
 * abandons the older one's write.
 */
import { CancelledError } from '../core/errors';
import type { OpenedDataset } from '../core/dataset';
import type { WorkerToHost } from '../shared/protocol/engine';

type Save = NonNullable<OpenedDataset['save']>;

export class SnapshotSaver {
  private abort: AbortController | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly post: (message: WorkerToHost) => void) {}

  /** Resolves when no write is running or queued (tests). */
  get idle(): Promise<void> {
    return this.chain;
  }

  save(save: Save | undefined): void {
    if (save === undefined || this.stopped) return;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.chain = this.chain.then(() => this.run(save, abort.signal));
  }

  /** The session closes: a write under way stops, and its temp file is removed. */
  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private async run(save: Save, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    try {
      const outcome = await save(signal);
      if (outcome.written) {
        const mb = (outcome.bytes / (1024 * 1024)).toFixed(1);
        this.post({ type: 'log', level: 'info', message: `Dataset snapshot written (${mb} MiB in ${(outcome.ms / 1000).toFixed(1)} s): the next start on this file reads it instead of parsing the file.` });
      } else {
        const level = outcome.failed ? 'warn' : 'debug';
        this.post({ type: 'log', level, message: `No dataset snapshot written: ${outcome.reason}. The next start parses the file.` });
      }
    } catch (error) {
      if (error instanceof CancelledError) return;
      this.post({ type: 'log', level: 'warn', message: `No dataset snapshot written: ${error instanceof Error ? error.message : String(error)}.` });
    }
  }
}
