/**
 * `npm run bench:scale [-- --only embed,replay,start,export,sampling] [--sizes 100000,300000]
 * [--dataset FILE] [--vectors FILE]`: the
 * million-item figures at 100k / 300k / 1M, each measured one after another, printed as growth
 * tables (docs/benchmarks.md, "Scale: a million items" and "Scale: sampling at a million"). The
 * measurements live in bench/scale/*.ts; this file only dispatches. `sampling` runs
 * bench/scale/sampling.ts's own sizes and numpy + scikit-learn reference (SCALE_SIZES,
 * SCALE_REFERENCE=0, SCALE_WRITE_DOC=0). `--dataset FILE` runs embed and export on the first N lines
 * of your own file instead of the generated one; `--vectors FILE` runs sampling on your own vectors
 * (`.npy`, `.jsonl` or `.f32` as `--vectors` takes them; the first N rows are the pool).
 */
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { measureEmbed } from './scale/embed';
import { run as runSampling, useVectors } from './scale/sampling';
import { measureExport, measureReplay, measureStart } from './scale/labels';
import { type MetricKind, recordFigures, renderGrowthPlot, PLOT_FILE } from './scale/figures';
import { type GrowthRow, SIZES, growthTable, useDataset } from './scale/measure';

interface Section {
  readonly title: string;
  readonly measure: (size: number) => Promise<GrowthRow>;
  /** `kind` says how the figure relates to the pool, for the growth plot (bench/scale/figures.ts). */
  readonly columns: readonly { key: string; unit: string; digits?: number; kind: MetricKind }[];
}

const SECTIONS: Record<string, Section> = {
  embed: {
    title: '`embed --model lexical` (512 dims), fresh cache, whole process',
    measure: measureEmbed,
    columns: [
      { key: 'CPU per item', unit: 'µs', digits: 1, kind: 'perItem' },
      { key: 'peak RSS', unit: 'MiB', kind: 'total' },
    ],
  },
  replay: {
    title: 'replay of a label log of N events',
    measure: measureReplay,
    columns: [
      { key: 'replay CPU', unit: 'CPU s', digits: 2, kind: 'total' },
      { key: 'added peak', unit: 'MiB', kind: 'total' },
    ],
  },
  start: {
    title: 'label part of opening a session on a log of N events (open, replay, the session adopts)',
    measure: measureStart,
    columns: [
      { key: 'start CPU', unit: 'CPU s', digits: 2, kind: 'total' },
      { key: 'added peak', unit: 'MiB', kind: 'total' },
    ],
  },
  export: {
    title: 'JSONL export of N items, nearly all labeled',
    measure: measureExport,
    columns: [
      { key: 'rows per CPU s', unit: 'rows/CPU s', kind: 'rate' },
      { key: 'added peak', unit: 'MiB', kind: 'total' },
    ],
  },
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, sizes: { type: 'string' }, dataset: { type: 'string' }, vectors: { type: 'string' } } });
  if (values.dataset !== undefined) useDataset(path.resolve(values.dataset));
  if (values.vectors !== undefined) await useVectors(path.resolve(values.vectors));
  // Figures on the user's own data are printed, not written into docs/ (those are the generated data's).
  const own = values.dataset !== undefined || values.vectors !== undefined;
  if (own) process.env.SCALE_WRITE_DOC = '0';
  const names = values.only ? values.only.split(',') : [...Object.keys(SECTIONS), 'sampling'];
  const sizes = values.sizes ? values.sizes.split(',').map(Number) : [...SIZES];
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
  for (const name of names) {
    if (name === 'sampling') {
      console.log('\n== sampling (bench/scale/sampling.ts) ==');
      await runSampling();
      continue;
    }
    const section = SECTIONS[name];
    if (!section) throw new Error(`unknown section ${name}; choose from ${[...Object.keys(SECTIONS), 'sampling'].join(', ')}`);
    const rows: GrowthRow[] = [];
    for (const size of sizes) {
      const row = await section.measure(size);
      console.log(`  ${name} ${size}: ${JSON.stringify(row.values)}`);
      rows.push(row);
    }
    console.log(`\n${growthTable(section.title, rows, section.columns)}\n`);
    if (!own) recordFigures(name, rows, section.columns);
  }
  if (!own && (await renderGrowthPlot())) console.log(`growth plot: ${PLOT_FILE}`);
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
