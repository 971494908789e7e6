import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../../src/cli/main';
import { loadDataset } from '../../../src/core/dataset';
import { LexicalEmbedder } from '../../../src/core/embedding/lexicalEmbedder';
import { encodeNpy } from '../../../src/core/embedding/npy';

const root = path.resolve(__dirname, '../../..');
const labeledCsv = path.join(root, 'sample', 'headlines-labeled.csv');

function capture(): { io: Parameters<typeof main>[1] & object; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l), progress: () => undefined }, out, err };
}

describe('--vectors in the CLI', () => {
  let dir: string;
  let csv: string;
  let npy: string;
  let rows: number;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'al-cli-vectors-'));
    csv = path.join(dir, 'headlines.csv');
    await copyFile(labeledCsv, csv);
    // The user's vectors: one row per data row of the CSV, from a real embedder.
    const dataset = await loadDataset(csv);
    rows = dataset.summary.rows;
    assert.equal(rows, dataset.items.length, 'the sample has no skipped or duplicate rows');
    const texts = dataset.items.map((item) => item.text);
    const lexical = new LexicalEmbedder({ dimensions: 256 });
    lexical.fit(texts);
    const m = await lexical.embed(texts);
    npy = path.join(dir, 'mine.npy');
    await writeFile(npy, encodeNpy(m.data, m.rows, m.cols));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('embed --vectors serves the file through the cache and says how it matched', async () => {
    const args = ['embed', '--data', csv, '--vectors', npy, '--cache-dir', path.join(dir, 'cache')];
    let c = capture();
    assert.equal(await main(args, c.io), 0, c.err.join('\n'));
    const out = c.out.join('\n');
    assert.match(out, new RegExp(`mine\\.npy: ${rows} rows x 256 dimensions matched .*headlines\\.csv's ${rows} data rows by row count and position\\.`));
    assert.match(out, /Embedder: vectors:mine\.npy \(precomputed vectors\), 256 dimensions\./);
    assert.match(out, new RegExp(`0 from cache, ${rows} computed`));
    c = capture();
    assert.equal(await main(args, c.io), 0);
    assert.match(c.out.join('\n'), new RegExp(`${rows} from cache, 0 computed`));
  });

  it('finds <dataset>.vectors.npy by itself, unless --model is given', async () => {
    const data = path.join(dir, 'side.csv');
    await copyFile(csv, data);
    await copyFile(npy, path.join(dir, 'side.vectors.npy'));
    let c = capture();
    assert.equal(await main(['embed', '--data', data, '--cache-dir', path.join(dir, 'cache')], c.io), 0, c.err.join('\n'));
    assert.match(c.err.join('\n'), /Using the vectors in .*side\.vectors\.npy \(found next to the dataset; pass --model/);
    assert.match(c.out.join('\n'), /Embedder: vectors:side\.vectors\.npy/);
    c = capture();
    assert.equal(await main(['embed', '--data', data, '--model', 'lexical', '--cache-dir', path.join(dir, 'cache')], c.io), 0);
    assert.match(c.out.join('\n'), /Embedder: lexical/);
  });

  it('exits 1 with file and counts when the rows do not line up, and 2 on contradictory flags', async () => {
    const short = path.join(dir, 'short.npy');
    await writeFile(short, encodeNpy(new Float32Array(10 * 4).fill(1), 10, 4));
    let c = capture();
    assert.equal(await main(['embed', '--data', csv, '--vectors', short, '--cache-dir', path.join(dir, 'cache')], c.io), 1);
    assert.match(c.err.join('\n'), new RegExp(`short\\.npy: 10 vectors for ${rows} data rows`));
    for (const argv of [
      ['embed', '--data', csv, '--vectors', npy, '--model', 'lexical'],
      ['embed', '--data', csv, '--vectors-dim', '4'],
      ['embed', '--data', csv, '--vectors', npy, '--vectors-dim', 'wide'],
    ]) {
      c = capture();
      assert.equal(await main(argv, c.io), 2, argv.join(' '));
    }
  });

  it('simulate --vectors runs the loop on the given vectors', async () => {
    const c = capture();
    const argv = ['simulate', '--data', csv, '--vectors', npy, '--label-field', 'label', '--strategy', 'margin', '--budget', '40', '--batch', '10', '--seeds', '1'];
    assert.equal(await main(argv, c.io), 0, c.err.join('\n'));
    assert.match(c.err.join('\n'), /mine\.npy: \d+ rows x 256 dimensions matched/);
    assert.match(c.out.join('\n'), /embedder vectors:mine\.npy;/);
    assert.match(c.out.join('\n'), /Strategy margin/);
  });
});
