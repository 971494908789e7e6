/**
 * The messages between the extension host and the labeling webview, in both directions.
 *
 * Runtime data crossing `postMessage` is untyped, so each side validates on arrival with
 * `parseHostToWebview` / `parseWebviewToHost` (webviewValidation.ts) and switches on `type` with
 * `assertUnreachable`.
 *
 * Handshake: the webview posts `ready` once its script runs (also after a hidden panel is restored);
 * the host answers with `init`. The webview then asks for items with `needItems` whenever it holds
 * fewer than 5 upcoming items; the host answers with `items`. The host may send `init` again at any
 * time (labels reconfigured, strategy changed): the webview replaces its configuration and keeps its
 * queue. The host may push `items` with `replace: true` after a retrain re-ranks the pool.
 * Counts: the host sends `counts` after every saved write (label, undo, flag), so the progress and
 * the per-label counts stay live between retrains; `model` carries them too.
 * Items: each `items` message is capped by total text size (MAX_ITEMS_MESSAGE_CHARS, at least one
 * item), so it may bring fewer than asked; the webview asks again while it holds fewer than 5.
 * Reveal: `reveal` brings a section into view (Show Learning Curve). A panel that was hidden has
 * lost its page, so the host sends `reveal` after the reloaded page's `ready` -> `init`.
 *
 * Writes: `label` and `undo` carry a `requestId`. The host answers each with exactly one `saved`
 * (the event is on disk) or `saveFailed`. The webview shows a label as saved only after `saved`.
 * A retry, and a webview restored from `setState` with labels still pending, resend the SAME
 * requestId: the host must treat requestIds idempotently (answer `saved` again, never append twice).
 */
import type { LabelMode, LabelSource, SampleReason } from '../core/types';

export { assertUnreachable } from './assert';

// Re-exported so the webview (which may import only src/shared) can name them.
export type { LabelMode, SampleReason };

// ---------------------------------------------------------------------------------------------
// Shared shapes

/** One label as the webview shows it. */
export interface LabelDef {
  /** The label's name, exactly as written to the label log. */
  readonly name: string;
  /** `KeyboardEvent.key` that picks it ('1'..'9', '0', then 'shift+1'..'shift+0'; see `labelKeyForIndex`). */
  readonly key: string;
}

/** Keys for the actions other than picking a label. Values are `KeyboardEvent.key` strings. */
export interface Keymap {
  /** Skip the current item without labeling it (default ' '). */
  readonly skip: string;
  /** Undo the most recent label and show that item again (default 'Backspace'). */
  readonly undo: string;
  /** Flag the current item for review and move on (default 'f'). */
  readonly flag: string;
  /** Toggle the shortcut overlay (default '?'). */
  readonly help: string;
  /** Move back through recent history (default 'ArrowLeft'). */
  readonly back: string;
  /** Move forward through history towards the current item (default 'ArrowRight'). */
  readonly forward: string;
  /** Confirm the model's predicted label; in multi mode, submit the toggled labels (default 'Enter'). */
  readonly confirm: string;
  /** Binary mode: accept the label asked about (default 'a'). */
  readonly accept: string;
  /** Binary mode: reject the label asked about (default 'x'). */
  readonly reject: string;
}

export const DEFAULT_KEYMAP: Keymap = {
  skip: ' ',
  undo: 'Backspace',
  flag: 'f',
  help: '?',
  back: 'ArrowLeft',
  forward: 'ArrowRight',
  confirm: 'Enter',
  accept: 'a',
  reject: 'x',
};

/** Prefix of a label key that needs Shift held (labels 11-20: `shift+1`..`shift+0`). */
export const SHIFT_CHORD_PREFIX = 'shift+';

/** Labels that get a default key: 1-9, 0, then Shift with 1-9, 0 (Prodigy's convention). */
export const MAX_KEYED_LABELS = 20;

/**
 * Default key of the i-th label (0-based): '1'..'9', '0' for the first ten, then 'shift+1'..
 * 'shift+0' for the next ten; '' beyond the twentieth label. A `shift+` key is matched on the
 * physical digit key (`KeyboardEvent.code`), since Shift+1 types '!' on one layout and '1' on another.
 */
export function labelKeyForIndex(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_KEYED_LABELS) return '';
  const digit = index % 10 === 9 ? '0' : String((index % 10) + 1);
  return index < 10 ? digit : `${SHIFT_CHORD_PREFIX}${digit}`;
}

