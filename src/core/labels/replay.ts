/**
 * Rebuilds the current labels from a log file, streaming it line by line (a log can be large).
 * Nothing is skipped silently: every line that cannot be used becomes a LogProblem naming file:line
 * and saying what the user can do about it.
 */
import { parseEventLine, type LabelEvent, type ParseFailure, type ParseResult } from './events';
import { LabelLogError } from './errors';
import { parseCanonicalLine } from './fastLine';
import { decodeUtf8, forEachLine, splitAtRecords } from './logLines';
import { LabelState, type CurrentLabel } from './state';

export type LogProblemKind =
  | 'torn-tail'
  | 'torn-line'
  | 'glued-line'
  | 'invalid-utf8'
  | 'invalid-json'
  | 'invalid-event'
  | 'bad-checksum'
  | 'newer-version'
  | 'duplicate-event'
  | 'unknown-undo-target'
  | 'undo-no-effect';

export interface LogProblem {
  readonly file: string;
  /** 1-based line number in the log file. */
  readonly line: number;
  readonly kind: LogProblemKind;
  /** Starts with `file:line:`, says what happened, what was done about it and what the user can do. */
  readonly message: string;
}

export interface ReplayResult {
  /**
   * Items with at least one event in effect: `labelState.labels` itself (not a copy), so it changes
   * if more events are applied to `labelState`.
   */
  readonly state: ReadonlyMap<string, CurrentLabel>;
  /** Every valid event, in file order, undone ones included. */
  readonly events: readonly LabelEvent[];
  readonly problems: LogProblem[];
  /** The reducer after the last event, for a session to continue from (nextUndo, hasHistory). */
  readonly labelState: LabelState;
}

const RESTORE = 'If this is unexpected, restore the file from git or a backup; otherwise fix or delete the line to stop this warning.';

/** What the user can do, appended to each problem's message. */
const ADVICE: Record<LogProblemKind, string> = {
  'torn-tail': 'Nothing to do: an interrupted write is never confirmed as saved, so no saved label was lost.',
  'torn-line': 'Nothing to do: an interrupted write is never confirmed as saved, so no saved label was lost.',
  'glued-line': 'Nothing to do; to tidy the file, put each event on its own line.',
  'invalid-utf8': `Another program or a damaged disk changed this line. ${RESTORE}`,
  'invalid-json': RESTORE,
  'invalid-event': RESTORE,
  'bad-checksum': `If you edited the line on purpose, delete its "crc" field to keep the edit. ${RESTORE}`,
  'newer-version': 'Update Active Label to read this line.',
  'duplicate-event': 'Harmless (a merge can copy a line twice); delete the later copy to stop this warning.',
  'unknown-undo-target': 'Harmless; the undone event may have been removed by an edit or a merge.',
  'undo-no-effect': 'Harmless.',
};

const NOT_UTF8 = { ok: false, reason: 'invalid-utf8', detail: 'the line is not valid UTF-8' } as const;
type Reading = ParseResult | { readonly ok: false; readonly reason: 'invalid-utf8'; readonly detail: string };

/** Replays `file`; a missing file is an empty log. */
export async function replay(file: string): Promise<ReplayResult> {
  const labelState = new LabelState();
  const problems: LogProblem[] = [];
  const report = (line: number, kind: LogProblemKind, detail: string): void => {
    problems.push({ file, line, kind, message: `${file}:${line}: ${detail}. ${ADVICE[kind]}` });
  };
  const accept = (event: LabelEvent, line: number): void => {
    const issue = labelState.apply(event);
    if (issue !== undefined) report(line, issue.kind, issue.detail);
  };

  const handleLine = (chunk: Buffer, start: number, end: number, line: number, isTail: boolean): void => {
    // Lines as the extension writes them; the fast path gives up on anything else, read below.
    const fast = parseCanonicalLine(chunk, start, end);
    if (fast !== undefined) {
      accept(fast, line);
      return;
    }
    const bytes = chunk.subarray(start, end);
    const text = decodeUtf8(bytes);
    if (text !== undefined && text.trim() === '') return;
    const whole: Reading = text === undefined ? NOT_UTF8 : parseEventLine(text);
    if (whole.ok) {
      accept(whole.event, line);
      return;
    }
    if (whole.reason === 'invalid-json' || whole.reason === 'invalid-utf8') {
      // An interrupted write leaves a fragment that a later event is glued to; a lost line break
      // glues two complete events. Either way every complete event on the line is kept.
      const pieces = splitAtRecords(bytes).map(read).filter((r) => r !== 'blank');
      const kept = pieces.filter((r): r is Extract<Reading, { ok: true }> => r.ok);
      if (kept.length > 0) {
        const dropped = pieces.length - kept.length;
        if (dropped > 0) {
          const partial = dropped === 1 ? 'a partial event here; it was' : `${dropped} partial events here; they were`;
          const complete = kept.length === 1 ? 'the complete event' : `the ${kept.length} complete events`;
          report(line, 'torn-line', `an interrupted write left ${partial} ignored and ${complete} on the line kept`);
        } else if (kept.length > 1) {
          report(line, 'glued-line', `${kept.length} complete events were on this one line (a line break was lost); all were read`);
        }
        // else one event amid blanks, e.g. a byte order mark mid-file from two logs joined: nothing to say
        for (const r of kept) accept(r.event, line);
        return;
      }
      if (isTail) {
        report(line, 'torn-tail', 'the last write was interrupted; the partial event was ignored');
        return;
      }
    }
    report(line, whole.reason, `${describe(whole.reason, whole.detail)}; the line was skipped`);
  };

  try {
    await forEachLine(file, handleLine);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { state: labelState.labels, events: labelState.events, problems, labelState };
    }
    throw new LabelLogError(`Could not read the label log ${file}: ${(error as Error).message}`, { cause: error });
  }
  // The state applied every event except the later copies of a duplicate eventId: those are the events.
  return { state: labelState.labels, events: labelState.events, problems, labelState };
}

function read(bytes: Buffer): Reading | 'blank' {
  const text = decodeUtf8(bytes);
  if (text === undefined) return NOT_UTF8;
  return text.trim() === '' ? 'blank' : parseEventLine(text);
}

function describe(reason: ParseFailure | 'invalid-utf8', detail: string): string {
  switch (reason) {
    case 'invalid-json':
      return `not valid JSON (${detail})`;
    case 'invalid-event':
      return `not a valid label event: ${detail}`;
    case 'invalid-utf8':
      return `${detail}, so a label in it would be garbled`;
    case 'bad-checksum':
    case 'newer-version':
      return detail;
    default:
      return assertUnreachable(reason);
  }
}

function assertUnreachable(x: never): never {
  throw new Error(`unexpected parse failure ${String(x)}`);
}
