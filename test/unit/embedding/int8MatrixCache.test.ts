/**
 * A pool filled from the embedding cache points at the cache's own int8 rows instead of copying
 * them (int8Matrix.ts). What it reads must be what the cache decodes, from every place the cache
 * keeps rows (read from the file, set this run, spilled to disk, another dtype), and must stay so
 * whatever the cache does next (a row set again, rows dropped, a save, the cache let go).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EmbeddingCache, cacheFileFor } from '../../../src/core/embedding/cache';
import { Int8Matrix, putPoolRow } from '../../../src/core/embedding/int8Matrix';
import { decodeRows, encodeRows } from '../../../src/core/embedding/quantize';
import { rowRange } from '../../../src/core/math/matrix';
import { createRng } from '../../../src/core/random';

const DIMS = 24;
const ROWS = 300;

function vectors(seed: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: ROWS }, () => Float32Array.from({ length: DIMS }, () => rng.normal()));
}

const hashOf = (i: number): string => i.toString(16).padStart(32, '0');

/** What the cache decodes of `v` when it stores int8. */
function asInt8(v: Float32Array): Float32Array {
  return decodeRows('int8', encodeRows('int8', v, DIMS), DIMS);
}

function readAll(m: Int8Matrix): Float32Array[] {
  const all = rowRange(m, 0, m.rows).data;
  return Array.from({ length: m.rows }, (_, r) => all.slice(r * DIMS, (r + 1) * DIMS));
}

describe('Int8Matrix filled from the cache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-int8-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function filled(file: string, v: Float32Array[], options: { memoryBytes?: number; dtype?: 'int8' | 'float16' } = {}): Promise<EmbeddingCache> {
    const cache = await EmbeddingCache.open(file, options);
    cache.bind({ model: 'm', dimensions: DIMS, fingerprint: '' });
    v.forEach((vector, i) => cache.set(hashOf(i), vector));
    return cache;
  }

  it('reads rows set this run, rows read back from the file and spilled rows exactly as the cache decodes them', async () => {
    const v = vectors(1);
    const expected = v.map(asInt8);
    // Set this run, all in memory.
    const file = cacheFileFor(path.join(dir, 'a'), 'm');
    const cache = await filled(file, v);
    const fresh = new Int8Matrix(ROWS, DIMS);
    for (let i = 0; i < ROWS; i++) assert.equal(fresh.putFromCache(i, cache, hashOf(i)), true);
    assert.deepEqual(readAll(fresh), expected);
    await cache.save();

    // Read back from the file (adopted chunks), in another order.
    const reopened = await EmbeddingCache.open(file);
    reopened.bind({ model: 'm', dimensions: DIMS, fingerprint: '' });
    const fromFile = new Int8Matrix(ROWS, DIMS);
    for (let i = 0; i < ROWS; i++) fromFile.putFromCache(ROWS - 1 - i, reopened, hashOf(i));
    assert.deepEqual(readAll(fromFile), [...expected].reverse());
    assert.equal(fromFile.ownBytes, 0, 'the rows the cache read from its file are shared, not copied');
    assert.equal(fresh.ownBytes, 0, 'so are the rows it holds in memory');
    assert.equal(fromFile.putFromCache(0, reopened, hashOf(ROWS + 5)), false, 'a row the cache lacks');

    // Past a tiny memory share the cache spills to disk: those rows are copied.
    const spilled = await filled(cacheFileFor(path.join(dir, 'b'), 'm'), v, { memoryBytes: 40 * (DIMS + 20) });
    const fromSpill = new Int8Matrix(ROWS, DIMS);
    for (let i = 0; i < ROWS; i++) fromSpill.putFromCache(i, spilled, hashOf(i));
    assert.deepEqual(readAll(fromSpill), expected);
    assert.ok(fromSpill.ownBytes > 0, 'spilled rows are copied');
  });

  it('a row stays what it was when the cache sets it again, drops it, saves, or is let go', async () => {
    const v = vectors(2);
    const w = vectors(3);
    const file = cacheFileFor(path.join(dir, 'c'), 'm');
    await (await filled(file, v)).save();
    const cache = await EmbeddingCache.open(file);
    cache.bind({ model: 'm', dimensions: DIMS, fingerprint: '' });
    const pool = new Int8Matrix(ROWS, DIMS);
    for (let i = 0; i < ROWS; i++) pool.putFromCache(i, cache, hashOf(i));
    const before = readAll(pool);
    for (let i = 0; i < ROWS; i += 2) cache.set(hashOf(i), w[i] as Float32Array);
    cache.retainOnly([hashOf(1), hashOf(3)]);
    await cache.save();
    assert.deepEqual(readAll(pool), before);
    assert.deepEqual(before, v.map(asInt8));

    // Writing a row of the pool that points into the cache puts it in the pool's own storage.
    assert.equal(pool.ownBytes, 0);
    pool.putVector(5, w[5] as Float32Array);
    assert.ok(pool.ownBytes > 0);
    assert.deepEqual(readAll(pool)[5], asInt8(w[5] as Float32Array));
    const again = await EmbeddingCache.open(file);
    again.bind({ model: 'm', dimensions: DIMS, fingerprint: '' });
    assert.deepEqual(again.get(hashOf(5)), undefined, 'dropped by retainOnly');
    assert.deepEqual(again.get(hashOf(3)), asInt8(v[3] as Float32Array), 'the cache file is untouched by the pool');
  });

  it('a pool much smaller than the cache copies its rows instead of keeping the cache\'s buffers alive', async () => {
    const v = vectors(5);
    const cache = await filled(cacheFileFor(path.join(dir, 'e'), 'm'), v);
    const small = new Int8Matrix(ROWS / 4, DIMS);
    for (let i = 0; i < small.rows; i++) putPoolRow(small, i, { cache, textHash: hashOf(i * 4) });
    assert.ok(small.ownBytes >= small.rows * (DIMS + 4), 'copied');
    assert.deepEqual(readAll(small), v.filter((_, i) => i % 4 === 0).map(asInt8));
    const half = new Int8Matrix(ROWS / 2, DIMS);
    for (let i = 0; i < half.rows; i++) putPoolRow(half, i, { cache, textHash: hashOf(i) });
    assert.equal(half.ownBytes, 0, 'shared when the cache holds at most twice the pool');
  });

  it('rows the cache stores in another dtype are re-encoded as int8 from what the cache decodes', async () => {
    const v = vectors(4);
    const cache = await filled(cacheFileFor(path.join(dir, 'd'), 'm'), v, { dtype: 'float16' });
    const pool = new Int8Matrix(ROWS, DIMS);
    for (let i = 0; i < ROWS; i++) pool.putFromCache(i, cache, hashOf(i));
    assert.deepEqual(readAll(pool), v.map((x, i) => asInt8(cache.get(hashOf(i)) ?? x)));
  });
});
