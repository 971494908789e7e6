/**
 * The fast path of reading a log line: a parser for exactly the lines `serializeEvent` writes (keys
 * in schema order, no whitespace, no escapes, a valid checksum), working on the line's bytes. It
 * answers only "this is that event" or "not sure": anything else (an escape, another key order, an
 * unknown key, a bad checksum, a damaged line, a line without a crc) returns undefined, and replay
 * reads the line the general way (`parseEventLine`), which owns every error message. So the fast
 * path never decides what a line means on its own: for the lines it accepts, JSON.parse would have
 * produced the same values, and the event is checked by the same `eventProblem`.
 */
import { isUtf8 } from 'node:buffer';
import { crc32Update } from './crc32';
import { eventProblem, LOG_FORMAT_VERSION, RECORD_PREFIX, type LabelEvent } from './events';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const HIGH = 0x80;

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const HEAD = ascii(RECORD_PREFIX);
const AFTER_TYPE = ascii(',"eventId":"');
const AFTER_EVENT_ID = ascii(',"itemId":"');
const AFTER_ITEM_ID = ascii(',"labels":[');
const AFTER_LABELS = ascii('],"annotator":"');
const AFTER_ANNOTATOR = ascii(',"time":"');
const AFTER_TIME = ascii(',"source":"');
const STRATEGY = ascii(',"strategy":"');
const SCORE = ascii(',"score":');
const CLUSTER = ascii(',"cluster":');
const MODEL_VERSION = ascii(',"modelVersion":"');
const TOOL = ascii(',"tool":"');
const UNDOES = ascii(',"undoes":"');
const CRC = ascii(',"crc":"');
/** `,"crc":"` + 8 hex digits + `"}`. */
const CRC_FIELD_BYTES = CRC.length + 10;
const BRACE = Uint8Array.of(CLOSE_BRACE);

if (!RECORD_PREFIX.startsWith(`{"v":${LOG_FORMAT_VERSION},"type":"`)) throw new Error('fastLine.ts expects RECORD_PREFIX to start with v and type');

/** The line being read, the read position, and whether a byte >= 0x80 was seen (then the line must be valid UTF-8). */
let buf: Buffer = Buffer.alloc(0);
let pos = 0;
let sawHigh = false;
/** Whether the string last read by stringEnd had a byte >= 0x80. */
let stringHigh = false;

/**
 * Few distinct values repeat on every line (type, annotator, source, strategy, labels): reusing one
 * string for each saves an allocation per field and the memory of a million copies.
 */
class Interner {
  private readonly seen: string[] = [];
  private next = 0;
  constructor(private readonly size: number) {}

  /** The string of buf[start, end) (ASCII only), reused when it was seen recently. */
  get(start: number, end: number): string {
    const length = end - start;
    for (const s of this.seen) {
      if (s.length !== length) continue;
      let i = 0;
      while (i < length && s.charCodeAt(i) === buf[start + i]) i++;
      if (i === length) return s;
    }
    const s = buf.toString('latin1', start, end);
    if (this.seen.length < this.size) this.seen.push(s);
    else this.seen[this.next++ % this.size] = s;
    return s;
  }
}

const types = new Interner(4);
const annotators = new Interner(16);
const sources = new Interner(4);
const strategies = new Interner(8);
const labelNames = new Interner(64);
const modelVersions = new Interner(4);
const tools = new Interner(4);

function literal(bytes: Uint8Array): boolean {
  if (pos + bytes.length > buf.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[pos + i] !== bytes[i]) return false;
  pos += bytes.length;
  return true;
}

/**
 * Reads a JSON string's content up to its closing quote (pos is just after the opening one) and
 * leaves pos after the quote. Returns the end of the content, or -1 for an escape, a control
 * character or no closing quote (not sure: the general path decides).
 */
function stringEnd(): number {
  stringHigh = false;
  for (let i = pos; i < buf.length; i++) {
    const c = buf[i] as number;
    if (c === QUOTE) {
      pos = i + 1;
      return i;
    }
    if (c === BACKSLASH || c < 0x20) return -1;
    if (c >= HIGH) stringHigh = sawHigh = true;
  }
  return -1;
}

/**
 * The content of a string whose opening quote was just read, leaving pos after its closing quote;
 * undefined when not sure. Interned when ASCII and `interner` is given.
 */
