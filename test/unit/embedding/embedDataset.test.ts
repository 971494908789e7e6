import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EmbeddingCache, cacheFileFor } from '../../../src/core/embedding/cache';
import { type EmbedProgress, embedDataset } from '../../../src/core/embedding/embedDataset';
import { LexicalEmbedder } from '../../../src/core/embedding/lexicalEmbedder';
import { TransformersEmbedder } from '../../../src/core/embedding/transformersEmbedder';
import { ensureTinyModel, forbidRemoteModels } from '../../fixtures/tinyModel';
import { headlines, itemsFromTexts, row } from './helpers';

describe('embedDataset', () => {
  let dir: string;
  let embedder: TransformersEmbedder;
  const texts = headlines(120);

  before(async () => {
    await forbidRemoteModels();
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-embed-ds-'));
    embedder = await TransformersEmbedder.load({ model: ensureTinyModel(), cacheDir: dir, allowRemoteModels: false });
  });
  after(async () => {
    await embedder.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('embeds every item in order, then serves them all from the cache', async () => {
    const items = itemsFromTexts(texts);
    const file = cacheFileFor(path.join(dir, 'run'), embedder.id);
    const progress: EmbedProgress[] = [];
    // float32, so rows compare with a direct embedding to 1e-5 (cacheDtype.test.ts covers quantized caches).
    const first = await embedDataset(items, embedder, await EmbeddingCache.open(file, { dtype: 'float32' }), {
      batchSize: 16,
      onProgress: (p) => progress.push(p),
    });
    assert.equal(first.computed, items.length);
    assert.equal(first.fromCache, 0);
    assert.equal(first.matrix.rows, items.length);
    // Rows follow the items' order even though batches are sorted by length.
    const direct = await embedder.embed([texts[5], texts[77]]);
    for (const [k, i] of [5, 77].entries()) {
      const got = row(first.matrix, i);
      const want = row(direct, k);
      for (let j = 0; j < got.length; j++) assert.ok(Math.abs(got[j] - want[j]) < 1e-5);
    }
    assert.equal(progress.at(-1)?.done, items.length);
    assert.equal(progress.at(-1)?.etaSeconds, 0);
    assert.ok(progress.every((p, i) => i === 0 || p.done >= progress[i - 1].done));
    assert.ok((progress.at(-1)?.itemsPerSecond ?? 0) > 0);

    const second = await embedDataset(items, embedder, await EmbeddingCache.open(file), { batchSize: 16 });
    assert.equal(second.fromCache, items.length);
    assert.equal(second.computed, 0);
    assert.deepEqual(second.matrix.data, first.matrix.data);
  });

  it('re-embeds only an edited item', async () => {
    const file = cacheFileFor(path.join(dir, 'edit'), embedder.id);
    await embedDataset(itemsFromTexts(texts), embedder, await EmbeddingCache.open(file));
    const edited = [...texts];
    edited[3] = `${texts[3]} (updated)`;
    const result = await embedDataset(itemsFromTexts(edited), embedder, await EmbeddingCache.open(file));
    assert.equal(result.computed, 1);
    assert.equal(result.fromCache, texts.length - 1);
  });

  it('rebuilds a corrupt cache file and says why', async () => {
    const file = cacheFileFor(path.join(dir, 'corrupt'), embedder.id);
    await embedDataset(itemsFromTexts(texts.slice(0, 20)), embedder, await EmbeddingCache.open(file));
    await writeFile(file, Buffer.from('ALEMBED1 then garbage'));
    const result = await embedDataset(itemsFromTexts(texts.slice(0, 20)), embedder, await EmbeddingCache.open(file));
    assert.equal(result.computed, 20);
    assert.match(result.cacheProblem ?? '', /corrupt/);
    const again = await embedDataset(itemsFromTexts(texts.slice(0, 20)), embedder, await EmbeddingCache.open(file));
    assert.equal(again.fromCache, 20);
    assert.equal(again.cacheProblem, undefined);
  });

  it('stops with CancelledError and keeps the batches already done', async () => {
    const file = cacheFileFor(path.join(dir, 'cancel'), embedder.id);
    const controller = new AbortController();
    await assert.rejects(
      embedDataset(itemsFromTexts(texts), embedder, await EmbeddingCache.open(file), {
        batchSize: 10,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done >= 30) controller.abort();
        },
      }),
      { name: 'CancelledError' },
    );
    const resumed = await embedDataset(itemsFromTexts(texts), embedder, await EmbeddingCache.open(file), { batchSize: 10 });
    assert.equal(resumed.fromCache, 30);
    assert.equal(resumed.computed, texts.length - 30);
  });

  it('invalidates lexical vectors when the corpus (and so the idf) changes', async () => {
    const file = cacheFileFor(path.join(dir, 'lexical'), 'lexical');
    const lexical = new LexicalEmbedder();
    const first = await embedDataset(itemsFromTexts(texts), lexical, await EmbeddingCache.open(file));
    assert.equal(first.computed, texts.length);
    const same = await embedDataset(itemsFromTexts(texts), new LexicalEmbedder(), await EmbeddingCache.open(file));
    assert.equal(same.fromCache, texts.length);
    const grown = await embedDataset(itemsFromTexts([...texts, 'a brand new headline']), new LexicalEmbedder(), await EmbeddingCache.open(file));
    assert.equal(grown.fromCache, 0);
    assert.match(grown.cacheProblem ?? '', /corpus statistics/);
  });

  it('a save that fails at the end (a folder took the cache path mid-run) keeps the result and warns after the work', async () => {
    const store = path.join(dir, 'taken');
    const file = cacheFileFor(store, embedder.id);
    const items = itemsFromTexts(texts.slice(0, 40));
    const events: string[] = [];
    const result = await embedDataset(items, embedder, await EmbeddingCache.open(file), {
      batchSize: 10,
      onProgress: (p) => {
        events.push(`progress ${p.done}`);
        if (p.done === 20) mkdirSync(file, { recursive: true });
      },
      onWarning: (message) => events.push(`warning ${message}`),
    });
    assert.equal(result.computed, items.length);
    assert.equal(result.matrix.rows, items.length);
    assert.equal(events.at(-2), `progress ${items.length}`);
    assert.match(events.at(-1) ?? '', /^warning could not write the embedding cache .*a folder is in the way/);
    assert.equal(events.filter((e) => e.startsWith('warning')).length, 1);
    assert.deepEqual(result.cacheWarnings, [events.at(-1)?.slice('warning '.length)]);
    assert.deepEqual(await readdir(store), [path.basename(file)], 'no temp file left behind');
  });

  it('cancelling with an unusable cache path still ends in CancelledError, with the warning given first', async () => {
    const file = cacheFileFor(path.join(dir, 'cancel-folder'), embedder.id);
    await mkdir(file, { recursive: true });
    const controller = new AbortController();
    const warnings: string[] = [];
    await assert.rejects(
      embedDataset(itemsFromTexts(texts), embedder, await EmbeddingCache.open(file), {
        batchSize: 10,
        signal: controller.signal,
        onWarning: (message) => warnings.push(message),
        onProgress: (p) => {
          if (p.done >= 20) controller.abort();
        },
      }),
      { name: 'CancelledError' },
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /is a folder, not a regular file/);
  });

  it('handles an empty dataset and rejects a bad batch size', async () => {
    const result = await embedDataset([], new LexicalEmbedder(), undefined);
    assert.equal(result.matrix.rows, 0);
    await assert.rejects(embedDataset(itemsFromTexts(['x']), new LexicalEmbedder(), undefined, { batchSize: 0 }), RangeError);
  });
});
