/**
 * `npm run bench:vectors [-- --dataset FILE] [--dims 384] [--out FILE]`: writes a float32 `.npy`
 * with one row per data row of a benchmark dataset (by default .bench-data/items-1000000.jsonl),
 * standing in for "vectors the user already has" at a million rows (issue 12: "our own vectors
 * through --vectors"). Each row is its label's centre plus noise seeded by the row's normalized
 * text, so rows the loader groups as one item carry the same vector (as a real encoder's would) and the labels are
 * learnable but not separable. The default name is not a sidecar (`<dataset>.vectors.npy` would be
 * picked up by every other benchmark on that dataset).
 */
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { normalizeText } from '../src/core/dataset/normalize';
import { encodeNpyHeader } from '../src/core/embedding/npy';
import { BENCH_DATA_DIR, benchDataFile } from './data';

/** FNV-1a over the UTF-16 code units: a seed per text. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0 || 1;
}

/** A standard normal stream from xorshift32 (Box-Muller). */
function normals(seed: number, out: Float32Array): void {
  let s = seed;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  for (let j = 0; j < out.length; j += 2) {
    const r = Math.sqrt(-2 * Math.log(next()));
    const t = 2 * Math.PI * next();
    out[j] = r * Math.cos(t);
    if (j + 1 < out.length) out[j + 1] = r * Math.sin(t);
  }
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line.trim() !== '') n++;
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dataset: { type: 'string' }, dims: { type: 'string' }, out: { type: 'string' } } });
  const dataset = path.resolve(values.dataset ?? benchDataFile(1_000_000));
  const dims = values.dims === undefined ? 384 : Number(values.dims);
  if (!Number.isSafeInteger(dims) || dims < 1) throw new Error(`--dims must be a positive integer, got ${values.dims}`);
  const rows = await countLines(dataset);
  const out = path.resolve(values.out ?? path.join(BENCH_DATA_DIR, `vectors-${rows}x${dims}.npy`));
  mkdirSync(path.dirname(out), { recursive: true });
  const started = performance.now();
  const centres = new Map<string, Float32Array>();
  const centre = (label: string): Float32Array => {
    let c = centres.get(label);
    if (c === undefined) {
      c = new Float32Array(dims);
      normals(seedOf(`centre:${label}`), c);
      centres.set(label, c);
    }
    return c;
  };
  const stream = createWriteStream(out);
  const write = (b: Buffer): Promise<void> => new Promise((resolve, reject) => stream.write(b, (e) => (e ? reject(e) : resolve())));
  await write(encodeNpyHeader(rows, dims));
  const noise = new Float32Array(dims);
  const firstLabel = new Map<string, string>();
  const CHUNK = 4096;
  let chunk = new Float32Array(CHUNK * dims);
  let inChunk = 0;
  let written = 0;
  for await (const line of createInterface({ input: createReadStream(dataset), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { text?: unknown; label?: unknown };
    // Seeded by the text as the loader groups it (normalized), so every row of an item agrees.
    const text = normalizeText(String(record.text ?? ''));
    // A text's vector is the text's alone: a repeat with another label keeps its first label's centre.
    let label = firstLabel.get(text);
    if (label === undefined) firstLabel.set(text, (label = typeof record.label === 'string' ? record.label : 'none'));
    const c = centre(label);
    normals(seedOf(text), noise);
    const row = chunk.subarray(inChunk * dims, (inChunk + 1) * dims);
    for (let j = 0; j < dims; j++) row[j] = 0.1 * c[j] + noise[j];
    if (++inChunk === CHUNK) {
      await write(Buffer.from(chunk.buffer, 0, inChunk * dims * 4));
      chunk = new Float32Array(CHUNK * dims);
      written += inChunk;
      inChunk = 0;
    }
  }
  if (inChunk > 0) await write(Buffer.from(chunk.buffer, 0, inChunk * dims * 4));
  written += inChunk;
  await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
  if (written !== rows) throw new Error(`wrote ${written} rows, expected ${rows}`);
  console.log(`Wrote ${rows.toLocaleString('en-US')} x ${dims} float32 vectors to ${path.relative(process.cwd(), out) || out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
