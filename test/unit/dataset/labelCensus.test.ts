import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { labelCensus } from '../../../src/core/dataset';

const HEADLINES = path.resolve(__dirname, '../../../../shared/datasets/disaster-headlines/evaluation_data-related.csv');

test('a headerless CSV: every row of the guessed label column is counted, values by frequency', async () => {
  const census = await labelCensus(HEADLINES, 'column3');
  const lines = (await fs.readFile(HEADLINES, 'utf8')).split('\n').filter((l) => l.trim() !== '').length;
  assert.equal(census.rows, lines);
  assert.equal(census.labeled, census.values.reduce((n, v) => n + v.count, 0));
  assert.ok(census.values.every((v) => /^[01]$/.test(v.value)), JSON.stringify(census.values));
});

test('a JSONL field that is sparse and late is counted over the whole file', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-census-'));
  try {
    const file = path.join(dir, 'd.jsonl');
    const rows = Array.from({ length: 2500 }, (_, i) => JSON.stringify(i >= 1500 && i % 5 === 0 ? { text: `t${i}`, topic: i % 2 ? 'b' : 'a' } : { text: `t${i}` }));
    await fs.writeFile(file, rows.join('\n') + '\n');
    const census = await labelCensus(file, 'topic', { maxValues: 1 });
    assert.equal(census.rows, 2500);
    assert.equal(census.labeled, 200);
    assert.deepEqual(census.values, [{ value: 'a', count: 100 }], 'ties by name, capped at maxValues');
    assert.equal(census.moreValues, 1);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
