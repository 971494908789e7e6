import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EmbeddingCache, cacheFileFor } from '../../../src/core/embedding/cache';
import { journalFileFor } from '../../../src/core/embedding/cacheJournal';
import { embedDataset } from '../../../src/core/embedding/embedDataset';
import type { Embedder } from '../../../src/core/embedding/embedder';
import { FIRST_SAMPLE_MIN, firstSampleSize, sampleFirstOrder } from '../../../src/core/embedding/embedOrder';
import { LexicalEmbedder } from '../../../src/core/embedding/lexicalEmbedder';
import { StagedEmbedding } from '../../../src/core/embedding/stagedEmbedding';
import { decodeRows, encodeRows } from '../../../src/core/embedding/quantize';
import { CancelledError } from '../../../src/core/errors';
import { headlines, itemsFromTexts, row } from './helpers';

/** The real lexical embedder, counting the texts it is asked to embed (every call goes through). */
function counting(inner: LexicalEmbedder): { embedder: Embedder; texts: string[] } {
  const texts: string[] = [];
  const embed: Embedder['embed'] = (batch, signal) => {
    texts.push(...batch);
    return inner.embed(batch, signal);
  };
  // Everything else (fit, id, dimensions) is the embedder's own, on the embedder itself.
  const embedder = new Proxy(inner, {
    get: (target, key) => {
      if (key === 'embed') return embed;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { embedder, texts };
}

describe('sample-first embedding order', () => {
  it('takes 5,000 items or 1% of the pool, whichever is larger, and all of a smaller pool', () => {
    assert.equal(firstSampleSize(300), 300);
    assert.equal(firstSampleSize(FIRST_SAMPLE_MIN), FIRST_SAMPLE_MIN);
    assert.equal(firstSampleSize(200_000), FIRST_SAMPLE_MIN);
    assert.equal(firstSampleSize(1_000_000), 10_000);
    assert.equal(firstSampleSize(1_234_567), 12_346);
    assert.equal(firstSampleSize(1_000, 40), 40);
  });

  it('is a seeded permutation: the same seed gives the same order, another seed another', () => {
    const a = sampleFirstOrder(20_000, 7);
    const b = sampleFirstOrder(20_000, 7);
    const c = sampleFirstOrder(20_000, 8);
    assert.deepEqual(a.order, b.order);
    assert.notDeepEqual(a.order.slice(0, a.sampleSize), c.order.slice(0, c.sampleSize));
    assert.equal(a.sampleSize, FIRST_SAMPLE_MIN);
    assert.deepEqual([...a.order].sort((x, y) => x - y), Array.from({ length: 20_000 }, (_, i) => i));
    // A random sample, not the head of the file: it reaches across the whole pool.
    const sample = [...a.order.slice(0, a.sampleSize)];
    assert.ok(Math.max(...sample) > 19_000 && Math.min(...sample) < 1_000);
    const late = sample.filter((r) => r >= 10_000).length;
    assert.ok(late > 2_000 && late < 3_000, `${late} of 5,000 sample rows in the second half`);
  });

  it('puts the given rows (the labeled items) first, and draws the full random sample besides them', () => {
    const o = sampleFirstOrder(1_000, 3, { sampleSize: 50, first: [999, 5, 5, 400] });
    assert.deepEqual([...o.order.slice(0, 3)].sort((x, y) => x - y), [5, 400, 999]);
    assert.equal(o.sampleSize, 53);
    assert.equal(new Set(o.order).size, 1_000);
  });
});

describe('StagedEmbedding', () => {
  let dir: string;
  const items = itemsFromTexts(headlines(600));

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-staged-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('embeds only the sample before it resolves, then the rest chunk by chunk, to the same vectors as a full run', async () => {
    const { embedder, texts } = counting(new LexicalEmbedder());
    const order = sampleFirstOrder(items.length, 11, { sampleSize: 60 });
    const staged = await StagedEmbedding.start(items, embedder, undefined, order, { batchSize: 16, chunkRows: 100 });
    assert.equal(texts.length, 60);
    assert.equal(staged.embeddedCount, 60);
    const sampleRows = new Set(order.order.slice(0, 60));
    for (let r = 0; r < items.length; r++) assert.equal(staged.embedded[r] === 1, sampleRows.has(r), `row ${r}`);
    // Not-yet-embedded rows hold zeros.
    const zeroRow = [...Array(items.length).keys()].find((r) => !sampleRows.has(r)) as number;
    assert.ok(row(staged.matrix, zeroRow).every((x) => x === 0));

    const counts: number[] = [];
    const seen = new Set<number>(sampleRows);
    for await (const chunk of staged.background()) {
      for (const r of chunk) {
        assert.ok(!seen.has(r), `row ${r} embedded twice`);
        seen.add(r);
        assert.equal(staged.embedded[r], 1);
      }
      counts.push(staged.embeddedCount);
    }
    assert.deepEqual(counts, [160, 260, 360, 460, 560, 600]);
    assert.equal(texts.length, items.length);
    // The pool is kept as int8, as the cache keeps a model's vectors (int8Matrix.ts).
    const full = await embedDataset(items, new LexicalEmbedder(), undefined, { batchSize: 16, storage: 'int8' });
    assert.deepEqual(staged.matrix.data, full.matrix.data);
    const float32 = await embedDataset(items, new LexicalEmbedder(), undefined, { batchSize: 16 });
    assert.notDeepEqual(staged.matrix.data, float32.matrix.data);
    assert.deepEqual(staged.matrix.data, decodeRows('int8', encodeRows('int8', float32.matrix.data, staged.matrix.cols), staged.matrix.cols));
  });

  it('resumes from the cache: a run stopped after some chunks, restarted, embeds only the missing rows', async () => {
    const file = cacheFileFor(path.join(dir, 'resume'), 'lexical');
    const order = sampleFirstOrder(items.length, 5, { sampleSize: 50 });
    const first = counting(new LexicalEmbedder());
    const abort = new AbortController();
    const staged = await StagedEmbedding.start(items, first.embedder, await EmbeddingCache.open(file), order, { batchSize: 10, chunkRows: 50, flushEveryMs: 0 });
    let chunks = 0;
    await assert.rejects(async () => {
      for await (const _chunk of staged.background(abort.signal)) {
        if (++chunks === 3) abort.abort();
      }
    }, CancelledError);
    const embeddedBefore = staged.embeddedCount;
    assert.equal(embeddedBefore, 50 + 3 * 50);
    assert.equal(first.texts.length, embeddedBefore);

    const second = counting(new LexicalEmbedder());
    const resumed = await StagedEmbedding.start(items, second.embedder, await EmbeddingCache.open(file), order, { batchSize: 10, chunkRows: 50, flushEveryMs: 0 });
    assert.equal(resumed.fromCache, embeddedBefore);
    assert.equal(second.texts.length, 0, 'the sample was cached: nothing to embed before labeling');
    for await (const _chunk of resumed.background()) {
      // drain
    }
    assert.equal(second.texts.length, items.length - embeddedBefore);
    const firstTexts = new Set(first.texts);
    assert.ok(second.texts.every((t) => !firstTexts.has(t)), 'a row embedded before the stop is embedded again');
    // A third open finds everything.
    const third = counting(new LexicalEmbedder());
    const done = await StagedEmbedding.start(items, third.embedder, await EmbeddingCache.open(file), order, {});
    assert.equal(done.fromCache, items.length);
    assert.equal(done.remaining, 0);
    assert.equal(third.texts.length, 0);
  });
  it('a crash mid-background (the loop just stops, nothing saved after it) keeps every chunk before it; a torn journal tail costs only its last chunk', async () => {
    const file = cacheFileFor(path.join(dir, 'crash'), 'lexical');
    const order = sampleFirstOrder(items.length, 9, { sampleSize: 50 });
    // Rewrites of the whole file at most once a minute: only the journal can save the chunks.
    const options = { batchSize: 10, chunkRows: 50, flushEveryMs: 60_000 };
    const first = counting(new LexicalEmbedder());
    const staged = await StagedEmbedding.start(items, first.embedder, await EmbeddingCache.open(file), order, options);
    const journalSizes: number[] = [];
    let chunks = 0;
    for await (const _chunk of staged.background()) {
      journalSizes.push(await stat(journalFileFor(file)).then((s) => s.size, () => 0));
      // No cancel, no cleanup: leaving the loop is what a killed process leaves on disk.
      if (++chunks === 4) break;
    }
    const embeddedBefore = staged.embeddedCount;
    assert.equal(embeddedBefore, 50 + 4 * 50);
    assert.ok((journalSizes[0] as number) > 0, 'the start wrote the sample as the file; the first chunk appended to the journal');
    assert.ok(journalSizes.slice(1).every((size, k) => size > (journalSizes[k] as number)), `each later chunk appended a record (${journalSizes.join(', ')})`);
    assert.deepEqual((await readdir(path.dirname(file))).sort(), [path.basename(file), path.basename(journalFileFor(file))].sort());

    const second = counting(new LexicalEmbedder());
    const resumed = await StagedEmbedding.start(items, second.embedder, await EmbeddingCache.open(file), order, options);
    assert.equal(resumed.fromCache, embeddedBefore, 'every chunk embedded before the crash survives');
    assert.equal(second.texts.length, 0);

    // The last record torn (a crash while it was written): only its chunk is embedded again.
    await truncate(journalFileFor(file), (journalSizes[3] as number) - 3);
    const warnings: string[] = [];
    const third = counting(new LexicalEmbedder());
    const torn = await StagedEmbedding.start(items, third.embedder, await EmbeddingCache.open(file), order, { ...options, onWarning: (w) => warnings.push(w) });
    assert.equal(torn.fromCache, embeddedBefore - 50, 'the torn record held one chunk');
    assert.equal(warnings.length, 1);
    assert.ok((warnings[0] as string).includes(journalFileFor(file)) && /torn or damaged/.test(warnings[0] as string), warnings[0]);
    for await (const _chunk of torn.background()) {
      // drain
    }
    assert.equal(third.texts.length, items.length - torn.fromCache);
    const firstTexts = new Set(first.texts.slice(0, 50 + 3 * 50));
    assert.ok(third.texts.every((t) => !firstTexts.has(t)), 'a row of a surviving chunk is embedded again');
    assert.deepEqual(await readdir(path.dirname(file)), [path.basename(file)], 'the end of embedding folded the journal into the file');
    const reopened = await StagedEmbedding.start(items, new LexicalEmbedder(), await EmbeddingCache.open(file), order, options);
    assert.equal(reopened.fromCache, items.length);
    assert.equal(reopened.remaining, 0);
  });

  it('keeps the first sample in the cache before labeling starts: a crash before the first background chunk loses none of it', async () => {
    const file = cacheFileFor(path.join(dir, 'sample-kept'), 'lexical');
    const order = sampleFirstOrder(items.length, 9, { sampleSize: 120 });
    const options = { batchSize: 10, chunkRows: 50, flushEveryMs: 60_000 };
    const first = counting(new LexicalEmbedder());
    const staged = await StagedEmbedding.start(items, first.embedder, await EmbeddingCache.open(file), order, options);
    assert.equal(first.texts.length, 120);
    // No background chunk runs: what the next start finds is what the first stage saved.
    const second = counting(new LexicalEmbedder());
    const reopened = await StagedEmbedding.start(items, second.embedder, await EmbeddingCache.open(file), order, options);
    assert.equal(reopened.fromCache, 120);
    assert.equal(second.texts.length, 0, 'the sample is not embedded again');
    assert.deepEqual(reopened.matrix.data, staged.matrix.data);
  });

  it('a fully cached start still drops the vectors of texts no longer in the dataset, and of duplicate rows only what is stale', async () => {
    const file = cacheFileFor(path.join(dir, 'retain'), 'fixed-lexical');
    const order = (n: number) => sampleFirstOrder(n, 3, { sampleSize: 20 });
    const wider = itemsFromTexts(headlines(120));
    // Vectors that do not depend on the corpus (an idf fitted once), as a transformer's.
    const lexical = new LexicalEmbedder();
    lexical.fit(wider.map((item) => item.text));
    const fixed = (): Embedder => ({ id: 'fixed-lexical', kind: 'lexical', dimensions: lexical.dimensions, embed: (t, signal) => lexical.embed(t, signal), dispose: async () => undefined });
    const full = await StagedEmbedding.start(wider, fixed(), await EmbeddingCache.open(file), order(wider.length), {});
    for await (const _chunk of full.background()) {
      // drain
    }
    assert.equal((await EmbeddingCache.open(file)).size, 120);

    // Every item of the smaller dataset is cached, but the cache holds 20 more: they are dropped.
    const fewer = wider.slice(0, 100);
    const resumed = await StagedEmbedding.start(fewer, fixed(), await EmbeddingCache.open(file), order(fewer.length), {});
    assert.equal(resumed.fromCache, 100);
    const kept = await EmbeddingCache.open(file);
    assert.equal(kept.size, 100);
    for (const item of wider.slice(100)) assert.equal(kept.get(item.textHash), undefined, 'a stale vector was kept');

    // As many rows as cached vectors, but two rows share a text: the cache holds one vector too many.
    const twice = [...fewer.slice(0, 99), { ...(fewer[0] as (typeof fewer)[number]), id: 'again', line: 999 }];
    const again = await StagedEmbedding.start(twice, fixed(), await EmbeddingCache.open(file), order(twice.length), {});
    assert.equal(again.fromCache, 100);
    const last = await EmbeddingCache.open(file);
    assert.equal(last.size, 99);
    assert.equal(last.get((fewer[99] as (typeof fewer)[number]).textHash), undefined);
    assert.deepEqual(again.matrix.data.subarray(99 * again.matrix.cols), again.matrix.data.subarray(0, again.matrix.cols));
  });

  it('drops a stale vector whether it sits in the file or the journal, and when the start computes rows too', async () => {
    const file = cacheFileFor(path.join(dir, 'retain-layers'), 'fixed-lexical');
    const order = (n: number) => sampleFirstOrder(n, 5, { sampleSize: 10 });
    const all = itemsFromTexts(headlines(90));
    const lexical = new LexicalEmbedder();
    lexical.fit(all.map((item) => item.text));
    const fixed = (): Embedder => ({ id: 'fixed-lexical', kind: 'lexical', dimensions: lexical.dimensions, embed: (t, signal) => lexical.embed(t, signal), dispose: async () => undefined });
    // The file holds items 0..59; the journal items 60..79 (checkpoints append them).
    const first = await StagedEmbedding.start(all.slice(0, 60), fixed(), await EmbeddingCache.open(file), order(60), {});
    for await (const _chunk of first.background()) {
      // drain
    }
    const writer = await EmbeddingCache.open(file);
    writer.bind({ model: 'fixed-lexical', dimensions: lexical.dimensions, fingerprint: '' });
    const vectors = await lexical.embed(all.slice(60, 80).map((item) => item.text));
    all.slice(60, 80).forEach((item, k) => writer.set(item.textHash, row(vectors, k)));
    assert.equal(await writer.checkpoint(), true);
    await stat(journalFileFor(file));
    assert.equal((await EmbeddingCache.open(file)).size, 80);

    // Every row cached, one stale row in the journal (item 79): as many rows as the cache holds but one.
    const noLast = [...all.slice(0, 79)];
    const resumed = await StagedEmbedding.start(noLast, fixed(), await EmbeddingCache.open(file), order(noLast.length), {});
    assert.equal(resumed.fromCache, 79);
    const kept = await EmbeddingCache.open(file);
    assert.equal(kept.size, 79);
    assert.equal(kept.get((all[79] as (typeof all)[number]).textHash), undefined, 'the stale journal row was kept');

    // Items 10..89: ten rows to compute, and items 0..9 stale in the file; the background ends with only the dataset's rows.
    const shifted = all.slice(10, 90);
    const counted = counting(lexical);
    const partly = await StagedEmbedding.start(shifted, { ...fixed(), embed: counted.embedder.embed }, await EmbeddingCache.open(file), order(shifted.length), {});
    assert.equal(partly.fromCache, 69);
    for await (const _chunk of partly.background()) {
      // drain
    }
    assert.equal(counted.texts.length, 11, 'items 79..89 were computed');
    const last = await EmbeddingCache.open(file);
    assert.equal(last.size, 80);
    for (const item of all.slice(0, 10)) assert.equal(last.get(item.textHash), undefined, 'a stale file row was kept');
    for (const item of shifted) assert.notEqual(last.get(item.textHash), undefined, `${item.id} was dropped`);
  });
});
