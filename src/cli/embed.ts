/**
 * `active-label embed`: load a dataset, embed every item (served from the per-dataset cache when
 * possible) and report what happened. It is the CLI face of the same core loop the extension's
 * worker runs.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { formatSummary, loadDataset } from '../core/dataset';
import { EmbeddingCache, cacheFileFor } from '../core/embedding/cache';
import { cacheDtypeFor } from '../core/embedding/quantize';
import { createEmbedder } from '../core/embedding/createEmbedder';
import type { Embedder } from '../core/embedding/embedder';
import { embedToCache } from '../core/embedding/embedDataset';
import { loadPrecomputedVectors } from '../core/embedding/precomputedVectors';
import { DEFAULT_MODEL, defaultCacheDir } from '../core/embedding/transformersEmbedder';
import { CancelledError } from '../core/errors';
import type { Dataset } from '../core/types';
import { API_KEY_ENV, type CliCommand, type CliIO, EXIT_INTERRUPTED, EXIT_OK, UsageError, formatCount, parseOptions, positiveInteger } from './args';
import { chooseVectors, vectorHelp, vectorOptions } from './vectors';

const MAX_PROBLEMS_SHOWN = 5;


const help = `Usage: active-label embed --data FILE [options]

Embeds every item of a dataset and caches the vectors, so the next run is served from the cache.

Options:
  --data FILE          dataset: .jsonl, .csv, .tsv or .txt (required)
  --text-field F       field holding the text (default: detected; headerless CSV: column1..N)
  --model M            Hugging Face id, local model folder, "use-lite" (built-in Universal Sentence
                       Encoder lite, offline), "lexical", or an OpenAI-compatible embedding server
                       as openai:URL#MODEL, e.g. openai:http://127.0.0.1:8080/v1#bge-small-en-v1.5
                       (API key from $ACTIVE_LABEL_API_KEY) (default: ${DEFAULT_MODEL})
  --cache-dir DIR      model downloads and embedding caches (default: $XDG_CACHE_HOME/active-label
                       or ~/.cache/active-label)
  --batch-size N       texts per model call or server request (default: 32)
  --concurrency N      server requests in flight at once, for openai: models (default: 4)
  --offline            never download; use only the cache dir and local folders
  --no-fallback        fail instead of falling back to use-lite (then lexical) when the model cannot load
${vectorHelp}
  -h, --help           show this help

A local model folder holds config.json, tokenizer.json, tokenizer_config.json and
onnx/model.onnx (or onnx/model_quantized.onnx).`;

const options = {
  data: { type: 'string' },
  'text-field': { type: 'string' },
  model: { type: 'string' },
  'cache-dir': { type: 'string' },
  'batch-size': { type: 'string' },
  concurrency: { type: 'string' },
  offline: { type: 'boolean' },
  'no-fallback': { type: 'boolean' },
  ...vectorOptions,
} as const;

/** Embedding caches live per dataset: `<cacheDir>/datasets/<name>-<hash of absolute path>/`. */
export function datasetStoreDir(cacheDir: string, file: string): string {
  const absolute = path.resolve(file);
  const name = path.basename(absolute).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 48);
  const digest = createHash('sha256').update(absolute).digest('hex').slice(0, 8);
  return path.join(cacheDir, 'datasets', `${name}-${digest}`);
}

function reportDataset(dataset: Dataset, io: CliIO): void {
  const s = dataset.summary;
  io.out(
    `Loaded ${dataset.file}: ${formatCount(s.rows)} rows, ${formatCount(dataset.items.length)} items ` +
      `(text field "${dataset.textField}"), ${formatCount(s.skipped)} skipped` +
      (s.duplicateRows > 0 ? `, ${formatCount(s.duplicateRows)} duplicate texts grouped` : '') +
      '.',
  );
  const reasons = Object.entries(s.skippedByReason).filter(([, n]) => (n ?? 0) > 0);
  if (reasons.length > 0) io.out(`  skipped by reason: ${reasons.map(([r, n]) => `${r} ${formatCount(n ?? 0)}`).join(', ')}`);
  for (const problem of dataset.problems.slice(0, MAX_PROBLEMS_SHOWN)) io.out(`  ${problem.message}`);
  if (dataset.problems.length > MAX_PROBLEMS_SHOWN) {
    io.out(`  ... and ${formatCount(dataset.problems.length - MAX_PROBLEMS_SHOWN)} more`);
  }
}

function describeEmbedder(embedder: Embedder): string {
  switch (embedder.kind) {
    case 'lexical':
      return 'lexical (built-in hashed n-gram TF-IDF, no model)';
    case 'use-lite':
      return 'use-lite (built-in Universal Sentence Encoder lite, offline)';
    case 'transformer':
      return `${embedder.id} (transformer)`;
    case 'remote':
      return `${embedder.id} (embedding server)`;
    case 'precomputed':
      return `${embedder.id} (precomputed vectors)`;
    default: {
      const unknown: never = embedder.kind;
      return String(unknown);
    }
  }
}

