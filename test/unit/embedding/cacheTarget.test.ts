/**
 * What sits at the cache path is not always a cache file. A folder, FIFO, socket or device (or a
 * symlink to one) is refused before anything is read, and an unwritable location is found before
 * the work or when the write fails: in every case the run goes on without the cache and says why,
 * never hanging, crashing or reading an endless stream.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, open, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EmbeddingCache } from '../../../src/core/embedding/cache';
import { embedDataset } from '../../../src/core/embedding/embedDataset';
import { LexicalEmbedder } from '../../../src/core/embedding/lexicalEmbedder';
import { headlines, itemsFromTexts, textHash } from './helpers';

const root = path.resolve(__dirname, '../../..');
const identity = { model: 'lexical', dimensions: 4, fingerprint: '' };
const FIX = /remove it or point the cache elsewhere/;

function mkfifo(file: string): void {
  const made = spawnSync('mkfifo', [file], { encoding: 'utf8' });
  assert.equal(made.status, 0, `mkfifo failed: ${made.stderr}`);
}

/** A cache used without its file still serves this run's vectors, and saving reports false without throwing. */
async function assertWorksInMemory(cache: EmbeddingCache): Promise<void> {
  cache.bind(identity);
  cache.set(textHash('alpha'), Float32Array.from([1, 0, 0, 0]));
  assert.deepEqual(cache.get(textHash('alpha')), Float32Array.from([1, 0, 0, 0]));
  assert.equal(await cache.save(), false);
}

async function assertWritten(cache: EmbeddingCache): Promise<void> {
  cache.bind(identity);
  cache.set(textHash('alpha'), Float32Array.from([1, 0, 0, 0]));
  await cache.save();
  assert.equal((await EmbeddingCache.open(cache.file)).size, 1);
}

