/**
 * Review in place, measured: the line <-> item mapping of a JSONL file (explicit ids) at 10,000,
 * 100,000 and 300,000 lines, the way the editor uses it:
 * - open, scrolled to the middle: the visible lines mapped on their own and their decorations (first
 *   decorations), the text snapshot (lines joined, as the extension host's getText), then the full
 *   mapping built in 8 ms slices with the event loop running between them (time to the full
 *   mapping; the longest single block of the thread: snapshot or slice);
 * - edits applied from change events: a one-line edit and a 100-line paste (incremental);
 * - a full recompute of the whole text, the reference (what every edit cost before).
 * Prints ms (median of runs). Usage: npm run bench:review-editor
 */
import { cpus, loadavg } from 'node:os';
import { decorationFor } from '../src/core/review/itemView';
import { LineItemMapper, type LineItemMap } from '../src/core/review/lineItems';
import { runSliced } from '../src/core/review/slices';
import type { LineSource, TextChange } from '../src/core/review/textChanges';
import { ReviewModel } from '../src/host/review/reviewModel';
import { timeMedian } from './common';

const SIZES = [10_000, 100_000, 300_000];
const VISIBLE = 60;
const MARGIN = 20;
const words = ['storm', 'market', 'goal', 'rain', 'shares', 'team', 'flood', 'profit', 'coach', 'wind'];
const rowOf = (i: number, tag = ''): string =>
  JSON.stringify({ id: `r${i}${tag}`, text: `${words[i % 10]} headline number ${i}${tag} about ${words[(i * 7) % 10]} and more words here`, meta: { n: i } });
const layout = { format: 'jsonl' as const, textField: 'text', idField: 'id', hasHeader: false };
const change = (sl: number, sc: number, el: number, ec: number, text: string): TextChange => ({ range: { start: { line: sl, character: sc }, end: { line: el, character: ec } }, text });

/** A document held as lines, as the extension host holds it. */
function linesSource(lines: string[]): LineSource {
  return { lineCount: lines.length, line: (i) => lines[i] as string, lines: (a, b) => lines.slice(a, b + 1).join('\n') };
}

/** A model with every item labeled, predictions and 5% suspects: the heaviest decoration case. */
function modelFor(ids: readonly string[]): ReviewModel {
  const model = new ReviewModel();
  const classes = ['sports', 'business', 'weather', 'world'];
  model.applyData({
    type: 'reviewData',
    datasetFile: 'bench.jsonl',
    itemIds: [...ids],
    labels: ids.map((_, row) => ({ row, labels: [classes[row % 4] as string], annotator: 'ana', source: 'queue' as const, time: '2026-01-01T00:00:00Z' })),
    predictions: { version: 1, classes, k: 3, top: new Int16Array(ids.length * 3).map((_, i) => i % 3), probs: new Float32Array(ids.length * 3).map((_, i) => [0.7, 0.2, 0.1][i % 3] as number) },
    suspects: ids.flatMap((_, row) => (row % 20 === 0 ? [{ row, given: classes[row % 4] as string, suggested: 'world', score: 0.9, suggestedProb: 0.88 }] : [])),
  });
  return model;
}

function decorate(map: LineItemMap, model: ReviewModel, from: number, to: number): number {
  let drawn = 0;
  for (const it of map.itemsBetween(from, to)) if (decorationFor(model.review(it.itemId)) !== undefined) drawn++;
  return drawn;
}

interface Row {
  readonly size: number;
  readonly snapshot: number;
  readonly firstVisible: number;
  readonly fullMapping: number;
  readonly longestBlock: number;
  readonly slices: number;
  readonly sliceP50: number;
  readonly longestSlice: number;
  readonly oneLine: number;
  readonly paste: number;
  readonly full: number;
  readonly visibleDraw: number;
}

