/**
 * The dataset snapshot's costs on one file, each step in a fresh process (a heap of its own):
 *   hash     sha256 of the file's bytes, as the snapshot path streams it
 *   parse    `loadDataset`, what every start did before
 *   write    parse, then the snapshot's save (hash, encode, atomic write): wall and CPU time, the
 *            longest the event loop was blocked meanwhile, and the snapshot's size
 *   read     a start that finds the snapshot valid: hash, read, check, decode (wall and CPU time)
 *   check    the decoded dataset is deep-equal to `loadDataset`'s
 * Usage: npm run bench:snapshot -- --dataset .bench-data/items-1000000.jsonl [--text-field text] [--repeat 3]
 */
import { deepStrictEqual } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset, loadDatasetCached } from '../src/core/dataset';
import { hashFile } from '../src/core/dataset/snapshotFile';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    'text-field': { type: 'string', default: 'text' },
    repeat: { type: 'string', default: '3' },
    step: { type: 'string' },
    snapshot: { type: 'string' },
  },
});

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

async function step(name: string, file: string, snapshot: string): Promise<string> {
  const options = { textField: values['text-field'] };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const took = (): string => `${Math.round(performance.now() - t0)} ms (CPU ${Math.round(cpuMs(c0))} ms)`;
  if (name === 'hash') {
    await hashFile(file);
    return took();
  }
  if (name === 'parse') {
    const d = await loadDataset(file, options);
    return `${took()}, ${d.items.length} items`;
  }
  if (name === 'write') {
    rmSync(snapshot, { force: true });
    // Whatever the file's size: the costs are what is measured, not the threshold.
    const opened = await loadDatasetCached(file, options, { path: snapshot, minItems: 0 });
    let longest = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last - 5);
      last = now;
    }, 5);
    const s0 = performance.now();
    const c1 = process.cpuUsage();
    const outcome = await opened.save!();
    clearInterval(timer);
    if (!outcome.written) throw new Error(`not written: ${outcome.reason}`);
    return `${Math.round(performance.now() - s0)} ms (CPU ${Math.round(cpuMs(c1))} ms), longest event-loop block ${Math.round(longest)} ms, ${(statSync(snapshot).size / 2 ** 20).toFixed(1)} MiB`;
  }
  if (name === 'read') {
    const opened = await loadDatasetCached(file, options, { path: snapshot });
    if (!opened.fromSnapshot) throw new Error('the snapshot was not used');
    return `${took()}, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`;
  }
  if (name === 'check') {
    const opened = await loadDatasetCached(file, options, { path: snapshot });
    deepStrictEqual(opened.dataset, await loadDataset(file, options));
    return `deep-equal (from the snapshot: ${opened.fromSnapshot})`;
  }
  throw new Error(`unknown step ${name}`);
}

function main(): void {
  if (values.dataset === undefined) throw new Error('bench/snapshot: --dataset FILE is required');
  const file = path.resolve(values.dataset);
  const dir = mkdtempSync(path.join(tmpdir(), 'al-bench-snapshot-'));
  const snapshot = path.join(dir, 'dataset.snapshot.bin');
  console.log(`Dataset snapshot benchmark: ${file} (${(statSync(file).size / 2 ** 20).toFixed(1)} MiB), Node ${process.version}.`);
  try {
    const repeat = Math.max(1, Number(values.repeat));
    for (const name of ['hash', 'parse', 'write', 'read', 'check']) {
      for (let r = 0; r < (name === 'check' ? 1 : repeat); r++) {
        const args = ['--import', 'tsx', __filename, '--step', name, '--dataset', file, '--snapshot', snapshot, '--text-field', values['text-field']];
        const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
        if (child.status !== 0) throw new Error(`${name}: ${child.stderr}`);
        console.log(`${name.padEnd(6)} ${child.stdout.trim()}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.step !== undefined) {
  step(values.step, values.dataset!, values.snapshot!).then(
    (line) => console.log(line),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else main();
