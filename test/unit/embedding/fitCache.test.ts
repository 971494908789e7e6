/**
 * The lexical embedder's idf table is fitted on the whole corpus, which tokenizes every text: on a
 * run whose vectors all come from the cache that fit was most of the time. The cache file now keeps
 * the fitted table, keyed by the corpus, so a second run over the same data skips it.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { EmbeddingCache, cacheFileFor, corpusKey } from '../../../src/core/embedding/cache';
import { embedDataset } from '../../../src/core/embedding/embedDataset';
import { LexicalEmbedder } from '../../../src/core/embedding/lexicalEmbedder';
import { headlines, itemsFromTexts } from './helpers';

/** Recomputes the trailing crc32, so a test's edit is caught only by the check it targets. */
function reseal(bytes: Buffer): Buffer {
  bytes.writeUInt32LE(crc32(bytes.subarray(0, bytes.length - 4)), bytes.length - 4);
  return bytes;
}

/** Rewrites the metadata JSON (u32 length at byte 20, JSON from byte 24) and reseals the file. */
function withMeta(bytes: Buffer, edit: (meta: { fit: { length: number } }) => void): Buffer {
  const metaLength = bytes.readUInt32LE(20);
  const meta = JSON.parse(bytes.toString('utf8', 24, 24 + metaLength)) as { fit: { length: number } };
  edit(meta);
  const json = Buffer.from(JSON.stringify(meta), 'utf8');
  const out = Buffer.concat([bytes.subarray(0, 24), json, bytes.subarray(24 + metaLength)]);
  out.writeUInt32LE(json.length, 20);
  return reseal(out);
}

