import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LexicalEmbedder } from '../../../src/core/embedding/lexicalEmbedder';
import { dot, headlines, norm, row, spamEmails } from './helpers';

describe('LexicalEmbedder', () => {
  const corpus = headlines();

  it('gives unit-norm rows of the configured width, and zeros for text without words', async () => {
    const embedder = new LexicalEmbedder({ dimensions: 256 });
    embedder.fit(corpus);
    const m = await embedder.embed([corpus[0], corpus[1], '...  !!']);
    assert.equal(m.rows, 3);
    assert.equal(m.cols, 256);
    assert.ok(Math.abs(norm(row(m, 0)) - 1) < 1e-5);
    assert.ok(Math.abs(norm(row(m, 1)) - 1) < 1e-5);
    assert.equal(norm(row(m, 2)), 0);
    assert.equal(embedder.kind, 'lexical');
    assert.equal(embedder.id, 'lexical');
  });

  it('puts related headlines closer than unrelated ones', async () => {
    const embedder = new LexicalEmbedder();
    embedder.fit(corpus);
    const m = await embedder.embed([
      'earthquake kills dozens in northern city',
      'dozens killed as earthquake hits city',
      'local council approves new parking rules',
    ]);
    const related = dot(row(m, 0), row(m, 1));
    const unrelated = dot(row(m, 0), row(m, 2));
    assert.ok(related > unrelated + 0.2, `related ${related} vs unrelated ${unrelated}`);
    // Character n-grams link inflections that share no whole word.
    const inflected = await embedder.embed(['flooding warnings', 'floods warned', 'tax reform']);
    assert.ok(dot(row(inflected, 0), row(inflected, 1)) > dot(row(inflected, 0), row(inflected, 2)));
  });

  it('tokenizes ASCII text by hand exactly as the word pattern does (same idf, bit-identical vectors)', async () => {
    // Apostrophes (kept only before letters), digits, case, punctuation and whitespace of every kind.
    const tricky = ["Don't STOP me now", "rock'n'roll o'neil5 it's 12'ab3'cd", "x' 'a a''b ''", 'e-mail: A.B@C.COM, 3.14 & 42nd\tTab\nline', "CAN'T can't Can'T", '___ -- 007 __init__'];
    const texts = [...corpus.slice(0, 300), ...tricky];
    // A middle dot (not a word character, after a space) changes no feature but sends the text down
    // the general path, through the regular expression.
    const general = texts.map((t) => `${t} \u00b7`);
    const ascii = new LexicalEmbedder();
    ascii.fit(texts);
    const pattern = new LexicalEmbedder();
    pattern.fit(general);
    assert.equal(ascii.fingerprint(), pattern.fingerprint(), 'the idf tables differ');
    const a = await ascii.embed(texts);
    const b = await pattern.embed(general);
    for (let i = 0; i < texts.length; i++) assert.deepEqual(row(a, i), row(b, i), `"${texts[i]}"`);
    // The apostrophe matters: "rock'n'roll" is not "rock n roll".
    const apart = await ascii.embed(['rock n roll', "rock'n'roll"]);
    assert.notDeepEqual(row(apart, 0), row(apart, 1));
  });

  it('is deterministic: same corpus in another order, another instance, other batch sizes', async () => {
    const a = new LexicalEmbedder();
    a.fit(corpus);
    const b = new LexicalEmbedder();
    b.fit([...corpus].reverse());
    assert.equal(a.fingerprint(), b.fingerprint());
    const texts = corpus.slice(0, 50);
    const whole = await a.embed(texts);
    const parts = [await b.embed(texts.slice(0, 7)), await b.embed(texts.slice(7))];
    const joined = new Float32Array(whole.data.length);
    joined.set(parts[0].data, 0);
    joined.set(parts[1].data, parts[0].data.length);
    assert.deepEqual(joined, whole.data);
  });

  it('changes its fingerprint when the corpus statistics change', () => {
    const a = new LexicalEmbedder();
    const before = a.fingerprint();
    a.fit(corpus);
    const fitted = a.fingerprint();
    a.fit(corpus.slice(0, 100));
    assert.notEqual(before, fitted);
    assert.notEqual(fitted, a.fingerprint());
  });

  it('idf down-weights words every document has', async () => {
    const docs = ['report storm damage', 'report flood victims', 'report fire crews', 'report quake toll'];
    const fitted = new LexicalEmbedder();
    fitted.fit(docs);
    const plain = new LexicalEmbedder();
    const pairFitted = await fitted.embed([docs[0], docs[1]]);
    const pairPlain = await plain.embed([docs[0], docs[1]]);
    // The shared word "report" counts for less once idf knows it is everywhere.
    assert.ok(dot(row(pairFitted, 0), row(pairFitted, 1)) < dot(row(pairPlain, 0), row(pairPlain, 1)));
  });

  it('embeds hundreds of SpamAssassin emails (headers and all) quickly', async () => {
    const emails = spamEmails(80);
    assert.ok(emails.length >= 300, `${emails.length} emails`);
    const embedder = new LexicalEmbedder();
    embedder.fit(emails);
    const m = await embedder.embed(emails);
    assert.equal(m.rows, emails.length);
    for (let i = 0; i < m.rows; i++) assert.ok(Math.abs(norm(row(m, i)) - 1) < 1e-4, `row ${i}`);
  });

  it('rejects nonsensical dimensions and honours an aborted signal', async () => {
    assert.throws(() => new LexicalEmbedder({ dimensions: 1 }), RangeError);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(new LexicalEmbedder().embed(['x'], controller.signal), { name: 'CancelledError' });
  });
});
