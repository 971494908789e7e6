/**
 * Seed terms through the real engine worker: `init.seedPatterns` reaches the session, so at cold
 * start the items matching a keyword or a /regex/ are served first, each with a reason naming the
 * term that found it. Real data: the disaster-headlines evaluation files (rare disaster words).
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import * as v from 'valibot';
import { HostToWorker, type StartMessage } from '../../../src/shared/protocol/engine';
import { Host, initMessage } from './workerHost';

const headlinesDir = path.resolve(__dirname, '../../../..', 'shared/datasets/disaster-headlines');
const SOURCES = ['evaluation_data-related.csv', 'evaluation_data-not_related.csv'];
const SEEDS = ['flood', '/quake|tsunami/i'];

let dir: string;
let dataset: string;
/** Distinct texts of the file, read independently of the engine's loader. */
let texts: string[];

function init(overrides: Partial<StartMessage> = {}): StartMessage {
  return initMessage(dataset, dir, ['disaster', 'other'], { textField: 'column2', seed: 3, ...overrides });
}

/** The seed term that should claim a text: the first one that matches, as typed. */
function expectedTerm(text: string): string | undefined {
  if (text.toLowerCase().includes('flood')) return 'flood';
  if (/quake|tsunami/i.test(text)) return '/quake|tsunami/i';
  return undefined;
}

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-seed-'));
  dataset = path.join(dir, 'headlines.csv');
  const parts = await Promise.all(SOURCES.map((f) => fs.readFile(path.join(headlinesDir, f), 'utf8')));
  const body = parts.map((p) => p.trimEnd()).join('\n') + '\n';
  await fs.writeFile(dataset, body);
  const rows = parse(body, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  texts = [...new Set(rows.map((r) => r[1] as string))];
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test('init validation: seedPatterns is optional, and must be an array of strings', () => {
  assert.equal(v.is(HostToWorker, init()), true);
  assert.equal(v.is(HostToWorker, init({ seedPatterns: SEEDS })), true);
  assert.equal(v.is(HostToWorker, { ...init(), seedPatterns: 'flood' }), false, 'a string is not a list');
  assert.equal(v.is(HostToWorker, { ...init(), seedPatterns: { 0: 'flood' } }), false, 'an object is not a list');
  assert.equal(v.is(HostToWorker, { ...init(), seedPatterns: ['flood', 3] }), false, 'every term is a string');
});

test('cold start serves the seed-term matches first, each reason naming its term', async () => {
  const matching = texts.filter((t) => expectedTerm(t) !== undefined);
  assert.ok(matching.some((t) => expectedTerm(t) === 'flood') && matching.some((t) => expectedTerm(t) !== 'flood'), 'both terms find rows');
  // Seed matches fill at most half a batch: ask for enough that every match fits.
  const count = 2 * matching.length + 10;
  const host = new Host();
  try {
    host.send(init({ seedPatterns: SEEDS }));
    const ready = await host.wait('engineReady', () => true, 60_000);
    assert.ok(ready.summary.loaded >= texts.length, `loaded ${ready.summary.loaded}`);
    host.send({ type: 'needItems', count });
    const batch = await host.wait('items');
    assert.equal(batch.items.length, count);

    const firstOther = batch.items.findIndex((i) => expectedTerm(i.text) === undefined);
    assert.ok(firstOther >= matching.length, `the first ${matching.length} items match a term (first other at ${firstOther})`);
    const head = batch.items.slice(0, firstOther);
    const tail = batch.items.slice(firstOther);
    assert.deepEqual(new Set(head.map((i) => i.text)), new Set(matching), 'every match comes before any other item');
    assert.ok(tail.every((i) => expectedTerm(i.text) === undefined), 'no match is left for later');
    for (const item of head) {
      const term = expectedTerm(item.text)!;
      assert.equal(item.reason.strategy, 'seed-pattern');
      assert.match(item.reason.detail ?? '', /^Cold start/);
      if (term === 'flood') {
        assert.ok((item.reason.detail ?? '').includes('seed term "flood"'), item.reason.detail);
      } else {
        // A regex names itself and the words it found in this text.
        const found = /quake|tsunami/i.exec(item.text)![0];
        assert.ok((item.reason.detail ?? '').includes(`seed pattern /quake|tsunami/i ("${found}")`), item.reason.detail);
      }
    }
    assert.ok(tail.every((i) => i.reason.strategy !== 'seed-pattern' && !/seed/.test(i.reason.detail ?? '')));
  } finally {
    await host.close();
  }
});

test('without seed terms the same cold start has no seed reasons', async () => {
  const host = new Host();
  try {
    host.send(init({ workspaceRoot: path.join(dir, 'plain') }));
    await host.wait('engineReady', () => true, 60_000);
    host.send({ type: 'needItems', count: 20 });
    const batch = await host.wait('items');
    assert.equal(batch.items.length, 20);
    assert.ok(batch.items.every((i) => i.reason.strategy !== 'seed-pattern' && /^Cold start/.test(i.reason.detail ?? '')));
  } finally {
    await host.close();
  }
});
