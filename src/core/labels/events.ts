/**
 * The label log's event schema: one JSON object per line, written with a fixed key order so that
 * lines are stable and diff well in git. This file owns the shape, the serialization and the
 * validation of lines read back from disk (runtime data is untyped until checked here).
 */
import { randomBytes } from 'node:crypto';
import type { LabelSource } from '../types';
import { crc32Hex } from './crc32';

export const LOG_FORMAT_VERSION = 1;

export type LabelEventType = 'label' | 'undo' | 'skip' | 'flag';

/**
 * One line of the log. `label` sets the item's labels; `skip` marks it passed over; `flag` marks it
 * for review (until the flag is undone); `undo` removes the effect of the event named in `undoes`
 * (undoing an undo restores what that undo removed, i.e. a redo).
 */
export interface LabelEvent {
  readonly v: typeof LOG_FORMAT_VERSION;
  readonly type: LabelEventType;
  /** Unique per event; `undo` events point at it through `undoes`. */
  readonly eventId: string;
  readonly itemId: string;
  /** The labels chosen; empty for `undo`, `skip` and `flag`. */
  readonly labels: readonly string[];
  readonly annotator: string;
  /** ISO 8601. Informational: the order of lines in the file, not the clock, decides what wins. */
  readonly time: string;
  readonly source: LabelSource;
  /** The sampling strategy and score that surfaced the item, when it came from the queue. */
  readonly strategy?: string;
  readonly score?: number;
  readonly cluster?: number;
  readonly modelVersion?: string;
  /**
   * For `import` events: the tool whose export the labels came from (`prodigy`, `doccano`,
   * `label-studio`, `argilla`, `hf-datasets`, `dataset`). Optional, so older logs read as before.
   */
  readonly tool?: string;
  /** For `undo`: the eventId whose effect is removed. */
  readonly undoes?: string;
}

/** What a caller appends: the log fills in `v`, and `eventId`/`time` when they are left out. */
export type LabelEventInput = Omit<LabelEvent, 'v' | 'eventId' | 'time'> & {
  readonly eventId?: string;
  readonly time?: string;
};

/** An event as it was acknowledged: complete, written and fsynced. */
export type AppendedEvent = LabelEvent;

const EVENT_TYPES: readonly LabelEventType[] = ['label', 'undo', 'skip', 'flag'];
const SOURCES: readonly LabelSource[] = ['queue', 'review', 'import', 'edit'];

/**
 * Every serialized line starts with exactly these bytes. Inside a JSON string a quote is always
 * escaped, so this sequence can only occur at the start of a record: replay uses it to resynchronize
 * when an interrupted write left a fragment glued to the front of a later, complete event.
 */
export const RECORD_PREFIX = `{"v":${LOG_FORMAT_VERSION},"type":"`;

/** Sortable-ish (time first) and short, so lines stay readable. */
export function newEventId(now: number = Date.now()): string {
  return `${now.toString(36)}-${randomBytes(6).toString('hex')}`;
}

/** Fills defaults and checks the input, throwing a TypeError naming the bad field. */
export function completeEvent(input: LabelEventInput, now: Date = new Date()): LabelEvent {
  const event: LabelEvent = {
    ...input,
    v: LOG_FORMAT_VERSION,
    eventId: input.eventId ?? newEventId(now.getTime()),
    time: input.time ?? now.toISOString(),
  };
  const problem = eventProblem(event);
  if (problem !== undefined) {
    throw new TypeError(`Cannot append label event for item ${JSON.stringify(input.itemId)}: ${problem}`);
  }
  return event;
}

/**
 * Every line ends with `,"crc":"<8 hex>"}`: the CRC-32 of the line's UTF-8 bytes without that field
 * (i.e. of the same line ending in `}` right after the last schema key). Lines of earlier versions
 * have no crc and are still read.
 */
const CRC_SUFFIX = /,"crc":"([0-9a-f]{8})"\}$/;

/**
 * One line without its newline: keys always in schema order, optional keys only when present, and
 * the checksum last.
 */