/** One item waiting in the webview's queue. Text is untrusted and always rendered as text. */
export interface QueueItem {
  /** The dataset item id (`DatasetItem.id`). */
  readonly id: string;
  readonly text: string;
  /** The current model's top label and its probability in [0, 1]; absent before the first model. */
  readonly prediction?: { readonly label: string; readonly confidence: number };
  /** Why the sampler picked this item ("why this item" in the UI). */
  readonly reason: SampleReason;
  /** Binary mode only: the label being accepted or rejected; defaults to the first label. */
  readonly question?: string;
}

/** One point of the learning curve, measured on the evaluation items. */
export interface CurvePoint {
  /** Number of labeled items the model was trained on. */
  readonly labels: number;
  /** Accuracy in [0, 1]. */
  readonly accuracy: number;
  /** Macro-averaged F1 in [0, 1]. */
  readonly macroF1: number;
  /** Held-out evaluation items the point was measured on, when known. */
  readonly evaluated?: number;
}

/**
 * Below this many held-out items an accuracy moves in steps of 10 points or more per item, so the
 * UI shows it greyed with TOO_FEW_EVALUATION_ITEMS instead of as a figure to trust.
 */
export const MIN_TRUSTED_EVALUATION_ITEMS = 10;
export const TOO_FEW_EVALUATION_ITEMS = 'too few held-out items to trust yet';

/** "on 12 held-out items" (the panel, the chart tooltip and the status bar tooltip say it the same way). */
export function describeHeldOut(evaluated: number): string {
  return `on ${evaluated.toLocaleString('en-US')} held-out item${evaluated === 1 ? '' : 's'}`;
}

/** False when the metrics were measured on too few held-out items; true when the count is unknown. */
export function isEvaluationTrusted(evaluated: number | undefined): boolean {
  return evaluated === undefined || evaluated >= MIN_TRUSTED_EVALUATION_ITEMS;
}

/** What the model and the label log look like now. */
export interface ModelSnapshot {
  /** Model version; 0 before the first model is trained. */
  readonly version: number;
  /** True while a retrain runs in the background. */
  readonly training: boolean;
  /** Latest accuracy on the evaluation items, when there is a model. */
  readonly accuracy?: number;
  /** Latest macro-F1 on the evaluation items, when there is a model. */
  readonly macroF1?: number;
  /** Held-out evaluation items (those with a label) that `accuracy` and `macroF1` were measured on. */
  readonly evaluated?: number;
  /** The learning curve so far, ordered by `labels`. */
  readonly curve: readonly CurvePoint[];
  /** The stopping hint, e.g. "Accuracy has been flat for 50 labels: consider stopping". */
  readonly stopping?: string;
  /** Labeled items per label name (the current state after undos, not the event count). */
  readonly counts: Readonly<Record<string, number>>;
  /** Items with at least one label. */
  readonly labeled: number;
  /** Items in the dataset. */
  readonly total: number;
}

export type ProgressPhase = 'loading-model' | 'embedding' | 'training' | 'sampling' | 'idle';

/** A long-running engine step (embedding the dataset, retraining). */
export interface ProgressSnapshot {
  readonly phase: ProgressPhase;
  readonly done: number;
  readonly total: number;
  /** Throughput; 0 when unknown. */
  readonly itemsPerSecond: number;
  /** Estimated seconds left; -1 when unknown. */
  readonly etaSeconds: number;
}

/** A button on an error banner; clicking it posts `errorAction` with this id. */
export interface ErrorAction {
  /** Host-defined id, e.g. 'chooseModelFolder', 'useLexical', 'retry'. */
  readonly id: string;
  /** Button text. */
  readonly title: string;
}

// ---------------------------------------------------------------------------------------------
// Host -> webview

export interface InitMessage {
  readonly type: 'init';
  readonly dataset: { readonly name: string; readonly total: number };
  readonly labels: readonly LabelDef[];
  readonly mode: LabelMode;
  readonly keymap: Keymap;
  /** The active sampling strategy's display name. */
  readonly strategy: string;
  /** Counts, model and curve so far, plus engine progress when a step is running. */
  readonly state: ModelSnapshot & { readonly progress?: ProgressSnapshot };
}

/** More items for the queue, best first. The webview drops ids it already holds. */
export interface ItemsMessage {
  readonly type: 'items';
  readonly items: readonly QueueItem[];
  /** True when the pool is exhausted: no more items will come. */
  readonly exhausted?: boolean;
  /** Replace the upcoming items (never the one on screen) instead of appending, e.g. after a retrain. */
  readonly replace?: boolean;
}

/** The `label` or `undo` with this requestId is on disk. */
export interface SavedMessage {
  readonly type: 'saved';
  readonly requestId: string;
  readonly itemId: string;
}

