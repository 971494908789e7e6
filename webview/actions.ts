/**
 * What each key action does to the queue: pure over the configuration, the queue and the multi-mode
 * selection, so the keypress path is one function call and testable without a page.
 */
import type { InitMessage } from '../src/shared/protocol';
import { assertUnreachable } from '../src/shared/protocol';
import type { KeyAction } from './keyboard';
import type { LabelQueue, StepResult } from './queue';

/** The queue's step, nothing (null), or a note for the user instead. */
export type Outcome = StepResult | null | { readonly notice: string };

/** Applies an action to the queue; null when it does nothing in this mode or state. */
export function applyAction(action: Exclude<KeyAction, { kind: 'help' | 'close' | 'chart' | 'review' }>, config: InitMessage, queue: LabelQueue, selection: Set<string>): Outcome {
const item = queue.shown;
  switch (action.kind) {
    case 'label': {
      const label = config.labels[action.index];
      if (!label || !item || config.mode === 'binary') return null;
      if (config.mode === 'multi') {
        if (selection.has(label.name)) selection.delete(label.name);
        else selection.add(label.name);
        return { messages: [], moved: false };
      }
      return queue.label([label.name]);
    }
    case 'accept':
    case 'reject': {
      if (!item || config.mode !== 'binary') return null;
      return queue.label([question(config, queue)], action.kind);
    }
    case 'confirm':
      return confirm(config, queue, selection);
    case 'keep':
      return keep(config, queue);
    case 'skip':
      return queue.skip();
    case 'undo':
      return queue.undo();
    case 'flag':
      return queue.flag();
    case 'back':
      return queue.back();
    case 'forward':
      return queue.forward();
    default:
      return assertUnreachable(action);
  }
}

/** Enter: the predicted label (single, binary) or the toggled labels (multi). */
function confirm(config: InitMessage, queue: LabelQueue, selection: ReadonlySet<string>): Outcome {
  const item = queue.shown;
  if (!item) return null;
  // The file's label under review comes first: Enter accepts it.
  const suggested = item.suggestion?.labels;
  if (suggested !== undefined && suggested.length > 0) {
    if (config.mode === 'binary') {
      const asked = question(config, queue);
      return queue.label([asked], suggested.includes(asked) ? 'accept' : 'reject');
    }
    if (config.mode === 'single') return queue.label(suggested.slice(0, 1));
    if (selection.size === 0 && !queue.browsing) return queue.label([...suggested]);
  }
  const predicted = item.prediction?.label;
  if (config.mode === 'multi') {
    const chosen = config.labels.map((l) => l.name).filter((name) => selection.has(name));
    if (chosen.length > 0 || queue.browsing) return queue.label(chosen);
    return queue.label(predicted !== undefined ? [predicted] : []);
  }
  if (predicted === undefined) return { notice: 'No prediction to confirm yet: pick a label with its key.' };
  if (config.mode === 'binary') return queue.label([question(config, queue)], predicted === question(config, queue) ? 'accept' : 'reject');
  return queue.label([predicted]);
}

/** k in the review queue: the current label again, as a review (the item is reviewed, unchanged). */
function keep(config: InitMessage, queue: LabelQueue): Outcome {
  const item = queue.shown;
  if (!item?.review) return null;
  const current = item.review.current?.labels;
  if (current === undefined || current.length === 0) return { notice: 'This item has no label to keep: accept the suggestion with Enter or pick a label with its key.' };
  if (config.mode === 'binary') {
    const asked = question(config, queue);
    return queue.label([asked], current.includes(asked) ? 'accept' : 'reject');
  }
  return queue.label(config.mode === 'single' ? current.slice(0, 1) : [...current]);
}

function question(config: InitMessage, queue: LabelQueue): string {
return queue.shown?.question ?? config.labels[0]?.name ?? '';
}
