/**
 * Embedding throughput, each figure beside a same-run reference:
 *   - the MiniLM-shaped fixture (all-MiniLM-L6-v2's exact shape, random weights) through our
 *     TransformersEmbedder against the same ONNX graph run directly with onnxruntime-node, with the
 *     same texts, batches and tokenizer, tokenisation timed on BOTH sides, pooling by hand;
 *   - the tiny BERT fixture the same way (there the fixed per-batch cost shows);
 *   - use-lite (the bundled Universal Sentence Encoder lite) and the lexical embedder;
 *   - OpenAIEmbedder against the local test server (in its own process) with 1, 4 and 16 requests
 *     in flight.
 * Usage: npm run bench:embed [-- --items N --minilm-items N --batch-size B]
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { LexicalEmbedder } from '../src/core/embedding/lexicalEmbedder';
import { OpenAIEmbedder } from '../src/core/embedding/openaiEmbedder';
import { TransformersEmbedder } from '../src/core/embedding/transformersEmbedder';
import { UseLiteEmbedder } from '../src/core/embedding/useLiteEmbedder';
import { ensureMiniLmShapedModel, ensureTinyModel } from '../test/fixtures/tinyModel';
import { type BenchResult, report, writeDoc } from './common';

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

interface TokenTensor {
  readonly data: BigInt64Array;
  readonly dims: number[];
}
type Tokenizer = (texts: string[], options: { padding: boolean; truncation: boolean }) => { input_ids: TokenTensor; attention_mask: TokenTensor };

/** The reference: tokenizer -> onnxruntime-node -> mean pooling and L2 written out here. */
async function referenceEmbed(session: ort.InferenceSession, tokenizer: Tokenizer, texts: string[], batchSize: number, hidden: number): Promise<Float32Array> {
  const out = new Float32Array(texts.length * hidden);
  for (let start = 0; start < texts.length; start += batchSize) {
    const enc = tokenizer(texts.slice(start, start + batchSize), { padding: true, truncation: true });
    const [b, s] = enc.input_ids.dims;
    const mask = enc.attention_mask.data;
    const result = await session.run({
      input_ids: new ort.Tensor('int64', enc.input_ids.data, [b, s]),
      attention_mask: new ort.Tensor('int64', mask, [b, s]),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(b * s), [b, s]),
    });
    const h = result.last_hidden_state.data as Float32Array;
    const v = new Float64Array(hidden);
    for (let i = 0; i < b; i++) {
      v.fill(0);
      let n = 0;
      for (let t = 0; t < s; t++) {
        if (mask[i * s + t] === 0n) continue;
        n++;
        const row = (i * s + t) * hidden;
        for (let k = 0; k < hidden; k++) v[k] += h[row + k];
      }
      let norm = 0;
      for (let k = 0; k < hidden; k++) norm += (v[k] / n) ** 2;
      const inv = 1 / (n * Math.sqrt(norm));
      for (let k = 0; k < hidden; k++) out[(start + i) * hidden + k] = v[k] * inv;
    }
  }
  return out;
}

/** Ours against the reference on one model; the two run alternately, best of `rounds` each. */
async function compareOnModel(label: string, modelDir: string, texts: string[], batchSize: number, rounds: number, target?: string): Promise<BenchResult> {
  const embedder = await TransformersEmbedder.load({ model: modelDir, cacheDir: modelDir, allowRemoteModels: false, batchSize, dtype: 'fp32' });
  const { AutoTokenizer } = await import('@huggingface/transformers');
  const tokenizer = (await AutoTokenizer.from_pretrained(modelDir)) as unknown as Tokenizer;
  const session = await ort.InferenceSession.create(path.join(modelDir, 'onnx', 'model.onnx'));
  const hidden = embedder.dimensions;
  const warm = texts.slice(0, batchSize);
  await embedder.embed(warm);
  await referenceEmbed(session, tokenizer, warm, batchSize, hidden);
  let oursBest = Infinity;
  let refBest = Infinity;
  let maxDiff = 0;
  for (let r = 0; r < rounds; r++) {
    const ours = await timed(() => embedder.embed(texts));
    const ref = await timed(() => referenceEmbed(session, tokenizer, texts, batchSize, hidden));
    oursBest = Math.min(oursBest, ours.seconds);
    refBest = Math.min(refBest, ref.seconds);
    for (let i = 0; i < ref.value.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref.value[i] - ours.value.data[i]));
  }
  await embedder.dispose();
  await session.release();
  return report({
    name: `${label}, ${texts.length.toLocaleString('en-US')} headlines, batch ${batchSize}`,
    value: texts.length / oursBest,
    unit: 'items/s',
    ...(target !== undefined ? { target } : {}),
    reference: { name: 'raw onnxruntime-node, same tokenizer, tokenisation timed', value: texts.length / refBest, unit: 'items/s' },
    note: `best of ${rounds}, alternating; tokenisation + ONNX + mean pooling + L2 on both sides; max abs difference ${maxDiff.toExponential(1)}`,
  });
}

