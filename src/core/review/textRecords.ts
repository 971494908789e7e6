/**
 * Splits a dataset file's text as an editor holds it (one string, possibly unsaved) into records,
 * each with the zero-based lines it spans, the way the file readers split the file on disk:
 * - JSONL and TXT: one record per physical line; blank lines are not records;
 * - CSV/TSV: the quote-aware framing of csvRecords.ts (a quoted field may hold line breaks, `""`
 *   escapes a quote, a quote opens a field only at its start), blank records skipped.
 * Line endings are CRLF, LF or a lone CR in any mix (lineEndings.ts), so a CRLF file maps to the
 * same lines as VS Code numbers them.
 *
 * The scanners are resumable (`scan(max, out)` a slice at a time), so a big file is split in
 * slices that leave the event loop free between them.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import type { DatasetFormat } from '../types';

/** One record's raw text (line endings inside quoted CSV fields kept) and the lines it spans. */
export interface TextRecord {
  /** Zero-based line the record starts on (VS Code's line numbering). */
  readonly line: number;
  /** Zero-based last line of the record (greater than `line` for a multi-line CSV record). */
  readonly endLine: number;
  readonly text: string;
}

/** Splits a text a slice at a time. */
export interface RecordScanner {
  /** Appends the records of up to about `maxLines` more lines to `out`; true once the text is done. */
  scan(maxLines: number, out: TextRecord[]): boolean;
  /** Lines seen so far; once done, the text's line count (line breaks + 1, as VS Code counts). */
  readonly lineCount: number;
  /** CSV: the text ended inside a quoted field (the next line break would belong to the field). */
  readonly openQuote: boolean;
}

const CR = 13;
const LF = 10;
const QUOTE = 34;

/** Every record of `text` in order. A leading byte order mark is ignored. */
export function splitRecords(text: string, format: DatasetFormat): TextRecord[] {
  const out: TextRecord[] = [];
  recordScanner(text, format).scan(Infinity, out);
  return out;
}

/** A scanner over `text` whose first line is `startLine` (from line 0, a byte order mark is ignored). */
export function recordScanner(text: string, format: DatasetFormat, startLine = 0): RecordScanner {
  const body = startLine === 0 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return format === 'csv' || format === 'tsv' ? new CsvScanner(body, format === 'tsv' ? '\t' : ',', startLine) : new LineScanner(body, startLine);
}

/** A JSONL/TXT line is a record unless it is empty or only whitespace. */
export function isRecordLine(part: string): boolean {
  return part.length > 0 && (part.charCodeAt(0) > 32 || part.trim() !== '');
}

/** Line breaks in `text` (CRLF, CR and LF each count one). */
export function lineBreaks(text: string): number {
  let n = 0;
  if (text.indexOf('\r') === -1) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
    return n;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) n++;
    else if (c === CR) {
      n++;
      if (text.charCodeAt(i + 1) === LF) i++;
    }
  }
  return n;
}

class LineScanner implements RecordScanner {
  private pos = 0;
  private line: number;
  private done = false;
  /** Any CR: the general (regex) split; else indexOf, which is native and far faster. */
  private readonly breaks: RegExp | undefined;
  readonly openQuote = false;

  constructor(
    private readonly text: string,
    private readonly startLine: number,
  ) {
    this.line = startLine;
    this.breaks = text.indexOf('\r') === -1 ? undefined : /\r\n|\r|\n/g;
  }

  get lineCount(): number {
    return this.line - this.startLine + (this.done ? 0 : 1);
  }

  scan(maxLines: number, out: TextRecord[]): boolean {
    const t = this.text;
    for (let k = 0; k < maxLines && !this.done; k++) {
      let end: number;
      let next: number;
      if (this.breaks === undefined) {
        end = t.indexOf('\n', this.pos);
        next = end + 1;
      } else {
        this.breaks.lastIndex = this.pos;
        const m = this.breaks.exec(t);
        end = m === null ? -1 : m.index;
        next = m === null ? 0 : m.index + m[0].length;
      }
      const part = t.slice(this.pos, end === -1 ? t.length : end);
      if (isRecordLine(part)) out.push({ line: this.line, endLine: this.line, text: part });
      if (end === -1) {
        this.done = true;
        this.line++;
      } else {
        this.pos = next;
        this.line++;
      }
    }
    return this.done;
  }
}

/** The quote-aware framer of csvRecords.ts (scanRecords), over a string instead of bytes. */
class CsvScanner implements RecordScanner {
  private readonly delim: number;
  private inQuotes = false;
  private quoteSeen = false;
  private atFieldStart = true;
  private line: number;
  private recordLine: number;
  private start = 0;
  private i = 0;
  private done = false;

  constructor(
    private readonly text: string,
    delimiter: string,
    private readonly startLine: number,
  ) {
    this.delim = delimiter.charCodeAt(0);
    this.line = startLine;
    this.recordLine = startLine;
  }

  get lineCount(): number {
    return this.line - this.startLine + 1;
  }

  get openQuote(): boolean {
    return this.inQuotes && !this.quoteSeen;
  }

  scan(maxLines: number, out: TextRecord[]): boolean {
    if (this.done) return true;
    const text = this.text;
    const n = text.length;
    const delim = this.delim;
    const stopAt = this.line + maxLines;
    let { inQuotes, quoteSeen, atFieldStart, line, i } = this;
    for (; i < n; i++) {
      const b = text.charCodeAt(i);
      if (inQuotes) {
        if (quoteSeen) {
          quoteSeen = false;
          if (b === QUOTE) continue;
          inQuotes = false;
        } else {
          if (b === QUOTE) quoteSeen = true;
          else if (b === LF || b === CR) {
            if (b === CR && i + 1 < n && text.charCodeAt(i + 1) === LF) i++;
            line++;
          }
          continue;
        }
      }
      if (b === LF || b === CR) {
        this.push(out, i, line);
        if (b === CR && i + 1 < n && text.charCodeAt(i + 1) === LF) i++;
        line++;
        this.recordLine = line;
        this.start = i + 1;
        atFieldStart = true;
        if (line >= stopAt) {
          i++;
          break;
        }
      } else if (b === delim) {
        atFieldStart = true;
      } else if (b === QUOTE && atFieldStart) {
        inQuotes = true;
        atFieldStart = false;
      } else {
        atFieldStart = false;
      }
    }
    Object.assign(this, { inQuotes, quoteSeen, atFieldStart, line, i });
    if (i >= n) {
      if (this.start < n) this.push(out, n, line);
      this.done = true;
    }
    return this.done;
  }

  private push(out: TextRecord[], end: number, endLine: number): void {
    const part = this.text.slice(this.start, end);
    if (!isBlank(part)) out.push({ line: this.recordLine, endLine, text: part });
  }
}

function isBlank(record: string): boolean {
  for (let i = 0; i < record.length; i++) {
    const c = record.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/**
 * A CSV record's fields, read as the loader reads them (csv-parse, relaxed quotes and column
 * count); undefined when csv-parse refuses the record (the loader reports it as a csv-syntax row).
 * A record without quotes is split directly: the common case, and far cheaper than the parser.
 */
export function csvFields(record: string, delimiter: ',' | '\t'): string[] | undefined {
  if (record.indexOf('"') === -1) return record.split(delimiter);
  try {
    const rows = parseCsv(record, { delimiter, record_delimiter: '\n', relax_quotes: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
    return rows.length === 1 ? rows[0] : undefined;
  } catch {
    return undefined;
  }
}
