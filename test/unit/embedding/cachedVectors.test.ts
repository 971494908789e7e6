import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { EmbeddingCache, LexicalEmbedder, TransformersEmbedder, embedDataset, identityWithoutLoading, vectorsFromCache } from '../../../src/core/embedding';
import { ensureTinyModel } from '../../fixtures/tinyModel';
import { headlines, itemsFromTexts } from './helpers';

test('the identity known without loading is the loaded embedder\'s (so the cache file is the same)', async () => {
  const modelDir = ensureTinyModel();
  const loaded = await TransformersEmbedder.load({ model: modelDir, cacheDir: tmpdir(), allowRemoteModels: false });
  try {
    assert.deepEqual(identityWithoutLoading({ model: modelDir }), { id: loaded.id, fingerprint: '' });
    const relative = `./${path.relative(process.cwd(), modelDir)}`;
    assert.equal(identityWithoutLoading({ model: relative })?.id, loaded.id, 'a relative folder resolves to the same id');
  } finally {
    await loaded.dispose();
  }
  assert.equal(identityWithoutLoading({ model: 'Xenova/all-MiniLM-L6-v2' })?.id, 'Xenova/all-MiniLM-L6-v2');
  assert.match(identityWithoutLoading({ model: 'use-lite' })?.fingerprint ?? '', /maxChars=10000/);
  // Only loading tells these: lexical's fingerprint is its options, a server names its model.
  assert.equal(identityWithoutLoading({ model: 'lexical' }), undefined);
  assert.equal(identityWithoutLoading({ model: 'openai:http://127.0.0.1:9/v1#m' }), undefined);
});

test('vectorsFromCache: every row from a cache of the same embedder, else nothing', async () => {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'al-cached-vectors-'));
  try {
    const file = path.join(dir, 'cache.bin');
    const items = itemsFromTexts(headlines(60));
    const embedder = new LexicalEmbedder();
    const first = await embedDataset(items, embedder, await EmbeddingCache.open(file));
    const expected = { id: embedder.id, fingerprint: embedder.fingerprint() };

    const matrix = vectorsFromCache(items, await EmbeddingCache.open(file), expected);
    assert.ok(matrix, 'a complete cache serves every row');
    assert.deepEqual([matrix.rows, matrix.cols], [60, first.matrix.cols]);
    assert.deepEqual(Array.from(matrix.data), Array.from(first.matrix.data), 'the same vectors, in item order');
    // Reordered items get their own rows.
    const reversed = vectorsFromCache([...items].reverse(), await EmbeddingCache.open(file), expected);
    assert.deepEqual(Array.from(reversed?.data.subarray(0, matrix.cols) ?? []), Array.from(matrix.data.subarray(59 * matrix.cols)));

    const withNew = [...items, ...itemsFromTexts(['a headline the cache has never seen'])];
    assert.equal(vectorsFromCache(withNew, await EmbeddingCache.open(file), expected), undefined, 'a new row needs the embedder');
    assert.equal(vectorsFromCache(items, await EmbeddingCache.open(file), { ...expected, fingerprint: 'other' }), undefined, 'other corpus statistics');
    assert.equal(vectorsFromCache(items, await EmbeddingCache.open(file), { ...expected, id: 'use-lite' }), undefined, 'another model');
    assert.equal(vectorsFromCache(items, await EmbeddingCache.open(path.join(dir, 'none.bin')), expected), undefined, 'no cache file');
    await fs.writeFile(file, 'not a cache');
    assert.equal(vectorsFromCache(items, await EmbeddingCache.open(file), expected), undefined, 'a corrupt file');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
