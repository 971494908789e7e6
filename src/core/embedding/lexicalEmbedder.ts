/**
 * The built-in embedder that needs no download: hashed word unigrams, word bigrams and character
 * 3-5-grams, weighted TF-IDF style (sublinear tf, smoothed idf), signed-hashed straight into a dense
 * vector and L2-normalised. It is the fallback when no transformer can be loaded, and a choice of its
 * own for quick starts. Everything is a pure function of (text, idf table), so results do not
 * depend on batch size or order.
 */
import { createHash } from 'node:crypto';
import { throwIfCancelled } from '../errors';
import type { Matrix } from '../types';
import { type Embedder, emptyMatrix } from './embedder';

export interface LexicalOptions {
  /** Output dimensions. */
  dimensions: number;
  /** Relative weight of each feature family; each family is normalised before weighting. */
  wordWeight: number;
  bigramWeight: number;
  charWeight: number;
}

/**
 * 512 dimensions keep an interactive 50,000-item pool small (2 KiB per item) and retraining fast.
 * Hashing 10^4-10^5 distinct n-grams into 512 slots collides, though: a logistic head loses about
 * 0.1 macro-F1 on short headlines against 2048 dims (scikit-learn on the same vectors: 0.57 vs
 * 0.67; TF-IDF 0.66-0.70). `simulate` therefore asks for `SIMULATION_LEXICAL_DIMENSIONS`.
 */
export const defaultLexicalOptions: Readonly<LexicalOptions> = {
  dimensions: 512,
  wordWeight: 1,
  bigramWeight: 0.5,
  charWeight: 1,
};

/** Dimensions for offline evaluation (`simulate`), where memory per item matters less than fidelity. */
export const SIMULATION_LEXICAL_DIMENSIONS = 2048;

/** Document frequencies are kept per hash bucket; 2^18 buckets keep idf collisions rare. */
const IDF_BITS = 18;
const IDF_MASK = (1 << IDF_BITS) - 1;
const WORD_SEED = 0x811c9dc5;
const BIGRAM_SEED = 0x2545f491;
const CHAR_SEED = 0x9e3779b9;
/**
 * Only the first 10,000 characters count, as a transformer reads only its first few hundred tokens:
 * it bounds the time a megabyte-long email (base64 attachments) can take.
 */
export const MAX_CHARS = 10_000;
const WORD_PATTERN = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/**
 * A multiset of 32-bit feature hashes. Sorting a typed array and counting runs is several times
 * faster than a Map per text, which matters for long emails (thousands of character n-grams).
 */
class HashBag {
  private buffer = new Uint32Array(1024);
  private length = 0;
  /** Unique hashes (ascending) and their counts, valid until the next `clear`. */
  keys = new Uint32Array(0);
  counts = new Uint32Array(0);
  size = 0;

  clear(): void {
    this.length = 0;
    this.size = 0;
  }

  /** Hashes pushed since `clear`, unsorted and with repeats (before `finish`). */
  get pushed(): number {
    return this.length;
  }

  /** The i-th hash pushed since `clear` (i < `pushed`). */
  at(i: number): number {
    return this.buffer[i] as number;
  }

  push(hash: number): void {
    if (this.length === this.buffer.length) {
      const bigger = new Uint32Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = hash;
  }

  /** Sorts and run-length counts what was pushed. */
  finish(): void {
    const sorted = this.buffer.subarray(0, this.length).sort();
    if (this.keys.length < this.length) {
      this.keys = new Uint32Array(this.buffer.length);
      this.counts = new Uint32Array(this.buffer.length);
    }
    let unique = 0;
    for (let i = 0; i < sorted.length; i++) {
      if (unique > 0 && this.keys[unique - 1] === sorted[i]) this.counts[unique - 1]++;
      else {
        this.keys[unique] = sorted[i];
        this.counts[unique++] = 1;
      }
    }
    this.size = unique;
  }
}

/** Scratch bags reused across texts (the embedder is synchronous between awaits). */
interface Features {
  readonly words: HashBag;
  readonly bigrams: HashBag;
  readonly chars: HashBag;
}

export class LexicalEmbedder implements Embedder {
  readonly id = 'lexical';
  readonly kind = 'lexical' as const;
  readonly dimensions: number;
  private readonly options: LexicalOptions;
  /** null until `fit`: every feature then weighs the same (idf 1). */
  private idf: Float32Array | null = null;
  private idfFingerprint = 'unfitted';
  /** Scratch for one family's feature weights (reused: `embed` is synchronous per text). */
  private weights = new Float64Array(256);

