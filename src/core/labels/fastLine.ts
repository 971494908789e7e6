/**
 * The fast path of reading a log line: a parser for exactly the lines `serializeEvent` writes (keys
 * in schema order, no whitespace, no escapes, a valid checksum or, as older versions wrote, none),
 * working on the line's bytes. It answers only "this is that event" or "not sure": anything else
 * (an escape, another key order, an unknown key, a bad checksum, a damaged line) returns undefined, and replay
 * reads the line the general way (`parseEventLine`), which owns every error message. So the fast
 * path never decides what a line means on its own: for the lines it accepts, JSON.parse would have
 * produced the same values, and the event is checked by the same `eventProblem`.
 */
import { isUtf8 } from 'node:buffer';
import { crc32Range } from './crc32';
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

/**
 * buf.toString('latin1', start, end) without its argument handling: Node's Buffer has had the
 * latin1Slice method behind toString for as long as latin1 exists; used when present.
 */
type Latin1Slice = (this: Buffer, start: number, end: number) => string;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;
const latin1 = (line: Buffer, start: number, end: number): string => (latin1Slice !== undefined ? latin1Slice.call(line, start, end) : line.toString('latin1', start, end));

if (!RECORD_PREFIX.startsWith(`{"v":${LOG_FORMAT_VERSION},"type":"`)) throw new Error('fastLine.ts expects RECORD_PREFIX to start with v and type');

/**
 * The bytes holding the line (a read chunk), the line's start and end in them, the read position,
 * and whether a byte >= 0x80 was seen (then the line must be valid UTF-8). The byte at `end`, if
 * any, is the line's newline, which no scan below accepts.
 */
