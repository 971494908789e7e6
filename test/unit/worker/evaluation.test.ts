/**
 * The learning curve the real worker reports, and what survives a reload:
 * - only items the random share served (and imported labels) are scored, out of fold; no point
 *   and no accuracy before 20 of them; every point carries its count and its Wilson band;
 * - after a restart the model version goes on from where it was (never back to v1) and the curve
 *   comes back at once from model.json beside the log; a corrupt model.json is reported, not fatal.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as v from 'valibot';
import { datasetStoreDir, labelLogPath } from '../../../src/core/labels/storePath';
import { MIN_TRUSTED_EVALUATION_ITEMS } from '../../../src/shared/protocol';
import { WorkerToHost, type ModelMessage, type StartMessage } from '../../../src/shared/protocol/engine';
import { Host, initMessage, type Of } from './workerHost';

const topics = {
  sport: ['match', 'goal', 'team', 'coach', 'league', 'score', 'player', 'season'],
  weather: ['rain', 'storm', 'forecast', 'wind', 'snow', 'sunny', 'cloud', 'temperature'],
};

let root: string;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'al-eval-'));
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function workspace(name: string, withLabels = 0): Promise<{ dir: string; dataset: string }> {
  const dir = path.join(root, name);
  await fs.mkdir(dir);
  const dataset = path.join(dir, 'data.jsonl');
  const lines = Array.from({ length: 120 }, (_, i) => {
    const topic = i % 2 === 0 ? 'sport' : 'weather';
    const words = Array.from({ length: 5 }, (_, k) => topics[topic][(i * 3 + k * 5) % 8]);
    return JSON.stringify({ id: `r${i}`, text: `${topic} ${words.join(' ')} item ${i}`, ...(i < withLabels ? { label: topic } : {}) });
  });
  await fs.writeFile(dataset, lines.join('\n') + '\n');
  return { dir, dataset };
}

/** Labels `count` served items one at a time (in order), answering with the text's topic. */
async function labelServed(host: Host, count: number, prefix: string): Promise<Of<'items'>['items']> {
  host.send({ type: 'needItems', count });
  const batch = await host.wait('items', (m) => m.items.length > 0, 20_000, host.messages.length);
  for (const [k, item] of batch.items.entries()) {
    host.send({ type: 'label', requestId: `${prefix}${k}`, itemId: item.id, labels: [item.text.split(' ')[0] as string], source: 'queue' });
    await host.reply(`${prefix}${k}`);
  }
  return batch.items;
}

/**
 * Waits for the version trained on exactly `labeled` labels and the end of its retrain. With
 * retrainEvery 1 such a version always comes (a label that arrives during a retrain is taken by the
 * next one), and once it is done, nothing is left to retrain.
 */
async function settled(host: Host, labeled: number): Promise<ModelMessage> {
  const model = await host.wait('model', (m) => m.trainedOn === labeled, 60_000);
  await host.wait('progress', (m) => m.phase === 'idle', 60_000, host.messages.indexOf(model));
  return model;
}

const models = (host: Host, since = 0): ModelMessage[] => host.messages.slice(since).filter((m): m is ModelMessage => m.type === 'model');

test('only random-share items are scored, out of fold; nothing below 20 of them; every point has its count and band', async () => {
  const { dir, dataset } = await workspace('random-share');
  const host = new Host();
  try {
    host.send(initMessage(dataset, dir, ['sport', 'weather'], { randomShare: 0.5, retrainEvery: 1, seed: 3 }));
    await host.wait('engineReady');
    const served = await labelServed(host, 60, 'q');
    await settled(host, 60);
    const random = served.map((item) => item.reason.strategy === 'random');
    assert.ok(random.some(Boolean) && !random.every(Boolean), 'the batches mix random-share and strategy picks');

    const all = models(host);
    assert.ok(all.length >= 3, `${all.length} versions`);
    for (const m of all) {
      assert.ok(m.evaluated !== undefined, `v${m.version} says how many items there are to score`);
      if (m.accuracy === undefined) {
        assert.ok(m.evaluated < MIN_TRUSTED_EVALUATION_ITEMS, `v${m.version}: no accuracy only below the minimum (${m.evaluated})`);
      } else {
        assert.ok(m.evaluated >= MIN_TRUSTED_EVALUATION_ITEMS);
        assert.ok(m.accuracyLow! <= m.accuracy && m.accuracy <= m.accuracyHigh!, `v${m.version} band`);
      }
      assert.equal(v.is(WorkerToHost, m), true);
    }
    const last = all.at(-1) as ModelMessage;
    assert.ok(last.curve.length >= 1, 'a curve once 20 random-share items are labeled');
    for (const point of last.curve) {
      // Labels are applied in order, so the version trained on `labels` labels scored exactly the
      // random-share items among the first `labels` served.
      assert.equal(point.evaluated, random.slice(0, point.labels).filter(Boolean).length, `point at ${point.labels} labels`);
      assert.ok(point.evaluated >= MIN_TRUSTED_EVALUATION_ITEMS);
      assert.ok(point.low <= point.accuracy && point.accuracy <= point.high && point.high - point.low > 0.05, JSON.stringify(point));
    }
    // The hint's progress is structured: kappa (once there are enough versions) against the threshold.
    assert.ok(last.stopping !== undefined && last.stopping.threshold > 0.9, JSON.stringify(last.stopping));
    assert.ok(last.stopping.kappa !== null, 'dozens of versions: kappa is known');
    assert.equal(last.stopping.stop, last.stopping.kappa >= last.stopping.threshold);
    assert.match(last.stopping.message, last.stopping.stop ? /stabilized/ : /still changing: κ \d\.\d\d of 0\.\d\d/);
  } finally {
    await host.close();
  }
});

