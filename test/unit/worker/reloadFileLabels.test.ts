/**
 * The file's own labels follow an edited file: a row added (or whose text is edited) after the
 * session started carries its file label as the setup chose, imported as a label or kept as a
 * prediction to review; a label the annotator gave is never overwritten by the file. The real
 * engine worker, the tiny transformers.js model, the real loader, log and embedding cache.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { labelLogPath, replay } from '../../../src/core/labels';
import { ensureTinyModel } from '../../fixtures/tinyModel';
import { Host, initMessage, type Of } from './workerHost';

const LABELS = ['sport', 'weather'];
const MAP = { s: 'sport', w: 'weather' };
let root: string;
let modelDir: string;

before(async () => {
  root = await fs.mkdtemp(path.join(tmpdir(), 'al-reload-labels-'));
  modelDir = ensureTinyModel();
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const TOPICS = ['the home team wins', 'a cold front moves in', 'the striker scores twice', 'fog over the hills'];
const row = (i: number, label: string | null, text = `${TOPICS[i % TOPICS.length]} in story ${i}`): string => JSON.stringify({ id: `r${i}`, text, label });
/** r0..r11: the first eight carry a file label (s / w), the last four none. */
const firstVersion = (): string[] => Array.from({ length: 12 }, (_, i) => row(i, i < 8 ? (i % 2 === 0 ? 's' : 'w') : null));

async function start(use: 'import' | 'review'): Promise<{ host: Host; dir: string; file: string; ready: Of<'engineReady'> }> {
  const dir = await fs.mkdtemp(path.join(root, `${use}-`));
  const file = path.join(dir, 'data.jsonl');
  await fs.writeFile(file, `${firstVersion().join('\n')}\n`);
  const host = new Host();
  host.send(initMessage(file, dir, LABELS, { model: modelDir, existingLabels: { field: 'label', use, map: MAP } }));
  const ready = await host.wait('engineReady', () => true, 120_000);
  return { host, dir, file, ready };
}

/** Adds r12 (s), r13 (w) and r14 (no label), edits r9's text (now with a file label) and r0's file label (text kept). */
async function edit(file: string): Promise<void> {
  const rows = firstVersion();
  rows[0] = row(0, 'w');
  rows[9] = row(9, 'w', 'heavy rain and a flood warning for the valley');
  rows.push(row(12, 's'), row(13, 'w'), row(14, null));
  await fs.writeFile(file, `${rows.join('\n')}\n`);
}

async function reload(host: Host): Promise<number> {
  const since = host.messages.length;
  host.send({ type: 'reloadDataset' });
  const reloaded = await host.wait('datasetReloaded', () => true, 120_000, since);
  assert.equal(reloaded.failed, undefined, reloaded.failed);
  assert.deepEqual([reloaded.added, reloaded.removed, reloaded.changed], [3, 0, 1]);
  return since;
}

test('import: the rows a reload adds or edits get their file labels as import events; labels already in the log stay', async () => {
  const { host, dir, file, ready } = await start('import');
  try {
    assert.deepEqual([ready.imported, ready.counts.labeled, ready.counts.total], [8, 8, 12]);
    // The annotator relabels r2 (the file says sport) and labels r10 (no file label).
    host.send({ type: 'label', requestId: 'l1', itemId: 'r2', labels: ['weather'], source: 'queue' });
    assert.equal((await host.reply('l1')).type, 'saved');
    host.send({ type: 'label', requestId: 'l2', itemId: 'r10', labels: ['sport'], source: 'queue' });
    assert.equal((await host.reply('l2')).type, 'saved');

    await edit(file);
    const since = await reload(host);
    const counts = await host.wait('counts', (m) => m.total === 15 && m.labeled === 12, 60_000, since);
    assert.deepEqual(counts.counts, { sport: 5, weather: 7 }, 'r9, r12 and r13 imported; r2 keeps the annotator\'s weather');

    const { events } = await replay(labelLogPath(dir, file));
    const imports = events.filter((e) => e.source === 'import');
    assert.deepEqual(
      imports.map((e) => [e.itemId, e.labels]).sort(),
      [...Array.from({ length: 8 }, (_, i) => [`r${i}`, [i % 2 === 0 ? 'sport' : 'weather']]), ['r12', ['sport']], ['r13', ['weather']], ['r9', ['weather']]].sort(),
      "every row with a file label the log had not seen, once; r0's new file value does not replace its import",
    );
    assert.ok(imports.every((e) => e.annotator === 'import:data.jsonl'));
    const latest = new Map(events.map((e) => [e.itemId, e]));
    assert.deepEqual(latest.get('r2')?.labels, ['weather'], "the annotator's label stays");
    assert.equal(latest.get('r14'), undefined, 'a row without a file label gets nothing');

    // A second reload of the same file adds nothing.
    const again = host.messages.length;
    host.send({ type: 'reloadDataset' });
    await host.wait('datasetReloaded', () => true, 120_000, again);
    assert.equal((await replay(labelLogPath(dir, file))).events.length, events.length);
  } finally {
    await host.close();
  }
});

test('review: the rows a reload adds or edits join the imported order with their file label as the suggestion', async () => {
  const { host, file } = await start('review');
  try {
    const ask = async (): Promise<Of<'items'>['items']> => {
      const since = host.messages.length;
      host.send({ type: 'reviewMode', review: { order: 'imported', filters: {} } });
      host.send({ type: 'needItems', count: 50 });
      return (await host.wait('items', (m) => m.review !== undefined, 60_000, since)).items;
    };
    const before = await ask();
    assert.deepEqual(before.map((i) => i.id).sort(), ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    host.send({ type: 'reviewMode', review: null });

    await edit(file);
    await reload(host);
    const after = await ask();
    const suggested = new Map(after.map((i) => [i.id, i.suggestion?.labels]));
    assert.deepEqual([...suggested.keys()].sort(), ['r0', 'r1', 'r12', 'r13', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r9']);
    assert.deepEqual(suggested.get('r12'), ['sport']);
    assert.deepEqual(suggested.get('r13'), ['weather']);
    assert.deepEqual(suggested.get('r9'), ['weather'], 'the edited row carries its new file label');
    assert.deepEqual(suggested.get('r0'), ['sport'], 'a file value changed without a text edit is read at the next start, not now');
  } finally {
    await host.close();
  }
});