describe('fitted corpus statistics in the embedding cache', () => {
  let dir: string;
  const texts = headlines(400);

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-fit-cache-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a second run restores the idf instead of refitting, and its vectors are identical', async () => {
    const items = itemsFromTexts(texts);
    const file = cacheFileFor(path.join(dir, 'same'), 'lexical');
    const first = await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file));
    assert.equal(first.fit, 'computed');
    assert.equal(first.computed, items.length);

    const restored = new LexicalEmbedder();
    const second = await embedDataset(items, restored, await EmbeddingCache.open(file));
    assert.equal(second.fit, 'cached');
    assert.equal(second.fromCache, items.length);
    assert.equal(second.computed, 0);
    assert.deepEqual(second.matrix.data, first.matrix.data);

    // The restored table weighs a new text exactly as a fresh fit on the same corpus does.
    const fitted = new LexicalEmbedder();
    fitted.fit(texts);
    assert.equal(restored.fingerprint(), fitted.fingerprint());
    const probe = 'earthquake shakes the coastal town overnight';
    assert.deepEqual((await restored.embed([probe])).data, (await fitted.embed([probe])).data);

    // Item order does not matter: the corpus is the same.
    const shuffled = itemsFromTexts([...texts].reverse());
    assert.equal((await embedDataset(shuffled, new LexicalEmbedder(), await EmbeddingCache.open(file))).fit, 'cached');
  });

  it('another corpus refits: an edited, added or removed text changes the key', async () => {
    const hashes = itemsFromTexts(texts).map((i) => i.textHash);
    const key = corpusKey(hashes);
    assert.equal(corpusKey([...hashes].reverse()), key);
    const edited = itemsFromTexts([...texts.slice(0, 10), `${texts[10]} (updated)`, ...texts.slice(11)]);
    assert.notEqual(corpusKey(edited.map((i) => i.textHash)), key);
    assert.notEqual(corpusKey(hashes.slice(1)), key);
    assert.notEqual(corpusKey([...hashes, hashes[0] as string]), key, 'a repeated text counts');

    const file = cacheFileFor(path.join(dir, 'edited'), 'lexical');
    await embedDataset(itemsFromTexts(texts), new LexicalEmbedder(), await EmbeddingCache.open(file));
    const result = await embedDataset(edited, new LexicalEmbedder(), await EmbeddingCache.open(file));
    assert.equal(result.fit, 'computed');
    // The new idf re-weighs every text, so every vector is recomputed (as before this cache).
    assert.equal(result.computed, edited.length);
    const third = await embedDataset(edited, new LexicalEmbedder(), await EmbeddingCache.open(file));
    assert.equal(third.fit, 'cached', 'the refit replaced the stored table');
  });

  it('a corrupted idf section fails the checksum: reported, refitted, rebuilt', async () => {
    const items = itemsFromTexts(texts.slice(0, 50));
    const file = cacheFileFor(path.join(dir, 'corrupt'), 'lexical');
    await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file));
    const bytes = await readFile(file);
    // The idf table sits just before the 4-byte checksum.
    bytes[bytes.length - 4 - 1000] ^= 0x40;
    await writeFile(file, bytes);
    const result = await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file));
    assert.match(result.cacheProblem ?? '', /corrupt/);
    assert.equal(result.fit, 'computed');
    assert.equal(result.computed, items.length);
    assert.equal((await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file))).fit, 'cached');
  });

  it('restoreFit refuses a table that does not belong to the embedder', () => {
    const embedder = new LexicalEmbedder();
    const before = embedder.fingerprint();
    assert.equal(embedder.restoreFit(new Float32Array(10)), false);
    assert.equal(embedder.restoreFit(new Float32Array(1 << 18).fill(Number.NaN)), false);
    assert.equal(embedder.fingerprint(), before);
    assert.equal(embedder.fitState(), undefined, 'nothing fitted yet');
    assert.equal(embedder.restoreFit(new Float32Array(1 << 18).fill(1)), true);
    assert.notEqual(embedder.fingerprint(), before);
  });

  it('NaN in the idf section under a valid checksum is corruption: reported, refitted, rebuilt', async () => {
    const items = itemsFromTexts(texts.slice(0, 50));
    const file = cacheFileFor(path.join(dir, 'nan'), 'lexical');
    await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file));
    const bytes = await readFile(file);
    // The idf table ends just before the checksum; this float is inside it.
    bytes.writeFloatLE(Number.NaN, bytes.length - 4 - 1000);
    await writeFile(file, reseal(bytes));
    const result = await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file));
    assert.match(result.cacheProblem ?? '', /corrupt \(fitted statistics hold NaN at \d+, not a finite number\); rebuilding/);
    assert.equal(result.fit, 'computed');
    const again = await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file));
    assert.equal(again.cacheProblem, undefined);
    assert.equal(again.fit, 'cached');
  });

  it('a fit section claiming 10^12 floats is corruption, found without allocating them', async () => {
    const items = itemsFromTexts(texts.slice(0, 50));
    const file = cacheFileFor(path.join(dir, 'huge-fit'), 'lexical');
    await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file));
    await writeFile(file, withMeta(await readFile(file), (meta) => (meta.fit.length = 1e12)));
    const result = await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file));
    assert.match(result.cacheProblem ?? '', /corrupt \(length \d+ does not match header/);
    assert.equal(result.fit, 'computed');
    assert.equal(result.computed, items.length);
  });

  it('a fit section cut short (file truncated inside the idf table) is corruption', async () => {
    const items = itemsFromTexts(texts.slice(0, 50));
    const file = cacheFileFor(path.join(dir, 'short-fit'), 'lexical');
    await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file));
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 4 - 4096));
    const result = await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file));
    assert.match(result.cacheProblem ?? '', /corrupt \(length \d+ does not match header/);
    assert.equal(result.fit, 'computed');
    assert.equal((await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file))).fit, 'cached');
  });

  it('with a folder at the cache path the idf is fitted every run, with a warning, and nothing crashes', async () => {
    const items = itemsFromTexts(texts.slice(0, 50));
    const file = cacheFileFor(path.join(dir, 'folder'), 'lexical');
    await mkdir(file, { recursive: true });
    for (let run = 0; run < 2; run++) {
      const result = await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file));
      assert.equal(result.fit, 'computed');
      assert.equal(result.computed, items.length);
      assert.match(result.cacheWarnings?.[0] ?? '', /is a folder, not a regular file.*remove it or point the cache elsewhere/);
    }
    assert.ok(statSync(file).isDirectory());
    assert.deepEqual(readdirSync(file), [], 'nothing was written into the folder');
  });
});
