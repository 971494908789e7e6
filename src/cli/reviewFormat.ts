/**
 * How `active-label review` prints its list: a plain-text table for people, or JSONL for tools.
 * Text from the data (ids, labels, the text snippet) is printed with control characters replaced,
 * so a dataset cannot move the cursor or recolour the terminal.
 */
import type { DatasetItem } from '../core/types';
import type { ReviewResult } from '../core/evaluation/reviewLabels';

export const REVIEW_FORMATS = ['table', 'jsonl'] as const;
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];

export interface ReviewRow {
  readonly rank: number;
  readonly id: string;
  /** 1-based line of the item's row in the data file. */
  readonly line: number;
  readonly label: string;
  readonly suggested: string;
  readonly score: number;
  readonly flagged: boolean;
  /** Out-of-fold probability of the current label. */
  readonly labelProbability: number;
  /** Out-of-fold probability of the suggested label. */
  readonly suggestedProbability: number;
  readonly text: string;
}

/** The ranked list as rows, most likely wrong first. */
export function reviewRows(run: { readonly items: readonly DatasetItem[]; readonly classes: readonly string[]; readonly result: ReviewResult }): ReviewRow[] {
  return run.result.ranked.map((r, i) => {
    const item = run.items[r.row] as DatasetItem;
    return {
      rank: i + 1,
      id: item.id,
      line: item.line,
      label: run.classes[r.given] as string,
      suggested: run.classes[r.suggested] as string,
      score: r.score,
      flagged: r.flagged,
      labelProbability: r.givenProb,
      suggestedProbability: r.suggestedProb,
      text: item.text,
    };
  });
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function plain(value: string, max: number): string {
  const flat = value.replace(CONTROL, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const round = (x: number): number => Math.round(x * 10000) / 10000;

export function formatReview(rows: readonly ReviewRow[], format: ReviewFormat): string[] {
  if (format === 'jsonl') {
    return rows.map((r) =>
      JSON.stringify({
        rank: r.rank,
        id: r.id,
        line: r.line,
        label: r.label,
        suggested: r.suggested,
        score: round(r.score),
        flagged: r.flagged,
        labelProbability: round(r.labelProbability),
        suggestedProbability: round(r.suggestedProbability),
      }),
    );
  }
  const cells = rows.map((r) => [
    String(r.rank),
    String(r.line),
    plain(r.id, 24),
    plain(r.label, 20),
    plain(r.suggested, 20),
    r.score.toFixed(3),
    r.flagged ? 'yes' : '',
    plain(r.text, 60),
  ]);
  const header = ['rank', 'line', 'id', 'label', 'suggested', 'score', 'flagged', 'text'];
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => (row[c] as string).length)));
  const numeric = new Set([0, 1, 5]);
  const line = (row: readonly string[]): string =>
    row
      .map((cell, c) => (c === row.length - 1 ? cell : numeric.has(c) ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)];
}
