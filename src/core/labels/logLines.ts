/**
 * The byte level of reading a label log: split the file into lines, decode each one strictly as
 * UTF-8, and cut a damaged line at record boundaries. replay.ts decides what the pieces mean.
 */
import { createReadStream } from 'node:fs';
import { RECORD_PREFIX } from './events';

const NEWLINE = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const PREFIX = Buffer.from(RECORD_PREFIX, 'utf8');
/** fatal: an invalid byte fails the line instead of becoming U+FFFD; ignoreBOM: we strip it ourselves. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Calls `onLine` for each line: its bytes are `bytes[start, end)` (without the '\n'; `bytes` is a
 * read chunk shared by many lines, valid only during the call). `isTail` marks a last line that had
 * no newline, which is how an interrupted append looks. Lines are split on bytes, so no UTF-8
 * character is cut. A UTF-8 byte order mark at the start of the file (some editors add one) is not
 * part of the first line.
 */
export async function forEachLine(
  file: string,
  onLine: (bytes: Buffer, start: number, end: number, line: number, isTail: boolean) => void,
): Promise<void> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let pending: Buffer[] = [];
  let line = 0;
  const emit = (bytes: Buffer, start: number, end: number, isTail: boolean): void => {
    line++;
    const skip = line === 1 && startsWithBom(bytes.subarray(start, end)) ? BOM.length : 0;
    onLine(bytes, start + skip, end, line, isTail);
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    let nl = chunk.indexOf(NEWLINE, start);
    while (nl !== -1) {
      if (pending.length === 0) emit(chunk, start, nl, false);
      else {
        const bytes = Buffer.concat([...pending, chunk.subarray(start, nl)]);
        pending = [];
        emit(bytes, 0, bytes.length, false);
      }
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length > 0) {
    const bytes = Buffer.concat(pending);
    emit(bytes, 0, bytes.length, true);
  }
}

/** The text of the bytes, or undefined when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Cuts a line before every RECORD_PREFIX. Inside a JSON string a quote is always escaped, so the
 * prefix only occurs where a record starts: the pieces are the records glued onto the line (and
 * whatever came before the first one).
 */
export function splitAtRecords(bytes: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  let at = bytes.indexOf(PREFIX, 1);
  while (at !== -1) {
    pieces.push(bytes.subarray(start, at));
    start = at;
    at = bytes.indexOf(PREFIX, at + PREFIX.length);
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

function startsWithBom(bytes: Buffer): boolean {
  return bytes.length >= BOM.length && bytes.compare(BOM, 0, BOM.length, 0, BOM.length) === 0;
}
