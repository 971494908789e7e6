/** Shared pieces of the scale benchmarks: the generated files, a measured child process, the growth table. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import * as path from 'node:path';
import { benchDataFile } from '../data';
import { generateDataset } from './generate';

export const SIZES = [100_000, 300_000, 1_000_000] as const;
const PRELOAD = path.resolve(__dirname, 'peakRss.cjs');

/** The user's own dataset (`bench:scale -- --dataset FILE`), in place of the generated one. */
let ownDataset: string | undefined;

export function useDataset(file: string): void {
  if (!existsSync(file)) throw new Error(`--dataset ${file}: no such file`);
  ownDataset = file;
}

/**
 * The generated dataset of `lines` lines (the same generator and seed as `npm run bench:data`), made
 * if missing; with `useDataset`, the first `lines` lines of that file (the whole file when it has no more).
 */
export async function dataFile(lines: number): Promise<string> {
  if (ownDataset !== undefined) return firstLines(ownDataset, lines);
  const file = benchDataFile(lines);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    await generateDataset(file, { lines });
  }
  return file;
}

/** `file`'s first `lines` lines, as a file of their own beside the generated ones (the file itself when it is no longer). */
async function firstLines(file: string, lines: number): Promise<string> {
  const out = path.join(path.dirname(benchDataFile(lines)), `own-${lines}-${path.basename(file)}`);
  mkdirSync(path.dirname(out), { recursive: true });
  const sink = createWriteStream(out);
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (n === 0 && /\.(csv|tsv)$/i.test(file)) lines++; // a header is not a row
    if (n++ >= lines) break;
    if (!sink.write(`${line}\n`)) await once(sink, 'drain');
  }
  sink.end();
  await once(sink, 'finish');
  return n <= lines ? file : out;
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