export function serializeEvent(event: LabelEvent): string {
  const body = serializeBody(event);
  return `${body.slice(0, -1)},"crc":"${crc32Hex(body)}"}`;
}

/** The line as it is checksummed: the schema keys, no crc. */
function serializeBody(event: LabelEvent): string {
  const ordered: Record<string, unknown> = {
    v: event.v,
    type: event.type,
    eventId: event.eventId,
    itemId: event.itemId,
    labels: event.labels,
    annotator: event.annotator,
    time: event.time,
    source: event.source,
  };
  if (event.strategy !== undefined) ordered.strategy = event.strategy;
  if (event.score !== undefined) ordered.score = event.score;
  if (event.cluster !== undefined) ordered.cluster = event.cluster;
  if (event.modelVersion !== undefined) ordered.modelVersion = event.modelVersion;
  if (event.tool !== undefined) ordered.tool = event.tool;
  if (event.undoes !== undefined) ordered.undoes = event.undoes;
  return JSON.stringify(ordered);
}

export type ParseResult =
  | { readonly ok: true; readonly event: LabelEvent }
  | { readonly ok: false; readonly reason: ParseFailure; readonly detail: string };

export type ParseFailure = 'invalid-json' | 'invalid-event' | 'newer-version' | 'bad-checksum';

/**
 * Parses one line; unknown extra keys are dropped so a newer minor writer does not break us. A line
 * with a `crc` must match it; a line without one (an earlier version, or a hand-written import) is
 * read as it is.
 */
export function parseEventLine(line: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: 'invalid-json', detail: (error as Error).message };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'invalid-event', detail: 'the line is not a JSON object' };
  }
  const r = raw as Record<string, unknown>;
  if (typeof r.v === 'number' && r.v > LOG_FORMAT_VERSION) {
    return {
      ok: false,
      reason: 'newer-version',
      detail: `written by a newer Active Label (log format v${r.v}); update the extension to read it`,
    };
  }
  if (r.crc !== undefined) {
    const problem = checksumProblem(line.trim());
    if (problem !== undefined) return { ok: false, reason: 'bad-checksum', detail: problem };
  }
  const event = {
    v: r.v,
    type: r.type,
    eventId: r.eventId,
    itemId: r.itemId,
    labels: r.labels,
    annotator: r.annotator,
    time: r.time,
    source: r.source,
    ...(r.strategy !== undefined ? { strategy: r.strategy } : {}),
    ...(r.score !== undefined ? { score: r.score } : {}),
    ...(r.cluster !== undefined ? { cluster: r.cluster } : {}),
    ...(r.modelVersion !== undefined ? { modelVersion: r.modelVersion } : {}),
    ...(r.tool !== undefined ? { tool: r.tool } : {}),
    ...(r.undoes !== undefined ? { undoes: r.undoes } : {}),
  } as LabelEvent;
  const problem = eventProblem(event);
  return problem === undefined ? { ok: true, event } : { ok: false, reason: 'invalid-event', detail: problem };
}

/** What is wrong with a line's checksum, or undefined when it matches. */
function checksumProblem(line: string): string | undefined {
  const match = CRC_SUFFIX.exec(line);
  if (match === null) return 'its "crc" field is not the last key or not 8 hex digits, so the line cannot be checked';
  const body = `${line.slice(0, match.index)}}`;
  const actual = crc32Hex(body);
  if (actual === match[1]) return undefined;
  return `the line does not match its checksum (crc ${match[1]}, content ${actual}): it was changed after it was written`;
}

