/**
 * The cache's spill file: past its memory share, vectors go to disk beside the cache file. Reads,
 * saves and the file written must be exactly what an all-in-memory cache gives.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EmbeddingCache, cacheFileFor } from '../../../src/core/embedding/cache';
import { embedDataset, embedToCache } from '../../../src/core/embedding/embedDataset';
import { LexicalEmbedder } from '../../../src/core/embedding/lexicalEmbedder';
import { type VectorDtype, decodeRows, encodeRows } from '../../../src/core/embedding/quantize';
import { headlines, itemsFromTexts } from './helpers';

const DIMS = 64;
const items = itemsFromTexts(headlines(600));

describe('EmbeddingCache spill file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-spill-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function embedWith(memoryBytes: number, sub: string, dtype: VectorDtype = 'float32'): Promise<{ file: string; data: Float32Array; cache: EmbeddingCache }> {
    const file = cacheFileFor(path.join(dir, sub), 'lexical');
    const cache = await EmbeddingCache.open(file, { memoryBytes, dtype });
    const result = await embedDataset(items, new LexicalEmbedder({ dimensions: DIMS }), cache, { batchSize: 7 });
    return { file, data: result.matrix.data, cache };
  }

  it('gives the same vectors and the same file bytes as a cache that keeps everything in memory', async () => {
    const memory = await embedWith(1e12, 'memory');
    // 10 vectors in memory, the other 590 spilled.
    const spilled = await embedWith(10 * DIMS * 4, 'spilled');
    assert.deepEqual(spilled.data, memory.data);
    assert.ok((await readFile(spilled.file)).equals(await readFile(memory.file)), 'cache files differ');
    for (const [i, item] of items.entries()) {
      assert.deepEqual(spilled.cache.get(item.textHash), memory.data.subarray(i * DIMS, (i + 1) * DIMS), `item ${i}`);
    }
    assert.equal(spilled.cache.size, items.length);
    // The spill file is gone from the folder (unlinked once open); only the cache file is left.
    assert.deepEqual(await readdir(path.dirname(spilled.file)), [path.basename(spilled.file)]);
  });

  for (const dtype of ['float16', 'int8'] as const) {
    it(`${dtype}: spilled or not, the file, the matrix and every vector read back are the rows encoded once`, async () => {
      const exact = (await embedDataset(items, new LexicalEmbedder({ dimensions: DIMS }), undefined, { batchSize: 7 })).matrix.data;
      const expected = decodeRows(dtype, encodeRows(dtype, exact, DIMS), DIMS);
      assert.notDeepEqual(expected, exact, 'the encoding is lossy for these vectors');
      const memory = await embedWith(1e12, `memory-${dtype}`, dtype);
      const spilled = await embedWith(10 * DIMS * 4, `spilled-${dtype}`, dtype);
      assert.ok((await readFile(spilled.file)).equals(await readFile(memory.file)), 'cache files differ');
      assert.deepEqual(memory.data, expected);
      assert.deepEqual(spilled.data, expected);
      const reopened = await EmbeddingCache.open(spilled.file, { dtype });
      for (const [i, item] of items.entries()) {
        const want = expected.subarray(i * DIMS, (i + 1) * DIMS);
        assert.deepEqual(reopened.get(item.textHash), want, `item ${i} from the file`);
        assert.deepEqual(spilled.cache.get(item.textHash), want, `item ${i} from the spill`);
      }
    });
  }

  it('drops spilled vectors of texts no longer in the dataset, and a reopened cache serves the rest', async () => {
    const file = cacheFileFor(path.join(dir, 'retain'), 'm');
    const cache = await EmbeddingCache.open(file, { memoryBytes: 3 * 4 * 4, dtype: 'float32' });
    cache.bind({ model: 'm', dimensions: 4, fingerprint: '' });
    const vector = (i: number): Float32Array => Float32Array.from([i, -i, i / 2, 1]);
    items.slice(0, 20).forEach((item, i) => cache.set(item.textHash, vector(i)));
    const kept = items.slice(0, 20).filter((_, i) => i % 3 === 1);
    cache.retainOnly(kept.map((item) => item.textHash));
    assert.equal(cache.size, kept.length);
    assert.equal(cache.get(items[3].textHash), undefined, 'a dropped spilled vector is gone');
    assert.equal(await cache.save(), true);
    const reopened = await EmbeddingCache.open(file);
    assert.equal(reopened.size, kept.length);
    for (const item of kept) {
      const i = items.indexOf(item);
      assert.deepEqual(reopened.get(item.textHash), vector(i), `item ${i}`);
    }
  });

  it('embedToCache writes the file embedDataset writes, without a matrix', async () => {
    const memory = await embedWith(1e12, 'matrix');
    const file = cacheFileFor(path.join(dir, 'nomatrix'), 'lexical');
    const cache = await EmbeddingCache.open(file, { memoryBytes: 0, dtype: 'float32' });
    const result = await embedToCache(items, new LexicalEmbedder({ dimensions: DIMS }), cache, { batchSize: 7 });
    assert.equal(result.computed, items.length);
    assert.equal('matrix' in result, false);
    assert.ok((await readFile(file)).equals(await readFile(memory.file)), 'cache files differ');
  });
});
