import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadDataset } from '../../../src/core/dataset';
import { EmbeddingCache } from '../../../src/core/embedding/cache';
import { embedDataset } from '../../../src/core/embedding/embedDataset';
import { LexicalEmbedder } from '../../../src/core/embedding/lexicalEmbedder';
import { encodeNpy } from '../../../src/core/embedding/npy';
import { cacheDtypeFor } from '../../../src/core/embedding/quantize';
import { findSidecarVectors, loadPrecomputedVectors, metaFileFor } from '../../../src/core/embedding/precomputedVectors';
import { VectorFileError } from '../../../src/core/embedding/vectorFileError';
import type { Dataset } from '../../../src/core/types';
import { dot, headlines, row } from './helpers';

/**
 * A CSV as users have them: a header, a quoted text spanning two lines, a row with an empty text
 * (skipped by the loader), and a duplicate text (grouped). 8 data rows, 6 items.
 */
const CSV = [
  'id,text,label',
  '1,flood hits the coast,disaster',
  '2,"markets rally as\nrates fall",other',
  '3,,other',
  '4,wildfire near the town,disaster',
  '5,flood hits the coast,disaster',
  '6,council approves budget,other',
  '7,storm closes schools,disaster',
  '8,new stadium opens,other',
  '',
].join('\n');

/** Row r's vector: a distinct direction per row; rows with the same text share one. */
function rowVectors(rows: number, cols: number, sameAs: Record<number, number> = {}): Float32Array {
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const source = sameAs[r] ?? r;
    data[r * cols + (source % cols)] = 1;
    data[r * cols + ((source + 1) % cols)] = 0.5;
  }
  return data;
}

