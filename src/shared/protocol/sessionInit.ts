/**
 * What the worker needs to start a labeling session: the dataset, the setup answers and the engine
 * settings. The settings fields are the settings schema's own (src/shared/settings.ts), so the
 * host, the worker and the CLI agree on names, bounds and defaults.
 */
import * as v from 'valibot';
import { SETTING_SPECS, StrategyIdSchema } from '../settings';
import { ExistingLabelsSchema, LabelModeSchema, labelName, MAX_LABELS } from './domain';

export { StrategyIdSchema };

const bounded = (spec: { minimum: number; maximum: number; type: 'integer' | 'number' }) =>
  spec.type === 'integer'
    ? v.pipe(v.number(), v.integer(), v.minValue(spec.minimum), v.maxValue(spec.maximum))
    : v.pipe(v.number(), v.finite(), v.minValue(spec.minimum), v.maxValue(spec.maximum));

export const SessionInitSchema = v.object({
  /** Absolute path of the dataset file (jsonl, csv, tsv or txt). */
  datasetFile: v.pipe(v.string(), v.minLength(1)),
  /** Workspace root; the label log lives under `<root>/.activelabel/`. */
  workspaceRoot: v.pipe(v.string(), v.minLength(1)),
  /** Field holding the text (ignored for txt). */
  textField: v.string(),
  /**
   * Labels the file already carries, as the user chose in setup: `import` them (source `import`),
   * or keep them as predictions to `review`. `map` turns raw values into label names; a value it
   * lacks is left out. Omitted: the file's labels are ignored.
   */
  existingLabels: v.optional(ExistingLabelsSchema),
  /** The label set, in key order (key 1 = labels[0]). Binary mode: exactly one label. */
  labels: v.pipe(v.array(labelName), v.minLength(1), v.maxLength(MAX_LABELS)),
  mode: LabelModeSchema,
  strategy: StrategyIdSchema,
  batchSize: bounded(SETTING_SPECS.batchSize),
  retrainEvery: bounded(SETTING_SPECS.retrainEvery),
  randomShare: bounded(SETTING_SPECS.randomShare),
  /** Written into every label event. */
  annotator: v.string(),
  /** Hugging Face model id, local model folder, `use-lite`, `lexical`, or `openai:<url>#<model>`. */
  model: v.pipe(v.string(), v.minLength(1)),
  /** Vectors the user already has (.npy, .f32, or JSONL with a vector field); they win over `model`. */
  vectors: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** An embedding server's batch size and requests in flight. */
  server: v.optional(v.object({ batchSize: v.pipe(v.number(), v.integer(), v.minValue(1)), concurrency: v.pipe(v.number(), v.integer(), v.minValue(1)) })),
  /** The server's API key, from VS Code's SecretStorage (never from settings, never logged). */
  apiKey: v.optional(v.string()),
  /** Where downloaded transformer models are cached. */
  cacheDir: v.string(),
  /** Seed for every random step, so a session is reproducible. */
  seed: v.pipe(v.number(), v.integer()),
  /** The panel warns once when embedding the rest of the pool should take longer (minutes; 0: never). */
  warnAfterMinutes: v.optional(bounded(SETTING_SPECS['embedding.warnAfterMinutes'])),
  /**
   * How the pool embeds before and beside labeling (tests and benchmarks; the defaults otherwise):
   * the first sample's size (default 5,000 or 1%), rows per background chunk, and how often the
   * cache is saved meanwhile (ms; 0: after every chunk).
   */
  staging: v.optional(
    v.object({
      firstSample: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
      chunkRows: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      flushEveryMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
      /** Tests: the background holds after this many chunks until stopped (a crash mid-embedding). */
      holdAfterChunks: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    }),
  ),
  /**
   * Datasets with at least this many items get a snapshot in the store folder, read by the next
   * start instead of parsing the file (tests lower it; default 20,000, `DEFAULT_SNAPSHOT_MIN_ITEMS`).
   */
  snapshotMinItems: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** Keywords or `/regex/flags` that put matching items first during cold start. */
  seedPatterns: v.optional(v.array(v.string())),
});
export type SessionInit = v.InferOutput<typeof SessionInitSchema>;
