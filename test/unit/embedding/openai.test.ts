import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { EmbeddingCache } from '../../../src/core/embedding/cache';
import { createEmbedder } from '../../../src/core/embedding/createEmbedder';
import { embedDataset } from '../../../src/core/embedding/embedDataset';
import { EmbedderLoadError } from '../../../src/core/embedding/embedder';
import { type OpenAIOptions, type RetryInfo, OpenAIEmbedder, parseOpenAIModel } from '../../../src/core/embedding/openaiEmbedder';
import { RemoteEmbedderError } from '../../../src/core/embedding/openaiResponse';
import { TransformersEmbedder } from '../../../src/core/embedding/transformersEmbedder';
import { CancelledError } from '../../../src/core/errors';
import type { Matrix } from '../../../src/core/types';
import { type EmbeddingServer, startEmbeddingServer } from '../../fixtures/embeddingServer';
import { type NetworkGuard, guardNetwork } from '../../fixtures/noNetwork';
import { ensureTinyModel, forbidRemoteModels } from '../../fixtures/tinyModel';

/** The cache stores int8 rows with a per-row scale max|x| / 127: each element is off by at most half a step. */
function int8Tolerance(m: Matrix, row: number): number {
  let max = 0;
  for (let j = 0; j < m.cols; j++) max = Math.max(max, Math.abs(m.data[row * m.cols + j] as number));
  return (max / 127) * 0.5 * (1 + 1e-6) + 1e-7;
}
import { headlines, itemsFromTexts } from './helpers';

function assertClose(a: Matrix, b: Matrix, label: string): void {
  assert.deepEqual([a.rows, a.cols], [b.rows, b.cols], label);
  for (let i = 0; i < a.data.length; i++) assert.ok(Math.abs(a.data[i] - b.data[i]) < 1e-5, `${label}: value ${i} (row ${Math.floor(i / a.cols)})`);
}

/** Fast retries for tests: the policy is the product's, only the base delay is small. */
const quick = { backoff: { initialDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5_000 }, random: () => 0.5 } satisfies Partial<OpenAIOptions>;

