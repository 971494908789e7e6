/**
 * The learning benchmark's datasets as single JSONL files ({id, text, label} per line) in a
 * git-ignored folder, and their use-lite vectors as `.npy` beside them, computed once and reused
 * while the JSONL is unchanged (the `.meta.json` sidecar names its sha256; `simulate --vectors`
 * checks it). The same files feed `bench/learning_reference.py`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../src/core/dataset';
import { UseLiteEmbedder } from '../src/core/embedding';
import { encodeNpy } from '../src/core/embedding/npy';
import { metaFileFor, readVectorsMeta, sha256File } from '../src/core/embedding/precomputedVectors';
import { HEADLINES_DIR } from './learningData';

export const LEARNING_CACHE = path.resolve(__dirname, '..', '.cache', 'learning');

/**
 * use-lite pools over every token and runs ~9 long texts/s here; an email's first 1,000 characters
 * (subject and opening) carry its topic, and cutting there keeps a 2,000-message embed near a minute.
 */
export const USE_LITE_MAX_CHARS = 1000;

interface Row {
  readonly id: string;
  readonly text: string;
  readonly label: string;
}

async function writeRows(file: string, rows: readonly Row[]): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const body = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const current = await fs.readFile(file, 'utf8').catch(() => null);
  if (current !== body) await fs.writeFile(file, body);
  return file;
}

/** The four headline CSVs (text column2, label column3) as one JSONL, duplicates kept once. */
export async function writeHeadlinesJsonl(dir: string): Promise<string> {
  const names = (await fs.readdir(HEADLINES_DIR)).filter((n) => n.endsWith('.csv')).sort();
  const rows: Row[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const dataset = await loadDataset(path.join(HEADLINES_DIR, name), { textField: 'column2', labelField: 'column3' });
    for (const item of dataset.items) {
      const label = item.importedLabels?.[0]?.trim();
      if (label === undefined || label === '' || seen.has(item.id)) continue;
      seen.add(item.id);
      rows.push({ id: item.id, text: item.text, label });
    }
  }
  return writeRows(path.join(dir, 'headlines.jsonl'), rows);
}

/** `<jsonl>.use-lite.npy`, embedded now unless a vector file for this exact JSONL is there. */
export async function useLiteVectors(jsonl: string, log: (line: string) => void): Promise<string> {
  const out = jsonl.replace(/\.jsonl$/, '.use-lite.npy');
  const sha256 = await sha256File(jsonl);
  const meta = await readVectorsMeta(out).catch(() => undefined);
  const exists = await fs.stat(out).then(() => true, () => false);
  if (exists && meta?.dataset?.sha256 === sha256) return out;
  const texts = (await fs.readFile(jsonl, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as Row).text);
  const embedder = await UseLiteEmbedder.load({ maxChars: USE_LITE_MAX_CHARS });
  const started = performance.now();
  const parts: Float32Array[] = [];
  const step = 64;
  for (let i = 0; i < texts.length; i += step) {
    parts.push((await embedder.embed(texts.slice(i, i + step))).data);
    log(`use-lite: ${Math.min(texts.length, i + step)}/${texts.length} ${path.basename(jsonl)}`);
  }
  await embedder.dispose();
  const data = new Float32Array(texts.length * embedder.dimensions);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  await fs.writeFile(out, encodeNpy(data, texts.length, embedder.dimensions));
  const model = `use-lite (first ${USE_LITE_MAX_CHARS} chars)`;
  await fs.writeFile(metaFileFor(out), JSON.stringify({ dataset: { sha256, rows: texts.length }, model, dimensions: embedder.dimensions }, null, 2) + '\n');
  log(`use-lite: ${texts.length} texts in ${((performance.now() - started) / 1000).toFixed(0)} s -> ${out}`);
  return out;
}
