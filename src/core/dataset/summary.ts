import type { Dataset, RowProblemReason } from '../types';

const reasonWords: Readonly<Record<RowProblemReason, string>> = {
  'invalid-json': 'invalid JSON',
  'not-an-object': 'not a JSON object',
  'missing-text-field': 'no text field',
  'empty-text': 'empty text',
  'invalid-utf8': 'invalid UTF-8',
  'csv-syntax': 'CSV syntax error',
  'duplicate-id': 'duplicate id',
  'line-too-long': 'row too long',
  'nul-byte': 'NUL byte',
};

/**
 * One line for the status bar, the CLI and notifications, e.g.
 * "headlines.csv: 1,200 rows, 1,195 loaded as 1,190 items (5 duplicate texts grouped); 5 skipped: 3 invalid JSON, 2 empty text."
 * followed, when some rows had a number or boolean as text, by a sentence saying so.
 */
export function formatSummary(dataset: Dataset): string {
  const s = dataset.summary;
  if (s.rows === 0) return `${dataset.file} is empty: no rows to load. Fix: add one item per line (or per CSV row), then load it again.`;
  const n = (x: number): string => x.toLocaleString('en-US');
  let out = `${dataset.file}: ${n(s.rows)} rows, ${n(s.loaded)} loaded as ${n(dataset.items.length)} items`;
  if (s.duplicateRows > 0) out += ` (${n(s.duplicateRows)} duplicate texts grouped)`;
  if (s.skipped === 0) {
    out += '; none skipped.';
  } else {
    const reasons = (Object.entries(s.skippedByReason) as [RowProblemReason, number][])
      .filter(([, count]) => count > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([reason, count]) => `${n(count)} ${reasonWords[reason]}`);
    out += `; ${n(s.skipped)} skipped: ${reasons.join(', ')}.`;
  }
  const coerced = s.nonStringTexts ?? 0;
  if (coerced > 0) {
    out += ` ${n(coerced)} ${coerced === 1 ? 'row had a number or boolean as text; it was' : 'rows had a number or boolean as text; they were'} read as text.`;
  }
  return out;
}
