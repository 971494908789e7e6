/**
 * The controller: builds the page from its parts, handles key actions and paints. Host messages go
 * to ./hostMessages, review mode is ./reviewMode, the banners and end state are ./status.
 * Data flows one way: an event changes the queue or the view state, then the affected regions are
 * repainted from that state. The state is saved with `setState` after every change, so a panel that
 * was hidden (and its page destroyed) comes back with the same item, queue and history.
 */
import { DEFAULT_KEYMAP, assertUnreachable, labelKeyForIndex } from '../src/shared/protocol';
import type { InitMessage } from '../src/shared/protocol';
import { LearningCurveChart } from './chart';
import { el, replaceChildren } from './dom';
import { HostBridge } from './host';
import type { VsCodeApi } from './host';
import { handleHostMessage, type HostData, type MessageTarget } from './hostMessages';
import { installKeyboard } from './keyboard';
import type { KeyAction, KeyConfig } from './keyboard';
import { LatencyProbe } from './latency';
import { HeaderRenderer, renderCounts, renderRecent, renderStopping } from './panels';
import type { PanelCallbacks } from './panels';
import { LabelQueue } from './queue';
import type { StepResult } from './queue';
import { applyAction } from './actions';
import { CardRenderer, describeUndo, renderOverlay } from './render';
import type { EndState } from './endState';
import { IdlePainter, type Region } from './idlePainter';
import { ReviewMode } from './reviewMode';
import { restoreState } from './state';
import type { PersistedState } from './state';
import { PageStatus } from './status';

export class App {
  private readonly bridge: HostBridge;
  private readonly queue: LabelQueue;
  private readonly latency = new LatencyProbe();
  private readonly data: HostData = { config: null, model: null };
  /** The card's note on the last undo; cleared by the next step. */
  private feedback: string | null = null;
  private overlayOpen = false;
  private readonly idle = new IdlePainter((region) => this.paintRegion(region));
  private selection = new Set<string>();
  private requestCounter = 0;
  private readonly sessionId = Math.random().toString(36).slice(2, 10);
  private readonly review: ReviewMode;
  private readonly status: PageStatus;
  /** What host messages update and repaint (see ./hostMessages). */
  private readonly target: MessageTarget;

  private readonly card: CardRenderer;
  private readonly header: HeaderRenderer;
  private readonly counts = el('div', { className: 'al-counts', attrs: { 'data-testid': 'counts' } });
  private readonly recent = el('div', { className: 'al-recent-box' });
  private readonly chart = new LearningCurveChart();
  private readonly stopping = el('div', { className: 'al-stopping', attrs: { 'data-testid': 'stopping', role: 'status' } });
  private readonly overlayHost = el('div');

