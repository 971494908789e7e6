/**
 * The controller: host messages and key actions in, queue updates, host messages and repaints out.
 * Data flows one way: an event changes the queue or the view state, then the affected regions are
 * repainted from that state. The state is saved with `setState` after every change, so a panel that
 * was hidden (and its page destroyed) comes back with the same item, queue and history.
 */
import { assertUnreachable, DEFAULT_KEYMAP, EMPTY_MODEL, labelKeyForIndex } from '../src/shared/protocol';
import type { ErrorActionId, ErrorMessage, HostToWebview, InitMessage, ModelSnapshot, PoolEmbeddingSnapshot, ProgressSnapshot, RevealSection, ReviewProgress, ReviewRequest, SlowEmbeddingMessage } from '../src/shared/protocol';
import { LearningCurveChart } from './chart';
import { el, replaceChildren } from './dom';
import { HostBridge } from './host';
import type { VsCodeApi } from './host';
import { installKeyboard } from './keyboard';
import type { KeyAction, KeyConfig } from './keyboard';
import { LatencyProbe } from './latency';
import { HeaderRenderer, renderBanners, renderCounts, renderRecent, renderStopping } from './panels';
import type { PanelCallbacks } from './panels';
import { LabelQueue } from './queue';
import type { StepResult } from './queue';
import { applyAction } from './actions';
import { CardRenderer, describeUndo, renderOverlay } from './render';
import { endState, type EndState } from './endState';
import { IdlePainter, type Region } from './idlePainter';
import { ReviewBar } from './reviewBar';
import { restoreState } from './state';
import type { PersistedState } from './state';

const NOTICE_MS = 6000;
const SLOW_START_MS = 3000;

export class App {
  private readonly bridge: HostBridge;
  private readonly queue: LabelQueue;
  private readonly latency = new LatencyProbe();
  private config: InitMessage | null = null;
  private model: ModelSnapshot | null = null;
  private progress: ProgressSnapshot | null = null;
  /** The pool's background embedding until it is done, and the one-time warning that it is slow. */
  private pool: PoolEmbeddingSnapshot | null = null;
  private slowEmbedding: SlowEmbeddingMessage | null = null;
  private errors: ErrorMessage[] = [];
  private notice: string | null = null;
  /** The card's note on the last undo; cleared by the next step. */
  private feedback: string | null = null;
  private invalid: string | null = null;
  private overlayOpen = false;
  private readonly idle = new IdlePainter((region) => this.paintRegion(region));
  private failedShown = 0;
  private selection = new Set<string>();
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private requestCounter = 0;
  private readonly sessionId = Math.random().toString(36).slice(2, 10);
  /** Set a few seconds after load: a card still without an item then says what is going on. */
  private slow = false;
  /** The review queue's order and filters while in review mode; null while labeling. */
  private review: ReviewRequest | null = null;
  private reviewProgress: ReviewProgress | null = null;
  private readonly reviewBar: ReviewBar;

  private readonly card: CardRenderer;
  private readonly header: HeaderRenderer;
  private readonly banners = el('div', { className: 'al-banners', attrs: { 'data-testid': 'banners' } });
  private readonly counts = el('div', { className: 'al-counts', attrs: { 'data-testid': 'counts' } });
  private readonly recent = el('div', { className: 'al-recent-box' });
  private readonly chart = new LearningCurveChart();
  private readonly stopping = el('div', { className: 'al-stopping', attrs: { 'data-testid': 'stopping', role: 'status' } });
  private readonly overlayHost = el('div');
  private readonly callbacks: PanelCallbacks;

