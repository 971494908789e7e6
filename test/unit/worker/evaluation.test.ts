/**
 * The held-out count behind every accuracy: the real worker reports how many evaluation items each
 * model version was measured on, in its metrics and on every point of the learning curve, so the
 * UI can say "accuracy 83% on 12 held-out items" and grey a figure measured on two.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as v from 'valibot';
import { WorkerToHost, type ModelMessage, type StartMessage } from '../../../src/shared/protocol/engine';
import { Host, initMessage } from './workerHost';

const topics = {
  sport: ['match', 'goal', 'team', 'coach', 'league', 'score', 'player', 'season'],
  weather: ['rain', 'storm', 'forecast', 'wind', 'snow', 'sunny', 'cloud', 'temperature'],
};

let dir: string;
let dataset: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-eval-'));
  dataset = path.join(dir, 'data.jsonl');
  const lines = Array.from({ length: 120 }, (_, i) => {
    const topic = i % 2 === 0 ? 'sport' : 'weather';
    const words = Array.from({ length: 5 }, (_, k) => topics[topic][(i * 3 + k * 5) % 8]);
    return JSON.stringify({ id: `r${i}`, text: `${topic} ${words.join(' ')} item ${i}` });
  });
  await fs.writeFile(dataset, lines.join('\n') + '\n');
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function init(): StartMessage {
  return initMessage(dataset, dir, ['sport', 'weather'], { evaluationFraction: 0.25, seed: 3 });
}

test('every model message says how many held-out items its metrics and curve points were measured on', async () => {
  const host = new Host();
  try {
    host.send(init());
    await host.wait('engineReady');
    host.send({ type: 'needItems', count: 40 });
    const batch = await host.wait('items');
    assert.equal(batch.items.length, 40);
    // Labeled one at a time, so after n saves exactly the first n items carry a label.
    const heldOut = batch.items.map((item) => item.reason.strategy === 'evaluation');
    assert.ok(heldOut.some(Boolean) && !heldOut.every(Boolean), 'the batch mixes held-out and training items');
    for (const [k, item] of batch.items.entries()) {
      host.send({ type: 'label', requestId: `q${k}`, itemId: item.id, labels: [item.text.split(' ')[0] as string], source: 'queue' });
      await host.wait('saved', (m) => m.requestId === `q${k}`);
    }
    await host.wait('model', (m) => m.labeled >= 30 && m.evaluated !== undefined);

    const models = host.messages.filter((m): m is ModelMessage => m.type === 'model' && m.evaluated !== undefined);
    assert.ok(models.length >= 2, `${models.length} model versions with metrics`);
    for (const m of models) {
      const expected = heldOut.slice(0, m.labeled).filter(Boolean).length;
      assert.equal(m.evaluated, expected, `v${m.version} after ${m.labeled} labels`);
      assert.equal(m.curve.at(-1)?.evaluated, expected, 'the newest curve point carries the same count');
    }
    // Each later curve keeps the earlier points as they were measured.
    const lastCurve = (models.at(-1) as ModelMessage).curve;
    for (const m of models) m.curve.forEach((point, i) => assert.equal(point.evaluated, lastCurve[i]?.evaluated, `v${m.version} point ${i}`));
    // The schema refuses a curve point whose accuracy is not a probability.
    const sample = models[0] as ModelMessage;
    assert.equal(v.is(WorkerToHost, { ...sample, curve: [{ ...sample.curve[0], accuracy: 2 }] }), false);
    assert.equal(v.is(WorkerToHost, sample), true);
  } finally {
    await host.close();
  }
});
