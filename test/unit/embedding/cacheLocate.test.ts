/**
 * `EmbeddingCache.locate`, the allocation-free lookup a re-opened pool makes once per row: it must
 * find exactly the bytes `encoded` gives, in every place a row can be (the file, its journal, this
 * run's rows, the spill file), and give each key its own record number below `recordSlots`, since
 * StagedEmbedding counts the distinct records hit to decide that the cache holds nothing else.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EmbeddingCache, cacheFileFor } from '../../../src/core/embedding/cache';
import { rowBytes, type VectorDtype } from '../../../src/core/embedding/quantize';
import { RowLocation } from '../../../src/core/embedding/rowLocation';
import { textHash } from './helpers';

const DIMS = 8;
const identity = { model: 'Xenova/all-MiniLM-L6-v2', dimensions: DIMS, fingerprint: 'fp-1' };

function vectorOf(i: number, version = 0): Float32Array {
  return Float32Array.from({ length: DIMS }, (_, j) => Math.sin(1 + i * 7.3 + j * 1.9 + version * 0.37) * (1 + (j % 3)));
}

const hashOf = (i: number): string => textHash(`text ${i}`);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

describe('EmbeddingCache.locate', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-locate-'));
    file = cacheFileFor(dir, identity.model);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function open(dtype: VectorDtype, memoryBytes?: number): Promise<EmbeddingCache> {
    const cache = await EmbeddingCache.open(file, { dtype, ...(memoryBytes !== undefined ? { memoryBytes } : {}) });
    cache.bind(identity);
    return cache;
  }

  for (const dtype of ['int8', 'float16', 'float32'] as const) {
    it(`${dtype}: finds what encoded finds in the file, the journal, this run's rows and the spill file, each key its own record`, async () => {
      // The file: rows 0..9; the journal: rows 10..14 and a newer row 3.
      const writer = await open(dtype);
      for (const i of range(0, 10)) writer.set(hashOf(i), vectorOf(i));
      assert.equal(await writer.save(), true);
      for (const i of range(10, 15)) writer.set(hashOf(i), vectorOf(i));
      writer.set(hashOf(3), vectorOf(3, 1));
      assert.equal(await writer.checkpoint(), true);
      // Re-opened with room in memory for two rows: rows 15..16 stay in memory, 17..19 spill; row 5 is set again.
      const cache = await open(dtype, 2 * rowBytes(dtype, DIMS));
      for (const i of range(15, 20)) cache.set(hashOf(i), vectorOf(i));
      cache.set(hashOf(5), vectorOf(5, 2));
      // A text hash that is no key is hashed down to one (cacheKeys.ts keyOf).
      cache.set('not a key', vectorOf(99));
      assert.equal(cache.size, 21);

      const at = new RowLocation();
      const records = new Set<number>();
      const keys = [...range(0, 20).map(hashOf), 'not a key'];
      for (const key of keys) {
        const expected = cache.encoded(key);
        assert.ok(expected !== undefined, key);
        assert.equal(cache.locate(key, at), true, key);
        assert.equal(at.dtype, expected.dtype, key);
        assert.equal(at.shared, expected.shared, key);
        assert.deepEqual(at.bytes.subarray(at.at, at.at + expected.bytes.length), expected.bytes, key);
        assert.ok(Number.isInteger(at.record) && at.record >= 0 && at.record < cache.recordSlots, `${key}: record ${at.record} of ${cache.recordSlots}`);
        records.add(at.record);
      }
      assert.equal(records.size, keys.length, 'two keys share a record number');
      // The spilled rows are copies, the others the cache's own memory.
      assert.equal(cache.locate(hashOf(18), at) && at.shared, false);
      assert.equal(cache.locate(hashOf(12), at) && at.shared, true);
      assert.equal(cache.locate(hashOf(20), at), false, 'a key the cache lacks');
      assert.equal(cache.locate(hashOf(3).toUpperCase(), at), false, 'an uppercase spelling is another text, as with get');
      assert.equal(cache.get(hashOf(3).toUpperCase()), undefined);
    });
  }
});