  constructor(options: Partial<LexicalOptions> = {}) {
    this.options = { ...defaultLexicalOptions, ...options };
    if (!Number.isInteger(this.options.dimensions) || this.options.dimensions < 2) {
      throw new RangeError(`lexical dimensions must be an integer >= 2, got ${this.options.dimensions}`);
    }
    this.dimensions = this.options.dimensions;
  }

  /**
   * Estimates idf from a corpus (the whole dataset, so every batch is weighted alike). Counting is
   * order independent, so the same corpus always gives the same table.
   */
  fit(corpus: readonly string[]): void {
    // Per bucket, side by side (one cache line for both): [2b] = 1 + index of the last document
    // counted there (one count per document), [2b + 1] = the document frequency.
    const counts = new Uint32Array(2 * (IDF_MASK + 1));
    // Document frequency needs only which buckets a text touches, not how often: the features are
    // read as pushed (no sorting into unique keys, the cost of `embed`), deduplicated by document.
    const families = [scratch.words, scratch.bigrams, scratch.chars];
    for (let doc = 0; doc < corpus.length; doc++) {
      extractFeatures(corpus[doc] as string, false);
      const mark = doc + 1;
      for (const family of families) {
        const pushed = family.pushed;
        for (let k = 0; k < pushed; k++) {
          const at = 2 * (family.at(k) & IDF_MASK);
          if (counts[at] !== mark) {
            counts[at] = mark;
            counts[at + 1]++;
          }
        }
      }
    }
    const df = new Uint32Array(IDF_MASK + 1);
    for (let b = 0; b <= IDF_MASK; b++) df[b] = counts[2 * b + 1] as number;
    const n = corpus.length;
    const idf = new Float32Array(df.length);
    for (let i = 0; i < df.length; i++) idf[i] = Math.log((1 + n) / (1 + df[i])) + 1;
    this.setIdf(idf);
  }

  /** The idf table (one float per hash bucket), or undefined before `fit`. */
  fitState(): Float32Array | undefined {
    return this.idf ?? undefined;
  }

  /** Adopts an idf table saved by `fitState`; a table of the wrong size or with non-finite values is refused. */
  restoreFit(state: Float32Array): boolean {
    if (state.length !== IDF_MASK + 1) return false;
    for (let i = 0; i < state.length; i++) if (!Number.isFinite(state[i])) return false;
    this.setIdf(state.slice());
    return true;
  }

  private setIdf(idf: Float32Array): void {
    this.idf = idf;
    this.idfFingerprint = createHash('sha256').update(idf).digest('hex').slice(0, 16);
  }

