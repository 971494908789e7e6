/**
 * A test worker: runs embedDataset with the tiny model inside a worker thread, posts progress and
 * obeys a 'cancel' message, the way the product's engine worker will.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { embedDataset } from '../../../src/core/embedding/embedDataset';
import { TransformersEmbedder } from '../../../src/core/embedding/transformersEmbedder';
import type { DatasetItem } from '../../../src/core/types';
import { forbidRemoteModels } from '../../fixtures/tinyModel';

interface Input {
  items: DatasetItem[];
  modelDir: string;
  cacheDir: string;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('embedWorker must run in a worker thread');
  const { items, modelDir, cacheDir } = workerData as Input;
  await forbidRemoteModels();
  const controller = new AbortController();
  port.on('message', (message: { type: string }) => {
    if (message.type === 'cancel') controller.abort();
  });
  const embedder = await TransformersEmbedder.load({ model: modelDir, cacheDir, allowRemoteModels: false });
  try {
    const result = await embedDataset(items, embedder, undefined, {
      batchSize: 8,
      signal: controller.signal,
      onProgress: (progress) => port.postMessage({ type: 'progress', progress }),
    });
    port.postMessage({ type: 'done', rows: result.matrix.rows, computed: result.computed });
  } catch (error) {
    port.postMessage({ type: 'error', name: (error as Error).name, message: (error as Error).message });
  } finally {
    await embedder.dispose();
    port.close();
  }
}

void main();
