/**
 * Splits a dataset file's text as an editor holds it (one string, possibly unsaved) into records,
 * each with the zero-based lines it spans, the way the file readers split the file on disk:
 * - JSONL and TXT: one record per physical line; blank lines are not records;
 * - CSV/TSV: the quote-aware framing of csvRecords.ts (a quoted field may hold line breaks, `""`
 *   escapes a quote, a quote opens a field only at its start), blank records skipped.
 * Line endings are CRLF, LF or a lone CR in any mix (lineEndings.ts), so a CRLF file maps to the
 * same lines as VS Code numbers them.
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

const CR = 13;
const LF = 10;
const QUOTE = 34;

/** Every record of `text` in order. A leading byte order mark is ignored. */
export function splitRecords(text: string, format: DatasetFormat): TextRecord[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return format === 'csv' || format === 'tsv' ? csvFrames(body, format === 'tsv' ? '\t' : ',') : lineRecords(body);
}

function lineRecords(text: string): TextRecord[] {
  const out: TextRecord[] = [];
  // indexOf is native and far faster than a char loop; a file with any CR takes the general split.
  const parts = text.indexOf('\r') === -1 ? text.split('\n') : text.split(/\r\n|\r|\n/);
  for (let line = 0; line < parts.length; line++) {
    const part = parts[line] as string;
    if (part.length > 0 && (part.charCodeAt(0) > 32 || part.trim() !== '')) out.push({ line, endLine: line, text: part });
  }
  return out;
}

/** The quote-aware framer of csvRecords.ts (scanRecords), over a string instead of bytes. */
function csvFrames(text: string, delimiter: string): TextRecord[] {
  const delim = delimiter.charCodeAt(0);
  const out: TextRecord[] = [];
  let inQuotes = false;
  let quoteSeen = false;
  let atFieldStart = true;
  let line = 0;
  let recordLine = 0;
  let start = 0;
  const n = text.length;
  const end = (i: number): void => {
    const part = text.slice(start, i);
    if (!isBlank(part)) out.push({ line: recordLine, endLine: line, text: part });
  };
  for (let i = 0; i < n; i++) {
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
      end(i);
      if (b === CR && i + 1 < n && text.charCodeAt(i + 1) === LF) i++;
      line++;
      recordLine = line;
      start = i + 1;
      atFieldStart = true;
    } else if (b === delim) {
      atFieldStart = true;
    } else if (b === QUOTE && atFieldStart) {
      inQuotes = true;
      atFieldStart = false;
    } else {
      atFieldStart = false;
    }
  }
  if (start < n) end(n);
  return out;
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
