// `npm start`: build, package the .vsix, and open VS Code with it on a copy of the bundled sample.
// - desktop `code` on the PATH: install the .vsix there and open the folder;
// - otherwise code-server 4.100.3 on 127.0.0.1 (installed on demand into .e2e/), with an isolated
//   profile, until Ctrl+C.
// The sample copy and the code-server profile live in .e2e/start/ and are kept between runs, so
// a restart resumes the labeling session. ACTIVE_LABEL_CODE_SERVER=1 forces code-server;
// PORT picks its port (default 8765, or a free one).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeServerBin, ensureCodeServer, freePort, repoRoot, startCodeServer } from './code-server.mjs';
import { packageVsix } from './package.mjs';

const log = (line) => console.log(`[active-label] ${line}`);

// npm 11 prints `npm warn Unknown project config "onnxruntime-node-install"` before this script runs.
// Say what it is, where the user sees it: the key in .npmrc stops onnxruntime-node's install script
// from downloading CUDA binaries on npm versions that run install scripts (the CPU binaries we use
// ship in the package); this npm does not know the key, warns, and ignores it. Nothing is wrong.
if (/\bnpm\/(1[1-9]|[2-9][0-9])\./.test(process.env.npm_config_user_agent ?? '')) {
  log('The npm warning above about "onnxruntime-node-install" is expected: see .npmrc (it keeps installs offline-safe on other npm versions).');
}
const home = join(repoRoot, '.e2e', 'start');
const folder = join(home, 'sample-workspace');

function onPath(cmd) {
  return spawnSync(process.platform === 'win32' ? 'where' : 'sh', process.platform === 'win32' ? [cmd] : ['-c', `command -v ${cmd}`], {
    encoding: 'utf8',
  }).status === 0;
}

/** A fresh copy of sample/ the first time; later runs keep it (and its .activelabel/ labels). */
function prepareWorkspace() {
  if (!existsSync(folder)) {
    mkdirSync(folder, { recursive: true });
    cpSync(join(repoRoot, 'sample'), folder, { recursive: true });
    log(`Copied the sample data to ${folder}`);
  }
}

async function huggingFaceReachable() {
  try {
    const response = await fetch('https://huggingface.co/api/models/Xenova/all-MiniLM-L6-v2', { signal: AbortSignal.timeout(4000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Settings of the isolated code-server profile (never the user's own VS Code settings). */
async function writeProfileSettings(userDataDir) {
  const file = join(userDataDir, 'User', 'settings.json');
  if (existsSync(file)) return;
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'security.workspace.trust.enabled': false,
  };
  if (process.env.ACTIVE_LABEL_MODEL) {
    settings['activeLabel.model'] = process.env.ACTIVE_LABEL_MODEL;
  } else if (!(await huggingFaceReachable())) {
    // Offline: the default model cannot be downloaded, so the sample starts on the bundled
    // Universal Sentence Encoder lite: real sentence embeddings, nothing to download.
    settings['activeLabel.model'] = 'use-lite';
    log('huggingface.co is not reachable: this profile uses `activeLabel.model: "use-lite"` (the bundled offline sentence encoder).');
  }
  writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
}

async function runDesktop(vsix) {
  log('Installing the extension into desktop VS Code (`code` is on the PATH)...');
  const install = spawnSync('code', ['--install-extension', vsix, '--force'], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (install.status !== 0) throw new Error('`code --install-extension` failed');
  spawnSync('code', [folder, join(folder, 'headlines.jsonl')], { stdio: 'inherit', shell: process.platform === 'win32' });
  log(`Opened ${folder}. Right-click headlines.jsonl > "Active Label: Start Labeling".`);
}

async function runCodeServer(vsix) {
  await ensureCodeServer({ log });
  const userDataDir = join(home, 'user');
  const extensionsDir = join(home, 'extensions');
  await writeProfileSettings(userDataDir);
  log('Installing the extension into code-server...');
  const install = spawnSync(
    codeServerBin(),
    ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`code-server --install-extension failed:\n${install.stdout}\n${install.stderr}`);
  const wanted = Number(process.env.PORT) || 8765;
  const port = (await portFree(wanted)) ? wanted : await freePort();
  const server = await startCodeServer({ userDataDir, extensionsDir, port, folder, log: null });
  const url = `${server.url}?folder=${encodeURIComponent(folder)}`;
  console.log(`
  Active Label is running in VS Code (code-server ${'4.100.3'}):

      ${url}

  Open it in a browser, right-click headlines.jsonl > "Active Label: Start Labeling"
  (or F1 > "Active Label: Start Labeling"). Labels are written to
  ${join(folder, '.activelabel')}/<dataset>/labels.jsonl
  Press Ctrl+C to stop.
`);
  const stop = () => {
    server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.child.on('exit', (code) => {
    log(`code-server exited (${code}).`);
    process.exit(code ?? 1);
  });
}

function portFree(port) {
  return new Promise((resolve) => {
    import('node:net').then(({ createServer }) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  });
}

async function main() {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  log(`${pkg.displayName} ${pkg.version}`);
  const vsix = packageVsix({ log });
  log(`Packaged ${vsix}`);
  prepareWorkspace();
  if (onPath('code') && process.env.ACTIVE_LABEL_CODE_SERVER !== '1') await runDesktop(vsix);
  else await runCodeServer(vsix);
}

main().catch((error) => {
  console.error(`[active-label] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
