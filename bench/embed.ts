/**
 * Embedding throughput: the tiny BERT fixture through our TransformersEmbedder versus the same
 * ONNX graph run directly with onnxruntime-node (the reference: same token ids, same batches, mean
 * pooling and normalisation by hand, tokenisation not timed), and the lexical embedder.
 * Usage: npm run bench:embed [-- --items N --batch-size B]
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { LexicalEmbedder } from '../src/core/embedding/lexicalEmbedder';
import { TransformersEmbedder } from '../src/core/embedding/transformersEmbedder';
import { ensureTinyModel } from '../test/fixtures/tinyModel';
import { report, writeDoc } from './common';

const HEADLINES = path.resolve(__dirname, '..', '..', 'shared/datasets/disaster-headlines');

function headlines(n: number): string[] {
  const base = readdirSync(HEADLINES)
    .filter((f) => f.endsWith('.csv'))
    .flatMap((f) => readFileSync(path.join(HEADLINES, f), 'utf8').split('\n'))
    .map((line) => line.split(',')[1]?.trim() ?? '')
    .filter((t) => t.length > 0);
  return Array.from({ length: n }, (_, i) => base[i % base.length]);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - start) / 1000 };
}

/** The reference: the same ONNX session API, with pooling done here. */
async function referenceEmbed(session: ort.InferenceSession, batches: { ids: bigint[][]; mask: bigint[][] }[], hidden: number): Promise<Float32Array> {
  const out: number[] = [];
  for (const { ids, mask } of batches) {
    const [b, s] = [ids.length, ids[0].length];
    const tensor = (rows: bigint[][]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(rows.flat()), [b, s]);
    const result = await session.run({
      input_ids: tensor(ids),
      attention_mask: tensor(mask),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(b * s), [b, s]),
    });
    const h = result.last_hidden_state.data as Float32Array;
    for (let i = 0; i < b; i++) {
      const v = new Float64Array(hidden);
      let n = 0;
      for (let t = 0; t < s; t++) {
        if (mask[i][t] === 0n) continue;
        n++;
        for (let k = 0; k < hidden; k++) v[k] += h[(i * s + t) * hidden + k];
      }
      let norm = 0;
      for (let k = 0; k < hidden; k++) norm += (v[k] / n) ** 2;
      for (let k = 0; k < hidden; k++) out.push(v[k] / n / Math.sqrt(norm));
    }
  }
  return Float32Array.from(out);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { items: { type: 'string' }, 'batch-size': { type: 'string' } } });
  const n = Number(values.items ?? 2000);
  const batchSize = Number(values['batch-size'] ?? 32);
  const texts = headlines(n);
  const modelDir = ensureTinyModel();

  const embedder = await TransformersEmbedder.load({ model: modelDir, cacheDir: modelDir, allowRemoteModels: false, batchSize });
  await embedder.embed(texts.slice(0, batchSize)); // warm-up
  const ours = await timed(() => embedder.embed(texts));

  const { AutoTokenizer } = await import('@huggingface/transformers');
  const tokenizer = await AutoTokenizer.from_pretrained(modelDir);
  const batches: { ids: bigint[][]; mask: bigint[][] }[] = [];
  for (let i = 0; i < texts.length; i += batchSize) {
    const enc = tokenizer(texts.slice(i, i + batchSize), { padding: true, truncation: true });
    batches.push({ ids: enc.input_ids.tolist() as bigint[][], mask: enc.attention_mask.tolist() as bigint[][] });
  }
  const session = await ort.InferenceSession.create(path.join(modelDir, 'onnx', 'model.onnx'));
  await referenceEmbed(session, batches.slice(0, 1), embedder.dimensions);
  const reference = await timed(() => referenceEmbed(session, batches, embedder.dimensions));
  let maxDiff = 0;
  for (let i = 0; i < reference.value.length; i++) maxDiff = Math.max(maxDiff, Math.abs(reference.value[i] - ours.value.data[i]));

  const lexical = new LexicalEmbedder();
  const lex = await timed(async () => {
    lexical.fit(texts);
    return lexical.embed(texts);
  });

  const rate = (s: number): string => `${Math.round(n / s).toLocaleString('en-US')} items/s`;
  console.log(`${n} headlines, batch ${batchSize}, node ${process.version}, ${process.arch}`);
  console.log(`tiny-bert via TransformersEmbedder : ${rate(ours.seconds)} (${ours.seconds.toFixed(3)} s, tokenisation included)`);
  console.log(`tiny-bert via onnxruntime-node     : ${rate(reference.seconds)} (${reference.seconds.toFixed(3)} s, reference, pre-tokenised)`);
  console.log(`  max |difference| between the two : ${maxDiff.toExponential(2)}`);
  console.log(`lexical (fit + embed)              : ${rate(lex.seconds)} (${lex.seconds.toFixed(3)} s)`);
  const perSecond = (s: number): number => n / s;
  writeDoc('embed', 'npm run bench:embed', [
    report({
      name: `tiny BERT, ${n.toLocaleString('en-US')} headlines, batch ${batchSize}`,
      value: perSecond(ours.seconds),
      unit: 'items/s',
      reference: { name: 'raw onnxruntime-node, pre-tokenised', value: perSecond(reference.seconds), unit: 'items/s' },
      note: `tokenisation + mean pooling + L2 included in ours; max abs difference ${maxDiff.toExponential(1)}`,
    }),
    report({
      name: `lexical (fit + embed), ${n.toLocaleString('en-US')} headlines`,
      value: perSecond(lex.seconds),
      unit: 'items/s',
      note: 'built-in hashed n-gram TF-IDF, 512 dims; no model',
    }),
  ]);
  await embedder.dispose();
  await session.release();
}

void main();
