/**
 * Run in its own process by bench/scale/labels.ts: `replay LOG`, `start LOG` (the label part of
 * opening a session: the log opened and replayed, the session adopting the replayed labels) or
 * `export DATA LOG OUT` (the log is generated there, over the dataset's items). Prints
 * one JSON line with the measured step's seconds and memory (VmRSS before, VmHWM during the step).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadDataset } from '../../src/core/dataset';
import { exportJsonl } from '../../src/core/labels/export';
import { LabelLog } from '../../src/core/labels/labelLog';
import { replay } from '../../src/core/labels/replay';
import { LabelingSession } from '../../src/core/session/session';
import { generateLabelLog } from './labelLog';

function status(field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Resets the peak to the current RSS (Linux clear_refs 5), so VmHWM afterwards is the step's own peak. */
function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux or not allowed: the peak then covers the whole process.
  }
}

/** CPU seconds (user + system) since `start`: on a shared machine, the speed that does not depend on the neighbours. */
function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

async function main(): Promise<void> {
  const [mode, a, b, c] = process.argv.slice(2);
  if (mode === 'replay' && a) {
    global.gc?.();
    const rssBefore = status('VmRSS');
    resetPeak();
    const t = performance.now();
    const cpu = process.cpuUsage();
    const r = await replay(a);
    // Timed too: every item's current label read once (they are built when first read).
    let labeled = 0;
    for (const current of r.state.values()) if (current.labeled) labeled++;
    const seconds = (performance.now() - t) / 1000;
    console.log(JSON.stringify({ seconds, cpuSeconds: cpuSince(cpu), events: r.events.length, labeled, problems: r.problems.length, rssBefore, peak: status('VmHWM') }));
    return;
  }
  if (mode === 'start' && a) {
    global.gc?.();
    const rssBefore = status('VmRSS');
    resetPeak();
    const t = performance.now();
    const cpu = process.cpuUsage();
    // What startSession does with the log (the dataset, embeddings and model are other steps).
    const { log, replayed } = await LabelLog.openReplayed(a);
    const session = new LabelingSession([], { data: new Float32Array(0), rows: 0, cols: 1 }, { labels: ['disaster', 'not-disaster', 'spam', 'ham'], mode: 'single', strategy: 'margin' });
    session.adoptLabels(replayed.labelState);
    const seconds = (performance.now() - t) / 1000;
    const cpuSeconds = cpuSince(cpu);
    await log.close();
    console.log(JSON.stringify({ seconds, cpuSeconds, events: session.labelState.events.length, problems: replayed.problems.length, rssBefore, peak: status('VmHWM') }));
    return;
  }
  if (mode === 'export' && a && b && c) {
    // Untimed setup: the dataset, a log labeling (nearly) every item in turn, its replay.
    const dataset = await loadDataset(a);
    const n = dataset.items.length;
    await generateLabelLog(b, n, (i) => dataset.items[i]?.id ?? '', n, { everyItem: true });
    const { state } = await replay(b);
    global.gc?.();
    const rssBefore = status('VmRSS');
    resetPeak();
    const t = performance.now();
    const cpu = process.cpuUsage();
    const summary = await exportJsonl(dataset.items, state, c, { mode: 'single' });
    const seconds = (performance.now() - t) / 1000;
    console.log(JSON.stringify({ seconds, cpuSeconds: cpuSince(cpu), rows: summary.written, rssBefore, peak: status('VmHWM') }));
    return;
  }
  throw new Error('usage: labelsChild.ts replay LOG | start LOG | export DATA LOG OUT');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
