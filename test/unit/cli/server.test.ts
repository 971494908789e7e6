import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { API_KEY_ENV } from '../../../src/cli/args';
import { main } from '../../../src/cli/main';
import { TransformersEmbedder } from '../../../src/core/embedding/transformersEmbedder';
import { type EmbeddingServer, startEmbeddingServer } from '../../fixtures/embeddingServer';
import { ensureTinyModel, forbidRemoteModels } from '../../fixtures/tinyModel';

const root = path.resolve(__dirname, '../../..');
const sample = path.join(root, 'sample', 'headlines.jsonl');

function capture(): { io: Parameters<typeof main>[1] & object; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l), progress: () => undefined }, out, err };
}

describe('active-label embed --model openai:URL#MODEL', () => {
  let dir: string;
  let direct: TransformersEmbedder;
  let server: EmbeddingServer;
  const saved = process.env[API_KEY_ENV];

  before(async () => {
    await forbidRemoteModels();
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-cli-server-'));
    direct = await TransformersEmbedder.load({ model: ensureTinyModel(), cacheDir: dir, allowRemoteModels: false });
    server = await startEmbeddingServer({ embedder: direct, apiKey: 'sk-cli-key', modelName: 'tiny-bert' });
  });
  after(async () => {
    if (saved === undefined) delete process.env[API_KEY_ENV];
    else process.env[API_KEY_ENV] = saved;
    await server.close();
    await direct.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('embeds through the server with the key from the environment, batch x concurrency per call, then from the cache', async () => {
    process.env[API_KEY_ENV] = 'sk-cli-key';
    const args = ['embed', '--data', sample, '--model', server.modelString('tiny'), '--batch-size', '16', '--concurrency', '3', '--cache-dir', dir, '--no-fallback'];
    let c = capture();
    assert.equal(await main(args, c.io), 0, c.err.join('\n'));
    const out = c.out.join('\n');
    assert.match(out, /Embedder: openai:http:\/\/127\.0\.0\.1:\d+\/v1#tiny \(embedding server\), 32 dimensions\./);
    assert.match(out, /0 from cache, 400 computed/);
    const served = server.requests.filter((r) => r.status === 200 && r.inputs > 1);
    assert.equal(served.reduce((s, r) => s + r.inputs, 0), 400);
    assert.ok(served.every((r) => r.inputs <= 16));
    c = capture();
    assert.equal(await main(args, c.io), 0);
    assert.match(c.out.join('\n'), /400 from cache, 0 computed/);
  });

  it('without the key: exit 1 under --no-fallback, else the use-lite fallback with the reason', async () => {
    delete process.env[API_KEY_ENV];
    const args = ['embed', '--data', sample, '--model', server.modelString('tiny'), '--cache-dir', dir];
    let c = capture();
    assert.equal(await main([...args, '--no-fallback'], c.io), 1);
    assert.match(c.err.join('\n'), /HTTP 401: the server refused the API key/);
    c = capture();
    assert.equal(await main(args, c.io), 0, c.err.join('\n'));
    assert.match(c.err.join('\n'), /Warning: using the built-in use-lite embeddings .* HTTP 401/);
    assert.match(c.out.join('\n'), /Embedder: use-lite .*, use-lite fallback\./);
  });
});
