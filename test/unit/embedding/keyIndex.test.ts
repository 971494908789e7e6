/**
 * The binary key index under StoredRows: hex keys parsed to the words read from bytes, and the
 * open-addressing table against a `Map`, with hashes forced to collide (long probe chains, chains
 * that wrap round the table's end, and deletions inside them).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEY_WORDS, KeyIndex, NONE, hashKey, keyWordsAre, parseHexKey, readKeyWords, writeKeyWords } from '../../../src/core/embedding/keyIndex';
import { createRng, type Rng } from '../../../src/core/random';

function randomHex(rng: Rng): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += rng.int(16).toString(16);
  return hex;
}

function wordsOf(hex: string): Int32Array {
  const words = new Int32Array(KEY_WORDS);
  assert.ok(parseHexKey(hex, words), hex);
  return words;
}

describe('keyIndex', () => {
  it('parses a hex key to the words of its bytes, and writes them back', () => {
    const rng = createRng(3);
    const words = new Int32Array(KEY_WORDS);
    for (let n = 0; n < 200; n++) {
      const hex = randomHex(rng);
      const bytes = Buffer.alloc(24);
      bytes.write(hex, 5, 16, 'hex');
      readKeyWords(bytes, 5, words);
      assert.deepEqual(wordsOf(hex), words);
      assert.ok(keyWordsAre(bytes, 5, wordsOf(hex)));
      const written = Buffer.alloc(20);
      writeKeyWords(wordsOf(hex), written, 3);
      assert.equal(written.toString('hex', 3, 19), hex);
      const other = `${hex.slice(0, 31)}${hex[31] === 'a' ? 'b' : 'a'}`;
      assert.equal(keyWordsAre(bytes, 5, wordsOf(other)), false, `${other} is not ${hex}`);
    }
  });

  it('refuses what is not 32 lowercase hex digits', () => {
    const words = new Int32Array(KEY_WORDS);
    const good = '0123456789abcdef0123456789abcdef';
    assert.ok(parseHexKey(good, words));
    for (const bad of ['', good.slice(1), `${good}0`, good.toUpperCase(), `${good.slice(0, 31)}g`, `x${good.slice(1)}`, `${good.slice(0, 16)} ${good.slice(17)}`,
      // Past char code 255, digits' codes plus 256 (a check of the low byte alone would take them).
      `${good.slice(0, 5)}${String.fromCharCode(0x130)}${good.slice(6)}`,
      `${String.fromCharCode(0x161)}${good.slice(1)}`]) {
      assert.equal(parseHexKey(bad, words), false, JSON.stringify(bad));
    }
  });

  it('spreads keys that differ in one word only', () => {
    const homes = new Set<number>();
    for (let i = 0; i < 1024; i++) homes.add(hashKey(wordsOf(i.toString(16).padStart(32, '0'))) >>> 22);
    // 1,024 keys into 1,024 homes: a uniform hash leaves about 1 - 1/e of them used.
    assert.ok(homes.size > 550, `${homes.size} homes used`);
  });

  it('tells apart keys that differ in one word only, even when every hash is the same', () => {
    const index = new KeyIndex(() => 0);
    const base = '0123456789abcdef0123456789abcdef';
    // The same key but one hex digit, in each of the four words.
    const keys = [base, ...[3, 11, 19, 27].map((at) => `${base.slice(0, at)}${base[at] === 'f' ? 'e' : 'f'}${base.slice(at + 1)}`)];
    keys.forEach((hex, record) => assert.equal(index.put(wordsOf(hex), record), NONE, hex));
    keys.forEach((hex, record) => assert.equal(index.find(wordsOf(hex)), record, hex));
    assert.equal(index.remove(wordsOf(keys[2] as string)), 2);
    keys.forEach((hex, record) => assert.equal(index.find(wordsOf(hex)), record === 2 ? NONE : record, hex));
    assert.equal(index.size, 4);
  });

  for (const [name, hashOf] of [
    ['real hashes', hashKey],
    // Four homes only: the first slot, the middle, and the last two (whose chains wrap round); given
    // as uint32, which the index takes as the int32 it stores.
    ['colliding hashes', (key: Int32Array): number => [0, 0x80000000, 0xc0000000, 0xffffffff][(key[0] as number) & 3] as number],
  ] as const) {
    it(`finds, replaces and removes as a Map does (${name})`, () => {
      const rng = createRng(name.length);
      const pool = Array.from({ length: 300 }, () => randomHex(rng));
      const keyOfRecord: Int32Array[] = [];
      const index = new KeyIndex(hashOf);
      const reference = new Map<string, number>();
      for (let op = 0; op < 6000; op++) {
        const hex = pool[rng.int(pool.length)] as string;
        const key = wordsOf(hex);
        const roll = rng.next();
        if (roll < 0.45) {
          const record = keyOfRecord.push(key) - 1;
          assert.equal(index.put(key, record), reference.get(hex) ?? NONE);
          reference.set(hex, record);
        } else if (roll < 0.75) {
          assert.equal(index.remove(key), reference.get(hex) ?? NONE);
          reference.delete(hex);
        } else {
          assert.equal(index.find(key), reference.get(hex) ?? NONE);
        }
        assert.equal(index.size, reference.size);
        if (op % 1000 === 999) for (const other of pool) assert.equal(index.find(wordsOf(other)), reference.get(other) ?? NONE, other);
      }
      index.clear();
      assert.equal(index.size, 0);
      assert.equal(index.find(wordsOf(pool[0] as string)), NONE);
    });
  }
});
