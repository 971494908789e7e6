/**
 * Keyboard-first labeling: maps keys to actions and keeps the keys working in a VS Code webview.
 *
 * Focus (microsoft/vscode#85879, #112454): a webview only receives keys while its document has
 * focus, and focus is easily left on nothing after the panel opens or after the user clicks away
 * and back. So we listen on `window` (not on an element that may not have focus), and focus the
 * main container on load, on window focus and when the panel becomes visible again.
 */
import { SHIFT_CHORD_PREFIX } from '../src/shared/protocol';
import type { Keymap, LabelDef, LabelMode } from '../src/shared/protocol';

export type KeyAction =
  | { readonly kind: 'label'; readonly index: number }
  | { readonly kind: 'accept' }
  | { readonly kind: 'reject' }
  | { readonly kind: 'skip' }
  | { readonly kind: 'undo' }
  | { readonly kind: 'flag' }
  | { readonly kind: 'help' }
  | { readonly kind: 'back' }
  | { readonly kind: 'forward' }
  | { readonly kind: 'confirm' }
  | { readonly kind: 'close' }
  /** Review queue: keep the current label as reviewed. */
  | { readonly kind: 'keep' }
  /** Switch between labeling and the review queue. */
  | { readonly kind: 'review' }
  /** Bring the learning curve into view (the Show Learning Curve key, handled in the page). */
  | { readonly kind: 'chart' };

export interface KeyConfig {
  readonly labels: readonly LabelDef[];
  readonly keymap: Keymap;
  readonly mode: LabelMode;
}

/** The fields of a KeyboardEvent that decide the action (a plain object in unit tests). */
export interface KeyLike {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
  readonly repeat: boolean;
  readonly isComposing?: boolean;
  readonly shiftKey?: boolean;
  /** The physical key ('Digit1'); Shift+digit chords are matched on it, whatever the layout types. */
  readonly code?: string;
}

/** Single characters compare case-insensitively, so Caps Lock does not break 'a'/'x'/'f'. */
function normalize(key: string): string {
  return key.length === 1 ? key.toLowerCase() : key;
}

/**
 * 'shift+1' for Shift with the physical 1 key, so labels 11-20 work on any layout (Shift+1 types
 * '!' on US, '+' on Swiss German). Where Shift is how a layout types digits (AZERTY), the key is a
 * digit already and stays a plain label key.
 */
function shiftChord(event: KeyLike): string | null {
  if (!event.shiftKey || /^[0-9]$/.test(event.key)) return null;
  const digit = /^(?:Digit|Numpad)([0-9])$/.exec(event.code ?? '');
  return digit ? `${SHIFT_CHORD_PREFIX}${digit[1]}` : null;
}

/** Actions that make sense when a key is held down; everything else fires once per press. */
const REPEATABLE = new Set<KeyAction['kind']>(['back', 'forward']);

/**
 * The action for a key, or null to let the key through. Modified keys (ctrl/meta/alt) always pass
 * through: they belong to VS Code's own keybindings. Shift is allowed (`?` needs it).
 */
export function actionForKey(event: KeyLike, config: KeyConfig | null): KeyAction | null {
  // Show Learning Curve (Ctrl+Alt+C / Cmd+Alt+C): a webview with focus keeps the key from VS Code's
  // keybinding in code-server, so the page answers it itself.
  if ((event.ctrlKey || event.metaKey) && event.altKey && (event.code === 'KeyC' || event.key.toLowerCase() === 'c')) return { kind: 'chart' };
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return null;
  const key = normalize(event.key);
  if (key === 'Escape') return { kind: 'close' };
  if (!config) return null;
  const { keymap, labels, mode } = config;
  const action = lookup(key, shiftChord(event), keymap, labels, mode);
  if (action && event.repeat && !REPEATABLE.has(action.kind)) return null;
  return action;
}

function lookup(key: string, chord: string | null, keymap: Keymap, labels: readonly LabelDef[], mode: LabelMode): KeyAction | null {
  if (mode === 'binary') {
    if (key === normalize(keymap.accept)) return { kind: 'accept' };
    if (key === normalize(keymap.reject)) return { kind: 'reject' };
  } else {
    const byKey = (k: string): number => labels.findIndex((label) => label.key !== '' && normalize(label.key) === k);
    const index = chord !== null && byKey(chord) >= 0 ? byKey(chord) : byKey(key);
    if (index >= 0) return { kind: 'label', index };
  }
  const simple: readonly (keyof Keymap & KeyAction['kind'])[] = ['skip', 'undo', 'flag', 'help', 'back', 'forward', 'confirm', 'keep', 'review'];
  for (const kind of simple) {
    if (key === normalize(keymap[kind])) return { kind } as KeyAction;
  }
  return null;
}

/** Human-readable name of a key for hints and the overlay ('shift+1' shows as '⇧1'). */
export function keyLabel(key: string): string {
  if (key.startsWith(SHIFT_CHORD_PREFIX) && key.length > SHIFT_CHORD_PREFIX.length) return `⇧${keyLabel(key.slice(SHIFT_CHORD_PREFIX.length))}`;
  switch (key) {
    case ' ':
      return 'Space';
    case 'Backspace':
      return '⌫';
    case 'ArrowLeft':
      return '←';
    case 'ArrowRight':
      return '→';
    case 'Enter':
      return '⏎';
    default:
      return key;
  }
}

/** The key in `aria-keyshortcuts` syntax ('Shift+1', 'Space'). */
export function ariaKeyShortcut(key: string): string {
  if (key.startsWith(SHIFT_CHORD_PREFIX)) return `Shift+${ariaKeyShortcut(key.slice(SHIFT_CHORD_PREFIX.length))}`;
  return key === ' ' ? 'Space' : key;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/**
 * Listens for keys on `window` and keeps `root` focused. Returns a function that removes every
 * listener. `onAction` receives the event's timestamp, which the latency measurement starts from.
 */
export function installKeyboard(
  root: HTMLElement,
  getConfig: () => KeyConfig | null,
  onAction: (action: KeyAction, startedAt: number) => void,
): () => void {
  const focusRoot = (): void => {
    const active = document.activeElement;
    // Keep focus where the user put it if it is inside our document already (a button, say).
    if (active === null || active === document.body || active === document.documentElement) root.focus({ preventScroll: true });
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    if (isTyping(event.target)) return;
    const action = actionForKey(event, getConfig());
    if (!action) return;
    // Space would scroll, Backspace might navigate, arrows would scroll: the key is ours now.
    event.preventDefault();
    // The event's own timestamp (same clock as performance.now()) also counts input queueing delay.
    const now = performance.now();
    onAction(action, event.timeStamp > 0 && event.timeStamp <= now ? event.timeStamp : now);
  };
  const onVisibility = (): void => {
    if (document.visibilityState === 'visible') focusRoot();
  };
  window.addEventListener('keydown', onKeyDown);
  window.addEventListener('focus', focusRoot);
  document.addEventListener('visibilitychange', onVisibility);
  focusRoot();
  return () => {
    window.removeEventListener('keydown', onKeyDown);
    window.removeEventListener('focus', focusRoot);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
