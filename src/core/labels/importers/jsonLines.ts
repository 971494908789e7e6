/**
 * Splits an export's text into JSON lines: each non-blank line is parsed on its own, so one broken
 * line is reported with its number and the rest is still read.
 */
import { note, type ImportNote } from './types';

export interface JsonLine {
  readonly line: number;
  readonly value: unknown;
}

/** Parses every non-blank line; a line that is not JSON becomes an `invalid-json` note. */
export function parseJsonLines(file: string, content: string): { lines: JsonLine[]; notes: ImportNote[] } {
  const lines: JsonLine[] = [];
  const notes: ImportNote[] = [];
  const raw = stripBom(content).split(/\r\n|\r|\n/);
  raw.forEach((text, i) => {
    if (text.trim() === '') return;
    try {
      lines.push({ line: i + 1, value: JSON.parse(text) });
    } catch (error) {
      notes.push(note(file, i + 1, 'invalid-json', `not valid JSON (${(error as Error).message}); the line was skipped, the rest imported.`));
    }
  });
  return { lines, notes };
}

export function stripBom(content: string): string {
  return content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
}

/**
 * The 1-based line on which each element of a top-level JSON array starts, found by scanning the
 * text once (strings and nesting tracked), so Label Studio tasks can be reported by line.
 */
export function arrayElementLines(content: string): number[] {
  const starts: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectElement = false;
  for (let i = 0; i < content.length; i++) {
    const c = content[i];
    if (c === '\n') line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    if (depth === 1 && expectElement && c !== ']') {
      starts.push(line);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1 && c === '[') expectElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectElement = true;
  }
  return starts;
}