let buf: Buffer = Buffer.alloc(0);
let lineStart = 0;
let end = 0;
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

  /** The string of buf[start, stop) (ASCII only), reused when it was seen recently. */
  get(start: number, stop: number): string {
    const length = stop - start;
    for (const s of this.seen) {
      if (s.length !== length) continue;
      let i = 0;
      while (i < length && s.charCodeAt(i) === buf[start + i]) i++;
      if (i === length) return s;
    }
    const s = latin1(buf, start, stop);
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

/** Reads exactly `bytes` at pos (and moves past them), or nothing. */
function literal(bytes: Uint8Array): boolean {
  const line = buf;
  const at = pos;
  const length = bytes.length;
  if (at + length > end) return false;
  for (let i = 0; i < length; i++) if (line[at + i] !== bytes[i]) return false;
  pos = at + length;
  return true;
}

/**
 * Reads a JSON string's content up to its closing quote (pos is just after the opening one) and
 * leaves pos after the quote. Returns the end of the content, or -1 for an escape, a control
 * character or no closing quote (not sure: the general path decides).
 */
function stringEnd(): number {
  stringHigh = false;
  for (let i = pos; i < end; i++) {
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
  const close = stringEnd();
  if (close < 0) return undefined;
  if (stringHigh) return buf.toString('utf8', start, close);
  return interner === undefined ? latin1(buf, start, close) : interner.get(start, close);
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

/** 10^k for k <= 22: exactly representable, so m / 10^k is the correctly rounded decimal. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A JSON number (the exact grammar: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?) at pos; undefined when not
 * one. With at most 15 digits and no exponent the value is an exact integer divided by an exact
 * power of ten, one correctly rounded division: the same double as JSON.parse gives (Clinger's fast
 * path). Anything else goes through Number().
 */
function numberValue(): number | undefined {
  const start = pos;
  const negative = buf[pos] === 0x2d;
  if (negative) pos++;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  if (buf[pos] === 0x30) pos++;
  else if (isDigit(buf[pos])) {
    while (isDigit(buf[pos])) {
      mantissa = mantissa * 10 + ((buf[pos] as number) - 0x30);
      digits++;
      pos++;
    }
  } else return undefined;
  if (buf[pos] === 0x2e) {
    pos++;
    if (!isDigit(buf[pos])) return undefined;
    while (isDigit(buf[pos])) {
      mantissa = mantissa * 10 + ((buf[pos] as number) - 0x30);
      digits++;
      scale++;
      pos++;
    }
  }
  let exponent = false;
  if (buf[pos] === 0x65 || buf[pos] === 0x45) {
    exponent = true;
    pos++;
    if (buf[pos] === 0x2b || buf[pos] === 0x2d) pos++;
    if (!isDigit(buf[pos])) return undefined;
    while (isDigit(buf[pos])) pos++;
  }
  if (exponent || digits > 15) return Number(latin1(buf, start, pos));
  const value = mantissa / (POW10[scale] as number);
  return negative ? -value : value;
}

/**
 * Label lists repeat even more than label names: the empty list and each single label are one
 * frozen array shared by every event that has it (a million events would otherwise hold a million
 * small arrays). Frozen, so that no reader can change another event's labels through its own.
 */
const NO_LABELS: readonly string[] = Object.freeze([]);
const SINGLE_LABELS = new Map<string, readonly string[]>();
const MAX_SHARED_LISTS = 1024;

function single(label: string): readonly string[] {
  const shared = SINGLE_LABELS.get(label);
  if (shared !== undefined) return shared;
  const list = Object.freeze([label]);
  if (SINGLE_LABELS.size < MAX_SHARED_LISTS) SINGLE_LABELS.set(label, list);
  return list;
}

/** `"a","b"]` or `]` after the `[`; undefined when not sure. */
function labelList(): readonly string[] | undefined {
  if (buf[pos] === CLOSE_BRACKET) return NO_LABELS;
  let labels: string[] | undefined;
  for (;;) {
    if (buf[pos] !== QUOTE) return undefined;
    pos++;
    const label = stringValue(labelNames);
    if (label === undefined) return undefined;
    if (buf[pos] === CLOSE_BRACKET) {
      if (labels === undefined) return single(label);
      labels.push(label);
      return labels;
    }
    if (buf[pos] !== COMMA) return undefined;
    pos++;
    (labels ??= []).push(label);
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** True when the line ends at pos with `,"crc":"<8 lowercase hex>"}` matching the bytes before it (plus `}`), or with `}`. */
function endsWell(): boolean {
  if (end - pos === 1) return buf[pos] === CLOSE_BRACE;
  if (end - pos !== CRC_FIELD_BYTES || !literal(CRC)) return false;
  let stored = 0;
  for (let i = 0; i < 8; i++) {
    const d = hexDigit(buf[pos + i] as number);
    if (d < 0) return false;
    stored = stored * 16 + d;
  }
  if (buf[pos + 8] !== QUOTE || buf[pos + 9] !== CLOSE_BRACE) return false;
  return crc32Range(BRACE, 0, 1, crc32Range(buf, lineStart, end - CRC_FIELD_BYTES)) === stored;
}

/**
 * The event on the line `chunk[start, end)` if it is as `serializeEvent` writes it, else undefined
 * (anything unusual or wrong: the caller then reads the line with `parseEventLine`).
 */
export function parseCanonicalLine(chunk: Buffer, start = 0, stop = chunk.length): LabelEvent | undefined {
  buf = chunk;
  lineStart = start;
  end = stop;
  pos = start;
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
  let strategy: string | undefined;
  let score: number | undefined;
  let cluster: number | undefined;
  let modelVersion: string | undefined;
  let tool: string | undefined;
  let undoes: string | undefined;
  if (literal(STRATEGY) && (strategy = stringValue(strategies)) === undefined) return undefined;
  if (literal(SCORE) && (score = numberValue()) === undefined) return undefined;
  if (literal(CLUSTER) && (cluster = numberValue()) === undefined) return undefined;
  if (literal(MODEL_VERSION) && (modelVersion = stringValue(modelVersions)) === undefined) return undefined;
  if (literal(TOOL) && (tool = stringValue(tools)) === undefined) return undefined;
  if (literal(UNDOES) && (undoes = stringValue()) === undefined) return undefined;
  if (!endsWell()) return undefined;
  // Bytes >= 0x80 were decoded as UTF-8 above; the general path would refuse a line that is not valid UTF-8.
  if (sawHigh && !isUtf8(buf.subarray(lineStart, end))) return undefined;
  const v = LOG_FORMAT_VERSION;
  // The key order of parseEventLine's events; the common shapes are built whole (one allocation).
  let event: Record<string, unknown>;
  if (cluster === undefined && modelVersion === undefined && tool === undefined && (strategy === undefined) === (score === undefined)) {
    if (strategy !== undefined) {
      event = undoes === undefined ? { v, type, eventId, itemId, labels, annotator, time, source, strategy, score } : { v, type, eventId, itemId, labels, annotator, time, source, strategy, score, undoes };
    } else {
      event = undoes === undefined ? { v, type, eventId, itemId, labels, annotator, time, source } : { v, type, eventId, itemId, labels, annotator, time, source, undoes };
    }
  } else {
    event = { v, type, eventId, itemId, labels, annotator, time, source };
    if (strategy !== undefined) event.strategy = strategy;
    if (score !== undefined) event.score = score;
    if (cluster !== undefined) event.cluster = cluster;
    if (modelVersion !== undefined) event.modelVersion = modelVersion;
    if (tool !== undefined) event.tool = tool;
    if (undoes !== undefined) event.undoes = undoes;
  }
  const valid = event as unknown as LabelEvent;
  return eventProblem(valid) === undefined ? valid : undefined;
}