function stringValue(interner?: Interner): string | undefined {
  const start = pos;
  const end = stringEnd();
  if (end < 0) return undefined;
  if (stringHigh) return buf.toString('utf8', start, end);
  return interner === undefined ? buf.toString('latin1', start, end) : interner.get(start, end);
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

/** A JSON number (the exact grammar: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?) at pos; undefined when not one. */
function numberValue(): number | undefined {
  const start = pos;
  if (buf[pos] === 0x2d) pos++;
  if (buf[pos] === 0x30) pos++;
  else if (isDigit(buf[pos])) while (isDigit(buf[pos])) pos++;
  else return undefined;
  if (buf[pos] === 0x2e) {
    pos++;
    if (!isDigit(buf[pos])) return undefined;
    while (isDigit(buf[pos])) pos++;
  }
  if (buf[pos] === 0x65 || buf[pos] === 0x45) {
    pos++;
    if (buf[pos] === 0x2b || buf[pos] === 0x2d) pos++;
    if (!isDigit(buf[pos])) return undefined;
    while (isDigit(buf[pos])) pos++;
  }
  return Number(buf.toString('latin1', start, pos));
}

/** `"a","b"]` or `]` after the `[`; undefined when not sure. */
function labelList(): string[] | undefined {
  const labels: string[] = [];
  if (buf[pos] === CLOSE_BRACKET) return labels;
  for (;;) {
    if (buf[pos] !== QUOTE) return undefined;
    pos++;
    const label = stringValue(labelNames);
    if (label === undefined) return undefined;
    labels.push(label);
    if (buf[pos] === COMMA) pos++;
    else return buf[pos] === CLOSE_BRACKET ? labels : undefined;
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** True when buf ends at pos with `,"crc":"<8 lowercase hex>"}` matching the bytes before it (plus `}`), or with `}`. */
function endsWell(): boolean {
  if (buf.length - pos === 1) return buf[pos] === CLOSE_BRACE;
  if (buf.length - pos !== CRC_FIELD_BYTES || !literal(CRC)) return false;
  let stored = 0;
  for (let i = 0; i < 8; i++) {
    const d = hexDigit(buf[pos + i] as number);
    if (d < 0) return false;
    stored = stored * 16 + d;
  }
  if (buf[pos + 8] !== QUOTE || buf[pos + 9] !== CLOSE_BRACE) return false;
  const body = buf.length - CRC_FIELD_BYTES;
  return crc32Update(BRACE, crc32Update(buf.subarray(0, body))) === stored;
}

/**
 * The event on a line written by `serializeEvent`, or undefined when the line is anything else or
 * anything is wrong with it (the caller then reads it with `parseEventLine`).
 */
export function parseCanonicalLine(line: Buffer): LabelEvent | undefined {
  buf = line;
  pos = 0;
  sawHigh = false;
  try {
    return readEvent();
  } finally {
    buf = EMPTY;
  }
}

const EMPTY = Buffer.alloc(0);

function readEvent(): LabelEvent | undefined {
  if (!literal(HEAD)) return undefined;
  const type = stringValue(types);
  if (type === undefined || !literal(AFTER_TYPE)) return undefined;
  const eventId = stringValue();
  if (eventId === undefined || !literal(AFTER_EVENT_ID)) return undefined;
  const itemId = stringValue();
  if (itemId === undefined || !literal(AFTER_ITEM_ID)) return undefined;
  const labels = labelList();
  if (labels === undefined || !literal(AFTER_LABELS)) return undefined;
  const annotator = stringValue(annotators);
  if (annotator === undefined || !literal(AFTER_ANNOTATOR)) return undefined;
  const time = stringValue();
  if (time === undefined || !literal(AFTER_TIME)) return undefined;
  const source = stringValue(sources);
  if (source === undefined) return undefined;
  const event: Record<string, unknown> = { v: LOG_FORMAT_VERSION, type, eventId, itemId, labels, annotator, time, source };
  if (literal(STRATEGY)) {
    if ((event.strategy = stringValue(strategies)) === undefined) return undefined;
  }
  if (literal(SCORE)) {
    if ((event.score = numberValue()) === undefined) return undefined;
  }
  if (literal(CLUSTER)) {
    if ((event.cluster = numberValue()) === undefined) return undefined;
  }
  if (literal(MODEL_VERSION)) {
    if ((event.modelVersion = stringValue(modelVersions)) === undefined) return undefined;
  }
  if (literal(TOOL)) {
    if ((event.tool = stringValue(tools)) === undefined) return undefined;
  }
  if (literal(UNDOES)) {
    if ((event.undoes = stringValue()) === undefined) return undefined;
  }
  if (!endsWell()) return undefined;
  // Bytes >= 0x80 were decoded as UTF-8 above; the general path would refuse a line that is not valid UTF-8.
  if (sawHigh && !isUtf8(buf)) return undefined;
  const valid = event as unknown as LabelEvent;
  return eventProblem(valid) === undefined ? valid : undefined;
}
