/**
 * StoredRows (the cache's rows as the file stores them) against what its `Map` of hex keys did:
 * the same size, lookups, rows, and keys and records in the same order, through appends (a key set
 * again moves to the end), deletes, re-adds, lookups of absent keys that share all but a digit with
 * present ones, and chunks adopted from a file (a key held twice keeps its first place, last row).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type VectorDtype, decodeRowCopy, encodeRow, rowBytes } from '../../../src/core/embedding/quantize';
import { StoredRows } from '../../../src/core/embedding/storedRows';
import { createRng, type Rng } from '../../../src/core/random';

const DIMS = 6;
const DTYPE: VectorDtype = 'int8';
const ROW = rowBytes(DTYPE, DIMS);

function randomHex(rng: Rng): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += rng.int(16).toString(16);
  return hex;
}

/** `hex` with one digit changed: absent when `hex` is present, sharing everything else. */
function neighbour(hex: string, rng: Rng): string {
  const at = rng.next() < 0.5 ? 31 : rng.int(32);
  const digit = ((parseInt(hex[at] as string, 16) + 1 + rng.int(15)) % 16).toString(16);
  return hex.slice(0, at) + digit + hex.slice(at + 1);
}

/** Random keys, keys in one word only (`i` padded, as the benches make), and their neighbours. */
function keyPool(rng: Rng, n: number): string[] {
  const pool: string[] = [];
  for (let i = 0; i < n; i++) pool.push(i % 3 === 0 ? i.toString(16).padStart(32, '0') : randomHex(rng));
  return pool;
}

function vector(rng: Rng): Float32Array {
  return Float32Array.from({ length: DIMS }, () => rng.normal());
}

function encoded(v: Float32Array): Uint8Array {
  const bytes = new Uint8Array(ROW);
  encodeRow(DTYPE, v, bytes, 0);
  return bytes;
}

/** Every observable of `rows` against `reference` (key -> encoded row, in the Map's order). */
function assertSame(rows: StoredRows, reference: Map<string, Uint8Array>, probes: readonly string[]): void {
  assert.equal(rows.size, reference.size);
  assert.deepEqual([...rows.keys()], [...reference.keys()]);
  assert.deepEqual(
    [...rows.records()].map(([key, row]) => [key, Array.from(row)]),
    [...reference].map(([key, row]) => [key, Array.from(row)]),
  );
  const out = new Float32Array(DIMS + 2).fill(7);
  for (const key of probes) {
    const row = reference.get(key);
    assert.equal(rows.has(key), row !== undefined, key);
    assert.deepEqual(rows.encoded(key) && Array.from(rows.encoded(key) as Uint8Array), row && Array.from(row), key);
    const decoded = row && decodeRowCopy(DTYPE, row, 0, DIMS);
    assert.deepEqual(rows.get(key), decoded, key);
    assert.equal(rows.readInto(key, out, 1), row !== undefined, key);
    if (decoded !== undefined) assert.deepEqual(out.subarray(1, 1 + DIMS), decoded, key);
  }
}

/** Records (key, then row) as the file holds them, in chunks of `perChunk` (the last shorter). */
function fileChunks(records: readonly (readonly [string, Uint8Array])[], perChunk: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let start = 0; start < records.length; start += perChunk) {
    const part = records.slice(start, start + perChunk);
    const chunk = Buffer.alloc(part.length * (16 + ROW));
    part.forEach(([key, row], r) => {
      chunk.write(key, r * (16 + ROW), 16, 'hex');
      chunk.set(row, r * (16 + ROW) + 16);
    });
    chunks.push(chunk);
  }
  return chunks;
}