  constructor(private readonly root: HTMLElement, api?: VsCodeApi) {
    this.bridge = new HostBridge((message) => handleHostMessage(this.target, message), (error) => this.status.setInvalid(error), api);
    const restored = restoreState(this.bridge.getState());
    this.queue = new LabelQueue(restored?.queue, () => `${this.sessionId}-${++this.requestCounter}`);
    if (restored) {
      this.data.config = restored.config;
      this.data.model = restored.model;
    }
    const callbacks: PanelCallbacks = {
      openSettings: () => this.bridge.post({ type: 'openSettings' }),
      chooseStrategy: () => this.bridge.post({ type: 'chooseStrategy' }),
      toggleHelp: () => this.onAction({ kind: 'help' }, performance.now()),
      errorAction: (actionId) => this.bridge.post({ type: 'errorAction', actionId }),
      dismissError: (index) => this.status.dismissError(index),
      retryWrite: (requestId) => this.retryWrite(requestId),
      cancel: () => this.bridge.post({ type: 'cancel' }),
      useLexical: () => this.bridge.post({ type: 'errorAction', actionId: 'useLexical' }),
      dismissSlow: () => this.status.dismissSlowEmbedding(),
    };
    this.status = new PageStatus(() => this.queue.failedWrites(), callbacks);
    this.review = new ReviewMode(
      {
        queue: this.queue,
        config: () => this.data.config,
        post: (message) => this.bridge.post(message),
        resetSelection: () => this.resetSelection(),
        paintCard: () => this.paintCard(),
        requestItemsIfLow: () => this.requestItemsIfLow(),
        schedulePersist: () => this.schedulePersist(),
      },
      restored?.review ?? null,
      {
        toggle: () => this.onAction({ kind: 'review' }, performance.now()),
        done: () => this.root.focus({ preventScroll: true }),
      },
    );
    this.target = {
      data: this.data,
      queue: this.queue,
      status: this.status,
      review: this.review,
      chart: this.chart,
      post: (message) => this.bridge.post(message),
      paintAll: () => this.paintAll(),
      paintCard: () => this.paintCard(),
      requestItemsIfLow: () => this.requestItemsIfLow(),
      later: (...regions) => this.idle.request(...regions),
    };
    this.card = new CardRenderer((action) => this.onAction(action, performance.now()));
    this.header = new HeaderRenderer(callbacks);
    replaceChildren(root, [
      this.header.element,
      this.review.element,
      this.status.element,
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
    this.status.startSlowClock(() => {
      if (!this.queue.shown) this.paintCard();
    });
    this.bridge.ready(restored !== null);
  }

  private keyConfig(): KeyConfig | null {
    const config = this.data.config;
    if (!this.queue.shown) {
      // No item on screen: the label keys pick the end state's actions (1, 2, 3…).
      const actions = this.endState().actions;
      if (actions.length > 0) {
        return { labels: actions.map((a, i) => ({ name: a.label, key: labelKeyForIndex(i) })), keymap: config?.keymap ?? DEFAULT_KEYMAP, mode: 'single' };
      }
    }
    return config ? { labels: config.labels, keymap: config.keymap, mode: config.mode } : null;
  }

  private retryWrite(requestId: string): void {
    const message = this.queue.retry(requestId);
    if (!message) return;
    this.bridge.post(message);
    this.paintHistory();
    this.status.paint();
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
      this.review.toggle();
      return;
    }
    if (action.kind === 'label' && !this.queue.shown) {
      const chosen = this.endState().actions[action.index];
      if (!chosen) return;
      // The review queue's end actions change the page's own mode; the rest go to the host.
      if (chosen.message.type === 'reviewMode') {
        this.review.set(chosen.message.review);
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
    if (!this.data.config) return;
    const result = this.step(action, this.data.config);
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
      if (this.status.failedChanged()) this.idle.request('banners');
    }
    this.schedulePersist();
  }

  /** Applies an action to the queue; null when it does nothing in this mode or state. */
  private step(action: Exclude<KeyAction, { kind: 'help' | 'close' | 'chart' | 'review' }>, config: InitMessage): StepResult | null {
    const outcome = applyAction(action, config, this.queue, this.selection);
    if (outcome !== null && 'notice' in outcome) {
      this.status.showNotice(outcome.notice);
      return null;
    }
    return outcome;
  }

  /** In multi mode a history entry starts with its saved labels toggled, ready to edit. */
  private resetSelection(): void {
    const entry = this.queue.browsing;
    const shown = this.queue.shown;
    const multi = this.data.config?.mode === 'multi';
    // A review item in multi mode starts with the suggested labels toggled: Enter accepts them.
    const suggested = !entry && multi && shown?.review && shown.suggestion ? shown.suggestion.labels : [];
    this.selection = new Set(entry && entry.outcome.kind === 'label' && multi ? entry.outcome.labels : suggested);
  }

  private requestItemsIfLow(): void {
    if (!this.data.config) return;
    const need = this.queue.needItems(performance.now());
    if (need) this.bridge.post(need);
  }

  // ------------------------------------------------------------------------------------------
  // Painting and persistence

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
        return this.status.paint();
      case 'persist': {
        const review = this.review.request;
        const state: PersistedState = { version: 2, queue: this.queue.snapshot(), config: this.data.config, model: this.data.model, ...(review !== null ? { review } : {}) };
        this.bridge.setState(state);
        return;
      }
      default:
        assertUnreachable(region);
    }
  }

  private paintAll(): void {
    this.paintCard();
    this.review.paint();
    this.paintStats();
    this.paintHistory();
    this.status.paint();
    this.paintOverlay();
  }

  private paintCard(): void {
    const entry = this.queue.browsing;
    const snapshot = this.queue.snapshot();
    this.card.render({
      config: this.data.config,
      item: this.queue.shown,
      browsing:
        entry && snapshot.cursor !== null
          ? { position: snapshot.cursor + 1, total: snapshot.history.length, outcome: entry.outcome, status: this.queue.write(entry.requestId)?.status }
          : null,
      selection: this.selection,
      end: this.queue.shown ? null : this.endState(),
      feedback: this.feedback,
      reviewing: this.review.request !== null,
    });
  }

  private endState(): EndState {
    return this.status.endState({ config: this.data.config, model: this.data.model, exhausted: this.queue.snapshot().exhausted, review: this.review.endView() });
  }

  private paintStats(): void {
    this.paintCounts();
    renderStopping(this.stopping, this.data.model);
    this.chart.update(this.data.model?.curve ?? [], this.data.model?.evaluated);
  }

  /** The header's progress and the per-label bars: all a saved write changes. */
  private paintCounts(): void {
    this.header.render(this.data.config, this.data.model);
    renderCounts(this.counts, this.data.config, this.data.model);
  }

  private paintHistory(): void {
    const snapshot = this.queue.snapshot();
    renderRecent(this.recent, snapshot, (id) => this.queue.write(id));
    if (this.queue.browsing) this.paintCard();
  }

  private paintOverlay(): void {
    replaceChildren(this.overlayHost, [this.overlayOpen ? renderOverlay(this.data.config, () => this.onAction({ kind: 'close' }, performance.now())) : null]);
    if (!this.overlayOpen && document.activeElement !== this.root && !this.root.contains(document.activeElement)) this.root.focus({ preventScroll: true });
  }

  /** setState serializes the whole state: do it in idle time, never on the keypress path. */
  private schedulePersist(): void {
    this.idle.request('persist');
  }
}
