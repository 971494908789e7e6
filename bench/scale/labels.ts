/**
 * Replay of a generated label log of N events, and JSONL export of a dataset of N lines whose items
 * are (nearly) all labeled, each in a fresh child process: seconds, and the step's own peak memory
 * above the RSS before it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BENCH_DATA_DIR } from '../data';
import { generateLabelLog } from './labelLog';
import { type GrowthRow, dataFile, runMeasured } from './measure';

const CHILD = path.resolve(__dirname, 'labelsChild.ts');

interface ChildReport {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly rssBefore: number;
  readonly peak: number;
  readonly events?: number;
  readonly problems?: number;
  readonly rows?: number;
}

async function child(args: readonly string[]): Promise<ChildReport> {
  const run = await runMeasured(CHILD, args);
  if (run.code !== 0) throw new Error(`labelsChild ${args[0]} failed (${run.code}): ${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as ChildReport;
}

export async function measureReplay(events: number): Promise<GrowthRow> {
  const log = path.join(BENCH_DATA_DIR, `labels-${events}.jsonl`);
  if (!existsSync(log)) await generateLabelLog(log, events, (i) => `h${i}`, events);
  const r = await child(['replay', log]);
  if (r.events !== events || r.problems !== 0) throw new Error(`replay read ${r.events} events with ${r.problems} problems, expected ${events} and 0`);
  return { size: events, values: { replay: r.seconds, 'replay CPU': r.cpuSeconds, 'events per CPU s': events / r.cpuSeconds, 'added peak': r.peak - r.rssBefore } };
}

/** The label part of opening a session on the same log: open and replay it, the session adopts the labels. */
export async function measureStart(events: number): Promise<GrowthRow> {
  const log = path.join(BENCH_DATA_DIR, `labels-${events}.jsonl`);
  if (!existsSync(log)) await generateLabelLog(log, events, (i) => `h${i}`, events);
  const r = await child(['start', log]);
  if (r.events !== events || r.problems !== 0) throw new Error(`start read ${r.events} events with ${r.problems} problems, expected ${events} and 0`);
  return { size: events, values: { start: r.seconds, 'start CPU': r.cpuSeconds, 'added peak': r.peak - r.rssBefore } };
}

export async function measureExport(size: number): Promise<GrowthRow> {
  const data = await dataFile(size);
  const dir = mkdtempSync(path.join(tmpdir(), 'al-scale-export-'));
  try {
    const r = await child(['export', data, path.join(dir, 'labels.jsonl'), path.join(dir, 'export.jsonl')]);
    const rows = r.rows ?? NaN;
    return { size, values: { export: r.seconds, 'export CPU': r.cpuSeconds, rows, 'rows/s': rows / r.seconds, 'rows per CPU s': rows / r.cpuSeconds, 'added peak': r.peak - r.rssBefore } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
