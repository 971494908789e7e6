/**
 * Validators for the webview protocol (webviewProtocol.ts): every field of every message is checked
 * on arrival, in the webview (`parseHostToWebview`) and in the extension host (`parseWebviewToHost`),
 * because data crossing `postMessage` is untyped and item text comes from an untrusted dataset.
 */
import {
  DEFAULT_KEYMAP,
  type HostToWebview,
  type ProgressPhase,
  type RevealSection,
  type WebviewToHost,
} from './webviewProtocol';

export type ParseResult<T> = { readonly ok: true; readonly message: T } | { readonly ok: false; readonly error: string };

/** Thrown inside the validators; turned into `{ ok: false }` at the top. */
class Invalid extends Error {}

type Obj = Record<string, unknown>;

function obj(value: unknown, where: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Invalid(`${where} must be an object`);
  return value as Obj;
}
function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Invalid(`${where}.${key} must be a string`);
  return v;
}
function num(o: Obj, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Invalid(`${where}.${key} must be a number`);
  return v;
}
function bool(o: Obj, key: string, where: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new Invalid(`${where}.${key} must be a boolean`);
  return v;
}
function optional<T>(o: Obj, key: string, read: (o: Obj, key: string, where: string) => T, where: string): void {
  if (o[key] !== undefined) read(o, key, where);
}
function arr(o: Obj, key: string, where: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new Invalid(`${where}.${key} must be an array`);
  return v;
}
function oneOf<T extends string>(o: Obj, key: string, allowed: readonly T[], where: string): T {
  const v = str(o, key, where);
  if (!(allowed as readonly string[]).includes(v)) throw new Invalid(`${where}.${key} must be one of ${allowed.join(', ')}`);
  return v as T;
}

function checkReason(value: unknown, where: string): void {
  const o = obj(value, where);
  str(o, 'strategy', where);
  num(o, 'score', where);
  optional(o, 'cluster', num, where);
  optional(o, 'detail', str, where);
}

function checkQueueItem(value: unknown, where: string): void {
  const o = obj(value, where);
  str(o, 'id', where);
  str(o, 'text', where);
  if (o.prediction !== undefined) {
    const p = obj(o.prediction, `${where}.prediction`);
    str(p, 'label', `${where}.prediction`);
    num(p, 'confidence', `${where}.prediction`);
  }
  checkReason(o.reason, `${where}.reason`);
  optional(o, 'question', str, where);
}

function checkModel(o: Obj, where: string): void {
  num(o, 'version', where);
  bool(o, 'training', where);
  optional(o, 'accuracy', num, where);
  optional(o, 'macroF1', num, where);
  optional(o, 'evaluated', num, where);
  arr(o, 'curve', where).forEach((point, i) => {
    const p = obj(point, `${where}.curve[${i}]`);
    for (const key of ['labels', 'accuracy', 'macroF1']) num(p, key, `${where}.curve[${i}]`);
    optional(p, 'evaluated', num, `${where}.curve[${i}]`);
  });
  optional(o, 'stopping', str, where);
  checkCounts(o, where);
}

function checkCounts(o: Obj, where: string): void {
  const counts = obj(o.counts, `${where}.counts`);
  for (const key of Object.keys(counts)) num(counts, key, `${where}.counts`);
  num(o, 'labeled', where);
  num(o, 'total', where);
}

const REVEAL_SECTIONS: readonly RevealSection[] = ['chart'];
const PHASES: readonly ProgressPhase[] = ['loading-model', 'embedding', 'training', 'sampling', 'idle'];

function checkProgress(o: Obj, where: string): void {
  oneOf(o, 'phase', PHASES, where);
  for (const key of ['done', 'total', 'itemsPerSecond', 'etaSeconds']) num(o, key, where);
}

