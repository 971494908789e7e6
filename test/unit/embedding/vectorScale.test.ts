/**
 * Vector files at scale: the loader's own record of which item each row became (no second parse
 * of the dataset), a file read in several chunks, and the int8 storage a large file is kept in.
 * Real files, the real loader and readers; the int8 storage is forced on small files, since the
 * size at which it is chosen (precomputedStorage) is a number of bytes, not a different code path.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadDataset } from '../../../src/core/dataset';
import { datasetRowItems } from '../../../src/core/embedding/datasetRows';
import { embedDataset } from '../../../src/core/embedding/embedDataset';
import { Int8Matrix } from '../../../src/core/embedding/int8Matrix';
import { encodeNpy, encodeNpyHeader } from '../../../src/core/embedding/npy';
import { loadPrecomputedVectors } from '../../../src/core/embedding/precomputedVectors';
import { PRECOMPUTED_FLOAT32_BYTES, cacheDtypeFor, fromFloat16Bits, precomputedStorage, toFloat16Bits } from '../../../src/core/embedding/quantize';
import { readVectorFile } from '../../../src/core/embedding/vectorFile';
import { readRowInto } from '../../../src/core/math/matrix';
import type { Dataset } from '../../../src/core/types';
import { headlines } from './helpers';

/** Deterministic, not normalised, varied in length: row r of a file. */
function values(rows: number, cols: number, seed = 1): Float32Array {
  const out = new Float32Array(rows * cols);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    out[i] = ((s >>> 8) / 2 ** 24 - 0.5) * (1 + (Math.floor(i / cols) % 7));
  }
  return out;
}

/** A float16 `.npy` (NumPy's `<f2`), as `np.save(f, x.astype('float16'))` writes it. */
function npyF16(data: Float32Array, rows: number, cols: number): Buffer {
  const body = Buffer.alloc(2 * data.length);
  data.forEach((x, i) => body.writeUInt16LE(toFloat16Bits(x), 2 * i));
  return Buffer.concat([encodeNpyHeader(rows, cols, '<f2'), body]);
}

