import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EmbedderLoadError } from '../../../src/core/embedding/embedder';
import { createEmbedder } from '../../../src/core/embedding/createEmbedder';
import { TransformersEmbedder, defaultCacheDir, isLocalModelPath } from '../../../src/core/embedding/transformersEmbedder';
import { ensureTinyModel, forbidRemoteModels } from '../../fixtures/tinyModel';
import { dot, headlines, norm, row } from './helpers';

describe('TransformersEmbedder with the tiny BERT fixture', () => {
  let modelDir: string;
  let cacheDir: string;
  let first: TransformersEmbedder;

  before(async () => {
    await forbidRemoteModels();
    modelDir = ensureTinyModel();
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'al-embed-'));
    first = await TransformersEmbedder.load({ model: modelDir, cacheDir, allowRemoteModels: false, batchSize: 4 });
  });
  after(async () => {
    await first.dispose();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('runs tokenizer -> ONNX -> pooling into unit vectors of the hidden size', async () => {
    const texts = headlines(10);
    const m = await first.embed(texts);
    assert.equal(first.kind, 'transformer');
    assert.equal(first.id, modelDir);
    assert.equal(first.dimensions, 32); // hidden_size in the generated config.json
    assert.equal(m.rows, texts.length);
    assert.equal(m.cols, 32);
    for (let i = 0; i < m.rows; i++) assert.ok(Math.abs(norm(row(m, i)) - 1) < 1e-4, `row ${i}`);
  });

  it('gives the same vectors across calls and across instances', async () => {
    const texts = headlines(12);
    const a = await first.embed(texts);
    const again = await first.embed(texts);
    assert.deepEqual(again.data, a.data);
    const second = await TransformersEmbedder.load({ model: modelDir, cacheDir, allowRemoteModels: false, batchSize: 32 });
    try {
      const b = await second.embed(texts);
      // Another batch size pads differently; the masked mean must not care beyond float noise.
      for (let i = 0; i < a.data.length; i++) assert.ok(Math.abs(a.data[i] - b.data[i]) < 1e-5, `value ${i}`);
    } finally {
      await second.dispose();
    }
  });

  it('separates different texts and respects word order through attention', async () => {
    const m = await first.embed(['storm hits the coast', 'storm hits the coast', 'stock market prices rise', 'coast hits the storm']);
    assert.ok(dot(row(m, 0), row(m, 1)) > 0.9999);
    assert.ok(dot(row(m, 0), row(m, 2)) < 0.999);
    assert.ok(dot(row(m, 0), row(m, 3)) < 0.9999, 'position embeddings make order matter');
  });

  it('truncates texts longer than the model takes instead of crashing', async () => {
    const long = 'flood warning for the coastal villages tonight '.repeat(400);
    const m = await first.embed([long, '', 'short']);
    assert.equal(m.rows, 3);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(norm(row(m, i)) - 1) < 1e-4);
  });

  it('stops between batches when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(first.embed(headlines(8), controller.signal), { name: 'CancelledError' });
  });

  it('fails fast on an unknown model, naming the model, where it looked and how to fix it', async () => {
    // "Fast" is the load timeout's job (the next test); a time here would be a benchmark.
    const error = await TransformersEmbedder.load({ model: 'nobody/no-such-model', cacheDir, allowRemoteModels: false }).then(
      () => assert.fail('loaded a model that does not exist'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof EmbedderLoadError);
    assert.match(error.message, /nobody\/no-such-model/);
    assert.ok(error.message.includes(path.join(cacheDir, 'nobody/no-such-model')), error.message);
    assert.match(error.message, /activeLabel\.model/);
    assert.match(error.message, /--model PATH/);
    assert.match(error.message, /onnx\/model\.onnx/);
  });

  it('gives up with a load error instead of hanging when loading makes no progress', async () => {
    // A load that stalls, made deterministic: each progress report takes 20 ms (longer than the 1 ms
    // allowed), so the stall timer is due while the load still has files and a session to open.
    // Without it the tiny fixture can load between two timer checks and the test would race.
    let reports = 0;
    const slowProgress = (): void => {
      reports++;
      const until = performance.now() + 20;
      while (performance.now() < until) {
        // busy: the event loop cannot run the load on during a report
      }
    };
    await assert.rejects(
      TransformersEmbedder.load({ model: modelDir, cacheDir, allowRemoteModels: false, loadTimeoutMs: 1, onLoadProgress: slowProgress }),
      (e: unknown) => {
        assert.ok(e instanceof EmbedderLoadError);
        assert.match(e.message, /no progress for 0\.001 s/);
        return true;
      },
    );
    assert.ok(reports > 0, 'the load reported progress (the files it opened)');
  });

  it('generates the fixture byte for byte the same every time', async () => {
    const script = path.resolve(__dirname, '../../../scripts/make-tiny-bert.mjs');
    const outputs: Buffer[][] = [];
    for (const run of ['a', 'b']) {
      const out = path.join(cacheDir, `gen-${run}`);
      const result = spawnSync(process.execPath, [script, out], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      outputs.push(await Promise.all(['onnx/model.onnx', 'tokenizer.json', 'config.json'].map((f) => readFile(path.join(out, f)))));
    }
    outputs[0].forEach((bytes, i) => assert.ok(bytes.equals(outputs[1][i]), `file ${i} differs`));
    assert.ok(outputs[0][0].equals(await readFile(path.join(modelDir, 'onnx/model.onnx'))));
  });

  it('reports a missing local folder as such', async () => {
    const missing = path.join(cacheDir, 'not-here');
    await assert.rejects(TransformersEmbedder.load({ model: missing, cacheDir }), (e: unknown) => {
      assert.ok(e instanceof EmbedderLoadError);
      assert.match(e.message, /does not exist/);
      assert.ok(e.message.includes(missing));
      return true;
    });
  });

  it('falls back to the bundled use-lite embedder with a warning when asked to', async () => {
    const created = await createEmbedder({ model: 'nobody/no-such-model', cacheDir, allowFallback: true, allowRemoteModels: false });
    assert.equal(created.embedder.kind, 'use-lite');
    assert.match(created.warning ?? '', /^using the built-in use-lite embeddings .* because could not load the embedding model "nobody\/no-such-model"/);
    await assert.rejects(
      createEmbedder({ model: 'nobody/no-such-model', cacheDir, allowFallback: false, allowRemoteModels: false }),
      EmbedderLoadError,
    );
    const lexical = await createEmbedder({ model: 'Lexical', cacheDir, allowFallback: false });
    assert.equal(lexical.embedder.kind, 'lexical');
    assert.equal(lexical.warning, undefined);
  });

  it('tells paths from Hugging Face ids, and puts the CLI cache under XDG_CACHE_HOME', () => {
    assert.equal(isLocalModelPath(modelDir), true);
    assert.equal(isLocalModelPath('./models/mini'), true);
    assert.equal(isLocalModelPath('Xenova/all-MiniLM-L6-v2'), false);
    const saved = process.env.XDG_CACHE_HOME;
    try {
      process.env.XDG_CACHE_HOME = '/var/tmp/xdg';
      assert.equal(defaultCacheDir(), path.join('/var/tmp/xdg', 'active-label'));
      delete process.env.XDG_CACHE_HOME;
      assert.equal(defaultCacheDir(), path.join(os.homedir(), '.cache', 'active-label'));
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});
