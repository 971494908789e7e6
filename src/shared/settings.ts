/**
 * The one settings schema: every `activeLabel.*` setting with its default (the engine's, from
 * src/core/defaults.ts), its bounds and how a hand-edited value is read. The host's reader, the worker's `start` message and the CLI's
 * defaults all come from here, and `contributes.configuration` in package.json is synced from it
 * (scripts/sync-manifest.ts; a test checks the two agree), so a default lives in one place.
 *
 * Reading never throws: user settings are hand-edited JSON, so a value of the wrong type falls
 * back to the default, a number out of range is clamped, and a numeric string is read as a number.
 */
import * as v from 'valibot';
import { ENGINE_DEFAULTS } from '../core/defaults';
import { STRATEGY_NAMES, type StrategyName } from '../core/sampling/registry';
import { DEFAULT_KEYMAP, type Keymap, type KeymapAction } from './protocol/domain';

export const CONFIG_SECTION = 'activeLabel';

interface NumberSetting {
  readonly type: 'integer' | 'number';
  readonly default: number;
  readonly minimum: number;
  readonly maximum: number;
}

const numeric = (type: 'integer' | 'number', def: number, minimum: number, maximum: number): NumberSetting => ({
  type,
  default: def,
  minimum,
  maximum,
});

/** Bounds and defaults; package.json's `contributes.configuration` mirrors these. */
export const SETTING_SPECS = {
  model: { type: 'string', default: ENGINE_DEFAULTS.model },
  strategy: { type: 'string', default: ENGINE_DEFAULTS.strategy satisfies StrategyName, enum: STRATEGY_NAMES },
  batchSize: numeric('integer', ENGINE_DEFAULTS.batchSize, 1, 500),
  retrainEvery: numeric('integer', ENGINE_DEFAULTS.retrainEvery, 1, 10_000),
  randomShare: numeric('number', ENGINE_DEFAULTS.randomShare, 0, 1),
  annotator: { type: 'string', default: '' },
  keymap: { type: 'object', default: DEFAULT_KEYMAP },
  vectors: { type: 'string', default: '' },
  serverBatchSize: numeric('integer', 64, 1, 2048),
  serverConcurrency: numeric('integer', 4, 1, 64),
  'review.decorations': { type: 'boolean', default: true },
  'embedding.warnAfterMinutes': numeric('number', 30, 0, 100_000),
} as const;

export type SettingKey = keyof typeof SETTING_SPECS;
export const SETTING_KEYS = Object.keys(SETTING_SPECS) as SettingKey[];

export const StrategyIdSchema = v.picklist(STRATEGY_NAMES);
export type StrategyId = StrategyName;

export interface Settings {
  /** Hugging Face id, absolute local folder, or `lexical`. */
  readonly model: string;
  readonly strategy: StrategyId;
  readonly batchSize: number;
  readonly retrainEvery: number;
  readonly randomShare: number;
  /** Empty when unset: the host falls back to git `user.name`, then the OS user. */
  readonly annotator: string;
  readonly keymap: Keymap;
  /** A vector file for the dataset (absolute, or relative to the dataset's folder); empty: none. */
  readonly vectors: string;
  /** An embedding server's texts per request, and requests in flight. */
  readonly serverBatchSize: number;
  readonly serverConcurrency: number;
  /** Labels, predictions and suspected errors after each item line of an open dataset file. */
  readonly 'review.decorations': boolean;
  /** Warn once when embedding the whole pool should take longer than this (minutes); 0: never. */
  readonly 'embedding.warnAfterMinutes': number;
}

export const defaultSettings: Settings = {
  model: SETTING_SPECS.model.default,
  strategy: SETTING_SPECS.strategy.default,
  batchSize: SETTING_SPECS.batchSize.default,
  retrainEvery: SETTING_SPECS.retrainEvery.default,
  randomShare: SETTING_SPECS.randomShare.default,
  annotator: SETTING_SPECS.annotator.default,
  keymap: DEFAULT_KEYMAP,
  vectors: SETTING_SPECS.vectors.default,
  serverBatchSize: SETTING_SPECS.serverBatchSize.default,
  serverConcurrency: SETTING_SPECS.serverConcurrency.default,
  'review.decorations': SETTING_SPECS['review.decorations'].default,
  'embedding.warnAfterMinutes': SETTING_SPECS['embedding.warnAfterMinutes'].default,
};

