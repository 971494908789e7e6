/**
 * keyOf and corpusKey run for every row of a re-opened cache, so they check and read hex digits by
 * hand. They must give exactly what the regular expression and parseInt versions gave: cache files
 * written before are keyed by them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { corpusKey, keyOf } from '../../../src/core/embedding/cacheKeys';
import { createRng } from '../../../src/core/random';

function referenceKeyOf(textHash: string): string {
  return /^[0-9a-f]{32}$/.test(textHash) ? textHash : createHash('sha256').update(textHash).digest('hex').slice(0, 32);
}

function referenceCorpusKey(textHashes: readonly string[]): string {
  const lanes = new Uint32Array(4);
  for (const h of textHashes) {
    const key = referenceKeyOf(h);
    for (let lane = 0; lane < 4; lane++) lanes[lane] += parseInt(key.slice(lane * 8, lane * 8 + 8), 16);
  }
  const digest = createHash('sha256').update(lanes).update(String(textHashes.length)).digest('hex');
  return `${textHashes.length}:${digest.slice(0, 32)}`;
}

test('keyOf and corpusKey equal the regular-expression and parseInt versions, on hashes and on anything else', () => {
  const rng = createRng(3);
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rng.next() * 16)]).join('');
  const odd = [
    '',
    hex(31),
    hex(33),
    hex(32).toUpperCase(),
    `${hex(31)}g`,
    `${hex(31)}\u0660`,
    `${hex(16)}\uff10${hex(15)}`,
    // Char codes past 127 whose low 7 bits are a hex digit ('0', 'a'): no digit for all that.
    `${hex(31)}\u00b0`,
    `${hex(20)}\u01e1${hex(11)}`,
    `\u0130${hex(31)}`,
    `${hex(31)}\n`,
    ` ${hex(31)}`,
    'ffffffffffffffffffffffffffffffff',
    '00000000000000000000000000000000',
    'h:some item id',
  ];
  for (const text of [...odd, ...Array.from({ length: 2000 }, () => hex(32))]) assert.equal(keyOf(text), referenceKeyOf(text), JSON.stringify(text));
  for (let round = 0; round < 20; round++) {
    const hashes = Array.from({ length: 1 + Math.floor(rng.next() * 300) }, (_, i) => (i % 17 === 0 ? odd[i % odd.length] as string : hex(32)));
    assert.equal(corpusKey(hashes), referenceCorpusKey(hashes));
  }
});
