/**
 * The append-only writer of a dataset's label log.
 *
 * Durability: `append` resolves only after the bytes are written and fsynced into the file that is
 * at the path, so an acknowledged label survives a crash or a kill -9 of the process. New folders
 * and the new file's directory entry are fsynced too.
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
 *
 * Replacement: an editor's atomic save, `git pull`/`checkout`/`stash` or `rm -r .activelabel` give
 * the path a new file (or none) while we hold the old one open, and writes to the old one would be
 * lost. So before each append, and again after its fsync, we check that our handle still is the file
 * at the path (dev+ino, nlink). When it is not, we reopen the path (recreating it when it is gone),
 * re-read it, tell the owner through `onReplaced` BEFORE writing, skip the pending events whose
 * eventId is already in the new file, and write the rest there.
 */
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { completeEvent, serializeEvent, type AppendedEvent, type LabelEvent, type LabelEventInput } from './events';
import { syncDirectory } from './atomicWrite';
import { LabelLogChangedError, LabelLogError } from './errors';
import { KnownEvents } from './knownEvents';
import { changeOf, openLogFile, type LogChange } from './logFile';
import { replay, type ReplayResult } from './replay';

export type { LogChange } from './logFile';

/** What `onReplaced` is told: the log was replaced or removed outside Active Label. */
export interface LogReplacement {
  readonly file: string;
  readonly change: LogChange;
  /** The file now at the path, replayed (after 'removed' it was created again, so usually empty). */
  readonly replayed: ReplayResult;
  /** The events of the append that found the change, not written yet. */
  readonly pending: readonly LabelEvent[];
  /** The new file's copies of pending events whose eventId it already has: not written again. */
  readonly alreadyPresent: readonly LabelEvent[];
  /** Events this log knew in the old file (read at open, or written) that the new file lacks. */
  readonly missing: readonly LabelEvent[];
  /** For the user: names the file, says what happened, what was done and what they can do. */
  readonly message: string;
}

/** 'cancel' rejects the pending append with LabelLogChangedError and writes nothing. */
export type ReplacementDecision = 'write' | 'cancel';

export interface LabelLogOptions {
  /**
   * Called once per replacement, inside the append that found it and before its events are
   * written; the append waits for it. Rebuild state from `replayed` here. Do not call `append` or
   * `close` of this log from the callback (they wait for the append that is calling it). A throw
   * rejects the append (nothing written); the log then stays on the new file.
   */
  readonly onReplaced?: (replacement: LogReplacement) => ReplacementDecision | void | Promise<ReplacementDecision | void>;
}

/** What one append did with each of its events. */
export interface AppendOutcome {
  /** Every event of the call, in call order: as written now, or as found in the file. */
  readonly events: AppendedEvent[];
  /** Written (and fsynced) by this call into the file at the path. */
  readonly written: AppendedEvent[];
  /** Already in the file at the path with the same eventId, so not written again (the file's copy). */
  readonly alreadyPresent: LabelEvent[];
}

/** A path replaced again and again while we write is not a state to keep retrying in. */
const MAX_ATTEMPTS = 5;

export class LabelLog {
  /** Appends in one process run one after another, so their order is the order of the calls. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Every eventId in the file at the path, as far as this log knows (read at open, or written). */
  private known: KnownEvents;
  /** A change whose reopen failed before the new file was read: the next append tries again. */
  private unread: LogChange | undefined;

  private constructor(
    readonly file: string,
    private handle: FileHandle | undefined,
    /** The file may end in a fragment: start the next write with '\n'. */
    private needsNewline: boolean,
    replayed: ReplayResult,
    private readonly options: LabelLogOptions,
  ) {
    this.known = new KnownEvents(replayed);
  }

  /** Opens (creating the folders and the file when missing) for appending. */
  static async open(file: string, options: LabelLogOptions = {}): Promise<LabelLog> {
    return (await LabelLog.openReplayed(file, options)).log;
  }

  /** Opens like `open` and also returns the file replayed, so the owner need not read it twice. */
  static async openReplayed(file: string, options: LabelLogOptions = {}): Promise<{ log: LabelLog; replayed: ReplayResult }> {
    const opened = await openLogFile(file).catch((error: unknown) => {
      throw wrap(file, 'open', error);
    });
    try {
      const replayed = await replay(file);
      return { log: new LabelLog(file, opened.handle, opened.needsNewline, replayed, options), replayed };
    } catch (error) {
      await opened.handle.close().catch(() => undefined);
      throw wrap(file, 'open', error);
    }
  }

  /**
   * Appends one event or a batch, all in a single write, and resolves after fsync with the events
   * as written (eventId and time filled in); an event whose eventId is already in the file is not
   * written again, and the file's copy is returned. Throws TypeError for an invalid event (nothing
   * is written) and LabelLogError when the disk refuses the write.
   */
  append(events: LabelEventInput | readonly LabelEventInput[]): Promise<AppendedEvent[]> {
    // Not async: an invalid event throws synchronously, as before, instead of rejecting.
    return this.appendNew(events).then((outcome) => outcome.events);
  }

