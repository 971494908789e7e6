import { isUtf8 } from 'node:buffer';
import { parse, type CsvError, type InfoRecord } from 'csv-parse';
import { type ReadOptions, readChunks } from './chunks';
import type { FileFacts } from './inspect';
import { CR, LF, continuesCrlf } from './lineEndings';

/** One CSV/TSV record with the physical line it starts on, or the reason it was not read. */
export type CsvEvent =
  | { readonly kind: 'record'; readonly line: number; readonly fields: string[] }
  | {
      readonly kind: 'bad';
      readonly line: number;
      readonly reason: 'invalid-utf8' | 'line-too-long' | 'csv-syntax' | 'nul-byte';
      readonly bytes: number;
      readonly detail?: string;
    };

const quote = 0x22;
/** Every record reaches csv-parse ended by exactly this, whatever ended it in the file. */
const recordEnd = Buffer.from('\n');

interface Frame {
  readonly line: number;
  /** Offset just past this frame in the bytes handed to csv-parse. */
  readonly end: number;
  /** A record or a problem has been reported for this frame. */
  resolved: boolean;
}

/**
 * Reads CSV/TSV records with `csv-parse` (quoted fields with delimiters and newlines, ragged rows).
 *
 * Before csv-parse sees the bytes, a small quote-aware framer cuts the stream into physical records,
 * splitting on the shared line endings (CRLF, LF or a lone CR, see lineEndings.ts). That buys what
 * csv-parse alone cannot give: the exact start line of every record whatever the mix of endings
 * (csv-parse settles on one record delimiter per file), a per-record UTF-8 and NUL check (so one bad
 * row is skipped, not mangled), and a record size limit that skips the record (csv-parse's
 * `max_record_size` with skipping never recovers). Each record is forwarded ended by a single LF,
 * so csv-parse's record delimiter is LF only and it cuts exactly where the framer did.
 *
 * Each record csv-parse emits is mapped back to its frame by byte offset (`info.bytes`). Every frame
 * ends up with exactly one outcome: a record, or a problem. Should the parser ever read a frame
 * differently (merge two, or split one), those frames are reported, never dropped silently.
 */
