// Installs the Debian packages the browser tests and code-server need, when they are missing.
// `npm test` and `npm start` call it so that a fresh machine needs no set-up step of its own.
// Only root on a Debian-like system installs anything; everyone else gets the exact command.
import { spawnSync } from 'node:child_process';

/** Debian package -> how to tell it is already there. */
const CHECKS = {
  chromium: () => has('chromium') || has('chromium-browser') || Boolean(process.env.CHROMIUM_PATH),
  ripgrep: () => has('rg'),
  'libkrb5-dev': () => spawnSync('dpkg', ['-s', 'libkrb5-dev'], { stdio: 'ignore' }).status === 0,
};

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure the named Debian packages are installed. Returns the ones still missing (empty when
 * all are there); never throws, so callers decide whether a missing package is fatal.
 */
export function ensureDebianPackages(packages, why, log = console.log) {
  const missing = packages.filter((name) => !(CHECKS[name]?.() ?? false));
  if (missing.length === 0) return [];
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  const canInstall = process.platform === 'linux' && process.getuid?.() === 0 && has('apt-get');
  if (!canInstall) {
    log(`Missing system packages for ${why}: ${missing.join(', ')}. Install them with: sudo ${command}`);
    return missing;
  }
  log(`Installing system packages for ${why}: ${missing.join(', ')} (apt-get, once)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install =
    update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env }) : update;
  if (install.status !== 0) log(`apt-get failed; install them by hand: ${command}`);
  return missing.filter((name) => !(CHECKS[name]?.() ?? false));
}