/** A number, or a string holding one (hand-edited JSON). */
const looseNumber = v.union([
  v.pipe(v.number(), v.finite()),
  v.pipe(v.string(), v.trim(), v.minLength(1), v.transform(Number), v.finite()),
]);

function numberSchema(spec: NumberSetting) {
  return v.pipe(
    looseNumber,
    v.transform((n) => Math.min(spec.maximum, Math.max(spec.minimum, spec.type === 'integer' ? Math.round(n) : n))),
  );
}

/** How each setting's raw value is read; a failed parse means "use the default". */
export const SettingsSchema = {
  model: v.pipe(v.string(), v.trim(), v.minLength(1)),
  strategy: v.pipe(v.string(), v.trim(), v.toLowerCase(), StrategyIdSchema),
  batchSize: numberSchema(SETTING_SPECS.batchSize),
  retrainEvery: numberSchema(SETTING_SPECS.retrainEvery),
  randomShare: numberSchema(SETTING_SPECS.randomShare),
  annotator: v.pipe(v.string(), v.trim()),
  keymap: v.pipe(v.record(v.string(), v.unknown()), v.transform(toKeymap)),
  vectors: v.pipe(v.string(), v.trim()),
  serverBatchSize: numberSchema(SETTING_SPECS.serverBatchSize),
  serverConcurrency: numberSchema(SETTING_SPECS.serverConcurrency),
  'review.decorations': v.boolean(),
  'embedding.warnAfterMinutes': numberSchema(SETTING_SPECS['embedding.warnAfterMinutes']),
} as const satisfies Record<SettingKey, v.GenericSchema>;

/** What `vscode.WorkspaceConfiguration` offers and the reader needs. */
export interface ConfigSource {
  get<T>(key: string): T | undefined;
}

/** Reads and coerces every setting; never throws. */
export function readSettings(source: ConfigSource): Settings {
  const read = <K extends SettingKey>(key: K): Settings[K] => {
    const parsed = v.safeParse(SettingsSchema[key], source.get(key));
    return (parsed.success ? parsed.output : defaultSettings[key]) as Settings[K];
  };
  return {
    model: read('model'),
    strategy: read('strategy'),
    batchSize: read('batchSize'),
    retrainEvery: read('retrainEvery'),
    randomShare: read('randomShare'),
    annotator: read('annotator'),
    keymap: read('keymap'),
    vectors: read('vectors'),
    serverBatchSize: read('serverBatchSize'),
    serverConcurrency: read('serverConcurrency'),
    'review.decorations': read('review.decorations'),
    'embedding.warnAfterMinutes': read('embedding.warnAfterMinutes'),
  };
}

export const KEYMAP_ACTIONS = Object.keys(DEFAULT_KEYMAP) as KeymapAction[];

/** Keeps known actions with non-empty string keys; digits and a key bound twice are refused. */
function toKeymap(given: Record<string, unknown>): Keymap {
  const out: Record<KeymapAction, string> = { ...DEFAULT_KEYMAP };
  for (const action of KEYMAP_ACTIONS) {
    const key = Object.hasOwn(given, action) ? given[action] : undefined;
    // ' ' is a real key (space), so only the empty string is rejected.
    if (typeof key === 'string' && key.length > 0) out[action] = key === 'space' || key === 'Space' ? ' ' : key;
  }
  const seen = new Set<string>();
  for (const action of KEYMAP_ACTIONS) {
    // Digits are reserved for labels; a remap onto one, or onto a key already taken, is dropped.
    if (/^[0-9]$/.test(out[action]) || seen.has(out[action])) out[action] = DEFAULT_KEYMAP[action];
    seen.add(out[action]);
  }
  return out;
}
