/**
 * `active-label review`: trains on a dataset's own labels out of fold and lists the items whose
 * label is most likely wrong, with the label the model suggests instead. The ranking is the core's
 * (src/core/evaluation/reviewLabels.ts); this file loads, embeds (cached per dataset and model, as
 * `embed` does), and prints.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../core/dataset';
import { EmbeddingCache, cacheFileFor } from '../core/embedding/cache';
import { createEmbedder } from '../core/embedding/createEmbedder';
import type { Embedder } from '../core/embedding/embedder';
import { embedDataset } from '../core/embedding/embedDataset';
import { SIMULATION_LEXICAL_DIMENSIONS } from '../core/embedding/lexicalEmbedder';
import { loadPrecomputedVectors } from '../core/embedding/precomputedVectors';
import { DEFAULT_MODEL, defaultCacheDir } from '../core/embedding/transformersEmbedder';
import { type ReviewResult, reviewLabels } from '../core/evaluation/reviewLabels';
import type { Dataset, DatasetItem, Matrix } from '../core/types';
import { API_KEY_ENV, type CliCommand, type CliIO, EXIT_OK, UsageError, formatCount, parseOptions, positiveInteger } from './args';
import { datasetStoreDir } from './embed';
import { reviewRows, formatReview, type ReviewFormat, REVIEW_FORMATS } from './reviewFormat';
import { type VectorChoice, chooseVectors, vectorHelp, vectorOptions } from './vectors';

const MAX_PROBLEMS_SHOWN = 10;

const help = `Usage: active-label review --data FILE [options]

Trains on the file's existing labels with out-of-fold predictions (each item is judged by models
that never saw it) and lists the items whose label is most likely wrong, most likely first: rank,
line, item id, current label, suggested label (the most probable other label) and score.

Options:
  --data FILE          dataset: .jsonl, .csv, .tsv or .txt (required)
  --label-field F      field holding the current label (default: a field named label or labels)
  --text-field F       field holding the text (default: detected; headerless CSV: column1..N)
  --model M            Hugging Face id, local model folder, "use-lite" (built-in, offline),
                       "lexical" (hashed n-gram TF-IDF) or openai:URL#MODEL
                       (default: ${DEFAULT_MODEL}, falling back to use-lite when it cannot load)
  --cache-dir DIR      model downloads and embedding caches (default: ~/.cache/active-label)
  --top N              list the N most suspicious items (default: every labeled item)
  --format F           table (default) or jsonl (one JSON object per line)
  --out FILE           write the list to FILE instead of standard output
  --folds N            folds of the out-of-fold training (default 5)
  --seed N             seed of the fold splits and models (default 0)
${vectorHelp}
  -h, --help           show this help

Score: the normalized margin (P(suggested) - P(current) + 1) / 2, in [0, 1]; above 0.5 the model
prefers the suggestion. "flagged" marks what confident learning flags (P(current) under the
current label's mean self-confidence and P(some other label) at or above that label's); the list
is sorted by score and goes on past the flagged items, so a reviewer can keep going.
Rows that cannot be read are reported as file:line and left out; items without a label are skipped.`;

const options = {
  data: { type: 'string' },
  'label-field': { type: 'string' },
  'text-field': { type: 'string' },
  model: { type: 'string' },
  'cache-dir': { type: 'string' },
  top: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  folds: { type: 'string' },
  seed: { type: 'string' },
  ...vectorOptions,
} as const;

export interface ReviewSettings {
  readonly data: string;
  readonly labelField?: string;
  readonly textField?: string;
  readonly model: string;
  readonly cacheDir: string;
  readonly folds: number;
  readonly seed: number;
  /** Vectors to use instead of a model; see ./vectors. */
  readonly vectors?: VectorChoice;
}

export interface ReviewRun {
  readonly dataset: Dataset;
  /** The labeled items, in file order; row i of `embeddings` and `y`. */
  readonly items: readonly DatasetItem[];
  readonly classes: readonly string[];
  readonly y: Int32Array;
  readonly embeddings: Matrix;
  readonly embedder: string;
  readonly result: ReviewResult;
}

