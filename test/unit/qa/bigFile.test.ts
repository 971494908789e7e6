/**
 * "They will also try ... a 50,000-line file" (issue 4). The real engine worker, in a real worker
 * thread, on a 50,000-line JSONL of real texts with a few bad lines: the session gets ready, each
 * bad line is reported with file:line while the rest loads, 500 labels are acknowledged from disk
 * while the model retrains beside them, and no item is ever served twice.
 *
 * Timings are printed (t.diagnostic), never asserted: CI machines differ. Set QA_MODEL to a model
 * folder (e.g. test/fixtures/tiny-bert) to run the same scenario with a transformer model.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { labelLogPath } from '../../../src/core/labels/storePath';
import type { StartMessage } from '../../../src/shared/protocol/engine';
import { writeBigJsonl, type BigFile } from './bigData';
import { Host, initMessage } from '../worker/workerHost';

const LINES = 50_000;
const TARGET_LABELS = 500;
const LABELS = ['disaster', 'spam', 'other'];
/** Items asked per batch: the webview asks for a handful; 50 keeps the run short at 500 labels. */
const BATCH = 50;
const MODEL = process.env.QA_MODEL ? path.resolve(process.env.QA_MODEL) : 'lexical';

let dir: string;
let big: BigFile;
let generateMs = 0;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-qa-big-'));
  const started = performance.now();
  big = writeBigJsonl(path.join(dir, 'big.jsonl'), LINES);
  generateMs = performance.now() - started;
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function init(): StartMessage {
  return initMessage(big.file, dir, LABELS, { strategy: 'clustered-uncertainty', annotator: 'qa', model: MODEL, seed: 3 });
}

const ms = (n: number): string => `${Math.round(n)} ms`;
function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

test(`a ${LINES.toLocaleString('en-US')}-line file: ready, bad lines by file:line, ${TARGET_LABELS} labels acknowledged, nothing served twice`, { timeout: 600_000 }, async (t) => {
  const host = new Host();
  try {
    const t0 = performance.now();
    host.send(init());
    const ready = await host.wait('engineReady', () => true, 540_000);
    const readyMs = performance.now() - t0;

    // Every row is accounted for: loaded, or skipped with its line named.
    assert.equal(ready.summary.rows, LINES);
    assert.equal(ready.summary.skipped, big.bad.length);
    assert.equal(ready.summary.loaded, LINES - big.bad.length);
    assert.equal(ready.summary.duplicateRows, big.duplicateRows);
    assert.equal(ready.counts.total, LINES - big.bad.length - big.duplicateRows, 'duplicates are grouped into one item');
    for (const bad of big.bad) {
      const problem = ready.problems.find((p) => p.line === bad.line);
      assert.ok(problem, `line ${bad.line} (${bad.reason}) is reported; got ${ready.problems.map((p) => p.line).join(',')}`);
      assert.equal(problem.reason, bad.reason);
      assert.ok(problem.message.includes(`${big.file}:${bad.line}:`), `names file:line: ${problem.message}`);
      assert.match(problem.message, /Fix:/, 'says how to fix it');
    }

    const t1 = performance.now();
    host.send({ type: 'needItems', count: 10 });
    let batch = await host.wait('items');
    const firstBatchMs = performance.now() - t1;
    assert.equal(batch.items.length, 10);

    const served = new Set<string>();
    const ackMs: number[] = [];
    const ackDuringTraining: number[] = [];
    const batchMs: number[] = [firstBatchMs];
    // Training is in progress when the last training-or-idle progress seen is a training one.
    const trainingPhase = (): boolean => {
      const last = [...host.messages].reverse().find((m) => m.type === 'progress' && (m.phase === 'training' || m.phase === 'idle'));
      return last?.type === 'progress' && last.phase === 'training';
    };
    let labeled = 0;
    let requests = 0;
    for (;;) {
      for (const item of batch.items) {
        assert.ok(!served.has(item.id), `item ${item.id} served twice`);
        served.add(item.id);
      }
      for (const item of batch.items) {
        if (labeled >= TARGET_LABELS) break;
        const requestId = `l${requests++}`;
        const since = host.messages.length;
        const training = trainingPhase();
        const sent = performance.now();
        host.send({ type: 'label', requestId, itemId: item.id, labels: [big.truth.get(item.id) ?? 'other'], source: 'queue' });
        const reply = await host.reply(requestId, 60_000, since);
        assert.equal(reply.type, 'saved', `label ${requestId} on ${item.id}: ${JSON.stringify(reply)}`);
        const latency = performance.now() - sent;
        ackMs.push(latency);
        if (training) ackDuringTraining.push(latency);
        labeled++;
      }
      if (labeled >= TARGET_LABELS) break;
      const since = host.messages.length;
      const asked = performance.now();
      host.send({ type: 'needItems', count: BATCH });
      batch = await host.wait('items', () => true, 60_000, since);
      batchMs.push(performance.now() - asked);
      assert.ok(batch.items.length > 0, 'the pool is far from exhausted');
    }

    // Retrains run every 10 labels beside the queue; wait for the one in flight to finish. The last
    // few labels may wait for the next round (a retrain started before they arrived).
    if (trainingPhase()) await host.wait('progress', (m) => m.phase === 'idle', 120_000, host.messages.length - 1);
    assert.ok(!trainingPhase(), 'the background retrain finished');
    const entries = host.messages;
    const modelAt = entries.map((m) => m.type).lastIndexOf('model');
    const model = entries[modelAt];
    assert.ok(model?.type === 'model', 'a model was trained');
    assert.ok(model.version >= 2, 'retrained in the background while labeling');
    assert.ok(model.labeled >= TARGET_LABELS - 10, `the last model covers the labels up to its retrain: ${model.labeled}`);
    let startAt = modelAt;
    while (startAt > 0) {
      const m = entries[startAt]!;
      if (m.type === 'progress' && m.phase === 'training' && m.done === 0) break;
      startAt--;
    }
    const retrainMs = host.arrivedAt[modelAt]! - host.arrivedAt[startAt]!;

    // Every acknowledged label is a line in the log on disk.
    const log = (await fs.readFile(labelLogPath(dir, big.file), 'utf8')).split('\n').filter((l) => l.trim() !== '');
    assert.equal(log.length, TARGET_LABELS);

    const rssMiB = process.resourceUsage().maxRSS / 1024;
    t.diagnostic(`model ${MODEL}; generate ${ms(generateMs)}; ready ${ms(readyMs)}; first batch ${ms(firstBatchMs)}`);
    t.diagnostic(`batch p50 ${ms(quantile(batchMs, 0.5))} p95 ${ms(quantile(batchMs, 0.95))} max ${ms(Math.max(...batchMs))} (${batchMs.length} batches)`);
    t.diagnostic(
      `label ack p50 ${ms(quantile(ackMs, 0.5))} p95 ${ms(quantile(ackMs, 0.95))} max ${ms(Math.max(...ackMs))}; ` +
        `during a retrain (${ackDuringTraining.length}) p50 ${ms(quantile(ackDuringTraining, 0.5))} max ${ms(Math.max(0, ...ackDuringTraining))}`,
    );
    t.diagnostic(`retrain at ${model.labeled} labels (v${model.version}): ${ms(retrainMs)}; peak RSS (test process + worker) ${Math.round(rssMiB)} MiB`);
  } finally {
    await host.close();
  }
});
