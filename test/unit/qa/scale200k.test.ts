/**
 * The 200,000-line case of issue 12, correctness only (timings are printed, never asserted): the
 * benchmark generator's file at 200k lines, loaded by the real loader, embedded with lexical through
 * the real cache (past its memory share, so the spill file is used), re-opened from the cache, and
 * a generated 200,000-event label log replayed. Counts, ids and duplicates are checked against an
 * independent scan of the file.
 */
import assert from 'node:assert/strict';
import { createReadStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { generateDataset, type GenerateResult } from '../../../bench/scale/generate';
import { generateLabelLog } from '../../../bench/scale/labelLog';
import { loadDataset } from '../../../src/core/dataset';
import { normalizeText } from '../../../src/core/dataset/normalize';
import { EmbeddingCache, cacheFileFor } from '../../../src/core/embedding/cache';
import { embedToCache } from '../../../src/core/embedding/embedDataset';
import { decodeRows, encodeRows } from '../../../src/core/embedding/quantize';
import { LexicalEmbedder } from '../../../src/core/embedding/lexicalEmbedder';
import { replay } from '../../../src/core/labels/replay';
import { createRng } from '../../../src/core/random';
import type { Dataset } from '../../../src/core/types';

const LINES = 200_000;

interface Scan {
  /** Normalized text -> id of its first line and the first label among its lines. */
  readonly first: Map<string, { id: string; label: string | null }>;
  readonly lines: number;
}

/** Reads the file line by line with nothing of the loader: what it should find. */
async function scan(file: string): Promise<Scan> {
  const first = new Map<string, { id: string; label: string | null }>();
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line === '') continue;
    lines++;
    const row = JSON.parse(line) as { id: string; text: string; label: string | null };
    const key = normalizeText(row.text);
    const seen = first.get(key);
    // The first line's id; the first label any of its lines has (a copy may carry one the first lacks).
    if (seen === undefined) first.set(key, { id: row.id, label: row.label });
    else if (seen.label === null && row.label !== null) seen.label = row.label;
  }
  return { first, lines };
}

let dir: string;
let file: string;
let generated: GenerateResult;
let dataset: Dataset;
let expected: Scan;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-scale200k-'));
  file = path.join(dir, 'items.jsonl');
  generated = await generateDataset(file, { lines: LINES });
  expected = await scan(file);
  const started = performance.now();
  dataset = await loadDataset(file);
  console.log(`# loaded ${LINES} lines in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test('the loader counts every line, groups the exact duplicates and keeps the first id and label of each text', () => {
  assert.equal(generated.lines, LINES);
  assert.equal(expected.lines, LINES);
  assert.equal(dataset.summary.rows, LINES);
  assert.equal(dataset.summary.skipped, 0);
  assert.equal(dataset.items.length, expected.first.size);
  assert.equal(dataset.summary.duplicateRows, LINES - expected.first.size);
  // The copies written on purpose are about 2%; chance collisions of short headlines add a few.
  assert.ok(dataset.summary.duplicateRows >= generated.duplicatesWritten, `${dataset.summary.duplicateRows} < ${generated.duplicatesWritten}`);
  const share = dataset.summary.duplicateRows / LINES;
  assert.ok(share > 0.015 && share < 0.03, `duplicate share ${share}`);
  const ids = new Set<string>();
  for (const item of dataset.items) {
    const want = expected.first.get(normalizeText(item.text));
    assert.ok(want, `item ${item.id} has a text the scan did not see`);
    assert.equal(item.id, want.id);
    assert.deepEqual(item.importedLabels, want.label === null ? undefined : [want.label]);
    ids.add(item.id);
  }
  assert.equal(ids.size, dataset.items.length, 'ids are unique');
  assert.equal(dataset.items.reduce((n, item) => n + item.count, 0), LINES);
});

test('lexical embedding through the cache: every item computed once, served from the cache the second time', async () => {
  const cacheFile = cacheFileFor(path.join(dir, 'store'), 'lexical');
  const embedder = new LexicalEmbedder();
  const started = performance.now();
  // A 64 MiB memory share: 200k int8 rows of 512 are 106 MB, so part of this goes through the spill file.
  const first = await embedToCache(dataset.items, embedder, await EmbeddingCache.open(cacheFile, { memoryBytes: 64 * 1024 * 1024 }), { batchSize: 256 });
  console.log(`# embedded ${dataset.items.length} items in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(first.computed, dataset.items.length);
  assert.equal(first.fromCache, 0);
  assert.equal(first.fit, 'computed');
  assert.equal(first.cacheWarnings, undefined);
  assert.deepEqual(await fs.readdir(path.dirname(cacheFile)), [path.basename(cacheFile)], 'no spill file left behind');

  const reopened = await EmbeddingCache.open(cacheFile);
  assert.equal(reopened.size, dataset.items.length);
  const second = await embedToCache(dataset.items, new LexicalEmbedder(), reopened);
  assert.equal(second.fromCache, dataset.items.length);
  assert.equal(second.computed, 0);
  assert.equal(second.fit, 'cached');
  // Spot checks: the cached vector is what the fitted embedder computes for the text now, stored in the cache's dtype.
  const rng = createRng(3);
  const picks = Array.from({ length: 40 }, () => dataset.items[rng.int(dataset.items.length)]!);
  const fresh = await embedder.embed(picks.map((item) => item.text));
  picks.forEach((item, k) => {
    const stored = decodeRows(reopened.dtype, encodeRows(reopened.dtype, fresh.data.subarray(k * 512, (k + 1) * 512), 512), 512);
    assert.deepEqual(reopened.get(item.textHash), stored, `item ${item.id}`);
  });
});

test('a 200,000-event label log over these items replays with every event, no problem and the expected labels', async () => {
  const log = path.join(dir, 'labels.jsonl');
  const n = dataset.items.length;
  const stats = await generateLabelLog(log, LINES, (i) => dataset.items[i]!.id, n, { keepExpected: true });
  const started = performance.now();
  const result = await replay(log);
  console.log(`# replayed ${LINES} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(result.events.length, LINES);
  assert.deepEqual(result.problems, []);
  const ids = new Set(dataset.items.map((item) => item.id));
  for (const id of result.state.keys()) assert.ok(ids.has(id), `state holds ${id}, not an item`);
  const want = stats.expectedLabels!;
  assert.ok(want.size > n / 3, `only ${want.size} items to check`);
  for (const [id, label] of want) {
    const current = result.state.get(id);
    assert.equal(current?.labeled, true, `${id} should be labeled`);
    assert.deepEqual(current?.labels, [label], `${id}`);
  }
  const labeled = [...result.state.values()].filter((c) => c.labeled).length;
  assert.ok(labeled >= want.size);
  assert.equal(stats.byType.label! + stats.byType.skip! + stats.byType.flag! + stats.byType.undo!, LINES);
});
