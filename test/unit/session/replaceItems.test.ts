/**
 * Edits to the data file under a running session: the real loader reads two versions of a file,
 * the lexical embedder embeds them, and `LabelingSession.replaceItems` moves the session to the
 * second. Labels are keyed by id, so they stay with their items: an item with an explicit id keeps
 * its label through a text edit; an edited line without an id is a new, unlabeled item; deleted
 * lines leave the pool and the counts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { loadDataset } from '../../../src/core/dataset';
import { embedDataset, LexicalEmbedder } from '../../../src/core/embedding';
import { completeEvent } from '../../../src/core/labels/events';
import { diffItems, LabelingSession } from '../../../src/core/session';
import type { Dataset, Matrix } from '../../../src/core/types';
import { labelEvent } from './fixtures';

const LABELS = ['sport', 'weather'];
let dir: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'al-replace-items-'));
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const line = (text: string, id?: string): string => JSON.stringify(id === undefined ? { text } : { id, text });

/** Twenty lines: the first four carry explicit ids, the rest are identified by their text. */
function version1(): string[] {
  const rows: string[] = [];
  for (let i = 0; i < 20; i++) {
    const topic = i % 2 === 0 ? `the match ended ${i} to nil after extra time` : `heavy rain number ${i} floods the valley roads`;
    rows.push(i < 4 ? line(topic, `doc-${i}`) : line(topic));
  }
  return rows;
}

async function load(name: string, rows: readonly string[]): Promise<{ dataset: Dataset; x: Matrix }> {
  const file = path.join(dir, name);
  await fs.writeFile(file, `${rows.join('\n')}\n`);
  const dataset = await loadDataset(file, { textField: 'text' });
  const { matrix } = await embedDataset(dataset.items, new LexicalEmbedder(), undefined);
  return { dataset, x: matrix };
}

function newSession(dataset: Dataset, x: Matrix): LabelingSession {
  return new LabelingSession(dataset.items, x, { labels: LABELS, mode: 'single', strategy: 'random', seed: 2, retrainEvery: 2 });
}

const truthOf = (text: string): string => (text.includes('match') ? 'sport' : 'weather');

test('diffItems: an explicit id with new text is changed; a line without an id that is edited is removed and added', async () => {
  const v1 = await load('diff-1.jsonl', version1());
  const rows = version1();
  rows[1] = line('the derby was called off at half time', 'doc-1');
  rows[6] = line('a late goal settles the cup final');
  rows.splice(9, 1);
  rows.unshift(line('snow closes the mountain pass'));
  const v2 = await load('diff-2.jsonl', rows);
  const change = diffItems(v1.dataset.items, v2.dataset.items);
  const idAt = (d: Dataset, lineNo: number): string => d.items.find((i) => i.line === lineNo)!.id;
  assert.deepEqual(change.changed, ['doc-1']);
  assert.deepEqual(new Set(change.removed), new Set([idAt(v1.dataset, 7), idAt(v1.dataset, 10)]));
  assert.deepEqual(new Set(change.added), new Set([idAt(v2.dataset, 1), idAt(v2.dataset, 8)]));
  assert.equal(v2.dataset.items.length, v1.dataset.items.length, 'one line in, one out');
});

