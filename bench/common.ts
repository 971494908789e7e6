import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRng } from '../src/core/random';
import type { Matrix } from '../src/core/types';

/** One benchmark figure beside its same-run reference. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: string;
  readonly reference?: { readonly name: string; readonly value: number; readonly unit: string };
  readonly note?: string;
}

/** Median wall time (ms) of `runs` calls after `warmup` untimed calls (JIT warm-up, as sklearn's runs are). */
export function timeMedian(fn: () => void, runs = 5, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * Embedding-like data: `centres` random directions, points scattered around them, rows normalized to
 * unit length like sentence embeddings. Deterministic under `seed`.
 */
export function embeddings(rows: number, cols: number, seed: number, centres = 50, noise = 0.9): Matrix {
  const rng = createRng(seed);
  const c = Array.from({ length: centres }, () => Float32Array.from({ length: cols }, () => rng.normal()));
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const centre = c[rng.int(centres)];
    let norm = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = centre[j] + rng.normal() * noise * 1.5;
      data[o + j] = v;
      norm += v * v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < cols; j++) data[o + j] *= inv;
  }
  return { data, rows, cols };
}

/** Runs an inline Python script with /usr/bin/python3; the script prints one JSON object. */
export function python(script: string, files: Record<string, Float32Array | Int32Array>): Record<string, number> | null {
  if (!existsSync('/usr/bin/python3')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'active-label-bench-'));
  try {
    for (const [name, arr] of Object.entries(files)) writeFileSync(join(dir, name), Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
    // Some machines pin OpenBLAS to an older kernel (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE) for safety;
    // the reference runs without the pin so it gets the fastest kernel this CPU has.
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const r = spawnSync('/usr/bin/python3', ['-c', script], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 24, env });
    if (r.status !== 0) {
      console.error(`python reference failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
      return null;
    }
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function report(result: BenchResult): BenchResult {
  const ref = result.reference ? `   reference ${result.reference.name}: ${result.reference.value.toFixed(1)} ${result.reference.unit}` : '';
  console.log(`${result.name}: ${result.value.toFixed(1)} ${result.unit}${result.target ? ` (target ${result.target})` : ''}${ref}${result.note ? `   ${result.note}` : ''}`);
  console.log(JSON.stringify({ bench: result.name, value: result.value, unit: result.unit, target: result.target, reference: result.reference, note: result.note }));
  return result;
}

const DOC = resolve(__dirname, '..', 'docs', 'benchmarks.md');

/** Replaces the text between `<!-- bench:KEY:start -->` and `<!-- bench:KEY:end -->`, creating it if missing. */
function replaceSection(doc: string, key: string, body: string, where = ''): string {
  const start = `<!-- bench:${key}:start -->`;
  const end = `<!-- bench:${key}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a >= 0 && b > a) return doc.slice(0, a) + block + doc.slice(b + end.length);
  if (where && doc.includes(where)) return doc.replace(where, `${block}\n${where}`);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

/** Writes one benchmark's block inside the perf section of docs/benchmarks.md, preserving the rest. */
export function writeDoc(key: string, command: string, results: readonly BenchResult[]): void {
  let doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n';
  if (!doc.includes('<!-- bench:perf:start -->')) {
    doc = replaceSection(doc, 'perf', '## Performance\n\nMachine-dependent; each figure sits beside a reference measured in the same run.\n');
  }
  const rows = results.map((r) => {
    const ratio = r.reference && r.reference.value > 0 && r.reference.unit === r.unit ? ` (${(r.value / r.reference.value).toFixed(2)}x)` : '';
    const ref = r.reference ? `${r.reference.name}: ${r.reference.value.toFixed(1)} ${r.reference.unit}${ratio}` : '';
    return `| ${r.name} | ${r.value.toFixed(1)} ${r.unit} | ${r.target ?? ''} | ${ref} | ${r.note ?? ''} |`;
  });
  const body = [
    `### ${key}`,
    '',
    `Command: \`${command}\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)})`,
    '',
    '| Benchmark | Ours | Target | Reference (same run) | Notes |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  doc = replaceSection(doc, `perf:${key}`, body, '<!-- bench:perf:end -->');
  writeFileSync(DOC, doc);
}
