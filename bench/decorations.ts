/**
 * Review in place, measured: the line <-> item mapping and the decoration text for a 100,000-line
 * JSONL file (hashed and explicit ids), the way the editor uses them: a cold map (file opened), a
 * full recompute after a one-line edit (cached parses), and the decorations of a ~60-line visible
 * range. Prints ms per operation (median of runs). Usage: npm run bench:review-editor
 */
import { cpus, loadavg } from 'node:os';
import { decorationFor } from '../src/core/review/itemView';
import { LineItemMapper } from '../src/core/review/lineItems';
import { ReviewModel } from '../src/host/review/reviewModel';
import { timeMedian } from './common';

const LINES = 100_000;
const VISIBLE = 60;
const words = ['storm', 'market', 'goal', 'rain', 'shares', 'team', 'flood', 'profit', 'coach', 'wind'];
const lines = Array.from({ length: LINES }, (_, i) =>
  JSON.stringify({ id: `r${i}`, text: `${words[i % 10]} headline number ${i} about ${words[(i * 7) % 10]} and more words here`, meta: { n: i } }),
);
const text = lines.join('\n') + '\n';
const edited = (k: number): string => {
  const copy = lines.slice();
  copy[50_000] = JSON.stringify({ id: 'r50000', text: `edited text ${k}` });
  return copy.join('\n') + '\n';
};

const layout = { format: 'jsonl' as const, textField: 'text', idField: 'id', hasHeader: false };
const hashedLayout = { format: 'jsonl' as const, textField: 'text', hasHeader: false };

const cold = timeMedian(() => new LineItemMapper(layout).map(text), 3, 1);
const coldHashed = timeMedian(() => new LineItemMapper(hashedLayout).map(text), 3, 1);
const mapper = new LineItemMapper(layout);
let map = mapper.map(text);
// The edited texts are built before timing: only the recompute is measured.
const texts = Array.from({ length: 7 }, (_, i) => edited(i));
let k = 0;
const afterEdit = timeMedian(() => {
  map = mapper.map(texts[k++ % texts.length] as string);
}, 5, 2);

// A model with every item labeled, predictions and 5% suspects: the heaviest decoration case.
const model = new ReviewModel();
const ids = map.items.map((it) => it.itemId);
const classes = ['sports', 'business', 'weather', 'world'];
const top = new Int16Array(ids.length * 3).map((_, i) => i % 3);
const probs = new Float32Array(ids.length * 3).map((_, i) => [0.7, 0.2, 0.1][i % 3] as number);
model.applyData({
  type: 'reviewData',
  datasetFile: 'bench.jsonl',
  itemIds: ids,
  labels: ids.map((_, row) => ({ row, labels: [classes[row % 4] as string], annotator: 'ana', source: 'queue' as const, time: '2026-01-01T00:00:00Z' })),
  predictions: { version: 1, classes, k: 3, top, probs },
  suspects: ids.flatMap((_, row) => (row % 20 === 0 ? [{ row, given: classes[row % 4] as string, suggested: 'world', score: 0.9, suggestedProb: 0.88 }] : [])),
});
let drawn = 0;
const visible = timeMedian(() => {
  const from = 50_000 - 20;
  drawn = 0;
  for (const it of map.itemsBetween(from, from + VISIBLE + 40)) if (decorationFor(model.review(it.itemId)) !== undefined) drawn++;
}, 50, 10);

const row = (name: string, ms: number, note: string): string => `| ${name} | ${ms.toFixed(2)} ms | ${note} |`;
console.log(`Command: \`npm run bench:review-editor\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)})\n`);
console.log('| Operation (100,000-line JSONL) | Time | Notes |');
console.log('| --- | --- | --- |');
console.log(row('map the file, cold (explicit ids)', cold, 'split, JSON.parse, normalize and sha256 of every line'));
console.log(row('map the file, cold (hashed ids)', coldHashed, 'ids from the text hash'));
console.log(row('full recompute after a one-line edit', afterEdit, 'cached parses: only the edited line is parsed again'));
console.log(row(`decorations of the visible range (${VISIBLE} lines + 2x20 margin)`, visible, `${drawn} decoration texts`));
