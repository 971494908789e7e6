/** Shared pieces of the scale benchmarks: the generated files, a measured child process, the growth table. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { benchDataFile } from '../data';
import { generateDataset } from './generate';

export const SIZES = [100_000, 300_000, 1_000_000] as const;
const PRELOAD = path.resolve(__dirname, 'peakRss.cjs');

/** The generated dataset of `lines` lines (the same generator and seed as `npm run bench:data`), made if missing. */
export async function dataFile(lines: number): Promise<string> {
  const file = benchDataFile(lines);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    await generateDataset(file, { lines });
  }
  return file;
}

export interface ChildRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
  /** Peak resident set (VmHWM) of the child, MiB. */
  readonly peakMiB: number;
  /** User plus system CPU seconds of the child. */
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
}

/** Runs a TypeScript entry point in a child (nice 10) and reads its peak RSS and CPU time at exit. */
export function runMeasured(entry: string, args: readonly string[]): Promise<ChildRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('nice', ['-n', '10', process.execPath, '-r', PRELOAD, '--import', 'tsx', entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /@@peak (\{.*\})/.exec(stderr);
      const peak = m ? (JSON.parse(m[1] as string) as { peakKiB: number; cpuSeconds: number }) : { peakKiB: NaN, cpuSeconds: NaN };
      resolve({ stdout, stderr, code, peakMiB: peak.peakKiB / 1024, cpuSeconds: peak.cpuSeconds, wallSeconds: (performance.now() - started) / 1000 });
    });
  });
}

export interface GrowthRow {
  readonly size: number;
  readonly values: Readonly<Record<string, number>>;
}

/** A small table: one row per size, each column's value and its growth against the first row. */
export function growthTable(title: string, rows: readonly GrowthRow[], columns: readonly { key: string; unit: string; digits?: number }[]): string {
  const lines = [`${title}`, `| items | ${columns.map((c) => `${c.key} (${c.unit}) | growth`).join(' | ')} |`, `|---|${columns.map(() => '---|---').join('|')}|`];
  const first = rows[0];
  for (const row of rows) {
    const cells = columns.map((c) => {
      const v = row.values[c.key] ?? NaN;
      const base = first?.values[c.key] ?? NaN;
      return `${v.toFixed(c.digits ?? 0)} | ${(v / base).toFixed(2)}x`;
    });
    lines.push(`| ${row.size.toLocaleString('en-US')} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
