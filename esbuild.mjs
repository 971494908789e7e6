// One build script, four entries: the extension host, the engine worker, the webview and the CLI.
// onnxruntime-node stays external (native binaries, shipped in the package); sharp is replaced by
// an empty module because Active Label handles text only. The @energetic-ai packages (the bundled
// use-lite embedder) stay external too: they find their .wasm files and model weights through their
// own `__dirname`, so they must run from node_modules, where .vscodeignore ships them.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** transformers.js imports sharp for images; we never touch images, so never load it. */
const noSharp = {
  name: 'no-sharp',
  setup(build) {
    build.onResolve({ filter: /^sharp$/ }, () => ({ path: 'sharp', namespace: 'no-sharp' }));
    build.onLoad({ filter: /.*/, namespace: 'no-sharp' }, () => ({
      contents: 'module.exports = {};',
      loader: 'js',
    }));
  },
};

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external: ['vscode', 'onnxruntime-node', '@energetic-ai/*'],
  plugins: [noSharp],
  logLevel: 'warning',
  // transformers.js reads import.meta.url; give CJS bundles a real value.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

const entries = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/worker/engineWorker.ts'], outfile: 'dist/worker.js' },
  {
    ...node,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node\n' + node.banner.js },
  },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    logLevel: 'warning',
  },
].filter((entry) => existsSync(entry.entryPoints[0]));

if (watch) {
  for (const entry of entries) await (await esbuild.context(entry)).watch();
} else {
  await Promise.all(entries.map((entry) => esbuild.build(entry)));
}
