// Regenerates sample/headlines.jsonl (unlabeled) and sample/headlines-labeled.csv from the
// disaster-headlines CSVs (../shared/datasets/disaster-headlines, MIT, Robert Munro).
// Deterministic: the same input always gives byte-identical output.
// Usage: node scripts/make-sample.mjs
import { parse } from 'csv-parse/sync';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = resolve(root, '..', 'shared/datasets/disaster-headlines');
const out = join(root, 'sample');
const seed = 20240611;
const unlabeled = { related: 60, other: 340 };
const labeled = { related: 52, other: 248 };

// mulberry32, the same generator as src/core/random.ts, so the shuffle is reproducible.
function rng(s) {
  let state = s >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffle(items, next) {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const seen = new Set();
const rows = { related: [], other: [] };
for (const name of readdirSync(source).filter((f) => f.endsWith('.csv')).sort()) {
  const records = parse(readFileSync(join(source, name)), { relax_column_count: true, bom: true, skip_empty_lines: true });
  for (const [id, text, label] of records) {
    const clean = text.trim().replace(/\s+/g, ' ');
    const key = clean.toLowerCase();
    if (clean === '' || seen.has(key) || seen.has(`id:${id}`)) continue;
    seen.add(key);
    seen.add(`id:${id}`);
    rows[label === '1' ? 'related' : 'other'].push({ id, text: clean });
  }
}
const next = rng(seed);
const related = shuffle(rows.related, next);
const other = shuffle(rows.other, next);
if (related.length < unlabeled.related + labeled.related || other.length < unlabeled.other + labeled.other) {
  throw new Error(`not enough headlines: ${related.length} related, ${other.length} other`);
}
// Disjoint sets: the labeled file can serve as a simulation oracle without leaking the unlabeled pool.
const pool = shuffle([...related.slice(0, unlabeled.related), ...other.slice(0, unlabeled.other)], next);
const gold = shuffle(
  [
    ...related.slice(unlabeled.related, unlabeled.related + labeled.related).map((r) => ({ ...r, label: 'disaster' })),
    ...other.slice(unlabeled.other, unlabeled.other + labeled.other).map((r) => ({ ...r, label: 'other' })),
  ],
  next,
);

const csvCell = (s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'headlines.jsonl'), pool.map((r) => JSON.stringify({ id: r.id, text: r.text })).join('\n') + '\n');
writeFileSync(join(out, 'headlines-labeled.csv'), ['id,text,label', ...gold.map((r) => [r.id, r.text, r.label].map(csvCell).join(','))].join('\n') + '\n');
console.log(`sample/headlines.jsonl: ${pool.length} items; sample/headlines-labeled.csv: ${gold.length} rows`);