describe('StoredRows', () => {
  it('appends, re-adds, deletes and finds as its Map of hex keys did, over thousands of operations', () => {
    const rng = createRng(11);
    const pool = keyPool(rng, 700);
    const rows = new StoredRows(DTYPE, DIMS);
    const reference = new Map<string, Uint8Array>();
    for (let op = 0; op < 8000; op++) {
      const key = pool[rng.int(pool.length)] as string;
      const roll = rng.next();
      if (roll < 0.5) {
        const v = vector(rng);
        if (rng.next() < 0.5) rows.append(key, v);
        else rows.appendEncoded(key, Uint8Array.of(9, 9, ...encoded(v)), 2);
        reference.delete(key);
        reference.set(key, encoded(v));
      } else if (roll < 0.7) {
        assert.equal(rows.delete(key), reference.delete(key), key);
      } else {
        const probe = rng.next() < 0.5 ? key : neighbour(key, rng);
        assertSame(rows, reference, [probe]);
      }
      if (op % 1000 === 999) assertSame(rows, reference, [...pool, ...pool.map((k) => neighbour(k, rng))]);
    }
    rows.clear();
    assertSame(rows, new Map(), pool.slice(0, 50));
    rows.append(pool[0] as string, vector(rng));
    assert.equal(rows.size, 1);
  });

  it('adopts chunks read from a file: file order, a repeated key at its first place with its last row, then deletes', () => {
    const rng = createRng(5);
    const pool = keyPool(rng, 1500);
    const records: [string, Uint8Array][] = pool.map((key) => [key, encoded(vector(rng))]);
    // Repeats, as a hand-made file may hold: within a chunk and across chunks.
    for (const [from, to] of [[3, 40], [10, 1200], [10, 1499], [700, 701]] as const) records.splice(to, 0, [records[from]?.[0] as string, encoded(vector(rng))]);
    const reference = new Map<string, Uint8Array>();
    for (const [key, row] of records) reference.set(key, row);
    const rows = new StoredRows(DTYPE, DIMS);
    const chunks = fileChunks(records, 256);
    assert.ok(chunks.length > 4);
    for (const chunk of chunks) rows.adopt(chunk);
    assert.equal(rows.bytes, records.length * (16 + ROW));
    const probes = [...pool, ...pool.map((k) => neighbour(k, rng))];
    assertSame(rows, reference, probes);
    for (let n = 0; n < 600; n++) {
      const key = rng.next() < 0.8 ? (pool[rng.int(pool.length)] as string) : neighbour(pool[rng.int(pool.length)] as string, rng);
      assert.equal(rows.delete(key), reference.delete(key), key);
    }
    assertSame(rows, reference, probes);
    assert.throws(() => rows.append(pool[0] as string, vector(rng)), /append after adopt/);
  });

  it('takes the rows of a later chunk after a key was deleted, at the later place, as the Map did', () => {
    const rng = createRng(8);
    const [a, b] = [randomHex(rng), randomHex(rng)];
    const [first, second] = [encoded(vector(rng)), encoded(vector(rng))];
    const rows = new StoredRows(DTYPE, DIMS);
    rows.adopt(fileChunks([[a, first], [b, first]], 2)[0] as Buffer);
    assert.ok(rows.delete(a));
    rows.adopt(fileChunks([[a, second]], 1)[0] as Buffer);
    assertSame(rows, new Map([[b, first], [a, second]]), [a, b]);
  });

  it('keeps iterating its keys while they are deleted and re-set, as a Map iterator does (retainOnly deletes as it walks)', () => {
    const rng = createRng(4);
    const pool = keyPool(rng, 400);
    const rows = new StoredRows(DTYPE, DIMS);
    const reference = new Map<string, Uint8Array>();
    for (const key of pool) {
      const v = vector(rng);
      rows.append(key, v);
      reference.set(key, encoded(v));
    }
    const seen: string[] = [];
    const expected: string[] = [];
    const again = encoded(Float32Array.from({ length: DIMS }, (_, j) => j - 2));
    for (const key of reference.keys()) {
      expected.push(key);
      const roll = parseInt(key.slice(-2), 16) % 3;
      if (roll === 0) reference.delete(key);
      // Set again while walking: moved to the end, so the walk meets it a second time.
      else if (roll === 1 && expected.filter((k) => k === key).length === 1) {
        reference.delete(key);
        reference.set(key, again);
      }
    }
    for (const key of rows.keys()) {
      seen.push(key);
      const roll = parseInt(key.slice(-2), 16) % 3;
      if (roll === 0) rows.delete(key);
      else if (roll === 1 && seen.filter((k) => k === key).length === 1) rows.appendEncoded(key, again, 0);
    }
    assert.deepEqual(seen, expected);
    assertSame(rows, reference, pool);
  });

  it('finds nothing under a string that is no key, and refuses to append one', () => {
    const rng = createRng(2);
    const key = randomHex(rng);
    const rows = new StoredRows(DTYPE, DIMS);
    rows.append(key, vector(rng));
    for (const other of [key.toUpperCase(), key.slice(1), `${key}0`, '']) {
      assert.equal(rows.has(other), false, other);
      assert.equal(rows.delete(other), false, other);
      assert.throws(() => rows.append(other, vector(rng)), RangeError, other);
    }
    assert.deepEqual([...rows.keys()], [key]);
    assert.throws(() => rows.adopt(fileChunks([[randomHex(rng), encoded(vector(rng))]], 1)[0] as Buffer), /adopt after append/);
  });
});
