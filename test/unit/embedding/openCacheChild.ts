/**
 * Opens an embedding cache, stores one vector, saves, and prints what happened as JSON. Tests run it
 * as a child process that caps its own memory, so a regression that reads an endless file (a
 * symlink to /dev/zero) fails this one child (exit 3) instead of exhausting the machine.
 */
import { EmbeddingCache } from '../../../src/core/embedding/cache';

const OUT_OF_MEMORY_EXIT = 3;
const RSS_LIMIT = 1024 * 1024 * 1024;

setInterval(() => {
  if (process.memoryUsage.rss() < RSS_LIMIT) return;
  process.stderr.write(`openCacheChild: resident memory passed ${RSS_LIMIT} bytes; stopping\n`);
  process.exit(OUT_OF_MEMORY_EXIT);
}, 20).unref();

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: openCacheChild FILE');
  const cache = await EmbeddingCache.open(file);
  cache.bind({ model: 'lexical', dimensions: 4, fingerprint: '' });
  cache.set('0123456789abcdef0123456789abcdef', Float32Array.from([1, 0, 0, 0]));
  const saved = await cache.save();
  process.stdout.write(JSON.stringify({ size: cache.size, problem: cache.problem ?? null, warnings: cache.warnings, saved }));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
