/**
 * The cache file's storage types (format 3): rows as float32, float16 or int8 with a per-row scale,
 * named in the header; older float32 files (formats 1 and 2) still read; the file decoded in
 * chunks. cache.test.ts covers the checks on a float32 file byte by byte.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { EmbeddingCache, cacheFileFor } from '../../../src/core/embedding/cache';
import { DEFAULT_VECTOR_DTYPE, VECTOR_DTYPES, decodeRows, encodeRows, rowBytes, type VectorDtype } from '../../../src/core/embedding/quantize';
import { createRng } from '../../../src/core/random';
import { textHash } from './helpers';

const MODEL = 'Xenova/all-MiniLM-L6-v2';
const FIXED_HEADER = 24;

/** A file as formats 1 and 2 wrote it: float32 rows, no dtype in the metadata. */
function legacyFile(version: 1 | 2, dims: number, rows: ReadonlyArray<readonly [string, readonly number[]]>): Buffer {
  const meta = Buffer.from(JSON.stringify({ model: MODEL, fingerprint: '' }), 'utf8');
  const head = Buffer.alloc(FIXED_HEADER);
  head.write('ALEMBED1', 0, 'latin1');
  head.writeUInt32LE(version, 8);
  head.writeUInt32LE(dims, 12);
  head.writeUInt32LE(rows.length, 16);
  head.writeUInt32LE(meta.length, 20);
  const body = Buffer.alloc(rows.length * (16 + dims * 4));
  rows.forEach(([text, vector], i) => {
    body.write(textHash(text), i * (16 + dims * 4), 16, 'hex');
    vector.forEach((x, j) => body.writeFloatLE(x, i * (16 + dims * 4) + 16 + j * 4));
  });
  const bytes = Buffer.concat([head, meta, body, Buffer.alloc(4)]);
  bytes.writeUInt32LE(crc32(bytes.subarray(0, bytes.length - 4)), bytes.length - 4);
  return bytes;
}

function metaOf(bytes: Buffer): Record<string, unknown> {
  return JSON.parse(bytes.toString('utf8', FIXED_HEADER, FIXED_HEADER + bytes.readUInt32LE(20))) as Record<string, unknown>;
}

function randomVectors(n: number, dims: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * dims }, () => rng.normal() * 0.05);
}

