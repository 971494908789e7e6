/**
 * The session's item index (rowIndex.ts) must answer exactly as the `Map` it replaced: every id's
 * row, a repeated id's later row, and nothing for an id the items lack, however alike the ids are.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RowIndex } from '../../../src/core/session/rowIndex';
import type { DatasetItem } from '../../../src/core/types';

const itemsOf = (ids: readonly string[]): DatasetItem[] => ids.map((id, i) => ({ id, text: `text ${i}`, textHash: String(i).padStart(32, '0'), line: i + 1, count: 1 }));

function mapOf(items: readonly DatasetItem[]): Map<string, number> {
  const map = new Map<string, number>();
  items.forEach((item, row) => map.set(item.id, row));
  return map;
}

function assertSame(ids: readonly string[], probes: readonly string[]): void {
  const items = itemsOf(ids);
  const index = new RowIndex(items);
  const map = mapOf(items);
  for (const id of [...ids, ...probes]) {
    assert.equal(index.get(id), map.get(id), `get(${JSON.stringify(id)})`);
    assert.equal(index.has(id), map.has(id), `has(${JSON.stringify(id)})`);
  }
}

describe('RowIndex', () => {
  it('finds every id of a large pool of near-identical ids, and none that differ by one character', () => {
    const ids = Array.from({ length: 60_000 }, (_, i) => `h${i}`);
    assertSame(ids, ['h60000', 'h-1', 'H1', 'h01', 'h1 ', '', 'x']);
    const index = new RowIndex(itemsOf(ids));
    assert.equal(index.get('h59999'), 59_999);
    assert.equal(index.get('h0'), 0);
  });

  it('keeps the later row of a repeated id, as Map.set does', () => {
    const ids = ['a', 'b', 'a', 'c', 'b', 'a'];
    assertSame(ids, ['d']);
    assert.equal(new RowIndex(itemsOf(ids)).get('a'), 5);
  });

  it('handles the empty pool, the empty id, long ids and ids beyond Latin-1', () => {
    assertSame([], ['', 'a']);
    const long = 'x'.repeat(10_000);
    assertSame(['', long, `${long}y`, 'Ω', 'Ω\u0301', '😀', '\ud83d', 'a\u0000b'], [`${long}z`, 'ω', '\ud83d\ude00x', 'a\u0000', 'ab']);
  });

  it('finds the same rows as a Map for ids of every length from a seeded stream', () => {
    let s = 12345;
    const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
    const ids = Array.from({ length: 20_000 }, () => {
      const n = next() % 12;
      let id = '';
      for (let k = 0; k < n; k++) id += String.fromCharCode(32 + (next() % 200));
      return id;
    });
    assertSame(ids, ids.map((id) => `${id}!`));
  });
});
