/**
 * The embedding cache's journal with real files: checkpoints append records beside the cache file,
 * opening replays them, a torn or damaged tail costs only what it holds, a journal that belongs to
 * another cache file is never applied, and a full save folds it into the file and removes it.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EmbeddingCache, cacheFileFor } from '../../../src/core/embedding/cache';
import { journalFileFor } from '../../../src/core/embedding/cacheJournal';
import type { VectorDtype } from '../../../src/core/embedding/quantize';
import { textHash } from './helpers';

const DIMS = 8;
const identity = { model: 'Xenova/all-MiniLM-L6-v2', dimensions: DIMS, fingerprint: 'fp-1' };

/** A deterministic vector per row and version (no two alike). */
function vectorOf(i: number, version = 0): Float32Array {
  return Float32Array.from({ length: DIMS }, (_, j) => Math.sin(1 + i * 7.3 + j * 1.9 + version * 0.37) * (1 + (j % 3)));
}

const hashOf = (i: number): string => textHash(`text ${i}`);

describe('EmbeddingCache journal', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-journal-'));
    file = cacheFileFor(dir, identity.model);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function open(at = file, dtype: VectorDtype = 'int8'): Promise<EmbeddingCache> {
    const cache = await EmbeddingCache.open(at, { dtype });
    cache.bind(identity);
    return cache;
  }

  function vectors(cache: EmbeddingCache, rows: readonly number[]): (Float32Array | undefined)[] {
    return rows.map((i) => cache.get(hashOf(i)));
  }

  const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

  /**
   * A cache file of rows 0..9 and a journal of two records (rows 10..14, then 15..19 and a newer
   * row 3). Resolves to the journal's length after each record.
   */
  async function fileAndTwoRecords(dtype: VectorDtype = 'int8'): Promise<{ afterFirst: number; afterSecond: number; cacheBytes: Buffer }> {
    const cache = await open(file, dtype);
    for (const i of range(0, 10)) cache.set(hashOf(i), vectorOf(i));
    assert.equal(await cache.checkpoint(), true, 'the first save writes the file');
    await assert.rejects(stat(journalFileFor(file)), 'no journal yet: the file was written whole');
    const cacheBytes = await readFile(file);
    for (const i of range(10, 15)) cache.set(hashOf(i), vectorOf(i));
    assert.equal(await cache.checkpoint(), true);
    const afterFirst = (await stat(journalFileFor(file))).size;
    for (const i of range(15, 20)) cache.set(hashOf(i), vectorOf(i));
    cache.set(hashOf(3), vectorOf(3, 1));
    assert.equal(await cache.checkpoint(), true);
    const afterSecond = (await stat(journalFileFor(file))).size;
    assert.ok(afterSecond > afterFirst);
    assert.deepEqual(await readFile(file), cacheBytes, 'checkpoints leave the cache file as it was');
    return { afterFirst, afterSecond, cacheBytes };
  }

  it('appends records on checkpoint and replays them on open, giving what a full save and reopen give', async () => {
    for (const dtype of ['int8', 'float16', 'float32'] as const) {
      const writer = await open(file, dtype);
      for (const i of range(0, 6)) writer.set(hashOf(i), vectorOf(i));
      await writer.save();
      const before = (await open(file, dtype)).get(hashOf(2));
      for (const i of range(6, 12)) writer.set(hashOf(i), vectorOf(i));
      writer.set(hashOf(2), vectorOf(2, 1));
      await writer.checkpoint();
      for (const i of range(12, 15)) writer.set(hashOf(i), vectorOf(i));
      await writer.checkpoint();

      const replayed = await open(file, dtype);
      assert.deepEqual(replayed.warnings, [], dtype);
      assert.equal(replayed.size, 15, dtype);
      assert.deepEqual(vectors(replayed, range(0, 15)), vectors(writer, range(0, 15)), `${dtype}: the vectors the writer holds`);
      assert.notDeepEqual(replayed.get(hashOf(2)), before, `${dtype}: a row set again is replayed with its newer vector`);

      // A full save folds the journal into the file and removes it; the file reads the same.
      assert.equal(await replayed.save(), true);
      assert.deepEqual(await readdir(dir), [path.basename(file)], `${dtype}: the journal is gone`);
      const full = await open(file, dtype);
      assert.equal(full.size, 15);
      assert.deepEqual(vectors(full, range(0, 15)), vectors(writer, range(0, 15)), `${dtype}: the full save gives the same vectors`);
      await rm(file);
    }
  });

  it('a torn last record, cut at any byte, loses only that record; the next checkpoint appends after the good ones', async () => {
    const { afterFirst, afterSecond, cacheBytes } = await fileAndTwoRecords();
    const journal = await readFile(journalFileFor(file));
    const whole = await open();
    const expected = vectors(whole, range(0, 20));
    const firstOnly = await (async () => {
      const onlyFirst = path.join(dir, 'first', path.basename(file));
      await mkdir(path.dirname(onlyFirst));
      await writeFile(onlyFirst, cacheBytes);
      await writeFile(journalFileFor(onlyFirst), journal.subarray(0, afterFirst));
      const cache = await open(onlyFirst);
      assert.deepEqual(cache.warnings, [], 'a journal ending on a record boundary is whole');
      return vectors(cache, range(0, 20));
    })();
    assert.equal(firstOnly.filter((v) => v !== undefined).length, 15);
    const cuts = [afterFirst + 1, afterFirst + 7, afterFirst + 12, Math.floor((afterFirst + afterSecond) / 2), afterSecond - 4, afterSecond - 1];
    for (const cut of cuts) {
      const at = path.join(dir, `cut-${cut}`, path.basename(file));
      await mkdir(path.dirname(at));
      await writeFile(at, cacheBytes);
      await writeFile(journalFileFor(at), journal.subarray(0, cut));
      const cache = await open(at);
      assert.equal(cache.size, 15, `cut at ${cut}: rows 0..14 survive`);
      assert.deepEqual(vectors(cache, range(0, 20)), firstOnly, `cut at ${cut}`);
      assert.equal(cache.warnings.length, 1, `cut at ${cut}`);
      assert.match(cache.warnings[0] as string, new RegExp(`${path.basename(at)}\\.journal.*torn or damaged.*record 2 at byte ${afterFirst} is cut short.*1 good record`), `cut at ${cut}`);

      // Embedding the lost rows again and checkpointing appends after the good record.
      for (const i of range(15, 20)) cache.set(hashOf(i), vectorOf(i));
      cache.set(hashOf(3), vectorOf(3, 1));
      assert.equal(await cache.checkpoint(), true);
      const healed = await open(at);
      assert.deepEqual(healed.warnings, [], `cut at ${cut}: the torn tail was replaced`);
      assert.deepEqual(vectors(healed, range(0, 20)), expected, `cut at ${cut}: everything is back`);
    }
  });

  it('a corrupted byte fails its record checksum: replay stops there, with a warning', async () => {
    const { afterFirst } = await fileAndTwoRecords();
    const journal = await readFile(journalFileFor(file));
    // A byte of a row in the first record (past its 12-byte head and the first key).
    const flipAt = afterFirst - 40;
    journal[flipAt] = (journal[flipAt] as number) ^ 0x10;
    await writeFile(journalFileFor(file), journal);
    const cache = await open();
    assert.equal(cache.size, 10, 'only the cache file rows: the bad record and the good one after it are dropped');
    assert.equal(cache.get(hashOf(12)), undefined);
    assert.equal(cache.get(hashOf(17)), undefined, 'replay stops at the first bad record');
    assert.equal(cache.warnings.length, 1);
    assert.match(cache.warnings[0] as string, /record 1 at byte \d+ fails its checksum; it and the \d+ bytes from there were dropped/);
    assert.ok((cache.warnings[0] as string).includes(journalFileFor(file)));
  });

  it('a journal that belongs to another cache file (model, corpus, or a version replaced since) is not applied', async () => {
    await fileAndTwoRecords();
    const journal = await readFile(journalFileFor(file));

    // The same rows under another model's cache file.
    const other = { ...identity, model: 'other-model' };
    const otherFile = cacheFileFor(dir, other.model);
    const writer = await EmbeddingCache.open(otherFile, { dtype: 'int8' });
    writer.bind(other);
    for (const i of range(0, 10)) writer.set(hashOf(i), vectorOf(i));
    await writer.save();
    await writeFile(journalFileFor(otherFile), journal);
    const foreign = await EmbeddingCache.open(otherFile, { dtype: 'int8' });
    assert.equal(foreign.size, 10);
    assert.equal(foreign.warnings.length, 1);
    assert.match(foreign.warnings[0] as string, /was not applied: it was written for the model Xenova\/all-MiniLM-L6-v2, the cache holds other-model/);
    foreign.bind(other);
    assert.equal(await foreign.save(), true);
    assert.deepEqual((await readdir(dir)).sort(), [path.basename(file), path.basename(journalFileFor(file)), path.basename(otherFile)].sort(), 'the save removed the foreign journal');

    // The journal of a cache file replaced since (a crash between a full save and the journal's removal).
    const cache = await open();
    assert.equal(cache.size, 20);
    cache.set(hashOf(99), vectorOf(99));
    assert.equal(await cache.save(), true);
    await writeFile(journalFileFor(file), journal);
    const stale = await open();
    assert.equal(stale.size, 21);
    assert.match(stale.warnings[0] as string, /not applied: it extends another version of the cache file/);

    // Another corpus: same model, other fitted statistics.
    const refit = await EmbeddingCache.open(file, { dtype: 'int8' });
    const copy = path.join(dir, 'corpus', path.basename(file));
    await mkdir(path.dirname(copy));
    refit.bind({ ...identity, fingerprint: 'fp-2' });
    for (const i of range(0, 3)) refit.set(hashOf(i), vectorOf(i));
    await refit.save();
    await copyFile(file, copy);
    await writeFile(journalFileFor(copy), journal);
    const corpus = await EmbeddingCache.open(copy, { dtype: 'int8' });
    assert.equal(corpus.size, 3);
    assert.match(corpus.warnings[0] as string, /not applied: it was written for other corpus statistics/);
  });

  it('a journal without a valid cache file is not applied', async () => {
    await fileAndTwoRecords();
    await truncate(file, 30);
    const cache = await open();
    assert.equal(cache.size, 0);
    assert.match(cache.problem ?? '', /corrupt/);
    assert.ok(cache.warnings.some((w) => /journal .* was not applied: there is no valid cache file for it to extend/.test(w)));
  });

  it('a checkpoint rewrites the file once the journal outgrows its share of it, and the file reads the same', async () => {
    const small = await EmbeddingCache.open(file, { dtype: 'int8', journalMinBytes: 0 });
    small.bind(identity);
    for (const i of range(0, 40)) small.set(hashOf(i), vectorOf(i));
    await small.checkpoint();
    const sizes: number[] = [];
    for (let chunk = 0; chunk < 8; chunk++) {
      for (const i of range(40 + chunk * 5, 45 + chunk * 5)) small.set(hashOf(i), vectorOf(i));
      await small.checkpoint();
      sizes.push(await stat(journalFileFor(file)).then((s) => s.size, () => 0));
    }
    assert.ok(sizes.some((s) => s > 0), `some checkpoints appended (${sizes.join(', ')})`);
    assert.ok(sizes.some((s) => s === 0), `some rewrote the file and removed the journal (${sizes.join(', ')})`);
    const reopened = await open();
    assert.deepEqual(reopened.warnings, []);
    assert.deepEqual(vectors(reopened, range(0, 80)), vectors(small, range(0, 80)));
  });
  it('journals rows that went to the spill file like rows held in memory', async () => {
    const writer = await EmbeddingCache.open(file, { dtype: 'float16', memoryBytes: 0 });
    writer.bind(identity);
    for (const i of range(0, 5)) writer.set(hashOf(i), vectorOf(i));
    await writer.save();
    for (const i of range(5, 12)) writer.set(hashOf(i), vectorOf(i));
    await writer.checkpoint();
    assert.ok((await stat(journalFileFor(file))).size > 0);
    const reopened = await open(file, 'float16');
    assert.deepEqual(reopened.warnings, []);
    assert.deepEqual(vectors(reopened, range(0, 12)), vectors(writer, range(0, 12)));
  });
});