/** The vector file when one applies (see ./vectors), else the model, with any fallback reported. */
async function openEmbedder(values: ReturnType<typeof parseOptions<typeof options>>, dataset: Dataset, io: CliIO): Promise<Embedder> {
  const vectors = await chooseVectors(values, [dataset.file], io);
  if (vectors) {
    const load = await loadPrecomputedVectors(vectors.file, dataset, { ...vectors, loadOptions: { textField: values['text-field'] } });
    for (const warning of load.warnings) io.err(`Warning: ${warning}`);
    io.out(load.summary);
    io.out(`Embedder: ${describeEmbedder(load.embedder)}, ${load.embedder.dimensions} dimensions.`);
    return load.embedder;
  }
  const model = values.model ?? DEFAULT_MODEL;
  io.progress(`Loading ${model} ...`);
  const { embedder, warning, fallback } = await createEmbedder({
    model,
    cacheDir: path.resolve(values['cache-dir'] ?? defaultCacheDir()),
    batchSize: positiveInteger('batch-size', values['batch-size'], 32),
    allowFallback: !values['no-fallback'],
    allowRemoteModels: !values.offline,
    openai: {
      batchSize: positiveInteger('batch-size', values['batch-size'], 32),
      concurrency: positiveInteger('concurrency', values.concurrency, 4),
      ...(process.env[API_KEY_ENV] ? { apiKey: process.env[API_KEY_ENV] } : {}),
      onRetry: (r) => io.err(`Retrying in ${(r.delayMs / 1000).toFixed(1)} s (attempt ${r.attempt}): ${r.reason}`),
    },
    onLoadProgress: (p) => {
      if (p.total) io.progress(`Downloading ${p.file}: ${Math.round((100 * (p.loaded ?? 0)) / p.total)}%`);
    },
  });
  if (warning) io.err(`Warning: ${warning}`);
  io.out(`Embedder: ${describeEmbedder(embedder)}, ${embedder.dimensions} dimensions${fallback ? `, ${fallback} fallback` : ''}.`);
  return embedder;
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const values = parseOptions(argv, options);
  if (!values.data) throw new UsageError('--data FILE is required');
  const batchSize = positiveInteger('batch-size', values['batch-size'], 32);
  const cacheDir = path.resolve(values['cache-dir'] ?? defaultCacheDir());

  const dataset = await loadDataset(values.data, { textField: values['text-field'] });
  reportDataset(dataset, io);
  if (dataset.items.length === 0) {
    // The same words as the dataset summary everywhere else: what is wrong and how to fix it.
    io.out(dataset.summary.rows === 0 ? formatSummary(dataset) : `Nothing to embed: every row of ${dataset.file} was skipped. Fix: correct the rows reported above and run again.`);
    return EXIT_OK;
  }

  const embedder = await openEmbedder(values, dataset, io);
  const cacheFile = cacheFileFor(datasetStoreDir(cacheDir, dataset.file), embedder.id);
  // Never throws: a cache path that is not a regular file, or cannot be written, is a warning
  // (sent to onWarning before any embedding) and the run goes on without saving.
  const cache = await EmbeddingCache.open(cacheFile, { dtype: cacheDtypeFor(embedder) });
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    // Only the cache is wanted here: no matrix of rows x dimensions is held (2 GB at 1M x 512).
    const result = await embedToCache(dataset.items, embedder, cache, {
      // A server embedder wants batch x concurrency texts per call, to keep every request slot busy.
      batchSize: embedder.callSize ?? batchSize,
      signal: controller.signal,
      onProgress: (p) => {
        const eta = p.etaSeconds === null ? '' : `, ETA ${Math.ceil(p.etaSeconds)} s`;
        io.progress(`Embedding ${formatCount(p.done)}/${formatCount(p.total)} (${p.itemsPerSecond.toFixed(0)} items/s${eta})`);
      },
      onWarning: (message) => io.err(`Warning: ${message}`),
    });
    if (result.cacheProblem) io.err(`Note: ${result.cacheProblem}`);
    const total = dataset.items.length;
    const rate = Math.round(total / Math.max(result.seconds, 1e-3));
    io.out(
      `Embedded ${formatCount(total)} items in ${result.seconds.toFixed(2)} s (${formatCount(rate)} items/s): ` +
        `${formatCount(result.fromCache)} from cache, ${formatCount(result.computed)} computed.`,
    );
    if (result.fit !== 'none') {
      io.out(`Corpus statistics (idf): ${result.fit === 'cached' ? 'from cache, not refitted' : `fitted on ${formatCount(total)} items`}.`);
    }
    const saved = cache.persistent || result.cacheWarnings === undefined;
    io.out(saved ? `Cache: ${cacheFile}` : `Cache: not saved this run (see the warning above); --cache-dir DIR points it elsewhere.`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CancelledError) {
      io.err('Cancelled; the vectors computed so far are cached and the next run resumes from them.');
      return EXIT_INTERRUPTED;
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await embedder.dispose();
  }
}

export const embedCommand: CliCommand = {
  name: 'embed',
  summary: 'embed a dataset (cached per dataset and model) and report items/s',
  help,
  run,
};