describe('EmbeddingCache target checks', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-cache-target-'));
  });
  afterEach(async () => {
    await chmod(dir, 0o755).catch(() => undefined);
    for (const entry of await readdir(dir)) await chmod(path.join(dir, entry), 0o755).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a folder at the cache path, names it and the fix, and leaves it alone', async () => {
    const file = path.join(dir, 'embeddings.bin');
    await mkdir(file);
    await writeFile(path.join(file, 'keep.txt'), 'mine');
    const cache = await EmbeddingCache.open(file);
    assert.equal(cache.warnings.length, 1);
    assert.ok(cache.warnings[0].includes(file), cache.warnings[0]);
    assert.match(cache.warnings[0], /is a folder, not a regular file/);
    assert.match(cache.warnings[0], FIX);
    await assertWorksInMemory(cache);
    assert.ok((await stat(file)).isDirectory());
    assert.deepEqual(await readdir(file), ['keep.txt']);
    assert.deepEqual((await readdir(dir)).sort(), ['embeddings.bin'], 'no temp file left beside it');
  });

  it('refuses a FIFO without opening it (the test unblocks any reader, so it always finishes)', async () => {
    const file = path.join(dir, 'embeddings.bin');
    mkfifo(file);
    // Opening a FIFO for writing without blocking succeeds only while someone has it open for
    // reading; if the cache does, this writer closes at once, giving the reader EOF, and is recorded.
    let readerSeen = false;
    const watchdog = setInterval(() => {
      open(file, constants.O_WRONLY | constants.O_NONBLOCK).then(
        async (handle) => {
          readerSeen = true;
          await handle.close();
        },
        () => undefined, // ENXIO: nobody is reading it
      );
    }, 50);
    let cache: EmbeddingCache;
    try {
      cache = await EmbeddingCache.open(file);
    } finally {
      clearInterval(watchdog);
    }
    assert.equal(readerSeen, false, 'the cache opened the FIFO for reading');
    assert.match(cache.warnings[0] ?? '', /is a FIFO \(named pipe\), not a regular file/);
    assert.match(cache.warnings[0] ?? '', FIX);
    await assertWorksInMemory(cache);
    assert.ok((await stat(file)).isFIFO(), 'the FIFO was not replaced');
  });

  it('refuses a socket and a symlink to a folder', async () => {
    const socketFile = path.join(dir, 'socket.bin');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socketFile, resolve));
    try {
      const cache = await EmbeddingCache.open(socketFile);
      assert.match(cache.warnings[0] ?? '', /is a socket, not a regular file/);
      await assertWorksInMemory(cache);
      assert.ok((await stat(socketFile)).isSocket(), 'the socket was not replaced');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    const target = path.join(dir, 'real-folder');
    await mkdir(target);
    const link = path.join(dir, 'link.bin');
    await symlink(target, link);
    const cache = await EmbeddingCache.open(link);
    assert.match(cache.warnings[0] ?? '', new RegExp(`is a symlink to ${target}, which is a folder`));
    await assertWorksInMemory(cache);
    assert.deepEqual(await readdir(target), []);
  });

  it('refuses a symlink to /dev/zero instead of reading it forever (run in a memory-capped child)', async () => {
    const link = path.join(dir, 'embeddings.bin');
    await symlink('/dev/zero', link);
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'openCacheChild.ts'), link], {
      cwd: root,
      encoding: 'utf8',
      timeout: 600_000,
    });
    assert.equal(child.status, 0, `child failed (status ${child.status}, signal ${child.signal}): ${child.stderr}`);
    const report = JSON.parse(child.stdout) as { size: number; problem: string | null; warnings: string[]; saved: boolean };
    assert.match(report.warnings[0] ?? '', /is a symlink to \/dev\/zero, which is a character device, not a regular file/);
    assert.match(report.warnings[0] ?? '', FIX);
    assert.equal(report.saved, false);
    assert.equal(report.size, 1, 'the cache still works in memory');
  });

  it('an unwritable location is found before any work, and embedding goes on without the cache', async () => {
    const readOnly = path.join(dir, 'read-only');
    await mkdir(readOnly);
    await chmod(readOnly, 0o555);
    let file = path.join(readOnly, 'embeddings.bin');
    // Root ignores the mode bits; then make writing fail another real way: the parent is a file.
    const probe = path.join(readOnly, 'probe');
    const modeBitsHold = await writeFile(probe, '').then(
      () => false,
      () => true,
    );
    if (!modeBitsHold) {
      await rm(probe);
      await writeFile(path.join(dir, 'plain-file'), 'not a folder');
      file = path.join(dir, 'plain-file', 'embeddings.bin');
    }

    const events: string[] = [];
    const items = itemsFromTexts(headlines(30));
    const result = await embedDataset(items, new LexicalEmbedder(), await EmbeddingCache.open(file), {
      batchSize: 8,
      onProgress: (p) => events.push(`progress ${p.done}`),
      onWarning: (message) => events.push(`warning ${message}`),
    });
    assert.equal(result.computed, items.length);
    assert.equal(result.matrix.rows, items.length);
    assert.equal(result.fit, 'computed');
    const warnings = events.filter((e) => e.startsWith('warning '));
    assert.equal(warnings.length, 1, events.join('\n'));
    assert.match(warnings[0], /cannot write the embedding cache/);
    assert.ok(warnings[0].includes(file), warnings[0]);
    assert.match(warnings[0], modeBitsHold ? /is not writable/ : /is a regular file, not a folder/);
    assert.ok(events[0].startsWith('warning '), 'the warning comes before any embedding');
    assert.deepEqual(result.cacheWarnings, [warnings[0].slice('warning '.length)]);
    assert.equal(existsSync(file), false);
  });

  it('a readable cache in a read-only folder still serves its vectors; only a needed save warns', async (t) => {
    const readOnly = path.join(dir, 'read-only');
    await mkdir(readOnly);
    const file = path.join(readOnly, 'embeddings.bin');
    const writer = await EmbeddingCache.open(file);
    await assertWritten(writer);
    await chmod(readOnly, 0o555);
    if (await writeFile(path.join(readOnly, 'probe'), '').then(() => true, () => false)) {
      // Node 20 runs no afterEach for a test skipped from inside, so clean up here.
      await chmod(readOnly, 0o755);
      await rm(dir, { recursive: true, force: true });
      t.skip('running as root: mode bits do not stop writes, and no other way leaves the file readable');
      return;
    }
    const unchanged = await EmbeddingCache.open(file);
    unchanged.bind(identity);
    assert.deepEqual(unchanged.get(textHash('alpha')), Float32Array.from([1, 0, 0, 0]));
    assert.equal(await unchanged.save(), true, 'the file already holds every vector');
    assert.deepEqual(unchanged.warnings, [], 'nothing needed saving, so nothing to warn about');

    const grown = await EmbeddingCache.open(file);
    grown.bind(identity);
    grown.set(textHash('beta'), Float32Array.from([0, 1, 0, 0]));
    assert.equal(await grown.save(), false);
    assert.match(grown.warnings[0] ?? '', /cannot write the embedding cache .*is not writable \(EACCES\).*Fix: make it writable or point the cache elsewhere/);
    assert.equal((await EmbeddingCache.open(file)).size, 1, 'the file on disk is untouched');
  });

  it('a write that fails after a clean open (a folder appears at the path) is a warning, not a crash', async () => {
    const file = path.join(dir, 'embeddings.bin');
    const cache = await EmbeddingCache.open(file);
    assert.deepEqual(cache.warnings, []);
    cache.bind(identity);
    cache.set(textHash('alpha'), Float32Array.from([1, 0, 0, 0]));
    await mkdir(file);
    await writeFile(path.join(file, 'keep.txt'), 'mine');
    assert.equal(await cache.save(), false);
    assert.match(cache.warnings[0] ?? '', /could not write the embedding cache .*a folder is in the way/);
    assert.match(cache.warnings[0] ?? '', /point the cache elsewhere/);
    assert.deepEqual((await readdir(dir)).sort(), ['embeddings.bin'], 'the temp file was removed');
    assert.deepEqual(await readdir(file), ['keep.txt']);
    // Later saves neither retry nor repeat the warning; the vectors are still served from memory.
    cache.set(textHash('beta'), Float32Array.from([0, 1, 0, 0]));
    assert.equal(await cache.save(), false);
    assert.equal(cache.warnings.length, 1);
    assert.ok(cache.get(textHash('beta')));
  });
});
