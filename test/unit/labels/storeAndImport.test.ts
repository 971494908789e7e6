import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { join, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { datasetStoreDir, ensureStoreRoot, importLabels, labelLogPath, LabelLog, replay, undoOf } from '../../../src/core/labels';
import { eachTempLog, labelInput, tempDir } from './helpers';

describe('datasetStoreDir', () => {
  const root = resolve('/work/space');

  it('puts the store under .activelabel with a readable, stable key', () => {
    const dir = datasetStoreDir(root, join(root, 'data', 'tweets.csv'));
    assert.equal(resolve(dir, '..'), join(root, '.activelabel'));
    assert.match(dir.split(sep).pop() as string, /^tweets\.csv-[0-9a-f]{8}$/);
    assert.equal(datasetStoreDir(root, 'data/tweets.csv'), dir, 'relative and absolute paths agree');
    assert.equal(datasetStoreDir(`${root}${sep}`, join(root, 'data', '.', 'tweets.csv')), dir);
    assert.equal(labelLogPath(root, 'data/tweets.csv'), join(dir, 'labels.jsonl'));
  });

  it('gives same-named files in different folders different keys', () => {
    assert.notEqual(datasetStoreDir(root, 'a/data.jsonl'), datasetStoreDir(root, 'b/data.jsonl'));
  });

  it('sanitizes names that are unsafe as folder names', () => {
    const key = (name: string): string => datasetStoreDir(root, name).split(sep).pop() as string;
    assert.match(key('..hidden file (1).csv'), /^hidden_file_1_.csv-[0-9a-f]{8}$/);
    assert.match(key('Überschrift.tsv'), /^Uberschrift\.tsv-[0-9a-f]{8}$/);
    assert.match(key('日本語'), /^dataset-[0-9a-f]{8}$/);
    assert.ok(key(`${'x'.repeat(300)}.csv`).length <= 48 + 9);
  });
});

describe('ensureStoreRoot', () => {
  it('keeps embedding caches out of git but not the label log, and never overwrites a user edit', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const store = await ensureStoreRoot(dir);
      assert.equal(store, join(dir, '.activelabel'));
      const git = (...args: string[]): ReturnType<typeof spawnSync> => spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
      if (git('init', '-q').status === 0) {
        // Ask git itself, so the test checks the ignore rules as git reads them.
        const ignored = (rel: string): boolean => git('check-ignore', '-q', rel).status === 0;
        assert.ok(ignored('.activelabel/data.csv-0123abcd/embeddings-lexical-1a2b3c4d.bin'));
        assert.ok(!ignored('.activelabel/data.csv-0123abcd/labels.jsonl'));
        assert.ok(!ignored('.activelabel/data.csv-0123abcd/setup.json'));
      }
      await writeFile(join(store, '.gitignore'), '# mine\n');
      await ensureStoreRoot(dir);
      assert.equal(await readFile(join(store, '.gitignore'), 'utf8'), '# mine\n');
    } finally {
      await cleanup();
    }
  });
});

describe('importLabels', () => {
  let file: string;
  eachTempLog((path) => (file = path));

  const items = [
    { id: 'a', importedLabels: ['pos'] },
    { id: 'b', importedLabels: ['neg', 'neg', 'other'] },
    { id: 'c' },
    { id: 'd', importedLabels: ['  '] },
    { id: 'e', importedLabels: ['pos'] },
  ];

  it('imports only items the log has never seen, and is idempotent', async () => {
    const log = await LabelLog.open(file);
    const [edited] = await log.append(labelInput('e', ['neg']));
    await log.append(undoOf(edited!, { annotator: 'alice' }));
    let replayed = await replay(file);
    const first = importLabels(items, replayed.events, { annotator: 'import:data.csv' });
    assert.deepEqual(first.map((e) => [e.itemId, e.labels, e.source]), [
      ['a', ['pos'], 'import'],
      ['b', ['neg', 'other'], 'import'],
    ]);
    await log.append(first);
    replayed = await replay(file);
    assert.deepEqual(replayed.state.get('b')?.labels, ['neg', 'other']);
    assert.equal(replayed.state.get('b')?.labelEvent?.source, 'import');
    assert.equal(replayed.state.has('e'), false, 'an undone edit is not overwritten by the import');
    assert.deepEqual(importLabels(items, replayed.events, { annotator: 'import:data.csv' }), []);
    await log.close();
  });
});