export async function* readCsvRecords(
  file: string,
  facts: FileFacts,
  delimiter: ',' | '\t',
  options: ReadOptions,
): AsyncGenerator<CsvEvent[]> {
  const max = options.maxRecordBytes;
  const delim = delimiter.charCodeAt(0);
  const frames: Frame[] = [];
  let out: CsvEvent[] = [];
  let forwarded = 0;

  const misread = (frame: Frame): void => {
    frame.resolved = true;
    out.push({ kind: 'bad', line: frame.line, reason: 'csv-syntax', bytes: 0, detail: 'its quotes could not be matched up' });
  };
  // A queue as array + head index: Array.shift() is O(n) and a chunk holds thousands of frames.
  let head = 0;
  /** The frame a record ending at `bytes` belongs to; frames passed over without an outcome are reported. */
  const frameEnding = (bytes: number): Frame | undefined => {
    while (head < frames.length && frames[head].end < bytes) {
      const passed = frames[head++];
      if (!passed.resolved) misread(passed);
    }
    return frames[head];
  };
  const compact = (): void => {
    frames.splice(0, head);
    head = 0;
  };
  const parser = parse({
    delimiter,
    record_delimiter: '\n',
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    // The framer drops blank lines itself; a record csv-parse thinks empty (`""`) is reported as empty text.
    skip_empty_lines: false,
    skip_records_with_error: true,
    on_record: (record: string[], context: InfoRecord): null => {
      const frame = frameEnding(context.bytes);
      if (frame === undefined) return null;
      if (frame.end !== context.bytes) {
        // The parser ended a record inside a frame: report the frame once, ignore its pieces.
        if (!frame.resolved) misread(frame);
        return null;
      }
      head++;
      if (!frame.resolved) {
        frame.resolved = true;
        out.push({ kind: 'record', line: frame.line, fields: record });
      }
      return null;
    },
    on_skip: (err: CsvError | undefined): undefined => {
      // The failing record is the first frame not yet resolved; one bad record can raise several errors.
      const frame = frames[head];
      if (frame !== undefined && !frame.resolved) {
        frame.resolved = true;
        out.push({ kind: 'bad', line: frame.line, reason: 'csv-syntax', bytes: 0, detail: describeCsvError(err) });
      }
      return undefined;
    },
  });
  const ended = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  parser.resume();

  const scan: ScanState = { inQuotes: false, quoteSeen: false, atFieldStart: true, afterCr: false, line: 1 };
  let recordLine = 1;
  let parts: Buffer[] = [];
  let recordBytes = 0;
  let tooLong = false;
  let bomLeft = facts.hasBom ? 3 : 0;

  /** Ends the record whose last bytes (its line ending excluded) are `tail`. */
  const endRecord = (tail: Buffer, chunkHasNul: boolean, batch: Buffer[]): void => {
    const bytes = recordBytes + tail.length;
    if (tooLong || bytes > max) {
      out.push({ kind: 'bad', line: recordLine, reason: 'line-too-long', bytes });
    } else {
      const record = parts.length > 0 ? Buffer.concat([...parts, tail]) : tail;
      const nul = chunkHasNul || parts.length > 0 ? record.indexOf(0) : -1;
      if (isBlank(record)) {
        // A blank line is not a record, in CSV as in JSONL and TXT.
      } else if (!isUtf8(record)) {
        out.push({ kind: 'bad', line: recordLine, reason: 'invalid-utf8', bytes });
      } else if (nul !== -1) {
        out.push({ kind: 'bad', line: recordLine, reason: 'nul-byte', bytes, detail: `at byte ${nul + 1} of the row` });
      } else {
        batch.push(record, recordEnd);
        forwarded += record.length + recordEnd.length;
        frames.push({ line: recordLine, end: forwarded, resolved: false });
      }
    }
    parts = [];
    recordBytes = 0;
    tooLong = false;
  };
  const keep = (part: Buffer): void => {
    recordBytes += part.length;
    if (tooLong || part.length === 0) return;
    if (recordBytes > max) {
      tooLong = true;
      parts = [];
    } else {
      parts.push(part);
    }
  };
  const forward = async (batch: Buffer[]): Promise<void> => {
    if (batch.length > 0) {
      const data = batch.length === 1 ? batch[0] : Buffer.concat(batch);
      if (!parser.write(data)) await new Promise<void>((resolve) => parser.once('drain', resolve));
    }
  };

  for await (let chunk of readChunks(file, facts.size, options)) {
    if (bomLeft > 0) {
      const drop = Math.min(bomLeft, chunk.length);
      chunk = chunk.subarray(drop);
      bomLeft -= drop;
    }
    if (chunk.length === 0) continue;
    const batch: Buffer[] = [];
    const ends: number[] = [];
    const starts: number[] = [];
    const nextLines: number[] = [];
    let start = scanRecords(chunk, scan, delim, ends, starts, nextLines);
    const hasNul = chunk.indexOf(0) !== -1;
    for (let k = 0; k < ends.length; k++) {
      endRecord(chunk.subarray(start, ends[k]), hasNul, batch);
      recordLine = nextLines[k];
      start = starts[k];
    }
    keep(chunk.subarray(start));
    await forward(batch);
    compact();
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
  const batch: Buffer[] = [];
  if (recordBytes > 0) endRecord(Buffer.alloc(0), true, batch);
  await forward(batch);
  parser.end();
  await ended;
  frameEnding(Number.POSITIVE_INFINITY);
  if (out.length > 0) yield out;
}

interface ScanState {
  inQuotes: boolean;
  /** Inside quotes, the previous byte was a quote: either an escaped "" or the closing quote. */
  quoteSeen: boolean;
  atFieldStart: boolean;
  /** The previous byte was a CR: an LF now completes that CRLF and is not a second line ending. */
  afterCr: boolean;
  /** The physical line (1-based) the scanner is on. */
  line: number;
}

/**
 * Finds the line endings that end records (not those inside quoted fields), as csv-parse will read
 * them: a quote opens a quoted field only at the start of a field (relax_quotes), "" inside quotes
 * is an escaped quote. Pushes, per record end, the index of its ending, the index the next record
 * starts at, and that record's line. Returns where the first record of this chunk starts: 1 when the
 * chunk opens with the LF of a CRLF whose CR ended the previous chunk's last record.
 * Kept as a tight standalone loop: it touches every byte of the file.
 */
function scanRecords(buf: Buffer, st: ScanState, delim: number, ends: number[], starts: number[], nextLines: number[]): number {
  let { inQuotes, quoteSeen, atFieldStart, line } = st;
  // Outside quotes the LF of a CRLF split across chunks is skipped; inside quotes it is field
  // content, and the loop below only keeps it from counting a second line.
  const first = !inQuotes && continuesCrlf(st.afterCr, buf) ? 1 : 0;
  let afterCr = st.afterCr && first === 0;
  const n = buf.length;
  for (let i = first; i < n; i++) {
    const b = buf[i];
    if (afterCr) {
      afterCr = false;
      if (b === LF) {
        // The second half of a CRLF: the CR already ended the line (and, outside quotes, the record).
        if (!inQuotes) starts[starts.length - 1] = i + 1;
        continue;
      }
    }
    if (inQuotes) {
      if (quoteSeen) {
        quoteSeen = false;
        if (b === quote) continue;
        inQuotes = false;
      } else {
        if (b === quote) quoteSeen = true;
        else if (b === LF || b === CR) {
          line++;
          afterCr = b === CR;
        }
        continue;
      }
    }
    if (b === LF || b === CR) {
      line++;
      ends.push(i);
      starts.push(i + 1);
      nextLines.push(line);
      atFieldStart = true;
      afterCr = b === CR;
    } else if (b === delim) {
      atFieldStart = true;
    } else if (b === quote && atFieldStart) {
      inQuotes = true;
      atFieldStart = false;
    } else {
      atFieldStart = false;
    }
  }
  st.inQuotes = inQuotes;
  st.quoteSeen = quoteSeen;
  st.atFieldStart = atFieldStart;
  st.afterCr = afterCr;
  st.line = line;
  return first;
}

function isBlank(record: Buffer): boolean {
  for (const b of record) if (b !== 0x20 && b !== 0x09) return false;
  return true;
}

/** csv-parse's own message cites its line counter, which drifts on CRLF; keep only the reason. */
function describeCsvError(err: CsvError | undefined): string {
  if (err === undefined) return 'malformed CSV';
  const reason = err.message.replace(/\s*(at|on) line \d+/g, '').replace(/\.$/, '');
  return reason;
}
