/**
 * What the webview bundle is made of: only webview/ and src/shared (plus Chart.js and valibot).
 * The engine's code (src/core: sampling, models, embeddings) must never ride along into the
 * browser, even though the host <-> worker half of the protocol (src/shared/protocol/engine.ts,
 * sessionInit.ts) and src/shared/settings.ts take the strategy list from src/core/sampling.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { StrategyIdSchema } from '../../src/shared/protocol/sessionInit';
import { STRATEGY_NAMES } from '../../src/core/sampling/registry';

const repo = path.resolve(__dirname, '../..');

describe('webview bundle', () => {
  it('contains no src/core, host or worker module and no sampling code', async () => {
    // The same options as esbuild.mjs's webview entry (and the UI tests' harness).
    const result = await esbuild.build({
      bundle: true,
      platform: 'browser',
      target: 'es2022',
      format: 'iife',
      entryPoints: [path.join(repo, 'webview/main.ts')],
      outdir: path.join(repo, 'dist-bundle-test'),
      write: false,
      metafile: true,
      logLevel: 'error',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.some((p) => p.startsWith('webview/')), 'sanity: the metafile lists the webview sources');
    assert.ok(inputs.includes('src/shared/protocol/page.ts'));
    assert.ok(inputs.some((p) => p.includes('node_modules/valibot/')), 'the schemas validate in the page too');
    const engineOnly = ['src/shared/protocol/engine.ts', 'src/shared/protocol/sessionInit.ts', 'src/shared/settings.ts'];
    const forbidden = inputs.filter((p) => /^src\/(core|host|worker|cli)\//.test(p) || engineOnly.includes(p));
    assert.deepEqual(forbidden, []);
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text ?? '';
    assert.ok(js.length > 10_000);
    for (const marker of ['clustered-uncertainty', 'least-confidence', 'atlasSampling', 'kmeans']) {
      assert.ok(!js.includes(marker), `the bundle mentions ${marker}`);
    }
  });

  it('the worker protocol takes its strategy list from the strategy registry (one list, not two)', () => {
    assert.equal(StrategyIdSchema.options, STRATEGY_NAMES);
  });
});
