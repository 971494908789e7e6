/**
 * The test suite's OpenAI-shaped embedding server (test/fixtures/embeddingServer.ts) as its own
 * process, so the benchmark's client and server do not share one event loop. Prints the base URL,
 * serves until stdin closes. Usage: node --import tsx bench/embedServer.ts MODEL_DIR
 */
import { TransformersEmbedder } from '../src/core/embedding/transformersEmbedder';
import { startEmbeddingServer } from '../test/fixtures/embeddingServer';

async function main(): Promise<void> {
  const model = process.argv[2];
  if (!model) throw new Error('usage: embedServer.ts MODEL_DIR');
  const embedder = await TransformersEmbedder.load({ model, cacheDir: model, allowRemoteModels: false, dtype: 'fp32', batchSize: 64 });
  const server = await startEmbeddingServer({ embedder });
  process.stdout.write(`${server.url}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => {
    void server.close().then(() => embedder.dispose());
  });
}

void main();