  constructor(private readonly root: HTMLElement, api?: VsCodeApi) {
    this.bridge = new HostBridge((message) => this.onHostMessage(message), (error) => this.onInvalid(error), api);
    const restored = restoreState(this.bridge.getState());
    this.queue = new LabelQueue(restored?.queue, () => `${this.sessionId}-${++this.requestCounter}`);
    if (restored) {
      this.config = restored.config;
      this.model = restored.model;
      this.review = restored.review ?? null;
    }
    this.callbacks = {
      openSettings: () => this.bridge.post({ type: 'openSettings' }),
      chooseStrategy: () => this.bridge.post({ type: 'chooseStrategy' }),
      toggleHelp: () => this.onAction({ kind: 'help' }, performance.now()),
      errorAction: (actionId) => this.onErrorAction(actionId),
      dismissError: (index) => {
        this.errors = this.errors.filter((_, i) => i !== index);
        this.paintBanners();
      },
      retryWrite: (requestId) => this.retryWrite(requestId),
      cancel: () => this.bridge.post({ type: 'cancel' }),
      useLexical: () => this.onErrorAction('useLexical'),
      dismissSlow: () => {
        this.slowEmbedding = null;
        this.paintBanners();
      },
    };
    this.card = new CardRenderer((action) => this.onAction(action, performance.now()));
    this.header = new HeaderRenderer(this.callbacks);
    this.reviewBar = new ReviewBar({
      change: (request) => this.setReview(request),
      toggle: () => this.onAction({ kind: 'review' }, performance.now()),
      done: () => this.root.focus({ preventScroll: true }),
    });
    replaceChildren(root, [
      this.header.element,
      this.reviewBar.element,
      this.banners,
      el('div', { className: 'al-body' }, [
        this.card.element,
        el('aside', { className: 'al-side' }, [this.counts, this.stopping, this.chart.element, this.recent]),
      ]),
      this.overlayHost,
    ]);
    this.paintAll();
    // The panel is about to be hidden (and its page destroyed): save now, not after a frame.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.idle.flush();
    });
    installKeyboard(root, () => this.keyConfig(), (action, startedAt) => this.onAction(action, startedAt));
    setTimeout(() => {
      this.slow = true;
      if (!this.queue.shown) this.paintCard();
    }, SLOW_START_MS);
    this.bridge.ready(restored !== null);
  }

  private keyConfig(): KeyConfig | null {
    if (!this.queue.shown) {
      // No item on screen: the label keys pick the end state's actions (1, 2, 3…).
      const actions = this.endState().actions;
      if (actions.length > 0) {
        return { labels: actions.map((a, i) => ({ name: a.label, key: labelKeyForIndex(i) })), keymap: this.config?.keymap ?? DEFAULT_KEYMAP, mode: 'single' };
      }
    }
    return this.config ? { labels: this.config.labels, keymap: this.config.keymap, mode: this.config.mode } : null;
  }

  // ------------------------------------------------------------------------------------------
  // Host messages

  private onHostMessage(message: HostToWebview): void {
    this.handleHostMessage(message);
    // Without an item the card shows an end state, which progress, errors and counts change.
    if (!this.queue.shown && message.type !== 'items' && message.type !== 'init') this.paintCard();
  }

  private handleHostMessage(message: HostToWebview): void {
    switch (message.type) {
      case 'init':
        this.config = message;
        this.model = message.state;
        this.progress = message.state.progress ?? null;
        this.pool = message.state.pool ?? null;
        this.errors = [];
        this.invalid = null;
        this.paintAll();
        // Writes still unconfirmed (the page was restored, or the engine restarted): resend them with
        // the same request id; the engine answers a write already in its log without writing again.
        for (const write of this.queue.pendingWrites()) this.bridge.post(write.message);
        // The mode too: an engine that restarted is back to labeling; one that did not ignores it.
        if (this.review !== null) this.bridge.post({ type: 'reviewMode', review: this.review });
        this.requestItemsIfLow();
        break;
      case 'items': {
        // An answer to a request made in the mode the page has since left: its items were released.
        if ((message.review === true) !== (this.review !== null)) return;
        const changed = this.queue.receive(message.items, { exhausted: message.exhausted, replace: message.replace });
        if (changed || !this.queue.shown) this.paintCard();
        // The host caps a message by text size, so it may bring fewer than asked: top up again.
        // An empty answer does not re-ask at once (that could loop); the next keypress will.
        if (message.items.length > 0) this.requestItemsIfLow();
        break;
      }
      case 'poolChanged':
        if (this.queue.withdraw(message.withdrawn) || !this.queue.shown) this.paintCard();
        this.requestItemsIfLow();
        break;
      case 'saved':
        if (this.queue.saved(message.requestId)) this.idle.request('history');
        break;
      case 'saveFailed':
        if (this.queue.failed(message.requestId, message.message)) this.idle.request('history', 'banners');
        break;
      case 'progress':
        this.progress = message.phase === 'idle' ? null : message;
        if (this.model && this.model.training !== (message.phase === 'training')) {
          this.model = { ...this.model, training: message.phase === 'training' };
          this.idle.request('counts');
        }
        this.idle.request('banners');
        return;
      case 'model':
        this.model = message;
        this.idle.request('stats');
        break;
      case 'counts': {
        const { type: _counts, ...counts } = message;
        this.model = { ...(this.model ?? EMPTY_MODEL), ...counts };
        this.idle.request('counts');
        break;
      }
      case 'error':
        this.errors = [...this.errors.filter((e) => e.message !== message.message), message];
        // The step that failed is over: its progress banner goes with it.
        this.progress = null;
        this.idle.request('banners');
        return;
      case 'notice':
        this.showNotice(message.message);
        return;
      case 'poolEmbedding': {
        const { type: _pool, ...pool } = message;
        this.pool = pool.state === 'done' ? null : pool;
        if (pool.state === 'done') this.slowEmbedding = null;
        this.idle.request('banners');
        return;
      }
      case 'slowEmbedding':
        this.slowEmbedding = message;
        this.idle.request('banners');
        return;
      case 'reviewProgress': {
        if (this.review === null || message.order !== this.review.order) return;
        const { type: _progress, ...progress } = message;
        this.reviewProgress = progress;
        this.paintReviewBar();
        // A new model or a review elsewhere brought items to an order the page had seen run dry.
        if (!this.queue.shown && this.queue.snapshot().exhausted && progress.toReview > 0) {
          this.queue.dropUnanswered();
          this.requestItemsIfLow();
        }
        return;
      }
      case 'reveal':
        this.reveal(message.section);
        return;
      default:
        assertUnreachable(message);
    }
    this.schedulePersist();
  }

  private reveal(section: RevealSection): void {
    switch (section) {
      case 'chart':
        this.chart.reveal();
        return;
      case 'review':
        if (this.review === null) this.setReview({ order: 'suspects', filters: {} });
        return;
      default:
        assertUnreachable(section);
    }
  }

  private onInvalid(error: string): void {
    this.invalid = error;
    this.paintBanners();
  }

  private onErrorAction(actionId: ErrorActionId): void {
    this.bridge.post({ type: 'errorAction', actionId });
  }

  private retryWrite(requestId: string): void {
    const message = this.queue.retry(requestId);
    if (!message) return;
    this.bridge.post(message);
    this.paintHistory();
    this.paintBanners();
    this.schedulePersist();
  }

  // ------------------------------------------------------------------------------------------
  // Key actions

  private onAction(action: KeyAction, startedAt: number): void {
    if (action.kind === 'chart') {
      this.chart.reveal();
      return;
    }
    if (action.kind === 'help' || action.kind === 'close') {
      this.overlayOpen = action.kind === 'help' ? !this.overlayOpen : false;
      this.paintOverlay();
      return;
    }
    // While the overlay covers the item, keys other than help/close would act blind.
    if (this.overlayOpen) return;
    if (action.kind === 'review') {
      this.setReview(this.review === null ? { order: this.reviewProgress?.order ?? 'suspects', filters: {} } : null);
      return;
    }
    if (action.kind === 'label' && !this.queue.shown) {
      const chosen = this.endState().actions[action.index];
      if (!chosen) return;
      // The review queue's end actions change the page's own mode; the rest go to the host.
      if (chosen.message.type === 'reviewMode') {
        this.setReview(chosen.message.review);
        return;
      }
      this.bridge.post(chosen.message);
      if (chosen.message.type === 'revisitSkipped') {
        // The engine serves the skipped items again: ask for them (it handles messages in order).
        this.queue.reopen();
        this.requestItemsIfLow();
        this.paintCard();
      }
      return;
    }
    if (!this.config) return;
    const result = this.step(action, this.config);
    if (!result) return;
    for (const message of result.messages) this.bridge.post(message);
    // Only the card is on the keypress path; the rest waits until the next item is painted.
    if (result.moved) {
      this.resetSelection();
      const undone = action.kind === 'undo' ? this.queue.lastUndone : undefined;
      this.feedback = undone ? describeUndo(undone.outcome, undone.item.text) : null;
    }
    this.paintCard();
    if (result.moved) {
      this.latency.measure(startedAt);
      // Asking for items is one cheap postMessage; doing it now (not after the paint) keeps the queue
      // full even when frames are slow, so fast typing never runs it dry.
      this.requestItemsIfLow();
      this.idle.request('history');
      // Undoing a failed label removes its failure banner.
      if (this.failedShown !== this.queue.failedWrites().length) this.idle.request('banners');
    }
    this.schedulePersist();
  }

  /** Paints one region outside the keypress frame (see IdlePainter). */
  private paintRegion(region: Region): void {
    switch (region) {
      case 'history':
        return this.paintHistory();
      case 'counts':
        return this.paintCounts();
      case 'stats':
        return this.paintStats();
      case 'banners':
        return this.paintBanners();
      case 'persist': {
        const state: PersistedState = { version: 2, queue: this.queue.snapshot(), config: this.config, model: this.model, ...(this.review !== null ? { review: this.review } : {}) };
        this.bridge.setState(state);
        return;
      }
      default:
        assertUnreachable(region);
    }
  }

  /**
   * Into review mode with this order and filters, or back to labeling (null). The items the page
   * holds unanswered belong to the mode it leaves: they are dropped, and the engine, told first,
   * releases them and serves the new mode's items.
   */
  private setReview(request: ReviewRequest | null): void {
    // The same request again (a filter retyped to the same value): the engine keeps what the page
    // holds out, so the page keeps it too (dropping it would strand those items as served).
    if (JSON.stringify(request) === JSON.stringify(this.review)) return;
    if (request !== null && this.review !== null && this.review.order !== request.order) this.reviewProgress = null;
    if (request === null) this.reviewProgress = null;
    this.review = request;
    this.queue.dropUnanswered();
    this.bridge.post({ type: 'reviewMode', review: request });
    this.resetSelection();
    this.paintCard();
    this.paintReviewBar();
    this.requestItemsIfLow();
    this.schedulePersist();
  }

  /** Applies an action to the queue; null when it does nothing in this mode or state. */
  private step(action: Exclude<KeyAction, { kind: 'help' | 'close' | 'chart' | 'review' }>, config: InitMessage): StepResult | null {
    const outcome = applyAction(action, config, this.queue, this.selection);
    if (outcome !== null && 'notice' in outcome) {
      this.showNotice(outcome.notice);
      return null;
    }
    return outcome;
  }

  /** In multi mode a history entry starts with its saved labels toggled, ready to edit. */
  private resetSelection(): void {
    const entry = this.queue.browsing;
    const shown = this.queue.shown;
    const multi = this.config?.mode === 'multi';
    // A review item in multi mode starts with the suggested labels toggled: Enter accepts them.
    const suggested = !entry && multi && shown?.review && shown.suggestion ? shown.suggestion.labels : [];
    this.selection = new Set(entry && entry.outcome.kind === 'label' && multi ? entry.outcome.labels : suggested);
  }

  private requestItemsIfLow(): void {
    if (!this.config) return;
    const need = this.queue.needItems(performance.now());
    if (need) this.bridge.post(need);
  }

  private showNotice(message: string): void {
    this.notice = message;
    this.paintBanners();
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.notice = null;
      this.paintBanners();
    }, NOTICE_MS);
  }

  // ------------------------------------------------------------------------------------------
  // Painting and persistence

  private paintAll(): void {
    this.paintCard();
    this.paintReviewBar();
    this.paintStats();
    this.paintHistory();
    this.paintBanners();
    this.paintOverlay();
  }

  private paintCard(): void {
    const entry = this.queue.browsing;
    const snapshot = this.queue.snapshot();
    this.card.render({
      config: this.config,
      item: this.queue.shown,
      browsing:
        entry && snapshot.cursor !== null
          ? { position: snapshot.cursor + 1, total: snapshot.history.length, outcome: entry.outcome, status: this.queue.write(entry.requestId)?.status }
          : null,
      selection: this.selection,
      end: this.queue.shown ? null : this.endState(),
      feedback: this.feedback,
      reviewing: this.review !== null,
    });
  }

  private paintReviewBar(): void {
    this.reviewBar.render({ config: this.config, request: this.review, progress: this.reviewProgress });
  }

  private endState(): EndState {
    return endState({
      config: this.config,
      model: this.model,
      progress: this.progress,
      errors: this.errors,
      exhausted: this.queue.snapshot().exhausted,
      slow: this.slow,
      pool: this.pool,
      review: this.review === null ? null : { request: this.review, progress: this.reviewProgress },
    });
  }

  private paintStats(): void {
    this.paintCounts();
    renderStopping(this.stopping, this.model);
    this.chart.update(this.model?.curve ?? [], this.model?.evaluated);
  }

  /** The header's progress and the per-label bars: all a saved write changes. */
  private paintCounts(): void {
    this.header.render(this.config, this.model);
    renderCounts(this.counts, this.config, this.model);
  }

  private paintHistory(): void {
    const snapshot = this.queue.snapshot();
    renderRecent(this.recent, snapshot, (id) => this.queue.write(id));
    if (this.queue.browsing) this.paintCard();
  }

  private paintBanners(): void {
    const failedWrites = this.queue.failedWrites();
    this.failedShown = failedWrites.length;
    renderBanners(this.banners, { errors: this.errors, failedWrites, notice: this.notice, progress: this.progress, invalid: this.invalid, pool: this.pool, slow: this.slowEmbedding }, this.callbacks);
  }

  private paintOverlay(): void {
    replaceChildren(this.overlayHost, [this.overlayOpen ? renderOverlay(this.config, () => this.onAction({ kind: 'close' }, performance.now())) : null]);
    if (!this.overlayOpen && document.activeElement !== this.root && !this.root.contains(document.activeElement)) this.root.focus({ preventScroll: true });
  }

  /** setState serializes the whole state: do it in idle time, never on the keypress path. */
  private schedulePersist(): void {
    this.idle.request('persist');
  }
}
