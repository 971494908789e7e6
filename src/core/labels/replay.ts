/**
 * Rebuilds the current labels from a log file, streaming it line by line (a log can be large).
 * Nothing is skipped silently: every line that cannot be used becomes a LogProblem naming file:line.
 */
import { createReadStream } from 'node:fs';
import { parseEventLine, RECORD_PREFIX, type LabelEvent } from './events';
import { LabelLogError } from './errors';
import { LabelState, type CurrentLabel } from './state';

export type LogProblemKind =
  | 'torn-tail'
  | 'torn-line'
  | 'invalid-json'
  | 'invalid-event'
  | 'newer-version'
  | 'duplicate-event'
  | 'unknown-undo-target'
  | 'undo-no-effect';

export interface LogProblem {
  readonly file: string;
  /** 1-based line number in the log file. */
  readonly line: number;
  readonly kind: LogProblemKind;
  /** Starts with `file:line:`, says what happened and what was done about it. */
  readonly message: string;
}

export interface ReplayResult {
  /** Items with at least one event in effect. */
  readonly state: Map<string, CurrentLabel>;
  /** Every valid event, in file order, undone ones included. */
  readonly events: LabelEvent[];
  readonly problems: LogProblem[];
  /** The reducer after the last event, for a session to continue from (nextUndo, hasHistory). */
  readonly labelState: LabelState;
}

const NEWLINE = 0x0a;

/** Replays `file`; a missing file is an empty log. */
export async function replay(file: string): Promise<ReplayResult> {
  const labelState = new LabelState();
  const events: LabelEvent[] = [];
  const problems: LogProblem[] = [];
  const report = (line: number, kind: LogProblemKind, detail: string): void => {
    problems.push({ file, line, kind, message: `${file}:${line}: ${detail}` });
  };
  const accept = (event: LabelEvent, line: number): void => {
    const issue = labelState.apply(event);
    if (issue === undefined || issue.kind !== 'duplicate-event') events.push(event);
    if (issue !== undefined) report(line, issue.kind, issue.detail);
  };

  const handleLine = (text: string, line: number, isTail: boolean): void => {
    if (text.trim() === '') return;
    const parsed = parseEventLine(text);
    if (parsed.ok) {
      accept(parsed.event, line);
      return;
    }
    if (isTail && parsed.reason === 'invalid-json') {
      report(line, 'torn-tail', 'the last write was interrupted; the partial event was ignored');
      return;
    }
    // A fragment from an interrupted write may have a later complete event glued to its end.
    const at = text.lastIndexOf(RECORD_PREFIX);
    if (at > 0 && parsed.reason === 'invalid-json') {
      const rest = parseEventLine(text.slice(at));
      if (rest.ok) {
        report(line, 'torn-line', 'an interrupted write left a partial event here; it was ignored and the complete event after it was kept');
        accept(rest.event, line);
        return;
      }
    }
    const what =
      parsed.reason === 'invalid-json'
        ? `not valid JSON (${parsed.detail})`
        : parsed.reason === 'newer-version'
          ? parsed.detail
          : `not a valid label event: ${parsed.detail}`;
    report(line, parsed.reason, `${what}; the line was skipped`);
  };

  try {
    await forEachLine(file, handleLine);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { state: new Map(), events, problems, labelState };
    }
    throw new LabelLogError(`Could not read the label log ${file}: ${(error as Error).message}`, { cause: error });
  }
  return { state: new Map(labelState.labels), events, problems, labelState };
}

/**
 * Calls `onLine` for each line (without its '\n'); `isTail` marks a last line that had no newline,
 * which is how an interrupted append looks. Lines are split on bytes, so no UTF-8 character is cut.
 */
async function forEachLine(
  file: string,
  onLine: (text: string, line: number, isTail: boolean) => void,
): Promise<void> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let pending: Buffer[] = [];
  let line = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    let nl = chunk.indexOf(NEWLINE, start);
    while (nl !== -1) {
      const piece = chunk.subarray(start, nl);
      const bytes = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      onLine(bytes.toString('utf8'), ++line, false);
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length > 0) onLine(Buffer.concat(pending).toString('utf8'), ++line, true);
}
