/**
 * Proves the bundled use-lite embedder loads and embeds with no network at all. It is its own file
 * (its own process under node --test) so the model is loaded for the first time under the guard.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { UseLiteEmbedder } from '../../../src/core/embedding/useLiteEmbedder';
import { type NetworkGuard, guardNetwork } from '../../fixtures/noNetwork';
import { headlines, norm, row } from './helpers';

describe('use-lite offline', () => {
  let guard: NetworkGuard;

  before(() => {
    guard = guardNetwork();
  });
  after(() => guard.restore());

  it('the guard itself refuses and records fetch and http (so an empty record means something)', async () => {
    await assert.rejects(() => fetch('http://192.0.2.1/model.json'), /network access refused/);
    assert.throws(() => http.get('http://192.0.2.1/vocab.json'), /network access refused/);
    assert.deepEqual(guard.attempts, ['fetch http://192.0.2.1/model.json', 'http.get http://192.0.2.1/vocab.json']);
    (guard.attempts as string[]).length = 0;
  });

  it('loads the bundled model and embeds headlines without a single network call', async () => {
    const embedder = await UseLiteEmbedder.load({ batchSize: 16 });
    const texts = headlines(40);
    const m = await embedder.embed(texts);
    assert.equal(m.rows, 40);
    assert.equal(m.cols, 512);
    for (let i = 0; i < m.rows; i++) assert.ok(Math.abs(norm(row(m, i)) - 1) < 1e-5, `row ${i}`);
    await embedder.dispose();
    assert.deepEqual(guard.attempts, []);
  });
});
