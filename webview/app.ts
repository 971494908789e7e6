/**
 * The controller: host messages and key actions in, queue updates, host messages and repaints out.
 * Data flows one way: an event changes the queue or the view state, then the affected regions are
 * repainted from that state. The state is saved with `setState` after every change, so a panel that
 * was hidden (and its page destroyed) comes back with the same item, queue and history.
 */
import { assertUnreachable, EMPTY_MODEL } from '../src/shared/protocol';
import type { ErrorActionId, ErrorMessage, HostToWebview, InitMessage, ModelSnapshot, ProgressSnapshot, RevealSection } from '../src/shared/protocol';
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
import { CardRenderer, renderOverlay } from './render';
import { restoreState } from './state';
import type { PersistedState } from './state';

const NOTICE_MS = 6000;

export class App {
  private readonly bridge: HostBridge;
  private readonly queue: LabelQueue;
  private readonly latency = new LatencyProbe();
  private config: InitMessage | null = null;
  private model: ModelSnapshot | null = null;
  private progress: ProgressSnapshot | null = null;
  private errors: ErrorMessage[] = [];
  private notice: string | null = null;
  private invalid: string | null = null;
  private overlayOpen = false;
  private readonly afterPaintTasks: (() => void)[] = [];
  private failedShown = 0;
  private selection = new Set<string>();
  private persistPending = false;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private requestCounter = 0;
  private readonly sessionId = Math.random().toString(36).slice(2, 10);

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
    };
    this.card = new CardRenderer((action) => this.onAction(action, performance.now()));
    this.header = new HeaderRenderer(this.callbacks);
    replaceChildren(root, [
      this.header.element,
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
      if (document.visibilityState === 'hidden') this.flushAfterPaint();
    });
    installKeyboard(root, () => this.keyConfig(), (action, startedAt) => this.onAction(action, startedAt));
    this.bridge.ready(restored !== null);
  }

  private keyConfig(): KeyConfig | null {
    return this.config ? { labels: this.config.labels, keymap: this.config.keymap, mode: this.config.mode } : null;
  }

  // ------------------------------------------------------------------------------------------
  // Host messages

  private onHostMessage(message: HostToWebview): void {
    switch (message.type) {
      case 'init':
        this.config = message;
        this.model = message.state;
        this.progress = message.state.progress ?? null;
        this.errors = [];
        this.invalid = null;
        this.paintAll();
        // Writes still unconfirmed (the page was restored, or the engine restarted): resend them with
        // the same request id; the engine answers a write already in its log without writing again.
        for (const write of this.queue.pendingWrites()) this.bridge.post(write.message);
        this.requestItemsIfLow();
        break;
      case 'items': {
        const changed = this.queue.receive(message.items, { exhausted: message.exhausted });
        if (changed || !this.queue.shown) this.paintCard();
        // The host caps a message by text size, so it may bring fewer than asked: top up again.
        // An empty answer does not re-ask at once (that could loop); the next keypress will.
        if (message.items.length > 0) this.requestItemsIfLow();
        break;
      }
      case 'saved':
        if (this.queue.saved(message.requestId)) this.paintHistory();
        break;
      case 'saveFailed':
        if (this.queue.failed(message.requestId, message.message)) {
          this.paintHistory();
          this.paintBanners();
        }
        break;
      case 'progress':
        this.progress = message.phase === 'idle' ? null : message;
        if (this.model && this.model.training !== (message.phase === 'training')) {
          this.model = { ...this.model, training: message.phase === 'training' };
          this.paintCounts();
        }
        this.paintBanners();
        return;
      case 'model':
        this.model = message;
        this.paintStats();
        break;
      case 'counts': {
        const { type: _counts, ...counts } = message;
        this.model = { ...(this.model ?? EMPTY_MODEL), ...counts };
        this.paintCounts();
        break;
      }
      case 'error':
        this.errors = [...this.errors.filter((e) => e.message !== message.message), message];
        // The step that failed is over: its progress banner goes with it.
        this.progress = null;
        this.paintBanners();
        return;
      case 'notice':
        this.showNotice(message.message);
        return;
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
    if (action.kind === 'help' || action.kind === 'close') {
      this.overlayOpen = action.kind === 'help' ? !this.overlayOpen : false;
      this.paintOverlay();
      return;
    }
    // While the overlay covers the item, keys other than help/close would act blind.
    if (this.overlayOpen || !this.config) return;
    const result = this.step(action, this.config);
    if (!result) return;
    for (const message of result.messages) this.bridge.post(message);
    // Only the card is on the keypress path; the rest waits until the next item is painted.
    if (result.moved) this.resetSelection();
    this.paintCard();
    if (result.moved) {
      this.latency.measure(startedAt);
      // Asking for items is one cheap postMessage; doing it now (not after the paint) keeps the queue
      // full even when frames are slow, so fast typing never runs it dry.
      this.requestItemsIfLow();
      this.afterPaint(() => {
        this.paintHistory();
        // Undoing a failed label removes its failure banner.
        if (this.failedShown !== this.queue.failedWrites().length) this.paintBanners();
      });
    }
    this.schedulePersist();
  }

  /** Runs `task` once, after the next frame is painted, coalescing calls made before then. */
  private afterPaint(task: () => void): void {
    this.afterPaintTasks.push(task);
    if (this.afterPaintTasks.length > 1) return;
    // A hidden document gets no frames: run soon instead, so the state is still saved.
    if (document.visibilityState === 'hidden') setTimeout(() => this.flushAfterPaint(), 0);
    else requestAnimationFrame(() => setTimeout(() => this.flushAfterPaint(), 0));
  }

  private flushAfterPaint(): void {
    for (const next of this.afterPaintTasks.splice(0)) next();
  }

  /** Applies an action to the queue; null when it does nothing in this mode or state. */
  private step(action: Exclude<KeyAction, { kind: 'help' | 'close' }>, config: InitMessage): StepResult | null {
    const item = this.queue.shown;
    switch (action.kind) {
      case 'label': {
        const label = config.labels[action.index];
        if (!label || !item || config.mode === 'binary') return null;
        if (config.mode === 'multi') {
          if (this.selection.has(label.name)) this.selection.delete(label.name);
          else this.selection.add(label.name);
          return { messages: [], moved: false };
        }
        return this.queue.label([label.name]);
      }
      case 'accept':
      case 'reject': {
        if (!item || config.mode !== 'binary') return null;
        return this.queue.label([this.question(config)], action.kind);
      }
      case 'confirm':
        return this.confirm(config);
      case 'skip':
        return this.queue.skip();
      case 'undo':
        return this.queue.undo();
      case 'flag':
        return this.queue.flag();
      case 'back':
        return this.queue.back();
      case 'forward':
        return this.queue.forward();
      default:
        return assertUnreachable(action);
    }
  }

  /** Enter: the predicted label (single, binary) or the toggled labels (multi). */
  private confirm(config: InitMessage): StepResult | null {
    const item = this.queue.shown;
    if (!item) return null;
    // The file's label under review comes first: Enter accepts it.
    const suggested = item.suggestion?.labels;
    if (suggested !== undefined && suggested.length > 0) {
      if (config.mode === 'binary') {
        const question = this.question(config);
        return this.queue.label([question], suggested.includes(question) ? 'accept' : 'reject');
      }
      if (config.mode === 'single') return this.queue.label(suggested.slice(0, 1));
      if (this.selection.size === 0 && !this.queue.browsing) return this.queue.label([...suggested]);
    }
    const predicted = item.prediction?.label;
    if (config.mode === 'multi') {
      const chosen = config.labels.map((l) => l.name).filter((name) => this.selection.has(name));
      if (chosen.length > 0 || this.queue.browsing) return this.queue.label(chosen);
      return this.queue.label(predicted !== undefined ? [predicted] : []);
    }
    if (predicted === undefined) {
      this.showNotice('No prediction to confirm yet: pick a label with its key.');
      return null;
    }
    if (config.mode === 'binary') return this.queue.label([this.question(config)], predicted === this.question(config) ? 'accept' : 'reject');
    return this.queue.label([predicted]);
  }

  private question(config: InitMessage): string {
    return this.queue.shown?.question ?? config.labels[0]?.name ?? '';
  }

  /** In multi mode a history entry starts with its saved labels toggled, ready to edit. */
  private resetSelection(): void {
    const entry = this.queue.browsing;
    this.selection = new Set(entry && entry.outcome.kind === 'label' && this.config?.mode === 'multi' ? entry.outcome.labels : []);
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
      exhausted: snapshot.exhausted,
    });
  }

  private paintStats(): void {
    this.paintCounts();
    renderStopping(this.stopping, this.model);
    this.chart.update(this.model?.curve ?? []);
  }

  /** The header's progress and the per-label bars: all a saved write changes. */
  private paintCounts(): void {
    this.header.render(this.config, this.model);
    renderCounts(this.counts, this.config, this.model);
  }

  private paintHistory(): void {
    const snapshot = this.queue.snapshot();
    renderRecent(this.recent, snapshot.history, snapshot.cursor, (id) => this.queue.write(id));
    if (this.queue.browsing) this.paintCard();
  }

  private paintBanners(): void {
    const failedWrites = this.queue.failedWrites();
    this.failedShown = failedWrites.length;
    renderBanners(this.banners, { errors: this.errors, failedWrites, notice: this.notice, progress: this.progress, invalid: this.invalid }, this.callbacks);
  }

  private paintOverlay(): void {
    replaceChildren(this.overlayHost, [this.overlayOpen ? renderOverlay(this.config, () => this.onAction({ kind: 'close' }, performance.now())) : null]);
    if (!this.overlayOpen && document.activeElement !== this.root && !this.root.contains(document.activeElement)) this.root.focus({ preventScroll: true });
  }

  /** setState serializes the whole state: do it after the frame, never on the keypress path. */
  private schedulePersist(): void {
    if (this.persistPending) return;
    this.persistPending = true;
    this.afterPaint(() => {
      this.persistPending = false;
      const state: PersistedState = { version: 2, queue: this.queue.snapshot(), config: this.config, model: this.model };
      this.bridge.setState(state);
    });
  }
}
