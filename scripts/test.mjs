// Runs the test suites with Node's own test runner (tsx strips the types).
// Usage: node scripts/test.mjs [unit|webview|e2e ...]   (default: every suite)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages } from './system-deps.mjs';

const suites = process.argv.slice(2);
const wanted = suites.length > 0 ? suites : ['unit', 'webview', 'e2e'];

function find(dir) {
  let out = [];
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(find(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

// The webview and E2E suites drive Debian's Chromium; code-server's offline install needs the rest.
const system = [];
if (wanted.includes('webview') || wanted.includes('e2e')) system.push('chromium');
if (wanted.includes('e2e')) system.push('ripgrep', 'libkrb5-dev');
if (system.length > 0) ensureDebianPackages(system, `the ${wanted.join(' and ')} tests`);

const files = wanted.flatMap((suite) => find(join('test', suite)));
if (files.length === 0) {
  console.error(`no test files found for: ${wanted.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
