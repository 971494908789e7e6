/**
 * A session on the user's own vectors: the real engine worker on the bundled sample with a
 * `<dataset>.vectors.npy` sidecar. The file is the store: the session starts without embedding
 * anything, writes no embedding cache, serves and saves labels, and a restart reads the file again.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { loadDataset } from '../../../src/core/dataset';
import { journalFileFor } from '../../../src/core/embedding/cacheJournal';
import { cacheFileFor } from '../../../src/core/embedding/cacheKeys';
import { LexicalEmbedder } from '../../../src/core/embedding/lexicalEmbedder';
import { datasetStoreDir } from '../../../src/core/labels/storePath';
import { encodeNpy } from '../../../src/core/embedding/npy';
import { Host, initMessage, servedItems } from './workerHost';

const SAMPLE = path.resolve(__dirname, '../../../sample/headlines.jsonl');
const LABELS = ['disaster', 'other'];
let dir: string;
let dataset: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'al-own-vectors-'));
  dataset = path.join(dir, 'headlines.jsonl');
  await fs.copyFile(SAMPLE, dataset);
  // One vector per data row, as a user would compute them: here lexical vectors of each row's text.
  const lines = (await fs.readFile(dataset, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const texts = lines.map((l) => String((JSON.parse(l) as { text: unknown }).text));
  const lexical = new LexicalEmbedder({ dimensions: 64 });
  lexical.fit(texts);
  const m = await lexical.embed(texts);
  await fs.writeFile(path.join(dir, 'headlines.jsonl.vectors.npy'), encodeNpy(m.data, m.rows, m.cols));
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(root, { withFileTypes: true, recursive: true })) if (entry.isFile()) out.push(entry.name);
  return out;
}

test('a vector file is used as it is: nothing embedded, no embedding cache (an old one removed), labels saved, restart reads it again', async () => {
  const items = (await loadDataset(dataset)).items.length;
  // What an earlier version left: these vectors cached whole, and its journal.
  const stale = cacheFileFor(datasetStoreDir(dir, dataset), 'vectors:headlines.jsonl.vectors.npy');
  await fs.mkdir(path.dirname(stale), { recursive: true });
  await fs.writeFile(stale, 'an old cache');
  await fs.writeFile(journalFileFor(stale), 'its journal');
  for (const run of [1, 2]) {
    const host = new Host();
    try {
      host.send(initMessage(dataset, dir, LABELS, { model: 'lexical' }));
      host.send({ type: 'needItems', count: 5 });
      const ready = await host.wait('engineReady', () => true, 120_000);
      assert.match(ready.embedder, /^vectors: vectors:headlines\.jsonl\.vectors\.npy$/, `run ${run}`);
      await host.wait('items', () => true, 60_000);
      const served = servedItems(host);
      assert.ok(served.length > 0);
      const item = served[0]!;
      host.send({ type: 'label', requestId: `r${run}`, itemId: item.id, labels: [LABELS[run % 2] as string], source: 'queue' });
      assert.equal((await host.reply(`r${run}`)).type, 'saved');
      const progress = host.messages.flatMap((m) => (m.type === 'progress' && m.phase === 'embedding' ? [m] : []));
      assert.ok(progress.length > 0 && progress.every((p) => p.done === items && p.total === items), 'every row is there at once');
    } finally {
      await host.close();
    }
  }
  const files = await filesUnder(dir);
  assert.deepEqual(files.filter((f) => f.startsWith('embeddings-')), [], `no embedding cache: ${files.join(', ')}`);
  assert.ok(files.some((f) => f.endsWith('.jsonl') && f !== 'headlines.jsonl'), 'the label log was written');
});