test('replaceItems keeps labels by id, drops deleted items from pool and counts, and serves the new items', async () => {
  const v1 = await load('session-1.jsonl', version1());
  const s = newSession(v1.dataset, v1.x);
  const byLine = (lineNo: number): string => v1.dataset.items.find((i) => i.line === lineNo)!.id;
  // Label doc-0 .. doc-3 (explicit ids) and lines 5..10 (hash ids), so a model can train.
  const labeled = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(byLine);
  for (const id of labeled) s.applyLabel(labelEvent(id, [truthOf(v1.dataset.items[s.rowOfItem(id)!]!.text)]));
  assert.ok(s.retrain() !== null, 'a model trains on the first version');
  const served = s.nextBatch(4).map((p) => p.itemId);

  const rows = version1();
  const editedWithId = 'doc-2';
  rows[2] = line('blue skies and a light breeze all week', editedWithId); // was sport; its label is kept
  const editedNoIdOld = byLine(7);
  rows[6] = line('a late goal settles the cup final'); // line 7, no id: a new item
  const deleted = byLine(10);
  rows.splice(9, 1); // line 10 goes
  rows.unshift(line('snow closes the mountain pass')); // a new first line shifts every other one
  const v2 = await load('session-2.jsonl', rows);
  const servedGone = served.filter((id) => id === editedWithId || id === editedNoIdOld || id === deleted);

  const result = s.replaceItems(v2.dataset.items, v2.x);

  assert.deepEqual(result.changed, [editedWithId]);
  assert.deepEqual(new Set(result.removed), new Set([editedNoIdOld, deleted]));
  assert.equal(result.added.length, 2);
  assert.equal(result.trainingChanged, true, 'a labeled item was deleted and one was re-embedded');
  assert.deepEqual(new Set(result.withdrawn), new Set(servedGone), 'only served items that left or changed are withdrawn');

  // The explicit id keeps its label, at its new row, with the new text's vector.
  const row = s.rowOfItem(editedWithId)!;
  assert.equal(s.items[row]!.text, 'blue skies and a light breeze all week');
  assert.deepEqual(s.labelsOf(editedWithId), ['sport'], 'the label given to the old text stays with the id');
  const v2Row = v2.dataset.items.findIndex((i) => i.id === editedWithId);
  assert.deepEqual(s.embeddings.data.subarray(row * s.embeddings.cols, (row + 1) * s.embeddings.cols), v2.x.data.subarray(v2Row * v2.x.cols, (v2Row + 1) * v2.x.cols));
  // Every other labeled item still has its label at its (shifted) row.
  for (const id of labeled.filter((i) => i !== deleted && i !== editedNoIdOld)) {
    assert.ok(s.isLabeled(id), `${id} keeps its label`);
    assert.equal(s.items[s.rowOfItem(id)!]!.id, id);
  }
  // The edited line without an id is a new, unlabeled item; the deleted and the old text are gone.
  const newItem = v2.dataset.items.find((i) => i.text === 'a late goal settles the cup final')!;
  assert.equal(s.isLabeled(newItem.id), false);
  assert.equal(s.rowOfItem(editedNoIdOld), undefined);
  assert.equal(s.rowOfItem(deleted), undefined);

  // Counts and progress count only the items still in the file (8 of the 10 labels).
  const progress = s.progress();
  assert.equal(progress.total, 20);
  assert.equal(progress.labeled, 8);
  assert.equal(Object.values(s.counts()).reduce((a, b) => a + b, 0), 8);

  // The model is kept, scores every new row, and is due to retrain.
  assert.ok(s.model !== undefined);
  assert.ok(s.prediction(newItem.id) !== undefined, 'the kept model predicts a new item');
  assert.equal(s.shouldRetrain(), true);
  assert.ok(s.retrain() !== null);

  // The pool: every unlabeled item (new ones included) is served once, never a deleted one,
  // and items served before the reload that are still there are not served twice.
  const stillOut = served.filter((id) => !servedGone.includes(id));
  const rest = s.nextBatch(100).map((p) => p.itemId);
  const unlabeled = v2.dataset.items.filter((i) => !s.isLabeled(i.id)).map((i) => i.id);
  assert.deepEqual(new Set([...rest, ...stillOut]), new Set(unlabeled));
  assert.equal(rest.length + stillOut.length, unlabeled.length);
  assert.ok(!rest.includes(deleted) && !rest.includes(editedNoIdOld));
});

test('replaceItems: a skip survives the reload, a withdrawn item may be served again, a label on a deleted id is not counted', async () => {
  const v1 = await load('skip-1.jsonl', version1());
  const s = newSession(v1.dataset, v1.x);
  const [first, second] = s.nextBatch(2);
  s.applyLabel(completeEvent({ type: 'skip', itemId: first!.itemId, labels: [], annotator: 't', source: 'queue' }));
  const rows = version1().filter((r) => JSON.parse(r).id !== second!.itemId && JSON.parse(r).text !== v1.dataset.items[second!.row]!.text);
  const v2 = await load('skip-2.jsonl', rows);
  const result = s.replaceItems(v2.dataset.items, v2.x);
  assert.deepEqual(result.withdrawn, [second!.itemId]);
  assert.equal(s.labelState.get(first!.itemId)?.skipped, true);
  const served = s.nextBatch(100).map((p) => p.itemId);
  assert.ok(!served.includes(first!.itemId), 'the skipped item still waits for "serve skipped again"');
  assert.ok(!served.includes(second!.itemId), 'the deleted item is not served');
  assert.equal(served.length, 18);

  // A label in the log for an id the file no longer has stays in the state but is not counted.
  s.applyLabel(labelEvent(second!.itemId, ['sport']));
  assert.equal(s.progress().labeled, 0);
  assert.equal(Object.values(s.counts()).reduce((a, b) => a + b, 0), 0);

  // Putting the line back brings its label back.
  const v3 = await load('skip-3.jsonl', version1());
  s.replaceItems(v3.dataset.items, v3.x);
  assert.equal(s.progress().labeled, 1);
  assert.deepEqual(s.labelsOf(second!.itemId), ['sport']);
});