describe('precomputed vectors aligned to a dataset', () => {
  let dir: string;
  let csv: string;
  let dataset: Dataset;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-precomputed-'));
    csv = path.join(dir, 'news.csv');
    await writeFile(csv, CSV);
    dataset = await loadDataset(csv);
    assert.equal(dataset.summary.rows, 8);
    assert.equal(dataset.items.length, 6);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('maps each item to its own row (header, multi-line cell, skipped and duplicate rows counted) and says how it matched', async () => {
    const file = path.join(dir, 'news.vectors.npy');
    await writeFile(file, encodeNpy(rowVectors(8, 16, { 4: 0 }), 8, 16));
    const load = await loadPrecomputedVectors(file, dataset);
    assert.equal(load.matchedBy, 'rows');
    assert.match(load.summary, /^news\.vectors\.npy: 8 rows x 16 dimensions matched .*news\.csv's 8 data rows by row count and position\.$/);
    assert.deepEqual(load.warnings, []);
    const m = await load.embedder.embed(dataset.items.map((item) => item.text));
    const expectedRow = [0, 1, 3, 5, 6, 7]; // items: rows 1, 2, 4, 6, 7, 8 (row 3 skipped, row 5 a duplicate)
    expectedRow.forEach((r, i) => {
      const v = row(m, i);
      assert.ok(Math.abs(v[r % 16] - 2 / Math.sqrt(5)) < 1e-6, `item ${i} (${dataset.items[i].text}) has row ${r + 1}'s vector`);
    });
    assert.equal(load.embedder.kind, 'precomputed');
    assert.equal(load.embedder.fingerprint(), `sha256:${createHash('sha256').update(await readFile(file)).digest('hex')}`);
    await assert.rejects(load.embedder.embed(['a text from elsewhere']), /has no vector for the text "a text from elsewhere"/);
  });

  it('refuses a row count that differs from the dataset\'s, in either direction', async () => {
    const file = path.join(dir, 'short.npy');
    for (const rows of [6, 7, 9]) {
      await writeFile(file, encodeNpy(rowVectors(rows, 4), rows, 4));
      await assert.rejects(loadPrecomputedVectors(file, dataset), (e: unknown) => {
        assert.ok(e instanceof VectorFileError);
        assert.match(e.message, new RegExp(`short\\.npy: ${rows} vectors for 8 data rows in .*news\\.csv\\. A vector file needs exactly one row per data row`));
        return true;
      });
    }
  });

  it('warns when rows with the same text carry different vectors (shifted or shuffled vectors)', async () => {
    const file = path.join(dir, 'shuffled.npy');
    await writeFile(file, encodeNpy(rowVectors(8, 16), 8, 16)); // row 5 repeats row 1's text, not its vector
    const load = await loadPrecomputedVectors(file, dataset);
    assert.equal(load.warnings.length, 1);
    assert.match(load.warnings[0], /1 rows repeat an earlier row's text with a different vector, e\.g\. rows 1 and 5 \(cosine 0\.00\)/);
  });

  it('checks the dataset fingerprint and row count in the .meta.json sidecar', async () => {
    const file = path.join(dir, 'meta.npy');
    await writeFile(file, encodeNpy(rowVectors(8, 16, { 4: 0 }), 8, 16));
    const sha = createHash('sha256').update(await readFile(csv)).digest('hex');
    await writeFile(metaFileFor(file), JSON.stringify({ dataset: { sha256: sha, rows: 8 }, model: 'bge-small' }));
    const load = await loadPrecomputedVectors(file, dataset);
    assert.equal(load.matchedBy, 'fingerprint');
    assert.equal(load.embedder.id, 'vectors:meta.npy#bge-small');
    assert.match(load.summary, /by the dataset fingerprint in the \.meta\.json sidecar and the row count \(model bge-small\)/);

    await writeFile(metaFileFor(file), JSON.stringify({ dataset: { sha256: 'a'.repeat(64) } }));
    await assert.rejects(loadPrecomputedVectors(file, dataset), /made for another version of .*news\.csv.*Recompute the vectors/);
    await writeFile(metaFileFor(file), JSON.stringify({ dataset: { rows: 9 } }));
    await assert.rejects(loadPrecomputedVectors(file, dataset), /says the vectors were made for 9 rows, but .* has 8 data rows/);
    await writeFile(metaFileFor(file), '{"dimensions": "wide"}');
    await assert.rejects(loadPrecomputedVectors(file, dataset), /"dimensions" must be a positive integer/);
  });

  it('lets a raw .f32 file take its width from the sidecar', async () => {
    const file = path.join(dir, 'raw.f32');
    const data = rowVectors(8, 8, { 4: 0 });
    await writeFile(file, Buffer.from(data.buffer));
    await assert.rejects(loadPrecomputedVectors(file, dataset), /--vectors-dim/);
    await writeFile(metaFileFor(file), JSON.stringify({ dimensions: 8 }));
    assert.equal((await loadPrecomputedVectors(file, dataset)).embedder.dimensions, 8);
  });

  it('reads vectors from a field of the dataset JSONL itself', async () => {
    const file = path.join(dir, 'with-vectors.jsonl');
    const texts = ['flood hits the coast', '', 'wildfire near the town'];
    await writeFile(file, texts.map((text, i) => JSON.stringify({ text, embedding: [i, 1, 0] })).join('\n\n') + '\n');
    const ds = await loadDataset(file);
    assert.equal(ds.items.length, 2);
    const load = await loadPrecomputedVectors(file, ds, { field: 'embedding' });
    const m = await load.embedder.embed(ds.items.map((item) => item.text));
    assert.ok(Math.abs(row(m, 0)[1] - 1) < 1e-6);
    assert.ok(Math.abs(row(m, 1)[0] - 2 / Math.sqrt(5)) < 1e-6);
  });

  it('finds <dataset>.vectors.npy or <stem>.vectors.npy next to the dataset', async () => {
    const other = path.join(dir, 'other.jsonl');
    await writeFile(other, '{"text": "a"}\n');
    assert.equal(await findSidecarVectors(other), undefined);
    await writeFile(path.join(dir, 'other.vectors.npy'), encodeNpy(new Float32Array(2), 1, 2));
    assert.equal(await findSidecarVectors(other), path.join(dir, 'other.vectors.npy'));
    await writeFile(path.join(dir, 'other.jsonl.vectors.npy'), encodeNpy(new Float32Array(2), 1, 2));
    assert.equal(await findSidecarVectors(other), path.join(dir, 'other.jsonl.vectors.npy'));
  });

  it('serves a real embedder\'s vectors through embedDataset, cached by the file\'s hash', async () => {
    // Vectors as a user would make them: an embedder run over the file's rows, saved with np.save.
    const texts = headlines(200);
    const jsonl = path.join(dir, 'headlines.jsonl');
    await writeFile(jsonl, texts.map((text) => JSON.stringify({ text })).join('\n') + '\n');
    const ds = await loadDataset(jsonl);
    const lexical = new LexicalEmbedder({ dimensions: 64 });
    lexical.fit(texts);
    const reference = await lexical.embed(texts);
    const file = path.join(dir, 'headlines.jsonl.vectors.npy');
    await writeFile(file, encodeNpy(reference.data, reference.rows, reference.cols));
    assert.equal(await findSidecarVectors(jsonl), file);

    const cacheFile = path.join(dir, 'cache.bin');
    const run = async (): Promise<Awaited<ReturnType<typeof embedDataset>>> => {
      const load = await loadPrecomputedVectors(file, ds);
      return embedDataset(ds.items, load.embedder, await EmbeddingCache.open(cacheFile, { dtype: cacheDtypeFor(load.embedder) }), { batchSize: 50 });
    };
    const first = await run();
    assert.equal(first.computed, ds.items.length);
    ds.items.forEach((item, i) => {
      const r = texts.indexOf(item.text);
      assert.ok(dot(row(first.matrix, i), row(reference, r)) > 0.99999, `item ${i}`);
    });
    const second = await run();
    assert.equal(second.fromCache, ds.items.length);
    // The user's own vectors come back from the cache exactly as given (not quantized).
    ds.items.forEach((item, i) => assert.deepEqual(row(second.matrix, i), row(reference, texts.indexOf(item.text)), `cached item ${i}`));
    // Other vectors in the same file name: the sha256 differs, so the cache is rebuilt, not reused.
    const changed = Float32Array.from(reference.data, (x, i) => (i % 64 === 0 ? x + 1 : x));
    await writeFile(file, encodeNpy(changed, reference.rows, reference.cols));
    const third = await run();
    assert.equal(third.computed, ds.items.length);
    assert.equal(third.fromCache, 0);
  });
});