test('imported labels are a fixed evaluation set: scored from the first version', async () => {
  const { dir, dataset } = await workspace('imported', 30);
  const host = new Host();
  try {
    host.send(initMessage(dataset, dir, ['sport', 'weather'], { existingLabels: { field: 'label', use: 'import', map: { sport: 'sport', weather: 'weather' } }, seed: 3 }));
    const ready = await host.wait('engineReady');
    assert.equal(ready.imported, 30);
    const first = await host.wait('model', (m) => m.version > 0, 60_000);
    assert.equal(first.evaluated, 30, 'all 30 imported items are scored');
    assert.ok(first.accuracy !== undefined && first.curve.length === 1);
    assert.equal(first.curve[0]?.labels, 30);
  } finally {
    await host.close();
  }
});

test('after a restart the version only goes up and the curve comes back; a corrupt model.json is reported, not fatal', async () => {
  const { dir, dataset } = await workspace('reload');
  const init: StartMessage = initMessage(dataset, dir, ['sport', 'weather'], { strategy: 'random', retrainEvery: 1, seed: 5 });
  const stateFile = path.join(datasetStoreDir(dir, dataset), 'model.json');
  const logVersions = async (): Promise<number[]> =>
    (await fs.readFile(labelLogPath(dir, dataset), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => {
        const e = JSON.parse(line) as { modelVersion?: string };
        return e.modelVersion === undefined ? [] : [Number(e.modelVersion)];
      });

  // First session: 40 random labels, so the curve has points from 20 labels on.
  let first: ModelMessage;
  const a = new Host();
  try {
    a.send(init);
    await a.wait('engineReady');
    await labelServed(a, 40, 'a');
    first = await settled(a, 40);
    assert.ok(first.curve.length >= 2, `${first.curve.length} points`);
  } finally {
    await a.close();
  }
  const saved = JSON.parse(await fs.readFile(stateFile, 'utf8')) as { version: number; curve: unknown[] };
  assert.equal(saved.version, first.version);
  assert.equal(saved.curve.length, first.curve.length);

  // Second session: the stored version and curve at once, then versions above them.
  const b = new Host();
  try {
    b.send(init);
    await b.wait('engineReady');
    const restored = await b.wait('model');
    assert.equal(restored.version, first.version, 'the first snapshot is the stored one');
    assert.deepEqual(restored.curve, first.curve, 'the curve comes back before any retrain');
    const since = b.messages.length;
    // The resumed session retrains on the 40 labels at once; then 10 more.
    await settled(b, 40);
    await labelServed(b, 10, 'c');
    const later = await settled(b, 50);
    for (const m of models(b, since)) assert.ok(m.version > first.version, `v${m.version} after v${first.version}`);
    // The earlier points are kept as measured; the resumed retrain at 40 labels measures 40 again.
    assert.deepEqual(later.curve.slice(0, first.curve.length - 1), first.curve.slice(0, -1));
    assert.equal(later.curve.filter((p) => p.labels === 40).length, 1);
    assert.equal(later.curve.at(-1)?.labels, 50);
  } finally {
    await b.close();
  }
  const versions = await logVersions();
  assert.ok(versions.every((n, i) => i === 0 || n >= (versions[i - 1] as number)), `modelVersion never goes down in the log: ${versions.join(',')}`);
  assert.ok((versions.at(-1) as number) > first.version, 'labels of the second session name its newer versions');

  // Third session, with model.json damaged: a warning, the curve starts over, versions still go up.
  await fs.writeFile(stateFile, '{"format":1,"version":"nine"');
  const c = new Host();
  try {
    c.send(init);
    await c.wait('engineReady');
    const warning = await c.wait('log', (m) => m.level === 'warn' && m.message.includes('model.json'));
    assert.match(warning.message, /cannot be used/);
    const next = await c.wait('model', (m) => m.trainedOn !== undefined, 60_000);
    assert.equal(next.version, Math.max(...versions) + 1, 'numbered after the highest modelVersion in the log');
    assert.equal(next.curve.length, 1, 'the curve starts over from this version');
  } finally {
    await c.close();
  }
});
