import { isUtf8 } from 'node:buffer';
import { type ReadOptions, readChunks } from './chunks';
import type { FileFacts } from './inspect';
import { CR, LineBreakFinder, continuesCrlf, endingLength, lineBreakPattern } from './lineEndings';

/** Why a physical line could not be read as text. */
export type BadLineReason = 'invalid-utf8' | 'line-too-long' | 'nul-byte';

/** One physical line of a line-based file (JSONL, TXT), or the reason it could not be read. */
export type LineEvent =
  | { readonly kind: 'line'; readonly line: number; readonly text: string }
  | { readonly kind: 'bad'; readonly line: number; readonly reason: BadLineReason; readonly bytes: number; readonly detail?: string };

/**
 * Splits the file into lines on raw bytes, so a huge file is never one string and a bad byte spoils
 * only its own line. Lines end with CRLF, LF or a lone CR (lineEndings.ts), in any mix. Yields a
 * batch per chunk (not per line) to keep the async overhead negligible. The BOM is dropped, and each
 * line is validated separately (UTF-8, no NUL byte) so one bad row is reported instead of silently
 * turning into U+FFFD or an invisible character.
 */
export async function* readLines(file: string, facts: FileFacts, options: ReadOptions): AsyncGenerator<LineEvent[]> {
  const max = options.maxRecordBytes;
  const finder = new LineBreakFinder();
  let lineNo = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let bomLeft = facts.hasBom ? 3 : 0;
  let endedWithCr = false;

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

  /** The complete lines in buf[start, lastBreak), each ended by the break after it. */
  const emitRegion = (buf: Buffer, start: number, lastBreak: number, out: LineEvent[]): void => {
    const region = buf.subarray(start, lastBreak);
    if (region.length <= max && region.indexOf(0) === -1 && isUtf8(region)) {
      // Fast path: the whole run of complete lines is valid and no line can exceed the limit.
      const text = region.toString('utf8');
      const parts = finder.hasCrFrom(start) ? text.split(lineBreakPattern) : text.split('\n');
      for (const part of parts) {
        lineNo++;
        out.push({ kind: 'line', line: lineNo, text: part });
      }
      return;
    }
    let pos = start;
    for (;;) {
      const end = finder.next(pos);
      const line = buf.subarray(pos, end);
      lineNo++;
      out.push(line.length > max ? { kind: 'bad', line: lineNo, reason: 'line-too-long', bytes: line.length } : decodeLine(line, lineNo));
      if (end >= lastBreak) return;
      pos = end + endingLength(buf, end);
    }
  };

  for await (let chunk of readChunks(file, facts.size, options)) {
    if (bomLeft > 0) {
      const drop = Math.min(bomLeft, chunk.length);
      chunk = chunk.subarray(drop);
      bomLeft -= drop;
    }
    if (chunk.length === 0) continue;
    // The LF of a CRLF split across two chunks: the CR already ended the line.
    let start = continuesCrlf(endedWithCr, chunk) ? 1 : 0;
    endedWithCr = chunk[chunk.length - 1] === CR;
    finder.reset(chunk);
    const out: LineEvent[] = [];
    const first = finder.next(start);
    if (first === -1) {
      append(chunk.subarray(start));
      continue;
    }
    if (pending.length > 0 || pendingBytes > 0) {
      finishLine(chunk.subarray(start, first), out);
      start = first + endingLength(chunk, first);
    }
    const last = finder.last();
    if (last >= start) {
      emitRegion(chunk, start, last, out);
      start = last + endingLength(chunk, last);
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
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { kind: 'bad', line, reason: 'nul-byte', bytes: bytes.length, detail: `at byte ${nul + 1} of the row` };
  return { kind: 'line', line, text: bytes.toString('utf8') };
}
