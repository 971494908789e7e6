/**
 * `active-label embed --model lexical` on the generated datasets, each run a fresh process with a
 * fresh cache: CPU time per item (the machine is shared, so CPU, not wall time, is the speed) and
 * peak RSS of the whole process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type GrowthRow, dataFile, runMeasured } from './measure';

const CLI = path.resolve(__dirname, '../../src/cli/main.ts');

export async function measureEmbed(size: number): Promise<GrowthRow> {
  const file = await dataFile(size);
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'al-scale-embed-'));
  try {
    const run = await runMeasured(CLI, ['embed', '--data', file, '--model', 'lexical', '--cache-dir', cacheDir]);
    if (run.code !== 0) throw new Error(`embed failed (${run.code}): ${run.stderr.slice(-2000)}`);
    const items = Number(/Embedded ([\d,]+) items/.exec(run.stdout)?.[1]?.replace(/,/g, '') ?? NaN);
    return {
      size,
      values: {
        'CPU per item': (1e6 * run.cpuSeconds) / items,
        'items per CPU s': items / run.cpuSeconds,
        'peak RSS': run.peakMiB,
        wall: run.wallSeconds,
      },
    };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
