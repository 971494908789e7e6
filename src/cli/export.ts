/**
 * `active-label export`: writes a dataset's labels (from its label log, and optionally its own
 * label field) as JSONL that Hugging Face `datasets` loads, or as CSV; with --include-predictions,
 * the unlabeled items get a model's prediction, marked `meta.source: "prediction"`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../core/dataset';
import { EmbeddingCache, cacheDtypeFor, cacheFileFor, createEmbedder, defaultCacheDir, embedDataset } from '../core/embedding';
import { datasetStoreDir, exportCsv, exportJsonl, importLabels, labelLogPath, replay, STORE_DIR_NAME, type ExportPrediction } from '../core/labels';
import { LabelState } from '../core/labels/state';
import { predictUnlabeled } from '../core/model/predictUnlabeled';
import type { LabelMode } from '../core/types';
import { type CliCommand, type CliIO, EXIT_OK, UsageError, formatCount, parseOptions } from './args';

const MODES: readonly LabelMode[] = ['single', 'multi', 'binary'];

const help = `Usage: active-label export --data FILE [options]

Writes the labels of FILE (its label log under .activelabel/) in dataset order.

Options:
  --data FILE            the dataset file (required)
  --format jsonl|csv     output format (default: from --out's extension, else jsonl)
  --out FILE             where to write (default: <data>.labels.jsonl / .csv beside the data)
  --label-field F        also export the file's own labels in field F for items the log has
                         not labeled (source "import", tool "dataset")
  --include-predictions  add a model's prediction for every unlabeled item, marked
                         meta.source "prediction" with meta.confidence
  --min-confidence X     leave out predictions below X (0..1, default 0)
  --model M              embeddings for the predictions: "lexical" (default), "use-lite", a
                         Hugging Face id or a local folder; the dataset's embedding cache is reused
  --cache-dir DIR        where models are downloaded (default: ~/.cache/active-label)
  --mode MODE            single, multi or binary (default: the dataset's setup, else single)
  --workspace DIR        the folder holding .activelabel/ (default: the nearest one above FILE)
  -h, --help             show this help

JSONL lines are {"text", "label", "meta"}; meta has id, annotator, time, source, tool, strategy,
score, cluster, modelVersion, reviewed, flagged and confidence on every line (null when unknown),
so datasets.load_dataset("json", data_files=OUT) infers one type per column. Flagged items without
a label are written with "label": null.`;

const options = {
  data: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  'label-field': { type: 'string' },
  'include-predictions': { type: 'boolean' },
  'min-confidence': { type: 'string' },
  model: { type: 'string' },
  'cache-dir': { type: 'string' },
  mode: { type: 'string' },
  workspace: { type: 'string' },
} as const;

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'write the labels (and optional predictions) as JSONL for Hugging Face datasets, or CSV',
  help,
  run: runExport,
};

async function runExport(argv: readonly string[], io: CliIO): Promise<number> {
  const values = parseOptions(argv, options);
  const data = values.data;
  if (!data) throw new UsageError('--data FILE is required');
  const format = values.format ?? (values.out !== undefined && path.extname(values.out).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format must be jsonl or csv, got "${format}"`);
  const minConfidence = Number(values['min-confidence'] ?? '0');
  if (!(minConfidence >= 0 && minConfidence <= 1)) throw new UsageError(`--min-confidence must be between 0 and 1, got "${values['min-confidence']}"`);
  if (values['min-confidence'] !== undefined && !values['include-predictions']) throw new UsageError('--min-confidence needs --include-predictions');
  if (values.mode !== undefined && !MODES.includes(values.mode as LabelMode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}`);
  const datasetFile = path.resolve(data);
  const workspace = path.resolve(values.workspace ?? (await findWorkspace(datasetFile)));
  const out = path.resolve(values.out ?? `${datasetFile.replace(/\.[^.]+$/, '')}.labels.${format}`);

  const dataset = await loadDataset(datasetFile, values['label-field'] !== undefined ? { labelField: values['label-field'] } : {});
  const logFile = labelLogPath(workspace, datasetFile);
  const hasLog = await fs.access(logFile).then(() => true, () => false);
  const replayed = hasLog ? await replay(logFile) : { state: new Map(), events: [], problems: [], labelState: new LabelState() };
  for (const p of replayed.problems.slice(0, 20)) io.err(`Warning: ${p.message}`);
  const state = replayed.labelState;
  // The file's own labels fill in, in memory only, where the log has nothing for an item.
  if (values['label-field'] !== undefined) {
    const imports = importLabels(dataset.items, replayed.events, { annotator: `import:${path.basename(datasetFile)}` });
    imports.forEach((e, i) => state.apply({ ...e, v: 1, eventId: `file-${i}`, time: new Date(0).toISOString() }));
  }
  if (!hasLog && values['label-field'] === undefined) io.err(`No label log at ${logFile}: only predictions (if asked for) can be written. Pass --workspace DIR or --label-field F.`);
  const mode = (values.mode as LabelMode | undefined) ?? (await setupMode(workspace, datasetFile)) ?? 'single';

  let predictions: Map<string, ExportPrediction> | undefined;
  if (values['include-predictions']) {
    predictions = await predict(dataset.items, state.labels, mode, workspace, datasetFile, values.model ?? 'lexical', values['cache-dir'], minConfidence, io);
  }
  const write = format === 'csv' ? exportCsv : exportJsonl;
  const summary = await write(dataset.items, state.labels, out, { mode, ...(predictions !== undefined ? { predictions } : {}) });
  io.out(
    `Wrote ${formatCount(summary.written)} rows to ${out}: ${formatCount(summary.labeled)} labeled, ` +
      `${formatCount(summary.flaggedUnlabeled)} flagged without a label, ${formatCount(summary.predicted)} predictions; ` +
      `${formatCount(summary.unlabeled)} items left out.`,
  );
  if (summary.orphaned > 0) io.err(`${formatCount(summary.orphaned)} labeled ids are no longer in the dataset and were left out.`);
  return EXIT_OK;
}

async function predict(
  items: Parameters<typeof embedDataset>[0],
  labels: ReadonlyMap<string, { labeled: boolean; labels: readonly string[] }>,
  mode: LabelMode,
  workspace: string,
  datasetFile: string,
  model: string,
  cacheDir: string | undefined,
  minConfidence: number,
  io: CliIO,
): Promise<Map<string, ExportPrediction>> {
  const { embedder, warning } = await createEmbedder({ model, cacheDir: cacheDir ?? defaultCacheDir(), allowFallback: false });
  if (warning) io.err(`Warning: ${warning}`);
  let matrix;
  try {
    const cache = await EmbeddingCache.open(cacheFileFor(datasetStoreDir(workspace, datasetFile), embedder.id), { dtype: cacheDtypeFor(embedder) });
    matrix = (await embedDataset(items, embedder, cache, { onProgress: (p) => io.progress(`Embedding ${formatCount(p.done)}/${formatCount(p.total)}`) })).matrix;
  } finally {
    await embedder.dispose();
  }
  const rowLabels = items.map((item) => {
    const current = labels.get(item.id);
    return current?.labeled === true ? current.labels : undefined;
  });
  const result = predictUnlabeled(matrix, rowLabels, { mode: mode === 'multi' ? 'multi' : 'single', minConfidence });
  if (result.predictions.size === 0 && result.classes.length < 2) {
    io.err(`No predictions: the model needs labeled examples of at least two labels (found ${result.classes.length}).`);
  } else {
    io.err(`Predictions from a head trained on ${formatCount(result.trainedOn)} labeled items (${embedder.id} embeddings).`);
  }
  const byId = new Map<string, ExportPrediction>();
  for (const [row, p] of result.predictions) byId.set((items[row] as { id: string }).id, { ...p, modelVersion: `export:${embedder.id}` });
  return byId;
}

/** The nearest folder above the file that has `.activelabel/`, else the file's folder. */
async function findWorkspace(datasetFile: string): Promise<string> {
  let dir = path.dirname(datasetFile);
  for (;;) {
    if (await fs.stat(path.join(dir, STORE_DIR_NAME)).then((s) => s.isDirectory(), () => false)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.dirname(datasetFile);
    dir = parent;
  }
}

/** The label mode of the dataset's remembered setup (`setup.json` beside its log), if any. */
async function setupMode(workspace: string, datasetFile: string): Promise<LabelMode | undefined> {
  try {
    const raw = JSON.parse(await fs.readFile(path.join(datasetStoreDir(workspace, datasetFile), 'setup.json'), 'utf8')) as { mode?: unknown };
    return MODES.find((m) => m === raw.mode);
  } catch {
    return undefined;
  }
}
