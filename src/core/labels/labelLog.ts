/**
 * The append-only writer of a dataset's label log.
 *
 * Durability: `append` resolves only after the bytes are written and fsynced, so an acknowledged
 * label survives a crash or a kill -9 of the process.
 *
 * Two writers (two VS Code windows, the CLI) need no lock. The file is opened with O_APPEND and each
 * append is ONE write() of complete lines. POSIX requires that, for O_APPEND, "no intervening file
 * modification operation shall occur between changing the file offset and the write operation", and
 * Linux holds the inode lock for the whole write on local filesystems, so lines never interleave,
 * whatever their size (PIPE_BUF only bounds pipes). A short write is not acknowledged: it throws.
 * Cross-process order needs no lock either: the file order is the order, and replay trusts it.
 * (Network filesystems such as NFS do not honour O_APPEND atomically; the log is not meant for them.)
 *
 * Torn tails: a writer killed mid-write leaves a fragment without a newline. On open (and after a
 * failed write of our own) we check the last byte, and when it is not '\n' the next write starts
 * with '\n', so the fragment stays on its own line and replay reports it. We do not check before
 * every append: without a lock that read races with another process's write in progress (the size
 * grows page by page), which showed up as spurious blank lines in the two-writer test. If another
 * process is killed mid-write while we hold the log open, our next line is glued to its fragment;
 * replay recovers our complete event through RECORD_PREFIX and reports the fragment.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { completeEvent, serializeEvent, type AppendedEvent, type LabelEventInput } from './events';
import { syncDirectory } from './atomicWrite';
import { LabelLogError } from './errors';

const NEWLINE = 0x0a;

export class LabelLog {
  private handle: FileHandle | undefined;
  /** Appends in one process run one after another, so their order is the order of the calls. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The file may end in a fragment: start the next write with '\n'. */
  private needsNewline: boolean;

  private constructor(
    readonly file: string,
    handle: FileHandle,
    needsNewline: boolean,
  ) {
    this.handle = handle;
    this.needsNewline = needsNewline;
  }

  /** Opens (creating the folder and the file when missing) for appending. */
  static async open(file: string): Promise<LabelLog> {
    const dir = dirname(file);
    await mkdir(dir, { recursive: true });
    let handle: FileHandle;
    let created = false;
    try {
      // 'ax+' fails when the file exists, which tells us whether its directory entry is new.
      handle = await open(file, 'ax+');
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw wrap(file, 'open', error);
      // a+ = O_APPEND | O_CREAT | O_RDWR: read access lets us check the last byte for a torn tail.
      handle = await open(file, 'a+').catch((e: unknown) => {
        throw wrap(file, 'open', e);
      });
    }
    if (created) await syncDirectory(dir);
    const torn = !(await endsWithNewline(handle));
    return new LabelLog(file, handle, torn);
  }

  /**
   * Appends one event or a batch, all in a single write, and resolves after fsync with the events
   * as written (eventId and time filled in). Throws TypeError for an invalid event (nothing is
   * written) and LabelLogError when the disk refuses the write.
   */
  append(events: LabelEventInput | readonly LabelEventInput[]): Promise<AppendedEvent[]> {
    const list = isList(events) ? events : [events];
    // Validate before queueing, so a bad call fails fast and never reaches the file.
    const now = new Date();
    const complete = list.map((e) => completeEvent(e, now));
    const run = this.queue.then(() => this.write(complete));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Waits for pending appends, then closes the file. Further appends reject. */
  async close(): Promise<void> {
    await this.queue;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async write(events: AppendedEvent[]): Promise<AppendedEvent[]> {
    const handle = this.handle;
    if (handle === undefined) throw new LabelLogError(`${this.file}: the label log is closed`);
    if (events.length === 0) return events;
    try {
      const body = events.map((e) => serializeEvent(e) + '\n').join('');
      const bytes = Buffer.from((this.needsNewline ? '\n' : '') + body, 'utf8');
      // If the write fails part way, part of it may be in the file without its newline.
      this.needsNewline = true;
      const { bytesWritten } = await handle.write(bytes, 0, bytes.length);
      if (bytesWritten !== bytes.length) {
        throw new Error(`short write (${bytesWritten} of ${bytes.length} bytes); is the disk full?`);
      }
      this.needsNewline = false;
      await handle.sync();
      return events;
    } catch (error) {
      throw wrap(this.file, 'append to', error);
    }
  }
}

function isList(x: LabelEventInput | readonly LabelEventInput[]): x is readonly LabelEventInput[] {
  return Array.isArray(x);
}

async function endsWithNewline(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === NEWLINE;
}

function wrap(file: string, action: string, error: unknown): LabelLogError {
  if (error instanceof LabelLogError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LabelLogError(`Could not ${action} the label log ${file}: ${message}`, { cause: error });
}
