import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEmbedder } from '../../../src/core/embedding/createEmbedder';
import { embedDataset } from '../../../src/core/embedding/embedDataset';
import { EmbedderLoadError } from '../../../src/core/embedding/embedder';
import { UseLiteEmbedder } from '../../../src/core/embedding/useLiteEmbedder';
import { USE_LITE_PACKAGE } from '../../../src/core/embedding/useLiteRuntime';
import { CancelledError } from '../../../src/core/errors';
import { dot, headlines, itemsFromTexts, norm, row } from './helpers';

const root = path.resolve(__dirname, '../../..');

describe('UseLiteEmbedder (Universal Sentence Encoder lite, bundled)', () => {
  let embedder: UseLiteEmbedder;
  let cacheDir: string;

  before(async () => {
    embedder = await UseLiteEmbedder.load({ batchSize: 8 });
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'al-uselite-'));
  });
  after(async () => {
    await embedder.dispose();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('is a semantic embedder: a flood is closer to heavy rain than to the stock market', async () => {
    const m = await embedder.embed(['a flood hit the city', 'heavy rain caused flooding', 'the stock market rose']);
    const related = dot(row(m, 0), row(m, 1));
    const unrelated = dot(row(m, 0), row(m, 2));
    assert.ok(related > unrelated + 0.2, `cos(flood, rain) ${related.toFixed(3)} vs cos(flood, stocks) ${unrelated.toFixed(3)}`);
  });

  it('gives 512-d unit rows in input order, the same whatever the batch size', async () => {
    const texts = headlines(20);
    const a = await embedder.embed(texts);
    assert.equal(embedder.id, 'use-lite');
    assert.equal(embedder.kind, 'use-lite');
    assert.equal(a.cols, 512);
    for (let i = 0; i < a.rows; i++) assert.ok(Math.abs(norm(row(a, i)) - 1) < 1e-5);
    const one = await UseLiteEmbedder.load({ batchSize: 1 });
    const b = await one.embed(texts);
    for (let i = 0; i < texts.length; i++) assert.ok(dot(row(a, i), row(b, i)) > 0.9999, `row ${i} moved with the batch size`);
    // Row order: each text's own vector is its nearest row.
    for (let i = 0; i < texts.length; i++) {
      const single = await embedder.embed([texts[i]]);
      assert.ok(dot(row(single, 0), row(a, i)) > 0.9999, `row ${i}`);
    }
  });

  it('keeps rows aligned around empty texts (which have no tokens)', async () => {
    const m = await embedder.embed(['storm hits the coast', '', 'stock prices rise', '']);
    assert.equal(m.rows, 4);
    const storm = await embedder.embed(['storm hits the coast', 'stock prices rise']);
    assert.ok(dot(row(m, 0), row(storm, 0)) > 0.9999);
    assert.ok(dot(row(m, 2), row(storm, 1)) > 0.9999);
    assert.ok(Math.abs(norm(row(m, 3)) - 1) < 1e-5);
  });

  it('cuts very long texts to maxChars, and the fingerprint says so', async () => {
    const long = 'floods and fires across the state '.repeat(1000);
    const short = await UseLiteEmbedder.load({ maxChars: 200 });
    const m = await short.embed([long, long.slice(0, 200)]);
    assert.ok(dot(row(m, 0), row(m, 1)) > 0.99999);
    assert.notEqual(short.fingerprint(), embedder.fingerprint());
    assert.ok(embedder.fingerprint().startsWith(USE_LITE_PACKAGE));
  });

  it('names the exact pinned model package in its fingerprint', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const [name, version] = [USE_LITE_PACKAGE.slice(0, USE_LITE_PACKAGE.lastIndexOf('@')), USE_LITE_PACKAGE.slice(USE_LITE_PACKAGE.lastIndexOf('@') + 1)];
    assert.equal(pkg.dependencies[name], version, 'bump USE_LITE_PACKAGE with the dependency, so caches of the old weights are not reused');
    for (const dep of ['@energetic-ai/core', '@energetic-ai/embeddings']) assert.match(pkg.dependencies[dep], /^\d+\.\d+\.\d+$/, `${dep} is pinned exactly`);
  });

  it('stops between batches when cancelled', async () => {
    await assert.rejects(embedder.embed(['a'], AbortSignal.abort()), CancelledError);
    const controller = new AbortController();
    const items = itemsFromTexts(headlines(64));
    let computedWhenCancelled = -1;
    await assert.rejects(
      embedDataset(items, embedder, undefined, {
        batchSize: 8,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done > 0 && computedWhenCancelled < 0) {
            computedWhenCancelled = p.done;
            controller.abort();
          }
        },
      }),
      CancelledError,
    );
    assert.equal(computedWhenCancelled, 8);
  });

  it('createEmbedder selects it by name, and falls back to it when the transformer cannot load', async () => {
    const chosen = await createEmbedder({ model: 'Use-Lite', cacheDir });
    assert.equal(chosen.embedder.kind, 'use-lite');
    assert.equal(chosen.warning, undefined);
    assert.equal(chosen.fallback, undefined);

    const fallen = await createEmbedder({ model: 'nobody/no-such-model', cacheDir, allowRemoteModels: false, allowFallback: true });
    assert.equal(fallen.embedder.kind, 'use-lite');
    assert.equal(fallen.fallback, 'use-lite');
    assert.equal(fallen.requested, 'nobody/no-such-model');
    assert.ok(fallen.loadError instanceof EmbedderLoadError);
    assert.match(fallen.warning ?? '', /^using the built-in use-lite embeddings \(Universal Sentence Encoder lite, offline\) because could not load the embedding model "nobody\/no-such-model"/);

    // The former option name still means "fall back".
    const legacy = await createEmbedder({ model: 'nobody/no-such-model', cacheDir, allowRemoteModels: false, fallbackToLexical: true });
    assert.equal(legacy.embedder.kind, 'use-lite');
    await assert.rejects(createEmbedder({ model: 'nobody/no-such-model', cacheDir, allowRemoteModels: false }), EmbedderLoadError);
  });

  it('falls back to lexical, saying why, when the use-lite packages are missing too', () => {
    // A child process in which no @energetic-ai package resolves: the real failure of a broken install.
    const script = [
      "const Module = require('node:module');",
      'const resolve = Module._resolveFilename;',
      "Module._resolveFilename = function (request, ...rest) { if (request.startsWith('@energetic-ai/')) { const e = new Error(`Cannot find module '${request}'`); e.code = 'MODULE_NOT_FOUND'; throw e; } return resolve.call(this, request, ...rest); };",
      `const { createEmbedder } = require(${JSON.stringify(path.join(root, 'src/core/embedding/createEmbedder.ts'))});`,
      `createEmbedder({ model: 'nobody/no-such-model', cacheDir: ${JSON.stringify(cacheDir)}, allowRemoteModels: false, allowFallback: true })`,
      '  .then((c) => console.log(JSON.stringify({ kind: c.embedder.kind, fallback: c.fallback, warning: c.warning })));',
      `createEmbedder({ model: 'use-lite', cacheDir: ${JSON.stringify(cacheDir)}, allowFallback: false }).catch((e) => console.log(JSON.stringify({ error: e.name })));`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const [a, b] = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    const fallback = 'kind' in a ? a : b;
    const refused = 'kind' in a ? b : a;
    assert.equal(fallback.kind, 'lexical');
    assert.equal(fallback.fallback, 'lexical');
    assert.match(fallback.warning, /^using lexical embeddings because could not load the embedding model "nobody\/no-such-model".*, and the use-lite fallback did not load either: could not load the embedding model "use-lite": the Universal Sentence Encoder runtime did not load \(Cannot find module '@energetic-ai\//);
    assert.equal(refused.error, 'EmbedderLoadError');
  });
});