function checkHost(o: Obj): HostToWebview {
  const type = str(o, 'type', 'message');
  const w = type;
  switch (type) {
    case 'init': {
      const dataset = obj(o.dataset, `${w}.dataset`);
      str(dataset, 'name', `${w}.dataset`);
      num(dataset, 'total', `${w}.dataset`);
      arr(o, 'labels', w).forEach((label, i) => {
        const l = obj(label, `${w}.labels[${i}]`);
        str(l, 'name', `${w}.labels[${i}]`);
        str(l, 'key', `${w}.labels[${i}]`);
      });
      oneOf(o, 'mode', ['single', 'multi', 'binary'], w);
      const keymap = obj(o.keymap, `${w}.keymap`);
      for (const key of Object.keys(DEFAULT_KEYMAP)) str(keymap, key, `${w}.keymap`);
      str(o, 'strategy', w);
      const state = obj(o.state, `${w}.state`);
      checkModel(state, `${w}.state`);
      if (state.progress !== undefined) checkProgress(obj(state.progress, `${w}.state.progress`), `${w}.state.progress`);
      break;
    }
    case 'items':
      arr(o, 'items', w).forEach((item, i) => checkQueueItem(item, `${w}.items[${i}]`));
      optional(o, 'exhausted', bool, w);
      optional(o, 'replace', bool, w);
      break;
    case 'saved':
      str(o, 'requestId', w);
      str(o, 'itemId', w);
      break;
    case 'saveFailed':
      str(o, 'requestId', w);
      str(o, 'itemId', w);
      str(o, 'message', w);
      break;
    case 'progress':
      checkProgress(o, w);
      break;
    case 'model':
      checkModel(o, w);
      break;
    case 'counts':
      checkCounts(o, w);
      break;
    case 'error':
      str(o, 'message', w);
      if (o.actions !== undefined) {
        arr(o, 'actions', w).forEach((action, i) => {
          const a = obj(action, `${w}.actions[${i}]`);
          str(a, 'id', `${w}.actions[${i}]`);
          str(a, 'title', `${w}.actions[${i}]`);
        });
      }
      break;
    case 'reveal':
      oneOf(o, 'section', REVEAL_SECTIONS, w);
      break;
    case 'notice':
      str(o, 'message', w);
      break;
    default:
      throw new Invalid(`unknown host message type '${type}'`);
  }
  return o as unknown as HostToWebview;
}

function checkWebview(o: Obj): WebviewToHost {
  const type = str(o, 'type', 'message');
  const w = type;
  switch (type) {
    case 'ready':
      bool(o, 'restored', w);
      break;
    case 'label':
      str(o, 'requestId', w);
      str(o, 'itemId', w);
      arr(o, 'labels', w).forEach((label, i) => {
        if (typeof label !== 'string') throw new Invalid(`${w}.labels[${i}] must be a string`);
      });
      oneOf(o, 'source', ['queue', 'edit'], w);
      if (o.answer !== undefined) oneOf(o, 'answer', ['accept', 'reject'], w);
      if (o.reason !== undefined) checkReason(o.reason, `${w}.reason`);
      break;
    case 'undo':
      str(o, 'requestId', w);
      str(o, 'itemId', w);
      break;
    case 'skip':
    case 'flag':
      str(o, 'itemId', w);
      break;
    case 'needItems':
      num(o, 'count', w);
      arr(o, 'exclude', w).forEach((id, i) => {
        if (typeof id !== 'string') throw new Invalid(`${w}.exclude[${i}] must be a string`);
      });
      break;
    case 'openSettings':
    case 'chooseStrategy':
    case 'retry':
      break;
    case 'errorAction':
      str(o, 'actionId', w);
      break;
    default:
      throw new Invalid(`unknown webview message type '${type}'`);
  }
  return o as unknown as WebviewToHost;
}

function parse<T>(value: unknown, check: (o: Obj) => T): ParseResult<T> {
  try {
    return { ok: true, message: check(obj(value, 'message')) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: error.message };
    throw error;
  }
}

/** Validates a message that arrived in the webview. */
export function parseHostToWebview(value: unknown): ParseResult<HostToWebview> {
  return parse(value, checkHost);
}

/** Validates a message that arrived in the extension host. */
export function parseWebviewToHost(value: unknown): ParseResult<WebviewToHost> {
  return parse(value, checkWebview);
}
