/**
 * Edits to a document's text, the shape of VS Code's TextDocumentContentChangeEvent without the
 * `vscode` module (a vscode change event is one), and the text they are applied to, read a line at
 * a time (an open document never has to be copied into one string for a small edit).
 *
 * The changes of one event are applied in order, each to the text the previous one left, as the
 * extension host applies them to its copy of the document.
 */
import { lineBreaks } from './textRecords';

export interface TextPosition {
  /** Zero-based line. */
  readonly line: number;
  /** Zero-based UTF-16 offset in the line. */
  readonly character: number;
}

export interface TextChange {
  /** The replaced range of the text before this change. */
  readonly range: { readonly start: TextPosition; readonly end: TextPosition };
  /** The text that replaces it (may hold line breaks). */
  readonly text: string;
}

/** The text after the changes, read by line. */
export interface LineSource {
  readonly lineCount: number;
  /** Line `i` without its line break. */
  line(i: number): string;
  /** Lines `from`..`to` (inclusive) with the line breaks between them, none after `to`. */
  lines(from: number, to: number): string;
}

/** Lines of the text a change replaces, plus the lines of its new text. */
export function touchedLines(changes: readonly TextChange[]): number {
  let n = 0;
  for (const c of changes) n += c.range.end.line - c.range.start.line + 1 + lineBreaks(c.text);
  return n;
}

const BREAK = /\r\n|\r|\n/g;

/** Start offset of every line of `text` (CRLF, CR and LF line breaks). */
function lineStarts(text: string): number[] {
  const starts = [0];
  BREAK.lastIndex = 0;
  for (let m = BREAK.exec(text); m !== null; m = BREAK.exec(text)) starts.push(m.index + m[0].length);
  return starts;
}

/** A LineSource over a string (tests, benchmarks, the CLI). */
export function stringLineSource(text: string): LineSource {
  const starts = lineStarts(text);
  const endOf = (i: number): number => {
    if (i + 1 >= starts.length) return text.length;
    const next = starts[i + 1] as number;
    return text.charCodeAt(next - 1) === 10 && text.charCodeAt(next - 2) === 13 ? next - 2 : next - 1;
  };
  return {
    lineCount: starts.length,
    line: (i) => text.slice(starts[i], endOf(i)),
    lines: (from, to) => text.slice(starts[from], endOf(to)),
  };
}

/** `text` with one change applied (the reference for tests and benchmarks). */
export function applyTextChange(text: string, change: TextChange): string {
  const starts = lineStarts(text);
  const offset = (p: TextPosition): number => Math.min(text.length, (starts[p.line] ?? text.length) + p.character);
  return text.slice(0, offset(change.range.start)) + change.text + text.slice(offset(change.range.end));
}
