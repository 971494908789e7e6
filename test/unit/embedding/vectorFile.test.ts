import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { encodeNpy, halfToFloat } from '../../../src/core/embedding/npy';
import { readVectorFile } from '../../../src/core/embedding/vectorFile';
import { VectorFileError } from '../../../src/core/embedding/vectorFileError';
import { norm, row } from './helpers';

const FIXTURES = path.resolve(__dirname, '../../fixtures/vectors');
const fixture = (name: string): string => path.join(FIXTURES, name);

/** Rows of make_fixtures.py, normalised: row i is proportional to [1, 2, 3, 4]. */
const UNIT = [1, 2, 3, 4].map((v) => v / Math.sqrt(30));

function assertRejectsWith(promise: Promise<unknown>, pattern: RegExp, row?: number): Promise<void> {
  return assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof VectorFileError, `expected a VectorFileError, got ${String(e)}`);
    assert.match(e.message, pattern);
    if (row !== undefined) assert.equal(e.row, row);
    return true;
  });
}

describe('readVectorFile: .npy written by NumPy', () => {
  for (const name of ['f4.npy', 'f2.npy', 'f8.npy', 'f4-v2.npy']) {
    it(`reads ${name} as 5 x 4, L2-normalised, with the file's sha256`, async () => {
      const v = await readVectorFile(fixture(name));
      assert.equal(v.format, 'npy');
      assert.equal(v.matrix.rows, 5);
      assert.equal(v.matrix.cols, 4);
      for (let i = 0; i < 5; i++) {
        assert.ok(Math.abs(norm(row(v.matrix, i)) - 1) < 1e-6);
        row(v.matrix, i).forEach((x, j) => assert.ok(Math.abs(x - UNIT[j]) < 1e-6, `${name} [${i}, ${j}] = ${x}`));
      }
      assert.equal(v.sha256, createHash('sha256').update(await readFile(fixture(name))).digest('hex'));
      assert.equal(v.zeroRows, 0);
    });
  }

  it('refuses other layouts with the fix in the message', async () => {
    await assertRejectsWith(readVectorFile(fixture('fortran.npy')), /Fortran order.*np\.ascontiguousarray/);
    await assertRejectsWith(readVectorFile(fixture('big-endian.npy')), /big-endian \(>f4\).*astype\('<f4'\)/);
    await assertRejectsWith(readVectorFile(fixture('int.npy')), /dtype <i4; expected float32/);
    await assertRejectsWith(readVectorFile(fixture('one-d.npy')), /shape is \(4,\); expected \(rows, dimensions\)/);
  });

  it('names the row holding NaN or Infinity as file:row', async () => {
    await assertRejectsWith(readVectorFile(fixture('nan-row4.npy')), new RegExp(`nan-row4\\.npy:4: row 4 \\(index 3\\) holds NaN at dimension 3`), 4);
    await assertRejectsWith(readVectorFile(fixture('inf-row2-f2.npy')), /inf-row2-f2\.npy:2: row 2 \(index 1\) holds Infinity at dimension 1/, 2);
  });

  describe('damaged files', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'al-vectors-'));
    });
    after(async () => rm(dir, { recursive: true, force: true }));

    it('reports truncation inside the data, with the number of complete rows', async () => {
      const bytes = await readFile(fixture('f4.npy'));
      const cut = path.join(dir, 'cut.npy');
      await writeFile(cut, bytes.subarray(0, bytes.length - 20)); // 5 rows of 16 bytes, minus 20
      await assertRejectsWith(readVectorFile(cut), /truncated: the header promises 5 x 4 values \(80 bytes\) but 60 bytes follow; only 3 complete rows/);
      await writeFile(cut, bytes.subarray(0, 30));
      await assertRejectsWith(readVectorFile(cut), /ends inside the header \(truncated/);
      await writeFile(cut, Buffer.concat([bytes, Buffer.alloc(8)]));
      await assertRejectsWith(readVectorFile(cut), /8 bytes follow the 5 x 4 values/);
      await writeFile(cut, 'not numpy at all');
      await assertRejectsWith(readVectorFile(cut), /NumPy magic/);
      await assertRejectsWith(readVectorFile(path.join(dir, 'missing.npy')), /cannot read the vector file \(ENOENT\)/);
    });

    it('checks an expected dimension', async () => {
      await assertRejectsWith(readVectorFile(fixture('f4.npy'), { dimensions: 384 }), /have 4 dimensions, expected 384/);
    });

    it('round-trips our own encoder through the reader (as NumPy pads it)', async () => {
      const data = Float32Array.from({ length: 6 }, (_, i) => i + 1);
      const bytes = encodeNpy(data, 2, 3);
      assert.equal((bytes.readUInt16LE(8) + 10) % 64, 0);
      const file = path.join(dir, 'ours.npy');
      await writeFile(file, bytes);
      const v = await readVectorFile(file);
      assert.deepEqual([v.matrix.rows, v.matrix.cols], [2, 3]);
      assert.ok(Math.abs(v.matrix.data[5] - 6 / Math.hypot(4, 5, 6)) < 1e-6);
    });

    it('reads raw .f32 with the dimension given, and refuses it without or with a wrong one', async () => {
      const values = Float32Array.from([3, 4, 0, 0, 0, 0, 1, 0, 0, 5, 0, 12]);
      const file = path.join(dir, 'raw.f32');
      await writeFile(file, Buffer.from(values.buffer));
      const v = await readVectorFile(file, { dimensions: 4 });
      assert.deepEqual([v.matrix.rows, v.matrix.cols], [3, 4]);
      assert.deepEqual([...row(v.matrix, 0)], [0.6000000238418579, 0.800000011920929, 0, 0]);
      assert.deepEqual([...row(v.matrix, 2)].map((x) => Math.round(x * 13)), [0, 5, 0, 12]);
      await assertRejectsWith(readVectorFile(file), /does not say how wide.*--vectors-dim/);
      await assertRejectsWith(readVectorFile(file, { dimensions: 5 }), /48 bytes is not a whole number of 5-dimensional float32 rows \(20 bytes each\): 2 complete rows and 8 bytes left over/);
    });

    it('reads JSONL vectors from a named or detected field, or bare arrays, skipping blank lines', async () => {
      const file = path.join(dir, 'v.jsonl');
      await writeFile(file, '{"id": 1, "embedding": [3, 4]}\n\n{"id": 2, "embedding": [0, 2]}\r\n');
      const v = await readVectorFile(file);
      assert.equal(v.field, 'embedding');
      assert.deepEqual([...v.matrix.data].map((x) => Math.round(x * 10) / 10), [0.6, 0.8, 0, 1]);
      await writeFile(file, '[1, 0]\n[0, 1]\n');
      assert.equal((await readVectorFile(file)).matrix.rows, 2);
      await writeFile(file, '{"vec": [1, 0], "vector": [0, 1]}\n');
      assert.equal((await readVectorFile(file, { field: 'vec' })).matrix.data[0], 1);
      assert.equal((await readVectorFile(file)).field, 'vector');
    });

    it('names the JSONL line of each kind of bad row', async () => {
      const file = path.join(dir, 'bad.jsonl');
      const cases: [string, RegExp, number][] = [
        ['{"embedding": [1, 2]}\n{"embedding": [1, 2, 3]}\n', /bad\.jsonl:2: the vector has 3 numbers; the rows before have 2/, 2],
        ['{"embedding": [1, 2]}\n\n{"embedding": [1, NaN]}\n', /bad\.jsonl:3: not valid JSON \(it holds NaN or Infinity/, 3],
        ['{"embedding": [1, 2]}\n{"text": "x"}\n', /bad\.jsonl:2: the field "embedding" is missing/, 2],
        ['{"text": "x"}\n', /bad\.jsonl:1: no vector field; expected one of embedding, vector/, 1],
        ['{"embedding": [1, "2"]}\n', /bad\.jsonl:1: value 2 of the vector is a string, not a number/, 1],
        ['{"embedding": [1, 2]}\n{"embedding": [1, 2]\n', /bad\.jsonl:2: not valid JSON/, 2],
        ['{"embedding": [1e39, 2]}\n', /bad\.jsonl:1: the vector on this line holds Infinity at dimension 1/, 1],
      ];
      for (const [content, pattern, line] of cases) {
        await writeFile(file, content);
        await assertRejectsWith(readVectorFile(file), pattern, line);
      }
    });
  });

  it('decodes float16 edge values', () => {
    assert.equal(halfToFloat(0x3c00), 1);
    assert.equal(halfToFloat(0xc000), -2);
    assert.equal(halfToFloat(0x7bff), 65504);
    assert.equal(halfToFloat(0x0001), 2 ** -24);
    assert.equal(halfToFloat(0x7c00), Infinity);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
  });
});