/** Loads, embeds and reviews; `bench/review.ts` calls this too. */
export async function review(settings: ReviewSettings, io: CliIO): Promise<ReviewRun> {
  const dataset = await loadDataset(settings.data, {
    ...(settings.labelField !== undefined ? { labelField: settings.labelField } : {}),
    ...(settings.textField !== undefined ? { textField: settings.textField } : {}),
  });
  for (const problem of dataset.problems.slice(0, MAX_PROBLEMS_SHOWN)) io.err(problem.message);
  if (dataset.problems.length > MAX_PROBLEMS_SHOWN) io.err(`... and ${formatCount(dataset.problems.length - MAX_PROBLEMS_SHOWN)} more rows left out`);
  const items: DatasetItem[] = [];
  const given: string[] = [];
  for (const item of dataset.items) {
    const label = item.importedLabels?.map((l) => l.trim()).find((l) => l !== '');
    if (label === undefined) continue;
    items.push(item);
    given.push(label);
  }
  const classes = [...new Set(given)].sort();
  const where = settings.labelField !== undefined ? `field "${settings.labelField}"` : 'a "label" or "labels" field (name another with --label-field F)';
  if (items.length < 4 || classes.length < 2) {
    throw new UsageError(
      `${dataset.file}: need at least 4 labeled items and 2 labels in ${where}; found ${items.length} labeled items and ${classes.length} label(s)`,
    );
  }
  const skipped = dataset.items.length - items.length;
  io.err(
    `Loaded ${dataset.file}: ${formatCount(items.length)} labeled items (labels ${classes.join(', ')})` +
      `${skipped > 0 ? `, ${formatCount(skipped)} without a label skipped` : ''}.`,
  );
  const embedder = await reviewEmbedder(settings, dataset, io);
  let embeddings: Matrix;
  try {
    const cache = embedder.kind === 'precomputed' ? undefined : await EmbeddingCache.open(cacheFileFor(datasetStoreDir(settings.cacheDir, dataset.file), embedder.id));
    embeddings = (
      await embedDataset(items, embedder, cache, {
        ...(embedder.callSize !== undefined ? { batchSize: embedder.callSize } : {}),
        onProgress: (p) => io.progress(`Embedding ${formatCount(p.done)}/${formatCount(p.total)}`),
        onWarning: (message) => io.err(`Warning: ${message}`),
      })
    ).matrix;
  } finally {
    await embedder.dispose();
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const y = Int32Array.from(given, (l) => index.get(l) as number);
  const result = reviewLabels(embeddings, y, classes, {
    folds: settings.folds,
    seed: settings.seed,
    onFold: (done, total) => io.progress(`Training fold model ${done}/${total}`),
  });
  return { dataset, items, classes, y, embeddings, embedder: embedder.id, result };
}

/** The vector file when one is given (or a sidecar applies), else the model (use-lite fallback). */
async function reviewEmbedder(settings: ReviewSettings, dataset: Dataset, io: CliIO): Promise<Embedder> {
  if (settings.vectors) {
    const loadOptions = {
      ...(settings.labelField !== undefined ? { labelField: settings.labelField } : {}),
      ...(settings.textField !== undefined ? { textField: settings.textField } : {}),
    };
    const load = await loadPrecomputedVectors(settings.vectors.file, dataset, { ...settings.vectors, loadOptions });
    for (const warning of load.warnings) io.err(`Warning: ${warning}`);
    io.err(load.summary);
    return load.embedder;
  }
  io.progress(`Loading ${settings.model} ...`);
  const apiKey = process.env[API_KEY_ENV];
  const { embedder, warning } = await createEmbedder({
    model: settings.model,
    cacheDir: settings.cacheDir,
    allowFallback: true,
    // As in `simulate`: at the interactive 512 dims, hash collisions cost the head accuracy.
    lexical: { dimensions: SIMULATION_LEXICAL_DIMENSIONS },
    ...(apiKey ? { openai: { apiKey } } : {}),
  });
  if (warning) io.err(`Warning: ${warning}`);
  return embedder;
}

function nonNegativeInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const values = parseOptions(argv, options);
  if (!values.data) throw new UsageError('--data FILE is required');
  const format = (values.format ?? 'table') as ReviewFormat;
  if (!REVIEW_FORMATS.includes(format)) throw new UsageError(`--format must be ${REVIEW_FORMATS.join(' or ')}, got "${values.format}"`);
  const top = values.top === undefined || values.top === 'all' ? Infinity : positiveInteger('top', values.top, 1);
  const folds = positiveInteger('folds', values.folds, 5);
  if (folds < 2) throw new UsageError('--folds must be at least 2');
  const stat = await fs.stat(values.data).catch(() => null);
  if (stat === null || !stat.isFile()) throw new UsageError(`--data ${values.data}: no such file`);
  const vectors = await chooseVectors(values, [values.data], io);
  const settings: ReviewSettings = {
    data: values.data,
    ...(values['label-field'] !== undefined ? { labelField: values['label-field'] } : {}),
    ...(values['text-field'] !== undefined ? { textField: values['text-field'] } : {}),
    model: values.model ?? DEFAULT_MODEL,
    cacheDir: path.resolve(values['cache-dir'] ?? defaultCacheDir()),
    folds,
    seed: nonNegativeInteger('seed', values.seed, 0),
    ...(vectors ? { vectors } : {}),
  };
  const outcome = await review(settings, io);
  const rows = reviewRows(outcome).slice(0, top);
  const lines = formatReview(rows, format);
  io.err(
    `Embedder ${outcome.embedder}; ${formatCount(outcome.result.flagged)} of ${formatCount(outcome.items.length)} items flagged by confident learning; ` +
      `listing ${formatCount(rows.length)}, most likely wrong first.`,
  );
  if (values.out !== undefined) {
    await fs.writeFile(values.out, lines.length > 0 ? lines.join('\n') + '\n' : '');
    io.err(`Wrote ${values.out}.`);
  } else {
    for (const line of lines) io.out(line);
  }
  return EXIT_OK;
}

export const reviewCommand: CliCommand = {
  name: 'review',
  summary: 'list the labels most likely wrong, with a suggested label (out-of-fold confident learning)',
  help,
  run,
};
