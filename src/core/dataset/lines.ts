import { isUtf8 } from 'node:buffer';
import { type FileFacts, type ReadOptions, readChunks } from './chunks';

/** One physical line of a line-based file (JSONL, TXT), or the reason it could not be read. */
export type LineEvent =
  | { readonly kind: 'line'; readonly line: number; readonly text: string }
  | { readonly kind: 'bad'; readonly line: number; readonly reason: 'invalid-utf8' | 'line-too-long'; readonly bytes: number };

const newline = 0x0a;
const carriageReturn = 0x0d;

/**
 * Splits the file into lines on raw bytes, so a huge file is never one string and a bad byte spoils
 * only its own line. Yields a batch per chunk (not per line) to keep the async overhead negligible.
 * The BOM is dropped, a trailing CR is dropped (CRLF files), and each line is validated as UTF-8
 * separately so one mis-encoded row is reported instead of silently turning into U+FFFD.
 */
export async function* readLines(file: string, facts: FileFacts, options: ReadOptions): AsyncGenerator<LineEvent[]> {
  const max = options.maxRecordBytes;
  let lineNo = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let bomLeft = facts.hasBom ? 3 : 0;

  const append = (part: Buffer): void => {
    pendingBytes += part.length;
    if (tooLong) return;
    if (pendingBytes > max) {
      // Stop buffering at once: the point of the limit is that a giant line never sits in memory.
      tooLong = true;
      pending = [];
    } else if (part.length > 0) {
      pending.push(Buffer.from(part));
    }
  };

  const finishLine = (last: Buffer, out: LineEvent[]): void => {
    lineNo++;
    const bytes = pendingBytes + last.length;
    if (tooLong || bytes > max) {
      out.push({ kind: 'bad', line: lineNo, reason: 'line-too-long', bytes });
    } else {
      out.push(decodeLine(pending.length > 0 ? Buffer.concat([...pending, last]) : last, lineNo));
    }
    pending = [];
    pendingBytes = 0;
    tooLong = false;
  };

  const emitRegion = (buf: Buffer, start: number, end: number, out: LineEvent[]): void => {
    const region = buf.subarray(start, end);
    if (end - start <= max && isUtf8(region)) {
      // Fast path: the whole run of complete lines is valid and no line can exceed the limit.
      const parts = region.toString('utf8').split('\n');
      for (const part of parts) {
        lineNo++;
        out.push({ kind: 'line', line: lineNo, text: stripCr(part) });
      }
      return;
    }
    let pos = start;
    while (pos <= end) {
      let nl = buf.indexOf(newline, pos);
      if (nl === -1 || nl > end) nl = end;
      const line = buf.subarray(pos, nl);
      lineNo++;
      out.push(line.length > max ? { kind: 'bad', line: lineNo, reason: 'line-too-long', bytes: line.length } : decodeLine(line, lineNo));
      pos = nl + 1;
    }
  };

  for await (let chunk of readChunks(file, facts.size, options)) {
    if (bomLeft > 0) {
      const drop = Math.min(bomLeft, chunk.length);
      chunk = chunk.subarray(drop);
      bomLeft -= drop;
    }
    const out: LineEvent[] = [];
    let start = 0;
    const firstNl = chunk.indexOf(newline);
    if (firstNl === -1) {
      append(chunk);
      continue;
    }
    if (pending.length > 0 || pendingBytes > 0) {
      finishLine(chunk.subarray(0, firstNl), out);
      start = firstNl + 1;
    }
    const lastNl = chunk.lastIndexOf(newline);
    if (lastNl >= start) {
      emitRegion(chunk, start, lastNl, out);
      start = lastNl + 1;
    }
    append(chunk.subarray(start));
    if (out.length > 0) yield out;
  }
  if (pending.length > 0 || pendingBytes > 0) {
    const out: LineEvent[] = [];
    finishLine(Buffer.alloc(0), out);
    yield out;
  }
}

function decodeLine(bytes: Buffer, line: number): LineEvent {
  if (!isUtf8(bytes)) return { kind: 'bad', line, reason: 'invalid-utf8', bytes: bytes.length };
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === carriageReturn) end--;
  return { kind: 'line', line, text: bytes.toString('utf8', 0, end) };
}

function stripCr(text: string): string {
  return text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
}
