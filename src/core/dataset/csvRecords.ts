import { isUtf8 } from 'node:buffer';
import { parse, type CsvError, type InfoRecord } from 'csv-parse';
import { type FileFacts, type ReadOptions, readChunks } from './chunks';

/** One CSV/TSV record with the physical line it starts on, or the reason it was not read. */
export type CsvEvent =
  | { readonly kind: 'record'; readonly line: number; readonly fields: string[] }
  | {
      readonly kind: 'bad';
      readonly line: number;
      readonly reason: 'invalid-utf8' | 'line-too-long' | 'csv-syntax';
      readonly bytes: number;
      readonly detail?: string;
    };

const quote = 0x22;
const newline = 0x0a;
const carriageReturn = 0x0d;

interface Frame {
  readonly line: number;
  /** Offset just past this frame in the bytes handed to csv-parse. */
  readonly end: number;
  errored: boolean;
}

/**
 * Reads CSV/TSV records with `csv-parse` (quoted fields with delimiters and newlines, ragged rows).
 *
 * Before csv-parse sees the bytes, a small quote-aware framer cuts the stream into physical records.
 * That buys three things csv-parse alone cannot give: the exact start line of every record (its
 * `info.lines` counts each CR and LF of a CRLF pair, so it drifts after quoted CRLF newlines), a
 * per-record UTF-8 check (so one mis-encoded row is skipped, not mangled), and a record size limit
 * that skips the record (csv-parse's `max_record_size` with skipping never recovers). Each record
 * csv-parse emits is mapped back to its frame by byte offset (`info.bytes`).
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

  // A queue as array + head index: Array.shift() is O(n) and a chunk holds thousands of frames.
  let head = 0;
  const frameFor = (end: number): Frame | undefined => {
    while (head < frames.length && frames[head].end < end) head++;
    return frames[head];
  };
  const compact = (): void => {
    frames.splice(0, head);
    head = 0;
  };
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (record: string[], context: InfoRecord): null => {
      const frame = frameFor(context.bytes);
      if (frame !== undefined) {
        head++;
        out.push({ kind: 'record', line: frame.line, fields: record });
      }
      return null;
    },
    on_skip: (err: CsvError | undefined): undefined => {
      // The failing record is the first frame not yet resolved; one bad record can raise several errors.
      const frame = frames[head];
      if (frame !== undefined && !frame.errored) {
        frame.errored = true;
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

  const scan: ScanState = { inQuotes: false, quoteSeen: false, atFieldStart: true, line: 1 };
  let recordLine = 1;
  let parts: Buffer[] = [];
  let recordBytes = 0;
  let tooLong = false;
  let bomLeft = facts.hasBom ? 3 : 0;

  const endRecord = (tail: Buffer, batch: Buffer[]): void => {
    const bytes = recordBytes + tail.length;
    if (tooLong || bytes > max) {
      out.push({ kind: 'bad', line: recordLine, reason: 'line-too-long', bytes });
    } else {
      const record = parts.length > 0 ? Buffer.concat([...parts, tail]) : tail;
      if (!isBlank(record)) {
        if (!isUtf8(record)) {
          out.push({ kind: 'bad', line: recordLine, reason: 'invalid-utf8', bytes });
        } else {
          const needsNewline = record.length === 0 || record[record.length - 1] !== newline;
          batch.push(record);
          forwarded += record.length;
          if (needsNewline) {
            batch.push(Buffer.from('\n'));
            forwarded += 1;
          }
          frames.push({ line: recordLine, end: forwarded, errored: false });
        }
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
    const batch: Buffer[] = [];
    const ends: number[] = [];
    const nextLines: number[] = [];
    scanRecords(chunk, scan, delim, ends, nextLines);
    let start = 0;
    for (let k = 0; k < ends.length; k++) {
      endRecord(chunk.subarray(start, ends[k] + 1), batch);
      recordLine = nextLines[k];
      start = ends[k] + 1;
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
  if (recordBytes > 0) endRecord(Buffer.alloc(0), batch);
  await forward(batch);
  parser.end();
  await ended;
  if (out.length > 0) yield out;
}

interface ScanState {
  inQuotes: boolean;
  /** Inside quotes, the previous byte was a quote: either an escaped "" or the closing quote. */
  quoteSeen: boolean;
  atFieldStart: boolean;
  /** The physical line (1-based) the scanner is on. */
  line: number;
}

/**
 * Finds the newlines that end records (not those inside quoted fields), as csv-parse will read
 * them: a quote opens a quoted field only at the start of a field (relax_quotes), "" inside quotes
 * is an escaped quote. Kept as a tight standalone loop: it touches every byte of the file.
 */
function scanRecords(buf: Buffer, st: ScanState, delim: number, ends: number[], nextLines: number[]): void {
  let { inQuotes, quoteSeen, atFieldStart, line } = st;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    if (inQuotes) {
      if (quoteSeen) {
        quoteSeen = false;
        if (b === quote) continue;
        inQuotes = false;
      } else {
        if (b === quote) quoteSeen = true;
        else if (b === newline) line++;
        continue;
      }
    }
    if (b === newline) {
      line++;
      ends.push(i);
      nextLines.push(line);
      atFieldStart = true;
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
  st.line = line;
}

function isBlank(record: Buffer): boolean {
  for (const b of record) if (b !== newline && b !== carriageReturn && b !== 0x20 && b !== 0x09) return false;
  return true;
}

/** csv-parse's own message cites its line counter, which drifts on CRLF; keep only the reason. */
function describeCsvError(err: CsvError | undefined): string {
  if (err === undefined) return 'malformed CSV';
  const reason = err.message.replace(/\s*(at|on) line \d+/g, '').replace(/\.$/, '');
  return reason;
}
