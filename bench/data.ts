/**
 * `npm run bench:data [-- --lines N] [--out FILE] [--seed S]`: writes the deterministic benchmark
 * dataset (bench/scale/generate.ts), by default 1,000,000 lines into .bench-data/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultGenerateOptions, generateDataset } from './scale/generate';

export const BENCH_DATA_DIR = path.resolve(__dirname, '..', '.bench-data');

/** The default file for `lines` lines: `.bench-data/items-<lines>.jsonl`. */
export function benchDataFile(lines: number): string {
  return path.join(BENCH_DATA_DIR, `items-${lines}.jsonl`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { lines: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } } });
  const lines = values.lines === undefined ? defaultGenerateOptions.lines : Number(values.lines);
  const seed = values.seed === undefined ? defaultGenerateOptions.seed : Number(values.seed);
  if (!Number.isSafeInteger(lines) || lines < 1) throw new Error(`--lines must be a positive integer, got ${values.lines}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const file = path.resolve(values.out ?? benchDataFile(lines));
  mkdirSync(path.dirname(file), { recursive: true });
  const r = await generateDataset(file, { lines, seed });
  const mib = r.bytes / (1024 * 1024);
  console.log(`Wrote ${r.lines.toLocaleString('en-US')} lines to ${path.relative(process.cwd(), file) || file}`);
  console.log(`  ${mib.toFixed(1)} MiB, ${Math.round(r.lines / r.seconds).toLocaleString('en-US')} lines/s (${r.seconds.toFixed(1)} s)`);
  console.log(`  exact duplicate lines written: ${r.duplicatesWritten.toLocaleString('en-US')} (${((100 * r.duplicatesWritten) / r.lines).toFixed(2)}%)`);
  console.log(`  by source: ${Object.entries(r.bySource).map(([s, n]) => `${s} ${n.toLocaleString('en-US')}`).join(', ')}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