  /** Like `append`, and says which events were written and which were already in the file. */
  appendNew(events: LabelEventInput | readonly LabelEventInput[]): Promise<AppendOutcome> {
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

  private async write(events: AppendedEvent[]): Promise<AppendOutcome> {
    if (this.handle === undefined) throw new LabelLogError(`${this.file}: the label log is closed`);
    if (events.length === 0) return { events, written: [], alreadyPresent: [] };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const change = (await this.changed()) ?? this.unread;
      if (change !== undefined) await this.reopen(change, events);
      const { toWrite, outcome } = this.partition(events);
      await this.writeLines(toWrite);
      // Replaced between the check and the write: the lines may be in the orphan. Go round.
      if ((await this.changed()) !== undefined) continue;
      for (const e of toWrite) this.known.add(e);
      return outcome;
    }
    throw new LabelLogError(
      `Could not append to the label log ${this.file}: another program kept replacing it while saving, so the ` +
        'labels are not confirmed as saved. Stop the program that rewrites it and try again.',
    );
  }

  private async changed(): Promise<LogChange | undefined> {
    try {
      return await changeOf(this.handle!, this.file);
    } catch (error) {
      throw wrap(this.file, 'append to', error);
    }
  }

  /** Moves to the file now at the path and tells the owner, before anything is written there. */
  private async reopen(change: LogChange, pending: readonly LabelEvent[]): Promise<void> {
    let replayed: ReplayResult;
    this.unread = change;
    try {
      const opened = await openLogFile(this.file);
      const old = this.handle;
      this.handle = opened.handle;
      this.needsNewline = opened.needsNewline;
      await old?.close().catch(() => undefined);
      // A file renamed over ours has a directory entry that nobody may have synced.
      if (change === 'replaced') await syncDirectory(dirname(this.file));
      replayed = await replay(this.file);
    } catch (error) {
      throw wrap(this.file, 'reopen', error);
    }
    this.unread = undefined;
    const before = this.known;
    this.known = new KnownEvents(replayed);
    const missing = [...before.values()].filter((e) => !this.known.has(e.eventId));
    const alreadyPresent = pending.flatMap((e) => this.known.get(e.eventId) ?? []);
    const message = describeChange(this.file, change, replayed, missing.length);
    const decision = await this.options.onReplaced?.({ file: this.file, change, replayed, pending, alreadyPresent, missing, message });
    if (decision === 'cancel') {
      throw new LabelLogChangedError(`${message} The pending save was cancelled; nothing was written.`, change);
    }
  }

  /** Splits the call into the events to write and the ones the file already has. */
  private partition(events: readonly AppendedEvent[]): { toWrite: AppendedEvent[]; outcome: AppendOutcome } {
    const toWrite: AppendedEvent[] = [];
    const alreadyPresent: LabelEvent[] = [];
    const inCall = new Map<string, LabelEvent>();
    const all = events.map((e) => {
      const present = this.known.get(e.eventId) ?? inCall.get(e.eventId);
      if (present !== undefined) {
        alreadyPresent.push(present);
        return present;
      }
      inCall.set(e.eventId, e);
      toWrite.push(e);
      return e;
    });
    return { toWrite, outcome: { events: all, written: toWrite, alreadyPresent } };
  }

  /** One write of complete lines, then fsync (also when nothing is new: what is there gets synced). */
  private async writeLines(events: readonly AppendedEvent[]): Promise<void> {
    const handle = this.handle!;
    try {
      if (events.length > 0) {
        const body = events.map((e) => serializeEvent(e) + '\n').join('');
        const bytes = Buffer.from((this.needsNewline ? '\n' : '') + body, 'utf8');
        // If the write fails part way, part of it may be in the file without its newline.
        this.needsNewline = true;
        const { bytesWritten } = await handle.write(bytes, 0, bytes.length);
        if (bytesWritten !== bytes.length) {
          throw new Error(`short write (${bytesWritten} of ${bytes.length} bytes); is the disk full?`);
        }
        this.needsNewline = false;
      }
      await handle.sync();
    } catch (error) {
      throw wrap(this.file, 'append to', error);
    }
  }
}

function describeChange(file: string, change: LogChange, replayed: ReplayResult, missing: number): string {
  const one = missing === 1;
  const lost =
    missing === 0
      ? ''
      : ` ${missing} ${one ? 'event that was' : 'events that were'} in the old file ${one ? 'is' : 'are'} not in it: ` +
        `restore the file from git or a backup if ${one ? 'it' : 'they'} should be kept.`;
  if (change === 'removed') {
    return `${file} was deleted outside Active Label while it was open. It was created again and new labels are saved there.${lost}`;
  }
  const count = `${replayed.events.length} event${replayed.events.length === 1 ? '' : 's'}`;
  return (
    `${file} was replaced outside Active Label (by git pull, checkout or stash, an editor or another program) while it ` +
    `was open. Active Label read the new file (${count}) and saves new labels there.${lost}`
  );
}

function isList(x: LabelEventInput | readonly LabelEventInput[]): x is readonly LabelEventInput[] {
  return Array.isArray(x);
}

function wrap(file: string, action: string, error: unknown): LabelLogError {
  if (error instanceof LabelLogError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LabelLogError(`Could not ${action} the label log ${file}: ${message}`, { cause: error });
}
