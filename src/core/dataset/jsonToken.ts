/**
 * Finds the source spelling of a value in one JSON Lines row, so a number used as text keeps what
 * the file says (`1.50`, `1e400`, `12345678901234567890`) instead of what a double makes of it
 * (`1.5`, `Infinity`, `12345678901234567000`). Runs only for rows whose text is not a string, on a
 * line that JSON.parse has already accepted.
 */

/**
 * The raw source of the top-level member `key` of the object on `line`, e.g. `1.50` for "n" in
 * `{"n": 1.50}`; the last one when the key repeats, as JSON.parse keeps the last. Undefined when
 * the line is not an object holding that key.
 */
export function rawMemberValue(line: string, key: string): string | undefined {
  let i = skipSpace(line, 0);
  if (line[i] !== '{') return undefined;
  i = skipSpace(line, i + 1);
  if (line[i] === '}') return undefined;
  let found: string | undefined;
  for (;;) {
    if (line[i] !== '"') return undefined;
    const keyEnd = endOfString(line, i);
    if (keyEnd === -1) return undefined;
    const name = JSON.parse(line.slice(i, keyEnd)) as string;
    i = skipSpace(line, keyEnd);
    if (line[i] !== ':') return undefined;
    const start = skipSpace(line, i + 1);
    const end = endOfValue(line, start);
    if (end === -1) return undefined;
    if (name === key) found = line.slice(start, end);
    i = skipSpace(line, end);
    if (line[i] === '}') return found;
    if (line[i] !== ',') return undefined;
    i = skipSpace(line, i + 1);
  }
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  return i;
}

/** `s[i]` is an opening quote; returns the index just past the closing one, or -1. */
function endOfString(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

/** The index just past the value starting at `i` (string, object, array or a bare literal), or -1. */
function endOfValue(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return endOfString(s, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s[j];
      if (d === '"') {
        j = endOfString(s, j) - 1;
        if (j < 0) return -1;
      } else if (d === '{' || d === '[') {
        depth++;
      } else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < s.length && !',}] \t\n\r'.includes(s[j])) j++;
  return j > i ? j : -1;
}
