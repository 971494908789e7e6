/**
 * Heuristics that guess a file's layout from its first rows: which field holds the text, which the
 * labels and ids, and whether a CSV's first row is a header. Every guess is overridable by the caller.
 */
import { ownField } from './rows';

/** Tried in this order; the first present (case-insensitively) wins. */
export const textFieldNames: readonly string[] = ['text', 'content', 'sentence', 'body', 'headline', 'title'];
export const labelFieldNames: readonly string[] = ['label', 'labels'];
export const idFieldNames: readonly string[] = ['id', '_id', 'uuid'];

type Sample = readonly Readonly<Record<string, unknown>>[];

/** The field whose name matches the earliest of `names` (exact spelling preferred over other case). */
export function findNamedField(fields: readonly string[], names: readonly string[]): string | undefined {
  for (const name of names) {
    if (fields.includes(name)) return name;
    const match = fields.find((f) => f.toLowerCase() === name);
    if (match !== undefined) return match;
  }
  return undefined;
}

export function isNumeric(value: string): boolean {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value);
}

/**
 * The text field: a conventional name if there is one; otherwise the column that is mostly
 * non-numeric strings and longest on average over the sample (a headerless `id,text,label` CSV picks
 * the text, not the id), else the only column.
 */
export function detectTextField(fields: readonly string[], sample: Sample, exclude: ReadonlySet<string>): string {
  const named = findNamedField(fields, textFieldNames);
  if (named !== undefined) return named;
  let best: string | undefined;
  let bestLength = -1;
  for (const field of fields) {
    if (exclude.has(field)) continue;
    let present = 0;
    let textual = 0;
    let length = 0;
    for (const row of sample) {
      const v = ownField(row, field);
      if (v === undefined || v === null || v === '') continue;
      present++;
      if (typeof v === 'string' && v.trim() !== '' && !isNumeric(v)) {
        textual++;
        length += v.length;
      }
    }
    if (present === 0 || textual / present < 0.5) continue;
    const mean = length / textual;
    if (mean > bestLength) {
      best = field;
      bestLength = mean;
    }
  }
  return best ?? fields.find((f) => !exclude.has(f)) ?? fields[0] ?? 'text';
}

/**
 * For a headerless CSV: a short, low-cardinality column beside the text (e.g. `0`/`1` after the
 * headline) is probably a label. Only offered as a suggestion; it is imported only when asked for.
 */
export function guessLabelColumn(columns: readonly string[], sample: Sample, textField: string): string | undefined {
  const textIndex = columns.indexOf(textField);
  const order = columns
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c !== textField)
    .sort((a, b) => distanceRank(a.i, textIndex) - distanceRank(b.i, textIndex));
  for (const { c } of order) {
    const values: string[] = [];
    for (const row of sample) {
      const v = ownField(row, c);
      if (typeof v === 'string' && v.trim() !== '') values.push(v.trim());
    }
    if (values.length === 0) continue;
    const distinct = new Set(values).size;
    const meanLength = values.reduce((sum, v) => sum + v.length, 0) / values.length;
    const maxDistinct = Math.max(2, Math.min(20, Math.ceil(values.length / 3)));
    if (meanLength <= 24 && distinct <= maxDistinct) return c;
  }
  return undefined;
}

/** Columns right of the text come first (label usually follows the text), nearest first. */
function distanceRank(i: number, textIndex: number): number {
  return i > textIndex ? (i - textIndex) * 2 : (textIndex - i) * 2 + 1;
}

const identifierLike = /^[\p{L}_][\p{L}\p{N}_ .\-/()#]{0,39}$/u;

/**
 * Whether a CSV's first record is a header. A header's cells are short, unique, non-numeric names;
 * decisive evidence is a conventional name (`text`, `label`, ...), or a column whose data is
 * numeric under a non-numeric first cell, or a first cell far shorter than the column's texts.
 * A first cell that repeats further down its column is data (a label value), not a name.
 */
export function looksLikeHeader(records: readonly (readonly string[])[], hints: readonly string[]): boolean {
  const first = records[0];
  if (first === undefined || first.length === 0) return false;
  const cells = first.map((c) => c.trim());
  if (cells.some((c) => c === '' || isNumeric(c))) return false;
  if (new Set(cells.map((c) => c.toLowerCase())).size !== cells.length) return false;
  const known = new Set([...textFieldNames, ...labelFieldNames, ...idFieldNames, ...hints.map((h) => h.toLowerCase())]);
  if (cells.some((c) => known.has(c.toLowerCase()))) return true;
  if (!cells.every((c) => identifierLike.test(c) && c.split(' ').length <= 4)) return false;
  const data = records.slice(1, 500);
  if (data.length === 0) return false;
  // A header names every column. A first row narrower than most rows is a short data row, and
  // taking it for a header would drop it without a word.
  if (first.length < typicalWidth(data)) return false;
  let numericBelow = false;
  let muchShorter = false;
  for (let j = 0; j < cells.length; j++) {
    const column = data.map((r) => (r[j] ?? '').trim()).filter((v) => v !== '');
    if (column.length === 0) continue;
    if (column.includes(cells[j])) return false;
    const numeric = column.filter(isNumeric).length;
    if (numeric / column.length >= 0.8) numericBelow = true;
    const texts = column.filter((v) => !isNumeric(v));
    const mean = texts.reduce((sum, v) => sum + v.length, 0) / Math.max(1, texts.length);
    if (texts.length / column.length >= 0.5 && mean >= 3 * cells[j].length) muchShorter = true;
  }
  return numericBelow || muchShorter;
}

/** The most common number of cells per row, trailing empty cells not counted (`a,b,` is 2 wide). */
function typicalWidth(rows: readonly (readonly string[])[]): number {
  const counts = new Map<number, number>();
  let best = 0;
  let bestCount = 0;
  for (const row of rows) {
    let width = row.length;
    while (width > 0 && row[width - 1].trim() === '') width--;
    const count = (counts.get(width) ?? 0) + 1;
    counts.set(width, count);
    if (count > bestCount || (count === bestCount && width < best)) {
      best = width;
      bestCount = count;
    }
  }
  return best;
}