async function measure(size: number): Promise<Row> {
  const lines = Array.from({ length: size }, (_, i) => rowOf(i));
  lines.push('');
  const model = modelFor(lines.slice(0, size).map((_, i) => `r${i}`));
  const mid = Math.floor(size / 2);

  // Open, scrolled to the middle (a restored editor): snapshot, visible lines first, then the sliced build.
  const t0 = performance.now();
  const mapper = new LineItemMapper(layout);
  const early = mapper.provisional(linesSource(lines), mid - MARGIN, mid + VISIBLE + MARGIN) as LineItemMap;
  decorate(early, model, mid - MARGIN, mid + VISIBLE + MARGIN);
  const firstVisible = performance.now() - t0;
  const t1 = performance.now();
  const text = lines.join('\n');
  const snapshot = performance.now() - t1;
  const build = mapper.startBuild(text);
  const slices: number[] = [];
  const report = await runSliced((n) => build.step(n), { sliceMs: 8, linesPerStep: 256, yieldNow: () => new Promise((r) => setImmediate(r)), onSlice: (ms) => slices.push(ms) });
  const fullMapping = performance.now() - t0;
  slices.sort((a, b) => a - b);
  const sliceP50 = slices[Math.floor(slices.length / 2)] as number;
  const longestBlock = Math.max(report.longestMs, snapshot, firstVisible);
  const map = mapper.current as LineItemMap;

  // A one-line edit in the middle (typing into a row's text), alternating two texts.
  let k = 0;
  const oneLine = timeMedian(() => {
    const line = lines[mid] as string;
    const next = rowOf(mid).replace('headline', `edited ${k++ % 2}`);
    const ch = change(mid, 0, mid, line.length, next);
    lines[mid] = next;
    mapper.applyChanges([ch], linesSource(lines));
  }, 21, 5);

  // A 100-line paste in the middle (timed), then undone (untimed), so every run sees the same file.
  const pasted = Array.from({ length: 100 }, (_, i) => rowOf(size + i, 'p'));
  const pasteTimes: number[] = [];
  for (let run = 0; run < 9; run++) {
    lines.splice(mid, 0, ...pasted);
    const t = performance.now();
    mapper.applyChanges([change(mid, 0, mid, 0, pasted.join('\n') + '\n')], linesSource(lines));
    pasteTimes.push(performance.now() - t);
    lines.splice(mid, 100);
    mapper.applyChanges([change(mid, 0, mid + 100, 0, '')], linesSource(lines));
  }
  pasteTimes.sort((a, b) => a - b);
  const paste = pasteTimes[Math.floor(pasteTimes.length / 2)] as number;

  const visibleDraw = timeMedian(() => void decorate(map, model, mid - MARGIN, mid + VISIBLE + MARGIN), 50, 10);
  const fullText = lines.join('\n');
  const full = timeMedian(() => void new LineItemMapper(layout).map(fullText), size >= 300_000 ? 1 : 3, size >= 100_000 ? 0 : 1);
  return { size, snapshot, firstVisible, fullMapping, longestBlock, sliceP50, longestSlice: report.longestMs, slices: report.slices, oneLine, paste, full, visibleDraw };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const size of SIZES) rows.push(await measure(size));
  print(rows);
}

function print(rows: readonly Row[]): void {
  const ms = (v: number): string => `${v < 10 ? v.toFixed(2) : v.toFixed(0)} ms`;
  const n = (v: number): string => v.toLocaleString('en-US');
  console.log(`Command: \`npm run bench:review-editor\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)})\n`);
  console.log(`| JSONL file, explicit ids | ${rows.map((r) => `${n(r.size)} lines`).join(' | ')} |`);
  console.log(`| --- | ${rows.map(() => '---').join(' | ')} |`);
  const line = (name: string, f: (r: Row) => string): void => console.log(`| ${name} | ${rows.map(f).join(' | ')} |`);
  line('open: first visible decorations', (r) => ms(r.firstVisible));
  line('open: full mapping (built in 8 ms slices)', (r) => `${ms(r.fullMapping)} (${n(r.slices)} slices)`);
  line('open: longest single host-thread block', (r) => ms(r.longestBlock));
  line('open: text snapshot (one block)', (r) => ms(r.snapshot));
  line('open: build slice, median / longest', (r) => `${ms(r.sliceP50)} / ${ms(r.longestSlice)}`);
  line('one-line edit (incremental)', (r) => ms(r.oneLine));
  line('100-line paste (incremental)', (r) => ms(r.paste));
  line('full recompute (reference: every edit before)', (r) => ms(r.full));
  line(`decorations of the visible range (${VISIBLE} lines + 2x${MARGIN} margin)`, (r) => ms(r.visibleDraw));
}

void main();