/** Starts bench/embedServer.ts in its own process; resolves to its base URL and a stop function. */
async function startServerProcess(modelDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'embedServer.ts'), modelDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`embedding server exited with ${code}`)));
  });
  return {
    url,
    stop: async () => {
      child.stdin.end();
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { items: { type: 'string' }, 'minilm-items': { type: 'string' }, 'batch-size': { type: 'string' } } });
  const n = Number(values.items ?? 2000);
  const nMini = Number(values['minilm-items'] ?? 256);
  const batchSize = Number(values['batch-size'] ?? 32);
  const texts = headlines(n);
  const results: BenchResult[] = [];
  console.log(`node ${process.version}, ${process.arch}`);

  results.push(await compareOnModel('MiniLM-shaped (6 x 384, vocab 30,522, fp32)', ensureMiniLmShapedModel(), texts.slice(0, nMini), batchSize, 3, '>= 0.9x reference'));
  results.push(await compareOnModel('tiny BERT (1 x 32)', ensureTinyModel(), texts, batchSize, 3));

  const useLite = await UseLiteEmbedder.load({ batchSize });
  await useLite.embed(texts.slice(0, batchSize));
  let liteBest = Infinity;
  for (let r = 0; r < 3; r++) liteBest = Math.min(liteBest, (await timed(() => useLite.embed(texts.slice(0, nMini)))).seconds);
  results.push(
    report({
      name: `use-lite (Universal Sentence Encoder lite), ${nMini.toLocaleString('en-US')} headlines, batch ${batchSize}`,
      value: nMini / liteBest,
      unit: 'items/s',
      note: 'best of 3; bundled weights, TensorFlow.js wasm backend (SIMD, 1 thread); 512 dims',
    }),
  );

  const lexical = new LexicalEmbedder();
  const lex = await timed(async () => {
    lexical.fit(texts);
    return lexical.embed(texts);
  });
  results.push(
    report({
      name: `lexical (fit + embed), ${n.toLocaleString('en-US')} headlines`,
      value: n / lex.seconds,
      unit: 'items/s',
      note: 'built-in hashed n-gram TF-IDF, 512 dims; no model',
    }),
  );

  // The embedding server: the tiny BERT behind the OpenAI API in another process, so the figures
  // show the client's request pipeline (HTTP, JSON, ordering) rather than model compute.
  const server = await startServerProcess(ensureTinyModel());
  try {
    const rates: number[] = [];
    for (const concurrency of [1, 4, 16]) {
      const remote = await OpenAIEmbedder.load({ baseUrl: server.url, batchSize: 16, concurrency });
      await remote.embed(texts.slice(0, 64));
      const run = await timed(() => remote.embed(texts));
      rates.push(n / run.seconds);
      results.push(
        report({
          name: `embedding server (tiny BERT over HTTP), ${n.toLocaleString('en-US')} headlines, 16 per request, ${concurrency} in flight`,
          value: n / run.seconds,
          unit: 'items/s',
          ...(concurrency > 1 ? { reference: { name: '1 in flight', value: rates[0], unit: 'items/s' } } : {}),
          note: 'OpenAIEmbedder -> local OpenAI-shaped server (test/fixtures/embeddingServer.ts) in its own process',
        }),
      );
    }
  } finally {
    await server.stop();
  }
  writeDoc('embed', 'npm run bench:embed', results);
}

void main();