describe('OpenAIEmbedder against a real local server serving the tiny BERT', () => {
  let guard: NetworkGuard;
  let direct: TransformersEmbedder;
  let server: EmbeddingServer;
  let cacheDir: string;
  const texts = headlines(60);
  let expected: Matrix;

  before(async () => {
    await forbidRemoteModels();
    guard = guardNetwork({ allowLoopback: true });
    direct = await TransformersEmbedder.load({ model: ensureTinyModel(), cacheDir: os.tmpdir(), allowRemoteModels: false });
    expected = await direct.embed(texts);
    server = await startEmbeddingServer({ embedder: direct, modelName: 'tiny-bert' });
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'al-openai-'));
  });
  afterEach(() => {
    server.faults.length = 0;
  });
  after(async () => {
    await server.close();
    await direct.dispose();
    await rm(cacheDir, { recursive: true, force: true });
    guard.restore();
    // Every connection any test made went to the loopback server.
    assert.ok(guard.attempts.length > 0);
    for (const attempt of guard.attempts) assert.match(attempt, /127\.0\.0\.1/, attempt);
  });

  it('returns the direct embedder\'s vectors in input order, although the server answers in reverse', async () => {
    const remote = await OpenAIEmbedder.load({ ...parseOpenAIModel(server.modelString('tiny')), batchSize: 8, concurrency: 3 });
    assert.equal(remote.dimensions, 32);
    assert.equal(remote.kind, 'remote');
    assert.equal(remote.id, `${server.modelString('tiny')}`);
    assert.equal(remote.callSize, 24);
    assert.equal(remote.fingerprint(), 'server-model=tiny-bert');
    assertClose(await remote.embed(texts), expected, 'remote vs direct');
    assert.ok(server.requests.every((r) => r.model === 'tiny'));
  });

  it('keeps `concurrency` requests in flight, and never more', { timeout: 300_000 }, async () => {
    const held = await startEmbeddingServer({ embedder: direct });
    try {
      const remote = await OpenAIEmbedder.load({ baseUrl: held.url, batchSize: 5, concurrency: 4 });
      held.holdUntilInFlight(4);
      assertClose(await remote.embed(texts), expected, 'concurrent');
      assert.equal(held.maxInFlight, 4);
    } finally {
      await held.close();
    }
  });

  it('retries 429 after the server\'s Retry-After, and 500/503 with jittered backoff, then succeeds', async () => {
    const retries: RetryInfo[] = [];
    const remote = await OpenAIEmbedder.load({ baseUrl: server.url, ...quick, batchSize: 60, concurrency: 1, onRetry: (r) => retries.push(r) });
    const before = server.requests.length;
    server.faults.push({ kind: 'status', status: 429, retryAfter: '1' }, { kind: 'status', status: 500 }, { kind: 'status', status: 503 });
    assertClose(await remote.embed(texts), expected, 'after retries');
    assert.deepEqual(
      server.requests.slice(before).map((r) => r.status),
      [429, 500, 503, 200],
    );
    assert.deepEqual(
      retries.map((r) => [r.attempt, r.status, r.delayMs]),
      [
        [1, 429, 1000], // the server's Retry-After: 1 second
        [2, 500, 20], // random 0.5 x min(100, 20 x 2^1)
        [3, 503, 40], // 0.5 x min(100, 20 x 2^2)
      ],
    );
    assert.match(retries[0].reason, /HTTP 429 \(injected 429\)/);
  });

  it('abandons a request that gets no answer within the timeout, and retries it', async () => {
    const retries: RetryInfo[] = [];
    const remote = await OpenAIEmbedder.load({ baseUrl: server.url, ...quick, timeoutMs: 300, batchSize: 30, concurrency: 2, onRetry: (r) => retries.push(r) });
    server.faults.push({ kind: 'hang' });
    assertClose(await remote.embed(texts), expected, 'after a timeout');
    assert.equal(retries.length, 1);
    assert.match(retries[0].reason, /no complete response within 300 ms/);
  });

  it('gives up after maxRetries, naming the last problem', async () => {
    const remote = await OpenAIEmbedder.load({ baseUrl: server.url, ...quick, maxRetries: 2, batchSize: 60 });
    server.faults.push(...Array.from({ length: 3 }, () => ({ kind: 'status', status: 502 }) as const));
    await assert.rejects(remote.embed(texts), (e: unknown) => {
      assert.ok(e instanceof RemoteEmbedderError);
      assert.match(e.message, /POST http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings: HTTP 502 \(injected 502\); gave up after 3 attempts/);
      assert.equal(e.status, 502);
      return true;
    });
  });

  it('refuses malformed, short, narrow and duplicated answers without retrying them', async () => {
    const remote = await OpenAIEmbedder.load({ baseUrl: server.url, ...quick, batchSize: 4 });
    const cases = [
      ['malformed', /the response is not valid JSON/],
      ['wrong-count', /the server returned 3 embeddings for 4 inputs/],
      ['wrong-dimensions', /has 31 dimensions, expected 32/],
      ['duplicate-index', /index 0 appears twice/],
    ] as const;
    for (const [kind, pattern] of cases) {
      const before = server.requests.length;
      server.faults.push({ kind });
      await assert.rejects(remote.embed(texts.slice(0, 4)), pattern, kind);
      assert.equal(server.requests.length - before, 1, `${kind} is not retried`);
    }
  });

  it('sends the API key, and a refused key is a load error that does not echo the key', async () => {
    const locked = await startEmbeddingServer({ embedder: direct, apiKey: 'sk-test-secret' });
    try {
      await assert.rejects(OpenAIEmbedder.load({ baseUrl: locked.url, apiKey: 'sk-wrong' }), (e: unknown) => {
        assert.ok(e instanceof EmbedderLoadError);
        assert.match(e.message, /HTTP 401: the server refused the API key \(Incorrect API key provided\)/);
        assert.doesNotMatch(e.message, /sk-wrong|sk-test-secret/);
        return true;
      });
      const remote = await OpenAIEmbedder.load({ baseUrl: locked.url, apiKey: 'sk-test-secret' });
      assertClose(await remote.embed(texts.slice(0, 5)), { ...expected, data: expected.data.subarray(0, 5 * 32), rows: 5 }, 'with key');
    } finally {
      await locked.close();
    }
  });

  it('cancels the requests in flight when the signal fires', async () => {
    const remote = await OpenAIEmbedder.load({ baseUrl: server.url, timeoutMs: 60_000, batchSize: 60 });
    server.faults.push({ kind: 'hang' });
    const controller = new AbortController();
    const arrived = server.nextRequest();
    const pending = remote.embed(texts, controller.signal);
    await arrived;
    controller.abort();
    await assert.rejects(pending, CancelledError);
  });

  it('under embedDataset, a failing batch leaves only whole, correct vectors in the cache, and the rerun resumes', async () => {
    const items = itemsFromTexts(texts);
    const remote = await OpenAIEmbedder.load({ baseUrl: server.url, ...quick, maxRetries: 0, batchSize: 10, concurrency: 2 });
    const cacheFile = path.join(cacheDir, 'remote.bin');
    // The first call (20 texts, 2 requests) succeeds; one request of the second call fails for good.
    server.faults.push({ kind: 'ok' }, { kind: 'ok' }, { kind: 'malformed' });
    await assert.rejects(embedDataset(items, remote, await EmbeddingCache.open(cacheFile), { batchSize: remote.callSize }), /not valid JSON/);
    const cache = await EmbeddingCache.open(cacheFile);
    assert.equal(cache.size, 20, 'only the first call\'s vectors were kept');
    cache.bind({ model: remote.id, dimensions: 32, fingerprint: remote.fingerprint() });
    const byText = new Map(texts.map((t, i) => [t, i]));
    for (const item of items) {
      const v = cache.get(item.textHash);
      if (!v) continue;
      const i = byText.get(item.text) as number;
      v.forEach((x, j) => assert.ok(Math.abs(x - expected.data[i * 32 + j]) <= int8Tolerance(expected, i)));
    }
    const rerun = await embedDataset(items, remote, await EmbeddingCache.open(cacheFile), { batchSize: remote.callSize });
    assert.equal(rerun.fromCache, 20);
    assert.equal(rerun.computed, 40);
    items.forEach((item, i) => {
      const r = byText.get(item.text) as number;
      for (let j = 0; j < 32; j++) assert.ok(Math.abs(rerun.matrix.data[i * 32 + j] - expected.data[r * 32 + j]) <= int8Tolerance(expected, r));
    });
  });

  it('createEmbedder reads openai: model strings, and falls back to use-lite when the server is down', async () => {
    const created = await createEmbedder({ model: server.modelString('tiny'), cacheDir, openai: { batchSize: 16 } });
    assert.equal(created.embedder.kind, 'remote');
    assertClose(await created.embedder.embed(texts), expected, 'createEmbedder');

    // A port that refuses connections: a server that was started on it and closed.
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    const down = `openai:http://127.0.0.1:${port}/v1#gone`;
    await assert.rejects(createEmbedder({ model: down, cacheDir, openai: quick }), (e: unknown) => {
      assert.ok(e instanceof EmbedderLoadError);
      assert.match(e.message, /the connection failed \(ECONNREFUSED\); gave up after 2 attempts/);
      return true;
    });
    const fallen = await createEmbedder({ model: down, cacheDir, openai: quick, allowFallback: true });
    assert.equal(fallen.embedder.kind, 'use-lite');
    assert.match(fallen.warning ?? '', /because could not load the embedding model "openai:http:\/\/127\.0\.0\.1:\d+\/v1#gone"/);
    await assert.rejects(createEmbedder({ model: 'openai:not a url', cacheDir, allowFallback: true }), /is not openai:<base url>#<model>/);
  });
});

describe('parseOpenAIModel', () => {
  it('splits base URL and model name, and refuses what is not a server URL', () => {
    assert.deepEqual(parseOpenAIModel('openai:http://127.0.0.1:8080/v1#bge-small-en-v1.5'), { baseUrl: 'http://127.0.0.1:8080/v1', model: 'bge-small-en-v1.5' });
    assert.deepEqual(parseOpenAIModel('openai:https://api.openai.com/v1/#text-embedding-3-small'), { baseUrl: 'https://api.openai.com/v1', model: 'text-embedding-3-small' });
    assert.deepEqual(parseOpenAIModel('openai:http://localhost:11434/v1#nomic-embed-text%3Alatest'), { baseUrl: 'http://localhost:11434/v1', model: 'nomic-embed-text:latest' });
    assert.deepEqual(parseOpenAIModel('openai:http://127.0.0.1:8080/v1'), { baseUrl: 'http://127.0.0.1:8080/v1' });
    assert.throws(() => parseOpenAIModel('openai:ftp://host/v1#m'), /must be http/);
    assert.throws(() => parseOpenAIModel('openai:http://user:pw@host/v1#m'), /credentials/);
  });
});
