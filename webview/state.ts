/**
 * What the webview saves with `vscode.setState` and reads back when a hidden panel is shown again.
 * The saved state comes from an earlier version of this very script, but it still crosses a
 * boundary, so it is checked before use and dropped (with a fresh start) when it does not fit.
 */
import { parseHostToWebview } from '../src/shared/webviewValidation';
import type { InitMessage, ModelSnapshot, QueueItem } from '../src/shared/webviewProtocol';
import type { QueueSnapshot } from './queue';

export interface PersistedState {
  /** Bumped when the shape changes; other versions are ignored. */
  readonly version: 1;
  readonly queue: QueueSnapshot;
  /** The last `init`, so a restored panel paints before the host answers `ready`. */
  readonly config: InitMessage | null;
  readonly model: ModelSnapshot | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validItems(items: unknown): items is QueueItem[] {
  return Array.isArray(items) && parseHostToWebview({ type: 'items', items }).ok;
}

/** The saved state, or null when there is none or it does not have the expected shape. */
export function restoreState(saved: unknown): PersistedState | null {
  if (!isObject(saved) || saved.version !== 1 || !isObject(saved.queue)) return null;
  const queue = saved.queue;
  const current = queue.current;
  if (current !== null && !validItems([current])) return null;
  if (!validItems(queue.upcoming)) return null;
  if (!Array.isArray(queue.history) || !validItems(queue.history.map((entry: unknown) => (isObject(entry) ? entry.item : null)))) return null;
  if (!Array.isArray(queue.writes) || typeof queue.exhausted !== 'boolean') return null;
  if (queue.cursor !== null && (typeof queue.cursor !== 'number' || queue.cursor < 0 || queue.cursor >= queue.history.length)) return null;
  const config = saved.config === null || (isObject(saved.config) && parseHostToWebview(saved.config).ok) ? (saved.config as InitMessage | null) : null;
  const model = isObject(saved.model) && parseHostToWebview({ ...saved.model, type: 'model' }).ok ? (saved.model as unknown as ModelSnapshot) : null;
  return { version: 1, queue: queue as unknown as QueueSnapshot, config, model };
}
