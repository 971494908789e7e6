/**
 * The reducer's string index against a Map: the same answers for keys added, repeated and never
 * added, across many growths, for keys that differ only late, only in case, by one code unit, or are
 * empty, non-ASCII or long.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StringIndex } from '../../../src/core/labels/stringIndex';
import { createRng } from '../../../src/core/random';

function keyAt(rng: ReturnType<typeof createRng>, n: number): string {
  const r = rng.next();
  if (r < 0.1) return '';
  if (r < 0.2) return `é中😀-${rng.int(300)}`;
  if (r < 0.3) return `${'x'.repeat(200)}${rng.int(300)}`;
  if (r < 0.4) return rng.next() < 0.5 ? `Item-${rng.int(300)}` : `item-${rng.int(300)}`;
  if (r < 0.5) return String.fromCharCode(rng.int(0x10000));
  return `req-${rng.int(n)}`;
}

describe('StringIndex', () => {
  it('numbers keys 0, 1, 2... in the order added and finds exactly them, as a Map would', () => {
    const rng = createRng(5);
    const index = new StringIndex();
    const reference = new Map<string, number>();
    for (let n = 0; n < 20_000; n++) {
      const key = keyAt(rng, 8000);
      const known = reference.get(key);
      assert.equal(index.find(key), known ?? -1, `find ${key}`);
      const expected = known ?? reference.size;
      reference.set(key, expected);
      assert.equal(index.findOrAdd(key), expected, `findOrAdd ${key}`);
      assert.equal(index.size, reference.size);
    }
    assert.deepEqual(index.keys, [...reference.keys()]);
    for (const [key, number] of reference) assert.equal(index.find(key), number);
    for (let n = 0; n < 2000; n++) assert.equal(index.find(`never-${n}`), -1);
    assert.equal(index.find('req-'), reference.get('req-') ?? -1);
  });

  it('tells apart keys that share a prefix and differ in one code unit', () => {
    const index = new StringIndex();
    const keys = Array.from({ length: 5000 }, (_, n) => `ev${n.toString(36)}`);
    keys.forEach((key, n) => assert.equal(index.findOrAdd(key), n));
    keys.forEach((key, n) => assert.equal(index.find(key), n));
    // Fresh copies of the strings (not the same objects) are found too.
    keys.forEach((key, n) => assert.equal(index.find(`${key} `.slice(0, -1)), n));
    assert.equal(index.find('ev'), -1);
  });
});
