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
import { isWorkerToHost, type InitMessage, type ModelMessage } from '../../../src/shared/workerProtocol';
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

function init(): InitMessage {
  return initMessage(dataset, dir, ['sport', 'weather'], { evalFraction: 0.25, seed: 3 });
}

test('every model message says how many held-out items its metrics and curve points were measured on', async () => {
  const host = new Host();
  try {
    host.send(init());
    await host.wait('ready');
    host.send({ type: 'requestBatch', count: 40 });
    const batch = await host.wait('batch');
    assert.equal(batch.items.length, 40);
    // Labeled one at a time, so after n saves exactly the first n items carry a label.
    const heldOut = batch.items.map((item) => item.strategy === 'evaluation');
    assert.ok(heldOut.some(Boolean) && !heldOut.every(Boolean), 'the batch mixes held-out and training items');
    for (const [k, item] of batch.items.entries()) {
      host.send({ type: 'label', requestId: `q${k}`, itemId: item.id, labels: [item.text.split(' ')[0] as string], source: 'queue' });
      await host.wait('saved', (m) => m.requestId === `q${k}`);
    }
    await host.wait('model', (m) => m.labeled >= 30 && m.metrics !== null);

    const models = host.messages.filter((m): m is ModelMessage => m.type === 'model' && m.metrics !== null);
    assert.ok(models.length >= 2, `${models.length} model versions with metrics`);
    const evaluatedOf = new Map<number, number>();
    for (const m of models) {
      const expected = heldOut.slice(0, m.labeled).filter(Boolean).length;
      assert.equal(m.metrics?.evaluated, expected, `v${m.version} after ${m.labeled} labels`);
      evaluatedOf.set(m.version, expected);
      const last = m.curve.at(-1);
      assert.equal(last?.version, m.version);
      assert.equal(last?.evaluated, expected, 'the newest curve point carries the same count');
      for (const point of m.curve) assert.equal(point.evaluated, evaluatedOf.get(point.version), `curve point v${point.version}`);
    }
    // The validator rejects a model message whose metrics lack the count.
    const sample = models[0] as ModelMessage;
    const { evaluated: _dropped, ...withoutCount } = sample.metrics as NonNullable<ModelMessage['metrics']>;
    assert.equal(isWorkerToHost({ ...sample, metrics: withoutCount }), false);
    assert.equal(isWorkerToHost(sample), true);
  } finally {
    await host.close();
  }
});
