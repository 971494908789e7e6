/**
 * Message dispatch: each validated host message updates the state that owns it (the queue, the
 * host data, the status, review mode), then asks for the regions it changed to be repainted and
 * for the state to be saved. Only the card is painted at once; the rest waits for idle time.
 */
import { assertUnreachable, EMPTY_MODEL } from '../src/shared/protocol';
import type { HostToWebview, InitMessage, ModelSnapshot, RevealSection, WebviewToHost } from '../src/shared/protocol';
import type { LearningCurveChart } from './chart';
import type { Region } from './idlePainter';
import type { LabelQueue } from './queue';
import type { ReviewMode } from './reviewMode';
import type { PageStatus } from './status';

/** What the host last sent about the session: its configuration (init) and the model snapshot. */
export interface HostData {
  config: InitMessage | null;
  model: ModelSnapshot | null;
}

/** What the dispatch updates and repaints. */
export interface MessageTarget {
  readonly data: HostData;
  readonly queue: LabelQueue;
  readonly status: PageStatus;
  readonly review: ReviewMode;
  readonly chart: LearningCurveChart;
  post(message: WebviewToHost): void;
  paintAll(): void;
  paintCard(): void;
  requestItemsIfLow(): void;
  /** Paints these regions outside the keypress frame (see IdlePainter). */
  later(...regions: Region[]): void;
}

export function handleHostMessage(page: MessageTarget, message: HostToWebview): void {
  dispatch(page, message);
  // Without an item the card shows an end state, which progress, errors and counts change.
  if (!page.queue.shown && message.type !== 'items' && message.type !== 'init') page.paintCard();
}

function dispatch(page: MessageTarget, message: HostToWebview): void {
  const { data, queue, status } = page;
  switch (message.type) {
    case 'init':
      data.config = message;
      data.model = message.state;
      status.init(message.state);
      page.paintAll();
      // Writes still unconfirmed (the page was restored, or the engine restarted): resend them with
      // the same request id; the engine answers a write already in its log without writing again.
      for (const write of queue.pendingWrites()) page.post(write.message);
      // The mode too: an engine that restarted is back to labeling; one that did not ignores it.
      page.review.resend();
      page.requestItemsIfLow();
      break;
    case 'items': {
      // An answer to a request made in the mode the page has since left: its items were released.
      if (!page.review.accepts(message)) return;
      const changed = queue.receive(message.items, { exhausted: message.exhausted, replace: message.replace });
      if (changed || !queue.shown) page.paintCard();
      // The host caps a message by text size, so it may bring fewer than asked: top up again.
      // An empty answer does not re-ask at once (that could loop); the next keypress will.
      if (message.items.length > 0) page.requestItemsIfLow();
      break;
    }
    case 'poolChanged':
      if (queue.withdraw(message.withdrawn) || !queue.shown) page.paintCard();
      page.requestItemsIfLow();
      break;
    case 'saved':
      if (queue.saved(message.requestId)) page.later('history');
      break;
    case 'saveFailed':
      if (queue.failed(message.requestId, message.message)) page.later('history', 'banners');
      break;
    case 'progress':
      status.setProgress(message);
      if (data.model && data.model.training !== (message.phase === 'training')) {
        data.model = { ...data.model, training: message.phase === 'training' };
        page.later('counts');
      }
      page.later('banners');
      return;
    case 'model':
      data.model = message;
      page.later('stats');
      break;
    case 'counts': {
      const { type: _counts, ...counts } = message;
      data.model = { ...(data.model ?? EMPTY_MODEL), ...counts };
      page.later('counts');
      break;
    }
    case 'error':
      status.addError(message);
      page.later('banners');
      return;
    case 'notice':
      status.showNotice(message.message);
      return;
    case 'poolEmbedding': {
      const { type: _pool, ...pool } = message;
      status.setPool(pool);
      page.later('banners');
      return;
    }
    case 'slowEmbedding':
      status.setSlowEmbedding(message);
      page.later('banners');
      return;
    case 'reviewProgress':
      page.review.onProgress(message);
      return;
    case 'reveal':
      reveal(page, message.section);
      return;
    default:
      assertUnreachable(message);
  }
  page.later('persist');
}

function reveal(page: MessageTarget, section: RevealSection): void {
  switch (section) {
    case 'chart':
      page.chart.reveal();
      return;
    case 'review':
      page.review.reveal();
      return;
    default:
      assertUnreachable(section);
  }
}
