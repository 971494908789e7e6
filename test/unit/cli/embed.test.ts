import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../../src/cli/main';
import { ensureTinyModel } from '../../fixtures/tinyModel';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist', 'cli.js');
const headlinesCsv = path.resolve(root, '..', 'shared/datasets/disaster-headlines/evaluation_data-not_related.csv');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** `npm test` builds first; a lone run of this file rebuilds when src/ is newer than the bundle. */
function ensureBuilt(): void {
  if (existsSync(cli) && statSync(cli).mtimeMs >= newestMtime(path.join(root, 'src'))) return;
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
}

function runCli(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: 'utf8',
    // A guard against a hung child only: use-lite on a loaded 2-core machine can take minutes.
    timeout: 900_000,
    env: { ...process.env, XDG_CACHE_HOME: path.join(cwd, 'xdg') },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function capture(): { io: Parameters<typeof main>[1] & object; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l), progress: () => undefined }, out, err };
}

describe('active-label embed (built CLI)', () => {
  let dir: string;
  let model: string;

  before(async () => {
    ensureBuilt();
    model = ensureTinyModel();
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('embeds the headlines with the tiny model, then serves every item from the cache', () => {
    const args = ['embed', '--data', headlinesCsv, '--model', model, '--cache-dir', path.join(dir, 'cache'), '--no-fallback', '--offline'];
    const first = runCli(args, dir);
    assert.equal(first.code, 0, first.stderr);
    const items = Number(/(\d[\d,]*) items \(text field/.exec(first.stdout)?.[1].replace(/,/g, ''));
    assert.ok(items > 1000, first.stdout);
    assert.match(first.stdout, /Embedder: .*tiny-bert \(transformer\), 32 dimensions/);
    assert.match(first.stdout, new RegExp(`0 from cache, ${items.toLocaleString('en-US')} computed`));
    assert.match(first.stdout, /items\/s/);

    const second = runCli(args, dir);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, new RegExp(`${items.toLocaleString('en-US')} from cache, 0 computed`));
  });

  it('runs the lexical embedder, labelled as such, and reports skipped rows with file:line', async () => {
    const data = path.join(dir, 'mixed.jsonl');
    await writeFile(data, '{"text":"flood hits town"}\nnot json\n{"text":""}\n{"text":"storm warning issued"}\n');
    const run = runCli(['embed', '--data', data, '--model', 'lexical', '--cache-dir', path.join(dir, 'cache')], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /2 items .* 2 skipped/);
    assert.match(run.stdout, /mixed\.jsonl:2/);
    assert.match(run.stdout, /Embedder: lexical .*512 dimensions/);
  });

  it('a second lexical run serves every vector and the idf table from the cache (no refit)', () => {
    const args = ['embed', '--data', headlinesCsv, '--model', 'lexical', '--cache-dir', path.join(dir, 'lexical-cache')];
    const first = runCli(args, dir);
    assert.equal(first.code, 0, first.stderr);
    const items = Number(/(\d[\d,]*) items \(text field/.exec(first.stdout)?.[1].replace(/,/g, ''));
    assert.ok(items > 1000, first.stdout);
    assert.match(first.stdout, new RegExp(`0 from cache, ${items.toLocaleString('en-US')} computed`));
    assert.match(first.stdout, new RegExp(`Corpus statistics \\(idf\\): fitted on ${items.toLocaleString('en-US')} items`));

    const second = runCli(args, dir);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, new RegExp(`${items.toLocaleString('en-US')} from cache, 0 computed`));
    assert.match(second.stdout, /Corpus statistics \(idf\): from cache, not refitted/);
    assert.doesNotMatch(second.stdout, /fitted on/);
  });

  it('a folder or a FIFO at the cache path: exit 0, every item embedded, a warning naming the path and the fix', async () => {
    const data = path.join(dir, 'cache-target.jsonl');
    await writeFile(data, '{"text":"flood hits town"}\n{"text":"storm warning issued"}\n{"text":"river bursts its banks"}\n');
    const args = ['embed', '--data', data, '--model', 'lexical', '--cache-dir', path.join(dir, 'target-cache')];
    const first = runCli(args, dir);
    assert.equal(first.code, 0, first.stderr);
    const cacheFile = /^Cache: (.+)$/m.exec(first.stdout)?.[1];
    assert.ok(cacheFile && existsSync(cacheFile), first.stdout);

    for (const [kind, make] of [
      ['folder', () => mkdirSync(cacheFile)],
      ['FIFO \\(named pipe\\)', () => assert.equal(spawnSync('mkfifo', [cacheFile]).status, 0)],
    ] as const) {
      await rm(cacheFile, { recursive: true, force: true });
      make();
      const run = runCli(args, dir);
      assert.equal(run.code, 0, `${kind}: ${run.stderr}`);
      assert.doesNotMatch(run.stderr, /unexpected error/);
      assert.ok(run.stderr.includes(`Warning: the embedding cache ${cacheFile} cannot be used`), run.stderr);
      assert.match(run.stderr, new RegExp(`it is a ${kind}, not a regular file.*Fix: remove it or point the cache elsewhere`));
      assert.match(run.stdout, /0 from cache, 3 computed/);
      assert.match(run.stdout, /Cache: not saved this run/);
    }
  });

  it('an empty file says it is empty and how to fix it', async () => {
    const data = path.join(dir, 'empty.jsonl');
    await writeFile(data, '');
    const run = runCli(['embed', '--data', data, '--model', 'lexical', '--cache-dir', path.join(dir, 'cache')], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.includes(`${data} is empty: no rows to load. Fix: `), run.stdout);
    assert.doesNotMatch(run.stdout, /Embedder:/, 'nothing is embedded');
  });

  it('falls back to use-lite when the model is unavailable, and says why', () => {
    const run = runCli(['embed', '--data', headlinesCsv, '--model', 'nobody/missing', '--offline'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Warning: using the built-in use-lite embeddings .* because could not load the embedding model "nobody\/missing"/);
    assert.match(run.stdout, /Embedder: use-lite .*512 dimensions, use-lite fallback/);
    // The default cache dir follows XDG_CACHE_HOME.
    assert.ok(existsSync(path.join(dir, 'xdg', 'active-label', 'datasets')));
  });

  it('embeds with the bundled use-lite model from the built bundle, offline', () => {
    const args = ['embed', '--data', headlinesCsv, '--model', 'use-lite', '--cache-dir', path.join(dir, 'use-lite-cache'), '--no-fallback', '--offline'];
    const run = runCli(args, dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Embedder: use-lite \(built-in Universal Sentence Encoder lite, offline\), 512 dimensions\./);
    assert.match(run.stdout, /0 from cache, [\d,]+ computed/);
    assert.match(runCli(args, dir).stdout, / 0 computed/);
  });

  it('exits 1 with the load error under --no-fallback', () => {
    const run = runCli(['embed', '--data', headlinesCsv, '--model', 'nobody/missing', '--offline', '--no-fallback'], dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /--model PATH/);
  });
});

describe('active-label argument handling', () => {
  it('prints help with exit 0, and usage errors with exit 2', async () => {
    let c = capture();
    assert.equal(await main(['--help'], c.io), 0);
    assert.match(c.out.join('\n'), /embed/);
    c = capture();
    assert.equal(await main(['embed', '--help'], c.io), 0);
    assert.match(c.out.join('\n'), /--data FILE/);
    for (const argv of [[], ['frobnicate'], ['embed'], ['embed', '--data', 'x.csv', '--bogus'], ['embed', '--data', 'x', '--batch-size', 'many'], ['embed', 'stray']]) {
      c = capture();
      assert.equal(await main(argv, c.io), 2, argv.join(' '));
      assert.ok(c.err.length > 0);
    }
  });

  it('exits 1 on a runtime error such as a missing file', async () => {
    const c = capture();
    assert.equal(await main(['embed', '--data', path.join(os.tmpdir(), 'no-such-file.csv'), '--model', 'lexical'], c.io), 1);
    assert.match(c.err.join('\n'), /no-such-file\.csv/);
  });
});
