import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EmbeddingCache, cacheFileFor } from '../../../src/core/embedding/cache';
import { textHash } from './helpers';

const identity = { model: 'Xenova/all-MiniLM-L6-v2', dimensions: 4, fingerprint: '' };

describe('EmbeddingCache', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-cache-'));
    file = cacheFileFor(dir, identity.model);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function writeTwo(): Promise<void> {
    const cache = await EmbeddingCache.open(file);
    cache.bind(identity);
    cache.set(textHash('alpha'), Float32Array.from([1, 0, 0, 0]));
    cache.set(textHash('beta'), Float32Array.from([0, 0.6, 0.8, 0]));
    await cache.save();
  }

  it('round-trips vectors by text hash and leaves no temp files', async () => {
    await writeTwo();
    const cache = await EmbeddingCache.open(file);
    cache.bind(identity);
    assert.equal(cache.problem, undefined);
    assert.equal(cache.size, 2);
    assert.deepEqual(cache.get(textHash('beta')), Float32Array.from([0, 0.6, 0.8, 0]));
    assert.equal(cache.get(textHash('gamma')), undefined);
    assert.deepEqual(await readdir(dir), [path.basename(file)]);
  });

  it('names files safely and distinctly for ids and paths', () => {
    const a = cacheFileFor(dir, '/home/me/models/mini');
    const b = cacheFileFor(dir, '/home/me/models:mini');
    assert.notEqual(a, b);
    assert.equal(path.dirname(a), dir);
    assert.match(path.basename(a), /^embeddings-[A-Za-z0-9._-]+\.bin$/);
  });

  it('detects a flipped byte anywhere and starts empty', async () => {
    await writeTwo();
    const bytes = await readFile(file);
    for (const offset of [0, 9, 30, bytes.length - 20, bytes.length - 1]) {
      const copy = Buffer.from(bytes);
      copy[offset] ^= 0x40;
      await writeFile(file, copy);
      const cache = await EmbeddingCache.open(file);
      assert.equal(cache.size, 0, `offset ${offset} was trusted`);
      assert.match(cache.problem ?? '', /corrupt/);
    }
  });

  it('detects a truncated file and rebuilds it on save', async () => {
    await writeTwo();
    const { size } = await import('node:fs').then((fs) => fs.statSync(file));
    await truncate(file, size - 7);
    const cache = await EmbeddingCache.open(file);
    assert.equal(cache.size, 0);
    assert.match(cache.problem ?? '', /does not match header|too short/);
    cache.bind(identity);
    cache.set(textHash('alpha'), Float32Array.from([1, 0, 0, 0]));
    await cache.save();
    const rebuilt = await EmbeddingCache.open(file);
    assert.equal(rebuilt.problem, undefined);
    assert.equal(rebuilt.size, 1);
  });

  it('drops vectors made with other dimensions, another model or other corpus statistics', async () => {
    for (const other of [
      { ...identity, dimensions: 8 },
      { ...identity, model: 'lexical' },
      { ...identity, fingerprint: 'idf:1234' },
    ]) {
      await writeTwo();
      const cache = await EmbeddingCache.open(file);
      cache.bind(other);
      assert.equal(cache.size, 0);
      assert.match(cache.problem ?? '', /rebuilding/);
      assert.equal(cache.get(textHash('alpha')), undefined);
    }
  });

  it('refuses vectors of the wrong width and prunes texts no longer present', async () => {
    await writeTwo();
    const cache = await EmbeddingCache.open(file);
    cache.bind(identity);
    assert.throws(() => cache.set(textHash('x'), new Float32Array(3)), RangeError);
    cache.retainOnly([textHash('beta')]);
    await cache.save();
    const reopened = await EmbeddingCache.open(file);
    assert.equal(reopened.size, 1);
    assert.ok(reopened.get(textHash('beta')));
  });

  it('treats a file that is not a cache as corrupt', async () => {
    await writeFile(file, 'id,text\n1,hello\n');
    const cache = await EmbeddingCache.open(file);
    assert.equal(cache.size, 0);
    assert.match(cache.problem ?? '', /corrupt/);
  });
});