/** Returns what is wrong with an event, or undefined when it is valid. */
export function eventProblem(e: LabelEvent): string | undefined {
  if (e.v !== LOG_FORMAT_VERSION) return `"v" must be ${LOG_FORMAT_VERSION}`;
  if (!isEventType(e.type)) return `"type" must be one of ${EVENT_TYPES.join(', ')}`;
  if (!isText(e.eventId)) return '"eventId" must be a non-empty string';
  if (!isText(e.itemId)) return '"itemId" must be a non-empty string';
  if (!Array.isArray(e.labels) || !allStrings(e.labels)) {
    return '"labels" must be an array of strings';
  }
  if (e.type === 'label' && e.labels.length === 0) return 'a "label" event needs at least one label';
  if (typeof e.annotator !== 'string') return '"annotator" must be a string';
  if (!isText(e.time) || !(isPlainUtcTime(e.time) || !Number.isNaN(Date.parse(e.time)))) return '"time" must be an ISO 8601 date';
  if (!isSource(e.source)) return `"source" must be one of ${SOURCES.join(', ')}`;
  if (e.strategy !== undefined && typeof e.strategy !== 'string') return '"strategy" must be a string';
  if (e.score !== undefined && !(typeof e.score === 'number' && Number.isFinite(e.score))) {
    return '"score" must be a finite number';
  }
  if (e.cluster !== undefined && !Number.isInteger(e.cluster)) return '"cluster" must be an integer';
  if (e.modelVersion !== undefined && typeof e.modelVersion !== 'string') return '"modelVersion" must be a string';
  if (e.tool !== undefined && !(typeof e.tool === 'string' && /^[a-z0-9][a-z0-9._-]{0,63}$/.test(e.tool))) {
    return '"tool" must be a short lowercase name such as "prodigy"';
  }
  if (e.type === 'undo' && !isText(e.undoes)) return 'an "undo" event must name the event it undoes in "undoes"';
  if (e.type !== 'undo' && e.undoes !== undefined) return '"undoes" is only allowed on "undo" events';
  return undefined;
}

const isText = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

// eventProblem runs on every line replay reads, so its checks are written out (what
// `EVENT_TYPES.includes`, `SOURCES.includes` and `labels.every` would say, without the calls).
const isEventType = (x: unknown): boolean => x === 'label' || x === 'undo' || x === 'skip' || x === 'flag';
const isSource = (x: unknown): boolean => x === 'queue' || x === 'review' || x === 'import' || x === 'edit';
if (!EVENT_TYPES.every(isEventType) || !SOURCES.every(isSource)) throw new Error('events.ts: isEventType and isSource must list EVENT_TYPES and SOURCES');

/** Every element is a string (holes skipped, as `every` skips them). */
function allStrings(list: readonly unknown[]): boolean {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (typeof x !== 'string' && (x !== undefined || i in list)) return false;
  }
  return true;
}

/** `x` at `i` is an ASCII digit; its value, else NaN. */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 0x30;
  return c >= 0 && c <= 9 ? c : NaN;
}

const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);

/**
 * A quick sufficient check for what `toISOString` writes (`YYYY-MM-DDTHH:MM:SS.sssZ`, a day of the
 * month up to 28): such a string always parses. Anything else is left to Date.parse.
 */
function isPlainUtcTime(s: string): boolean {
  // '-' 0x2d, 'T' 0x54, ':' 0x3a, '.' 0x2e, 'Z' 0x5a
  if (s.length !== 24 || s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d || s.charCodeAt(10) !== 0x54 || s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a || s.charCodeAt(19) !== 0x2e || s.charCodeAt(23) !== 0x5a) return false;
  const yearDigits = digit(s, 0) + digit(s, 1) + digit(s, 2) + digit(s, 3);
  const msDigits = digit(s, 20) + digit(s, 21) + digit(s, 22);
  const month = two(s, 5);
  const day = two(s, 8);
  // A sum of digits is NaN when one of them is not a digit.
  return yearDigits >= 0 && msDigits >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 28 && two(s, 11) <= 23 && two(s, 14) <= 59 && two(s, 17) <= 59;
}

/** Builds the event that removes `target`'s effect (or, when `target` is an undo, redoes). */
export function undoOf(
  target: LabelEvent,
  who: { readonly annotator: string; readonly source?: LabelSource },
): LabelEventInput {
  return {
    type: 'undo',
    itemId: target.itemId,
    labels: [],
    annotator: who.annotator,
    source: who.source ?? target.source,
    undoes: target.eventId,
  };
}
