/**
 * The one typed reader of the `activeLabel.*` settings. package.json's `contributes.configuration`
 * is the single source of descriptions and defaults shown to users; this file only coerces what
 * arrives (user settings are hand-edited JSON, so any type may turn up) into safe values.
 *
 * Deliberately free of the `vscode` module: it takes anything with a `get(key)` method, so the
 * extension passes `workspace.getConfiguration('activeLabel')` and the unit tests a plain object.
 */
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { DEFAULT_KEYMAP, type Keymap } from '../shared/webviewProtocol';
import { STRATEGY_IDS, type StrategyId } from '../shared/workerProtocol';

export const CONFIG_SECTION = 'activeLabel';

/** Setting keys, relative to the `activeLabel` section. */
export const SettingKey = {
  model: 'model',
  strategy: 'strategy',
  batchSize: 'batchSize',
  retrainEvery: 'retrainEvery',
  randomShare: 'randomShare',
  evaluationFraction: 'evaluationFraction',
  annotator: 'annotator',
  keymap: 'keymap',
} as const;

export type { Keymap };
export type KeymapAction = keyof Keymap;
export const KEYMAP_ACTIONS = Object.keys(DEFAULT_KEYMAP) as KeymapAction[];

export interface Settings {
  /** Hugging Face id, absolute local folder, or `lexical`. */
  readonly model: string;
  readonly strategy: StrategyId;
  readonly batchSize: number;
  readonly retrainEvery: number;
  readonly randomShare: number;
  readonly evaluationFraction: number;
  /** Empty when unset: the caller falls back to `defaultAnnotator()`. */
  readonly annotator: string;
  readonly keymap: Keymap;
}

/** Mirrors the defaults in package.json, for values that are missing or unusable. */
export const defaultSettings: Settings = {
  model: 'Xenova/all-MiniLM-L6-v2',
  strategy: 'clustered-uncertainty',
  batchSize: 10,
  retrainEvery: 10,
  randomShare: 0.1,
  evaluationFraction: 0.1,
  annotator: '',
  keymap: DEFAULT_KEYMAP,
};

/** What `vscode.WorkspaceConfiguration` offers and the reader needs. */
export interface ConfigSource {
  get<T>(key: string): T | undefined;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}

function intIn(value: unknown, min: number, max: number, fallback: number): number {
  const n = toNumber(value);
  if (n === undefined) return fallback;
  return Math.min(max, Math.max(min, Math.round(n)));
}

function fractionIn(value: unknown, min: number, max: number, fallback: number): number {
  const n = toNumber(value);
  if (n === undefined) return fallback;
  return Math.min(max, Math.max(min, n));
}

function nonEmptyString(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

function toStrategy(value: unknown): StrategyId {
  const s = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return (STRATEGY_IDS as readonly string[]).includes(s) ? (s as StrategyId) : defaultSettings.strategy;
}

/** Keeps known actions with non-empty string keys; a key bound twice keeps its first action only. */
function toKeymap(value: unknown): Keymap {
  const out: Record<KeymapAction, string> = { ...defaultSettings.keymap };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  const given = value as Record<string, unknown>;
  for (const action of KEYMAP_ACTIONS) {
    const key = given[action];
    // ' ' is a real key (space), so only the empty string is rejected.
    if (typeof key === 'string' && key.length > 0) out[action] = key === 'space' || key === 'Space' ? ' ' : key;
  }
  const seen = new Set<string>();
  for (const action of KEYMAP_ACTIONS) {
    const key = out[action];
    // Digits are reserved for labels; a remap onto one, or onto a key already taken, is dropped.
    if (/^[0-9]$/.test(key) || seen.has(key)) out[action] = defaultSettings.keymap[action];
    seen.add(out[action]);
  }
  return out;
}

/** Reads and coerces every setting; never throws. */
export function readSettings(source: ConfigSource): Settings {
  return {
    model: nonEmptyString(source.get(SettingKey.model), defaultSettings.model),
    strategy: toStrategy(source.get(SettingKey.strategy)),
    batchSize: intIn(source.get(SettingKey.batchSize), 1, 500, defaultSettings.batchSize),
    retrainEvery: intIn(source.get(SettingKey.retrainEvery), 1, 10_000, defaultSettings.retrainEvery),
    randomShare: fractionIn(source.get(SettingKey.randomShare), 0, 1, defaultSettings.randomShare),
    evaluationFraction: fractionIn(source.get(SettingKey.evaluationFraction), 0, 0.9, defaultSettings.evaluationFraction),
    annotator: typeof source.get(SettingKey.annotator) === 'string' ? String(source.get(SettingKey.annotator)).trim() : '',
    keymap: toKeymap(source.get(SettingKey.keymap)),
  };
}

/**
 * The default annotator name: git `user.name` (asynchronously, so activation never waits on a
 * slow git), else the OS user name, else "annotator".
 */
export function defaultAnnotator(cwd?: string): Promise<string> {
  const osUser = (): string => {
    try {
      return userInfo().username || 'annotator';
    } catch {
      return 'annotator';
    }
  };
  return new Promise((resolve) => {
    execFile('git', ['config', 'user.name'], { cwd, timeout: 3000, windowsHide: true }, (error, stdout) => {
      const name = typeof stdout === 'string' ? stdout.trim() : '';
      resolve(!error && name ? name : osUser());
    });
  });
}