function unitRow(data: Float32Array, r: number, cols: number): Float32Array {
  const v = data.slice(r * cols, (r + 1) * cols);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('vector files at scale', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-vector-scale-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('the loader records each row\'s item, as a second parse of the file finds it', async () => {
    const cases: [string, string][] = [
      ['a.csv', 'id,text\n1,flood hits the coast\n2,"markets rally as\nrates fall"\n3,\n4,wildfire\n5,flood hits the coast\n6,"unterminated\n'],
      ['b.jsonl', '{"text":"one"}\n\n{"text":"two"}\nnot json\n{"text":"one"}\n{"title":"no text"}\n{"text":"  "}\n{"text":"three"}\n'],
      ['c.txt', 'alpha\n\nbeta\n\u200b\nalpha\n\n\ngamma\n'],
    ];
    for (const [name, content] of cases) {
      const file = path.join(dir, name);
      await writeFile(file, content);
      const dataset = await loadDataset(file);
      assert.ok(dataset.rowItems !== undefined);
      assert.equal(dataset.rowItems.length, dataset.summary.rows);
      const reparsed = await datasetRowItems({ ...dataset, rowItems: undefined } as Dataset);
      assert.deepEqual([...dataset.rowItems], [...reparsed], name);
      assert.ok(dataset.rowItems.includes(-1) && dataset.summary.duplicateRows > 0, `${name} has skipped and duplicate rows`);
      // Items are numbered in the order of their first rows.
      const firsts = dataset.items.map((_, i) => dataset.rowItems!.indexOf(i));
      assert.ok(firsts.every((r, i) => r >= 0 && (i === 0 || r > firsts[i - 1]!)), `${name}: first rows ${firsts.join(',')}`);
    }
  });

  it('a number used as text is the item of its row (a second parse spells it another way)', async () => {
    const file = path.join(dir, 'numbers.jsonl');
    await writeFile(file, '{"text": 1.50}\n{"text": "x"}\n');
    const dataset = await loadDataset(file);
    assert.deepEqual([...dataset.rowItems!], [0, 1]);
    const data = values(2, 4);
    await writeFile(path.join(dir, 'numbers.npy'), encodeNpy(data, 2, 4));
    const load = await loadPrecomputedVectors(path.join(dir, 'numbers.npy'), dataset);
    const m = load.embedder.vectorsFor(dataset.items);
    for (const r of [0, 1]) {
      const want = unitRow(data, r, 4);
      for (let j = 0; j < 4; j++) assert.ok(Math.abs(m.data[r * 4 + j]! - want[j]!) < 1e-6, `row ${r} [${j}]`);
    }
  });

  it('reads float16 files of odd widths (a chunk is not a whole number of floats)', async () => {
    for (const [rows, cols] of [[5, 3], [7, 383], [3, 1]] as const) {
      const data = values(rows, cols, cols);
      const file = path.join(dir, `half-${cols}.npy`);
      await writeFile(file, npyF16(data, rows, cols));
      const v = await readVectorFile(file);
      assert.deepEqual([v.matrix.rows, v.matrix.cols], [rows, cols]);
      for (let r = 0; r < rows; r++) {
        const want = unitRow(Float32Array.from(data, (x) => fromFloat16Bits(toFloat16Bits(x))), r, cols);
        for (let j = 0; j < cols; j++) assert.ok(Math.abs(v.matrix.data[r * cols + j]! - want[j]!) < 1e-6, `${cols} cols, row ${r} [${j}]`);
      }
    }
  });

  it('does not read the vector of a row the dataset skipped: an encoder\'s NaN for an empty text is no error', async () => {
    const file = path.join(dir, 'gaps.jsonl');
    await writeFile(file, '{"text": "one"}\n{"text": "   "}\n{"text": "two"}\n');
    const dataset = await loadDataset(file);
    assert.deepEqual([...dataset.rowItems!], [0, -1, 1]);
    const data = values(3, 4);
    data[4 + 2] = NaN;
    await writeFile(path.join(dir, 'gaps.npy'), encodeNpy(data, 3, 4));
    const load = await loadPrecomputedVectors(path.join(dir, 'gaps.npy'), dataset);
    assert.equal(load.embedder.vectorsFor(dataset.items).rows, 2);
    data[2] = NaN; // now in a row that has an item
    await writeFile(path.join(dir, 'gaps.npy'), encodeNpy(data, 3, 4));
    await assert.rejects(loadPrecomputedVectors(path.join(dir, 'gaps.npy'), dataset), /gaps\.npy:1: row 1 \(index 0\) holds NaN at dimension 3/);
  });

  it('reads a file of several chunks row for row, with the file\'s sha256', async () => {
    const rows = 6_000;
    const cols = 384; // 9.2 MB: more than one 8 MiB read
    const data = values(rows, cols);
    const file = path.join(dir, 'big.npy');
    await writeFile(file, encodeNpy(data, rows, cols));
    const v = await readVectorFile(file);
    assert.equal(v.matrix.rows, rows);
    for (const r of [0, 1, 5460, 5461, 5462, rows - 1]) {
      const want = unitRow(data, r, cols);
      const got = v.matrix.data.subarray(r * cols, (r + 1) * cols);
      for (let j = 0; j < cols; j++) assert.ok(Math.abs(got[j]! - want[j]!) < 1e-6, `row ${r} [${j}]`);
    }
  });

  it('keeps a large file as int8, aligned and checked as float32 is, and hands the pool over uncopied', async () => {
    const texts = headlines(300);
    const lines = [...texts, texts[0], texts[1]]; // two duplicate rows at the end
    const file = path.join(dir, 'heads.jsonl');
    await writeFile(file, lines.map((text) => JSON.stringify({ text })).join('\n') + '\n');
    const dataset = await loadDataset(file);
    const cols = 48;
    const data = values(lines.length, cols);
    data.set(data.subarray(0, cols), texts.length * cols); // the duplicates carry their first row's vector
    data.set(data.subarray(cols, 2 * cols), (texts.length + 1) * cols);
    const npy = path.join(dir, 'heads.npy');
    await writeFile(npy, encodeNpy(data, lines.length, cols));

    const exact = await loadPrecomputedVectors(npy, dataset);
    const small = await loadPrecomputedVectors(npy, dataset, { storage: 'int8' });
    assert.equal(exact.embedder.storage, 'float32');
    assert.equal(small.embedder.storage, 'int8');
    assert.equal(cacheDtypeFor(small.embedder), 'int8');
    assert.deepEqual(small.warnings, [], 'duplicates that agree are not flagged under int8');
    assert.match(small.summary, /Kept in memory as int8 with a scale per row/);
    const m = small.embedder.vectorsFor(dataset.items);
    assert.ok(m instanceof Int8Matrix);
    assert.equal(small.embedder.vectorsFor(dataset.items), m, 'the dataset\'s own items get the matrix itself');
    const f = exact.embedder.vectorsFor(dataset.items);
    const row = new Float32Array(cols);
    dataset.items.forEach((_, i) => {
      readRowInto(m, i, row);
      const want = f.data.subarray(i * cols, (i + 1) * cols);
      const maxAbs = Math.max(...want.map(Math.abs));
      for (let j = 0; j < cols; j++) assert.ok(Math.abs(row[j]! - want[j]!) <= maxAbs / 254 + 1e-7, `item ${i} [${j}]`);
    });

    // A subset (what simulate embeds): the same rows, gathered without a copy of the codes.
    const some = dataset.items.filter((_, i) => i % 3 === 1);
    const sub = (await embedDataset(some, small.embedder, undefined)).matrix;
    assert.ok(sub instanceof Int8Matrix);
    const a = new Float32Array(cols);
    some.forEach((item, k) => {
      readRowInto(sub, k, a);
      readRowInto(m, dataset.items.indexOf(item), row);
      assert.deepEqual(a, row);
    });

    // Shifted vectors are still caught under int8.
    const shifted = path.join(dir, 'shifted.npy');
    await writeFile(shifted, encodeNpy(values(lines.length, cols, 7), lines.length, cols));
    const bad = await loadPrecomputedVectors(shifted, dataset, { storage: 'int8' });
    assert.match(bad.warnings[0] ?? '', /2 rows repeat an earlier row's text with a different vector/);
  });

  it('chooses int8 only past PRECOMPUTED_FLOAT32_BYTES of float32', () => {
    const rows = PRECOMPUTED_FLOAT32_BYTES / (4 * 384);
    assert.equal(precomputedStorage(rows, 384), 'float32');
    assert.equal(precomputedStorage(rows + 1, 384), 'int8');
    assert.equal(precomputedStorage(1_000_000, 384), 'int8');
    assert.equal(precomputedStorage(10_000, 384), 'float32');
  });
});