describe('EmbeddingCache storage types', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-dtype-'));
    file = cacheFileFor(dir, MODEL);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const dtype of VECTOR_DTYPES) {
    it(`${dtype}: the header names it, rows take its bytes, and a reopened cache gives each row encoded once`, async () => {
      const dims = 24;
      const data = randomVectors(30, dims, 7);
      const cache = await EmbeddingCache.open(file, { dtype });
      cache.bind({ model: MODEL, dimensions: dims, fingerprint: '' });
      for (let i = 0; i < 30; i++) cache.set(textHash(`t${i}`), data.subarray(i * dims, (i + 1) * dims));
      assert.equal(await cache.save(), true);
      const bytes = await readFile(file);
      assert.equal(bytes.readUInt32LE(8), 3);
      assert.equal(metaOf(bytes).dtype, dtype);
      assert.equal(bytes.length, FIXED_HEADER + bytes.readUInt32LE(20) + 30 * (16 + rowBytes(dtype, dims)) + 4);
      // Opened with any write dtype, the file is read as what it says it holds.
      const reopened = await EmbeddingCache.open(file, { dtype: dtype === 'int8' ? 'float16' : 'int8' });
      assert.equal(reopened.problem, undefined);
      reopened.bind({ model: MODEL, dimensions: dims, fingerprint: '' });
      const expected = decodeRows(dtype, encodeRows(dtype, data, dims), dims);
      for (let i = 0; i < 30; i++) assert.deepEqual(reopened.get(textHash(`t${i}`)), expected.subarray(i * dims, (i + 1) * dims), `row ${i}`);
      // readInto decodes the same row into a destination, in place.
      const out = new Float32Array(dims + 3).fill(9);
      assert.equal(reopened.readInto(textHash('t4'), out, 3), true);
      assert.deepEqual(out.subarray(3), expected.subarray(4 * dims, 5 * dims));
      assert.deepEqual([...out.subarray(0, 3)], [9, 9, 9]);
      assert.equal(reopened.readInto(textHash('absent'), out, 0), false);
    });
  }

  for (const version of [1, 2] as const) {
    it(`a format ${version} float32 file reads exactly, and is rewritten as format 3 in the default dtype at the next save`, async () => {
      const rows = [
        ['alpha', [1, 0, 0, 0.25]],
        ['beta', [0, 0.6, -0.8, 0]],
      ] as const;
      await writeFile(file, legacyFile(version, 4, rows));
      const cache = await EmbeddingCache.open(file);
      assert.equal(cache.problem, undefined);
      cache.bind({ model: MODEL, dimensions: 4, fingerprint: '' });
      assert.deepEqual(cache.get(textHash('beta')), Float32Array.from(rows[1][1]));
      assert.deepEqual(cache.get(textHash('alpha')), Float32Array.from(rows[0][1]));
      assert.equal(await cache.save(), true);
      const bytes = await readFile(file);
      assert.equal(bytes.readUInt32LE(8), 3);
      assert.equal(metaOf(bytes).dtype, DEFAULT_VECTOR_DTYPE);
      const again = await EmbeddingCache.open(file);
      assert.equal(again.problem, undefined);
      assert.equal(again.size, 2);
      const want = decodeRows(DEFAULT_VECTOR_DTYPE, encodeRows(DEFAULT_VECTOR_DTYPE, Float32Array.from(rows[1][1]), 4), 4);
      assert.deepEqual(again.get(textHash('beta')), want);
    });
  }

  it('a format 3 file without a known dtype is corrupt', async () => {
    for (const dtype of [undefined, 'bfloat16', 8]) {
      const bytes = legacyFile(2, 4, [['alpha', [1, 0, 0, 0]]]);
      bytes.writeUInt32LE(3, 8);
      // Same length of metadata: swap in a dtype by rebuilding the metadata and header.
      const meta = Buffer.from(JSON.stringify({ model: MODEL, fingerprint: '', ...(dtype !== undefined ? { dtype } : {}) }), 'utf8');
      const head = Buffer.from(bytes.subarray(0, FIXED_HEADER));
      head.writeUInt32LE(meta.length, 20);
      const rest = bytes.subarray(FIXED_HEADER + bytes.readUInt32LE(20), bytes.length - 4);
      const out = Buffer.concat([head, meta, rest, Buffer.alloc(4)]);
      out.writeUInt32LE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
      await writeFile(file, out);
      const cache = await EmbeddingCache.open(file);
      assert.equal(cache.size, 0);
      assert.match(cache.problem ?? '', /corrupt \(header has no valid dtype/, `dtype ${String(dtype)}`);
    }
  });

  it('a float16 NaN or infinity pattern, or an int8 scale that is not finite, is corruption under a valid checksum', async () => {
    const cases: ReadonlyArray<readonly [VectorDtype, (bytes: Buffer, rowAt: number) => void]> = [
      ['float16', (b, at) => b.writeUInt16LE(0x7e00, at + 2)],
      ['float16', (b, at) => b.writeUInt16LE(0xfc00, at)],
      ['int8', (b, at) => b.writeFloatLE(Number.POSITIVE_INFINITY, at)],
      ['int8', (b, at) => b.writeFloatLE(Number.NaN, at)],
    ];
    for (const [dtype, spoil] of cases) {
      const cache = await EmbeddingCache.open(file, { dtype });
      cache.bind({ model: MODEL, dimensions: 4, fingerprint: '' });
      cache.set(textHash('a'), Float32Array.from([0.1, 0.2, 0.3, 0.4]));
      cache.set(textHash('b'), Float32Array.from([0.4, 0.3, 0.2, 0.1]));
      await cache.save();
      const bytes = await readFile(file);
      spoil(bytes, FIXED_HEADER + bytes.readUInt32LE(20) + (16 + rowBytes(dtype, 4)) + 16);
      bytes.writeUInt32LE(crc32(bytes.subarray(0, bytes.length - 4)), bytes.length - 4);
      await writeFile(file, bytes);
      const reopened = await EmbeddingCache.open(file, { dtype });
      assert.equal(reopened.size, 0, `${dtype} spoiled row was trusted`);
      assert.match(reopened.problem ?? '', /corrupt \(vector 1 holds (NaN|-?Infinity), not a finite number\)/);
    }
  });

  it('float16: a vector beyond its range is not cached, the file stays valid, and the warning says why', async () => {
    const cache = await EmbeddingCache.open(file, { dtype: 'float16' });
    cache.bind({ model: MODEL, dimensions: 2, fingerprint: '' });
    cache.set(textHash('ok'), Float32Array.from([1, 2]));
    cache.set(textHash('huge'), Float32Array.from([1e6, 0]));
    assert.equal(cache.get(textHash('huge')), undefined);
    assert.equal(await cache.save(), true);
    assert.match(cache.warnings.join('\n'), /1 vector\(s\) .* beyond float16 \(±65504\) and were not cached/);
    const reopened = await EmbeddingCache.open(file, { dtype: 'float16' });
    assert.equal(reopened.problem, undefined);
    assert.equal(reopened.size, 1);
  });

  it('a file of many read chunks decodes every row, and an edit in a late chunk still fails the checksum', async () => {
    // 20,000 x 512 int8 rows: 10.6 MB, more than one 8 MiB read.
    const dims = 512;
    const n = 20_000;
    const data = randomVectors(n, dims, 11);
    const cache = await EmbeddingCache.open(file, { dtype: 'int8' });
    cache.bind({ model: MODEL, dimensions: dims, fingerprint: '' });
    for (let i = 0; i < n; i++) cache.set(textHash(`row ${i}`), data.subarray(i * dims, (i + 1) * dims));
    assert.equal(await cache.save(), true);
    const reopened = await EmbeddingCache.open(file, { dtype: 'int8' });
    assert.equal(reopened.problem, undefined);
    assert.equal(reopened.size, n);
    const expected = decodeRows('int8', encodeRows('int8', data, dims), dims);
    for (const i of [0, 1, 15_000, n - 1]) assert.deepEqual(reopened.get(textHash(`row ${i}`)), expected.subarray(i * dims, (i + 1) * dims), `row ${i}`);
    const bytes = await readFile(file);
    bytes[bytes.length - 100] ^= 0x01;
    await writeFile(file, bytes);
    const spoiled = await EmbeddingCache.open(file);
    assert.equal(spoiled.size, 0);
    assert.match(spoiled.problem ?? '', /checksum mismatch/);
  });
});