/** The `label` or `undo` with this requestId was NOT written. */
export interface SaveFailedMessage {
  readonly type: 'saveFailed';
  readonly requestId: string;
  readonly itemId: string;
  /** Human-readable cause, e.g. "EACCES: permission denied, open 'labels.jsonl'". */
  readonly message: string;
}

export interface ProgressMessage extends ProgressSnapshot {
  readonly type: 'progress';
}

export interface ModelMessage extends ModelSnapshot {
  readonly type: 'model';
}

/** The label counts changed (a write was saved); everything else in the model stays as it was. */
export interface CountsMessage {
  readonly type: 'counts';
  /** Labeled items per label name, as in `ModelSnapshot.counts`. */
  readonly counts: Readonly<Record<string, number>>;
  /** Items with at least one label. */
  readonly labeled: number;
  /** Items in the dataset. */
  readonly total: number;
}

/**
 * Most item text characters one `items` message carries (always at least one item, however long).
 * A message is serialized on the extension host's thread; 200 items of 200 KB in one message
 * blocked it for about 60 ms, over the 50 ms budget.
 */
export const MAX_ITEMS_MESSAGE_CHARS = 2_000_000;

/** Shown as a banner until dismissed or until the next `init`. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
  readonly actions?: readonly ErrorAction[];
}

/** Parts of the panel the host can bring into view (the Show Learning Curve command). */
export type RevealSection = 'chart';

/** Scroll to a section and highlight it briefly; a collapsed section is expanded first. */
export interface RevealMessage {
  readonly type: 'reveal';
  readonly section: RevealSection;
}

/** A transient, non-error message (e.g. "Imported 120 labels from the file"). */
export interface NoticeMessage {
  readonly type: 'notice';
  readonly message: string;
}

export type HostToWebview =
  | InitMessage
  | ItemsMessage
  | SavedMessage
  | SaveFailedMessage
  | ProgressMessage
  | ModelMessage
  | CountsMessage
  | ErrorMessage
  | RevealMessage
  | NoticeMessage;

// ---------------------------------------------------------------------------------------------
// Webview -> host

/** The script is running; send `init`. */
export interface ReadyMessage {
  readonly type: 'ready';
  /** True when the webview restored a queue from `setState` (the host need not resend it). */
  readonly restored: boolean;
}

/** Write a label event. Answered by `saved` or `saveFailed` with the same requestId. */
export interface LabelMessage {
  readonly type: 'label';
  /** Unique per write; reused only when the same write is retried. */
  readonly requestId: string;
  readonly itemId: string;
  /** Label names. Single mode: one. Multi mode: zero or more. Binary mode: the label asked about. */
  readonly labels: readonly string[];
  /** 'queue' for a fresh item, 'edit' when relabeling an item from history. */
  readonly source: Extract<LabelSource, 'queue' | 'edit'>;
  /** Binary mode only: whether `labels[0]` was accepted or rejected. */
  readonly answer?: 'accept' | 'reject';
  /** The sample reason shown to the annotator, for the label log. */
  readonly reason?: SampleReason;
}

/** Undo the item's latest label. Answered by `saved` or `saveFailed` with the same requestId. */
export interface UndoMessage {
  readonly type: 'undo';
  readonly requestId: string;
  readonly itemId: string;
}

export interface SkipMessage {
  readonly type: 'skip';
  readonly itemId: string;
}

/** Mark the item for later review (the webview moves on, like a skip). */
export interface FlagMessage {
  readonly type: 'flag';
  readonly itemId: string;
}

/** The queue runs low: send up to `count` items, none of those in `exclude`. */
export interface NeedItemsMessage {
  readonly type: 'needItems';
  readonly count: number;
  /** Ids the webview holds (queue, current item, recent history). */
  readonly exclude: readonly string[];
}

export interface OpenSettingsMessage {
  readonly type: 'openSettings';
}

export interface ChooseStrategyMessage {
  readonly type: 'chooseStrategy';
}

/** Retry the engine step that failed last (e.g. loading the model). */
export interface RetryMessage {
  readonly type: 'retry';
}

/** The user clicked an action button of an error banner. */
export interface ErrorActionMessage {
  readonly type: 'errorAction';
  /** `ErrorAction.id` of the clicked button. */
  readonly actionId: string;
}

export type WebviewToHost =
  | ReadyMessage
  | LabelMessage
  | UndoMessage
  | SkipMessage
  | FlagMessage
  | NeedItemsMessage
  | OpenSettingsMessage
  | ChooseStrategyMessage
  | RetryMessage
  | ErrorActionMessage;