  /** Changes whenever the vectors would change (options or idf table); part of the cache key. */
  fingerprint(): string {
    const o = this.options;
    return `lexical-v1:${o.dimensions}:${o.wordWeight}:${o.bigramWeight}:${o.charWeight}:${this.idfFingerprint}`;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Matrix> {
    throwIfCancelled(signal);
    if (texts.length === 0) return emptyMatrix(this.dimensions);
    const cols = this.dimensions;
    const data = new Float32Array(texts.length * cols);
    for (let i = 0; i < texts.length; i++) {
      if (i % 1024 === 1023) throwIfCancelled(signal);
      this.embedOne(texts[i], data, i * cols);
    }
    return { data, rows: texts.length, cols };
  }

  async dispose(): Promise<void> {
    this.idf = null;
  }

  private embedOne(text: string, out: Float32Array, offset: number): void {
    const features = extractFeatures(text);
    const o = this.options;
    this.addFamily(features.words, o.wordWeight, out, offset);
    this.addFamily(features.bigrams, o.bigramWeight, out, offset);
    this.addFamily(features.chars, o.charWeight, out, offset);
    let sum = 0;
    for (let j = offset; j < offset + this.dimensions; j++) sum += out[j] * out[j];
    if (sum === 0) return;
    const inv = 1 / Math.sqrt(sum);
    for (let j = offset; j < offset + this.dimensions; j++) out[j] *= inv;
  }

  /** Adds one family, scaled so that its exact (pre-hashing) L2 norm equals `weight`. */
  private addFamily(family: HashBag, weight: number, out: Float32Array, offset: number): void {
    if (family.size === 0 || weight === 0) return;
    const idf = this.idf;
    let sumSquares = 0;
    if (this.weights.length < family.size) this.weights = new Float64Array(Math.max(family.size, 2 * this.weights.length));
    const weights = this.weights;
    for (let k = 0; k < family.size; k++) {
      const w = (1 + Math.log(family.counts[k])) * (idf ? idf[family.keys[k] & IDF_MASK] : 1);
      weights[k] = w;
      sumSquares += w * w;
    }
    const scale = weight / Math.sqrt(sumSquares);
    for (let k = 0; k < family.size; k++) {
      // A second mix decorrelates the output slot and sign from the idf bucket.
      const mixed = fmix32(family.keys[k] ^ 0x5bd1e995);
      const slot = (mixed >>> 1) % this.dimensions;
      out[offset + slot] += (mixed & 1 ? -1 : 1) * weights[k] * scale;
    }
  }
}

const scratch: Features = { words: new HashBag(), bigrams: new HashBag(), chars: new HashBag() };

/**
 * Words (lower-cased), their bigrams, and character 3-5-grams of each word padded with spaces,
 * into the shared scratch bags (valid until the next call). `sorted` (default true) counts them
 * into unique keys; without it only the raw pushes (`pushed`, `at`) are valid, which is all the
 * idf fit needs. ASCII text (most text, and every character the word pattern can match in it is
 * [a-z0-9']) is scanned by hand, which gives exactly the pattern's words and hashes without a
 * match object or a substring per word; any other text goes through the pattern.
 */
function extractFeatures(text: string, sorted = true): Features {
  const { words, bigrams, chars } = scratch;
  words.clear();
  bigrams.clear();
  chars.clear();
  const lower = (text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text).toLowerCase();
  if (NON_ASCII.test(lower)) scanWithPattern(lower);
  else scanAscii(lower);
  if (sorted) {
    words.finish();
    bigrams.finish();
    chars.finish();
  }
  return scratch;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The reference tokenizer: WORD_PATTERN's matches, for any text. */
function scanWithPattern(lower: string): void {
  const { words, bigrams, chars } = scratch;
  let previous: number | null = null;
  for (const match of lower.matchAll(WORD_PATTERN)) {
    const word = match[0];
    const hash = hashString(word, WORD_SEED);
    words.push(hash);
    if (previous !== null) bigrams.push(fmix32(Math.imul(previous, 31) ^ hash ^ BIGRAM_SEED));
    previous = hash;
    addCharGrams(word, 0, word.length, chars);
  }
}

/** [a-z0-9] in lower-cased ASCII: the only characters \p{L} or \p{N} matches there. */
function isAsciiWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

/**
 * WORD_PATTERN on lower-cased ASCII, by hand: a run of [a-z0-9], then optionally an apostrophe and
 * one or more letters [a-z] (the pattern's `(?:['’][\p{L}]+)?`, greedy), scanning on after it.
 */
function scanAscii(s: string): void {
  const { words, bigrams, chars } = scratch;
  const n = s.length;
  let previous = 0;
  let first = true;
  let i = 0;
  while (i < n) {
    if (!isAsciiWordChar(s.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    let h = WORD_SEED >>> 0;
    let c = 0;
    while (i < n && isAsciiWordChar((c = s.charCodeAt(i)))) {
      h = Math.imul(h ^ c, 16777619) >>> 0;
      i++;
    }
    if (i + 1 < n && s.charCodeAt(i) === 39) {
      let j = i + 1;
      let hj = Math.imul(h ^ 39, 16777619) >>> 0;
      while (j < n && (c = s.charCodeAt(j)) >= 97 && c <= 122) {
        hj = Math.imul(hj ^ c, 16777619) >>> 0;
        j++;
      }
      if (j > i + 1) {
        i = j;
        h = hj;
      }
    }
    const hash = fmix32(h);
    words.push(hash);
    if (!first) bigrams.push(fmix32(Math.imul(previous, 31) ^ hash ^ BIGRAM_SEED));
    first = false;
    previous = hash;
    addCharGrams(s, start, i, chars);
  }
}

/** Rolling FNV-1a over " word " (the word is s[from, to)), emitting the hash at lengths 3, 4 and 5 from every start. */
function addCharGrams(s: string, from: number, to: number, chars: HashBag): void {
  const length = to - from + 2;
  for (let start = 0; start + 3 <= length; start++) {
    let h = CHAR_SEED;
    for (let n = 1; n <= 5 && start + n <= length; n++) {
      const i = start + n - 1;
      h = Math.imul(h ^ (i === 0 || i === length - 1 ? 32 : s.charCodeAt(from + i - 1)), 16777619) >>> 0;
      if (n >= 3) {
        chars.push(fmix32(h + n));
      }
    }
  }
}

function hashString(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return fmix32(h);
}

/** MurmurHash3's finaliser: spreads FNV's weak low bits across the word. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
