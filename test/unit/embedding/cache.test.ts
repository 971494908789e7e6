import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { EmbeddingCache, cacheFileFor } from '../../../src/core/embedding/cache';
import { textHash } from './helpers';

const identity = { model: 'Xenova/all-MiniLM-L6-v2', dimensions: 4, fingerprint: '' };

/** The format as documented in cacheFormat.ts: 8-byte magic, u32 version, dims, count, metaLength. */
const DIMS_AT = 12;
const COUNT_AT = 16;
const META_LENGTH_AT = 20;
const FIXED_HEADER = 24;

/** Recomputes the trailing crc32, so a test's edit is caught only by the check it targets. */
function reseal(bytes: Buffer): Buffer {
  bytes.writeUInt32LE(crc32(bytes.subarray(0, bytes.length - 4)), bytes.length - 4);
  return bytes;
}

/** Byte offset of float `j` of record `i` (records are a 16-byte key, then dims x f32: a float32 cache). */
function floatAt(bytes: Buffer, i: number, j: number): number {
  const dims = bytes.readUInt32LE(DIMS_AT);
  return FIXED_HEADER + bytes.readUInt32LE(META_LENGTH_AT) + i * (16 + dims * 4) + 16 + j * 4;
}

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

  /** A float32 cache (the layout these tests edit byte by byte; cacheDtype.test.ts covers the others). */
  async function writeTwo(): Promise<void> {
    const cache = await EmbeddingCache.open(file, { dtype: 'float32' });
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

  it('treats NaN or infinity in a vector as corruption even under a valid checksum, and rebuilds', async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      await writeTwo();
      const bytes = await readFile(file);
      bytes.writeFloatLE(bad, floatAt(bytes, 1, 2));
      await writeFile(file, reseal(bytes));
      const cache = await EmbeddingCache.open(file);
      assert.equal(cache.size, 0, `${bad} was trusted`);
      assert.match(cache.problem ?? '', /corrupt \(vector 1 holds (NaN|-?Infinity), not a finite number\); rebuilding/);
      cache.bind(identity);
      cache.set(textHash('alpha'), Float32Array.from([1, 0, 0, 0]));
      assert.equal(await cache.save(), true);
      const rebuilt = await EmbeddingCache.open(file);
      assert.equal(rebuilt.problem, undefined);
      assert.equal(rebuilt.size, 1);
    }
  });

  it('does not cache a vector with NaN in it, so the file stays valid, and says so', async () => {
    const cache = await EmbeddingCache.open(file);
    cache.bind(identity);
    cache.set(textHash('alpha'), Float32Array.from([1, 0, 0, 0]));
    cache.set(textHash('broken'), Float32Array.from([Number.NaN, 0, 0, 0]));
    assert.equal(cache.get(textHash('broken')), undefined);
    assert.equal(await cache.save(), true);
    assert.match(cache.warnings.join('\n'), /1 vector\(s\) .* held NaN or infinite values and were not cached/);
    const reopened = await EmbeddingCache.open(file);
    assert.equal(reopened.problem, undefined);
    assert.equal(reopened.size, 1);
  });

  it('a header claiming 2^32 rows of 2^32 dimensions is corruption, found without allocating them', async () => {
    await writeTwo();
    const bytes = await readFile(file);
    bytes.writeUInt32LE(0xffffffff, DIMS_AT);
    bytes.writeUInt32LE(0xffffffff, COUNT_AT);
    await writeFile(file, reseal(bytes));
    const cache = await EmbeddingCache.open(file);
    assert.equal(cache.size, 0);
    assert.match(cache.problem ?? '', /corrupt \(length \d+ does not match header.*4294967295 x 4294967295 dims/);
  });

  it('a file longer than its header says is corruption too', async () => {
    await writeTwo();
    const bytes = await readFile(file);
    await writeFile(file, Buffer.concat([bytes, Buffer.alloc(32)]));
    const cache = await EmbeddingCache.open(file);
    assert.equal(cache.size, 0);
    assert.match(cache.problem ?? '', new RegExp(`corrupt \\(length ${bytes.length + 32} does not match header: longer than the ${bytes.length} bytes`));
  });

  it('reads only the header of a 1 GiB file whose header does not account for it', async () => {
    // A valid header for one 4-dim record, then a sparse gigabyte: no disk space, but reading it
    // whole would put a gigabyte in memory before any check ran.
    const header = Buffer.alloc(FIXED_HEADER + 2);
    header.write('ALEMBED1', 0, 'latin1');
    header.writeUInt32LE(2, 8);
    header.writeUInt32LE(4, DIMS_AT);
    header.writeUInt32LE(1, COUNT_AT);
    header.writeUInt32LE(2, META_LENGTH_AT);
    header.write('{}', FIXED_HEADER, 'utf8');
    await writeFile(file, header);
    await truncate(file, 1024 * 1024 * 1024);
    const before = process.resourceUsage().maxRSS;
    const cache = await EmbeddingCache.open(file);
    const grewKb = process.resourceUsage().maxRSS - before;
    assert.ok(grewKb < 256 * 1024, `peak memory grew by ${Math.round(grewKb / 1024)} MB while opening`);
    assert.equal(cache.size, 0);
    assert.match(cache.problem ?? '', /corrupt \(length 1073741824 does not match header/);
  });
});
