/**
 * The panel's session: one dataset, its engine worker, its labeling panel. Messages from the page
 * are validated once, here, and the engine's are validated once in the WorkerClient; the writes
 * and item requests go to the worker as they are (the worker owns the labeling state), and every
 * engine message goes to the one Presenter. What needs VS Code UI (settings, the strategy pick,
 * error actions, notifications) goes through the SessionUi port (sessionPorts.ts), so this file is
 * free of the `vscode` module and its unit tests drive it with a real engine and a recording UI.
 * The `start` message is built in startMessage.ts; the engine's reports are worded in
 * engineReports.ts.
 */
import * as path from 'node:path';
import { STRATEGIES } from '../core/sampling/registry';
import { parseWith, WebviewToHost, type ErrorActionId, type Message } from '../shared/protocol';
import type { HostToWorker, WorkerToHost } from '../shared/protocol/engine';
import type { Settings, StrategyId } from '../shared/settings';
import { assertUnreachable } from '../shared/assert';
import { EngineReports } from './engineReports';
import { Presenter, type PageConfig, type StatusPort } from './presenter';
import type { EnginePort, PanelPort, SessionUi } from './sessionPorts';
export type { EnginePort, PanelPort, SessionUi } from './sessionPorts';
import type { SetupAnswers } from './setupAnswers';
import { startMessage } from './startMessage';

export interface PanelSessionOptions {
  readonly datasetFile: string;
  readonly workspaceRoot: string;
  readonly cacheDir: string;
  readonly answers: SetupAnswers;
  readonly settings: Settings;
  /** Who the labels are written as at the start: `activeLabel.annotator`, or the default name. */
  readonly annotator: string;
  /** The name used when `activeLabel.annotator` is cleared mid-session (git user.name, the OS user). */
  readonly defaultAnnotator?: () => Promise<string>;
  readonly panel: PanelPort;
  readonly status: StatusPort & { hide(): void };
  readonly ui: SessionUi;
  readonly spawnEngine: () => EnginePort;
  /** Remembers the dataset's answers (SetupMemory.set): a strategy chosen here is one of them. */
  readonly saveAnswers: (answers: SetupAnswers) => Promise<void>;
}

export class PanelSession {
  private readonly panel: PanelPort;
  private worker: EnginePort;
  private readonly presenter: Presenter;
  private readonly ui: SessionUi;
  /** Turns the engine's ready, reload and error reports into log lines and notifications. */
  private readonly reports: EngineReports;
  private settings: Settings;
  private answers: SetupAnswers;
  /** Written into every event; follows `activeLabel.annotator` without a restart. */
  private annotatorName: string;
  /** Overrides the configured model for this session only (e.g. "Use lexical embeddings"). */
  private modelOverride: string | undefined;
  private disposed = false;
  private readonly disposeListeners: (() => void)[] = [];
  private readonly reviewListeners = new Set<(m: Message<WorkerToHost, 'reviewData' | 'reviewSaved'>) => void>();

  constructor(private readonly options: PanelSessionOptions) {
    this.settings = options.settings;
    this.answers = options.answers;
    this.annotatorName = options.annotator;
    this.panel = options.panel;
    this.ui = options.ui;
    this.reports = new EngineReports(this.ui, options.datasetFile, (id) => this.runErrorAction(id));
    this.presenter = new Presenter(this.pageConfig(), this.panel, options.status);
    this.worker = this.spawnWorker();
    this.panel.onMessage((raw) => this.fromPage(raw));
    this.panel.onDidDispose(() => this.dispose());
    this.startEngine();
  }

  onDidDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  get datasetFile(): string {
    return this.options.datasetFile;
  }

  /** Who the next event is written as (follows `activeLabel.annotator`). */
  get annotator(): string {
    return this.annotatorName;
  }

  get labelSet(): readonly string[] {
    return this.answers.labels;
  }

  get textField(): string {
    return this.answers.textField;
  }

  /** The editor's review layer listens to the engine's review data and answers; returns an unsubscribe. */
  onReview(listener: (m: Message<WorkerToHost, 'reviewData' | 'reviewSaved'>) => void): () => void {
    this.reviewListeners.add(listener);
    return () => this.reviewListeners.delete(listener);
  }

  /** The dataset file changed on disk (datasetWatcher.ts): the worker reads it again. */
  reloadDataset(): void {
    this.send({ type: 'reloadDataset' });
  }

  /** Sends a reviewer's decisions to the worker, which owns the log; false when the engine is gone. */
  sendReview(m: Message<HostToWorker, 'reviewLabel'>): boolean {
    return this.send(m);
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Brings the panel forward and scrolls its learning curve into view (expanded, highlighted). */
  showLearningCurve(): void {
    this.presenter.reveal('chart');
    this.panel.reveal();
  }

  /** Brings the panel forward in review mode (the Review Queue command). */
  showReviewQueue(): void {
    this.presenter.reveal('review');
    this.panel.reveal();
  }

  /** New setup answers (Configure Labels): restart the engine session with them. */
  reconfigure(answers: SetupAnswers): void {
    this.answers = answers;
    this.presenter.reconfigure(this.pageConfig());
    this.restartEngine();
  }

  /** The strategy in use: the dataset's own choice, else the `activeLabel.strategy` setting. */
  get strategy(): StrategyId {
    return this.answers.strategy ?? this.settings.strategy;
  }

  /**
   * Choose Sampling Strategy: the choice is the dataset's, remembered with its setup answers (never
   * written to settings). The header shows it at once, and the next item comes from it: the worker
   * replaces the page's prefetched items.
   */
  async chooseStrategy(strategy: StrategyId): Promise<void> {
    if (this.disposed) return;
    const before = this.strategy;
    this.answers = { ...this.answers, strategy };
    if (before !== strategy) {
      this.presenter.reconfigure(this.pageConfig());
      this.send({ type: 'setStrategy', strategy });
      this.ui.log('info', `Strategy for ${path.basename(this.options.datasetFile)}: ${strategy} (was ${before}).`);
    }
    await this.options.saveAnswers(this.answers);
  }

  /** Settings changed (the configuration listener is the only way in): strategy and keymap apply at once. */
  updateSettings(settings: Settings): void {
    const before = this.settings;
    const strategyBefore = this.strategy;
    this.settings = settings;
    const embedding = (s: Settings): string => JSON.stringify([s.model, s.vectors, s.serverBatchSize, s.serverConcurrency]);
    if (embedding(before) !== embedding(settings)) {
      // Another model or vector file: the session starts again on it (the cache keeps what it had),
      // with the new strategy too.
      this.modelOverride = undefined;
      this.restartEngine();
    } else if (strategyBefore !== this.strategy) {
      // The setting is the default of a dataset with no choice of its own.
      this.send({ type: 'setStrategy', strategy: this.strategy });
    }
    if (strategyBefore !== this.strategy || JSON.stringify(before.keymap) !== JSON.stringify(settings.keymap)) {
      this.presenter.reconfigure(this.pageConfig());
    }
    if (before.annotator !== settings.annotator) void this.followAnnotator(settings.annotator);
  }

  /**
   * `activeLabel.annotator` changed: the next write is made under the new name (the worker handles
   * messages in order) and the panel's header shows it. Cleared, it falls back to the default name.
   */
  private async followAnnotator(configured: string): Promise<void> {
    const name = configured || ((await this.options.defaultAnnotator?.().catch(() => undefined)) ?? this.options.annotator);
    // A later change overtook this one while the default name was looked up.
    if (this.disposed || this.settings.annotator !== configured || name === this.annotatorName) return;
    this.annotatorName = name;
    this.ui.log('info', `Labels are now written as ${name}.`);
    this.send({ type: 'setAnnotator', annotator: name });
    this.presenter.reconfigure(this.pageConfig());
  }

  /** Writes the current labels; resolves with the number exported. */
  async exportLabels(outFile: string, format: 'jsonl' | 'csv'): Promise<number> {
    const reply = await this.worker.exportLabels(format, outFile);
    if (reply.type === 'error') throw new Error(reply.message);
    return reply.count;
  }

  /** Imports another tool's export into this session's log (the worker reads, matches, appends). */
  async importLabels(file: string): Promise<Message<WorkerToHost, 'imported'>> {
    const reply = await this.worker.importLabels(file);
    if (reply.type === 'error') throw new Error(reply.message);
    return reply;
  }

  private pageConfig(): PageConfig {
    return {
      datasetName: path.basename(this.options.datasetFile),
      labels: this.answers.labels,
      mode: this.answers.mode,
      keymap: this.settings.keymap,
      strategy: STRATEGIES[this.strategy].title,
      annotator: this.annotatorName,
    };
  }

  /** A raw message from the page: validated here, once. */
  private fromPage(raw: unknown): void {
    const parsed = parseWith(WebviewToHost, raw);
    if (!parsed.ok) {
      this.ui.log('warn', `Refused a malformed message from the labeling panel: ${parsed.error}`);
      return;
    }
    const m = parsed.value;
    switch (m.type) {
      case 'ready':
        this.presenter.pageReady();
        // A page that lost its queue gets the items it held served again.
        if (!m.restored) this.send({ type: 'release' });
        return;
      case 'label':
      case 'undo':
      case 'skip':
      case 'flag':
        this.sendWrite(m);
        return;
      case 'needItems':
      case 'revisitSkipped':
      case 'cancel':
      case 'reviewMode':
        this.send(m);
        return;
      case 'exportLabels':
        this.ui.executeCommand('activeLabel.exportLabels');
        return;
      case 'configureLabels':
        this.ui.executeCommand('activeLabel.configureLabels');
        return;
      case 'openSettings':
        this.ui.executeCommand('activeLabel.openSettings');
        return;
      case 'chooseStrategy':
        this.ui.executeCommand('activeLabel.chooseStrategy');
        return;
      case 'errorAction':
        void this.runErrorAction(m.actionId);
        return;
      default:
        assertUnreachable(m);
    }
  }

  /** A write always gets an answer: a dead engine answers `saveFailed` here. */
  private sendWrite(m: Message<WebviewToHost, 'label' | 'undo' | 'skip' | 'flag'>): void {
    if (this.send(m)) return;
    this.panel.post({ type: 'saveFailed', requestId: m.requestId, itemId: m.itemId, message: 'The engine has stopped; choose Retry to restart it, then retry this write.' });
  }

  private send(m: HostToWorker): boolean {
    if (!this.worker.isAlive) return false;
    this.worker.post(m);
    return true;
  }

  private spawnWorker(): EnginePort {
    const worker = this.options.spawnEngine();
    worker.onMessage((m) => this.fromWorker(m));
    return worker;
  }

  private startEngine(): void {
    // The start waits for nothing but the key (SecretStorage is async); later messages queue behind
    // it in the worker, which handles them in order.
    const send = (apiKey: string | undefined): void => {
      if (this.disposed) return;
      const start = startMessage({
        datasetFile: this.options.datasetFile,
        workspaceRoot: this.options.workspaceRoot,
        cacheDir: this.options.cacheDir,
        answers: this.answers,
        settings: this.settings,
        strategy: this.strategy,
        annotator: this.annotatorName,
        modelOverride: this.modelOverride,
        apiKey,
      });
      this.ui.log('info', `Starting session on ${start.datasetFile} (model ${start.model}${start.vectors ? `, vectors ${start.vectors}` : ''}, strategy ${start.strategy}, mode ${start.mode})`);
      this.send(start);
    };
    const model = this.modelOverride ?? this.settings.model;
    if (!model.startsWith('openai:')) return send(undefined);
    void this.ui.apiKey().then(send, () => send(undefined));
  }

  /** Re-sends `start`; a dead worker is replaced first. The page resends its pending writes on `init`. */
  private restartEngine(): void {
    if (this.disposed) return;
    this.ui.endProgress();
    if (!this.worker.isAlive) this.worker = this.spawnWorker();
    this.presenter.engineRestarting();
    this.startEngine();
    this.presenter.pageReady();
  }

  private fromWorker(m: WorkerToHost): void {
    if (this.disposed) return;
    this.presenter.present(m);
    switch (m.type) {
      case 'progress':
        if (m.phase === 'idle' || m.phase === 'training') return;
        this.ui.showProgress(m, () => this.send({ type: 'cancel' }));
        return;
      case 'engineReady':
        this.ui.endProgress();
        this.reports.ready(m);
        return;
      case 'error':
        this.ui.endProgress();
        void this.reports.error(m);
        return;
      case 'log':
        this.ui.log(m.level, m.message);
        return;
      case 'datasetReloaded':
        this.ui.endProgress();
        this.reports.reload(m);
        return;
      case 'reviewData':
      case 'reviewSaved':
        for (const listener of [...this.reviewListeners]) listener(m);
        return;
      default:
        return;
    }
  }

  private async runErrorAction(id: ErrorActionId): Promise<void> {
    switch (id) {
      case 'useLexical':
      case 'useLite': {
        // The setting that failed is the one changed, for this workspace; the restart follows.
        const model = id === 'useLite' ? 'use-lite' : 'lexical';
        this.modelOverride = model;
        await this.ui.setModel(model).catch(() => undefined);
        if (this.settings.model !== model) this.restartEngine();
        return;
      }
      case 'chooseLocalModel': {
        const folder = await this.ui.chooseModelFolder();
        if (folder === undefined) return;
        this.modelOverride = folder;
        this.restartEngine();
        return;
      }
      case 'openSettings':
        this.ui.executeCommand('activeLabel.openSettings');
        return;
      case 'retry':
        this.restartEngine();
        return;
      default:
        assertUnreachable(id);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ui.endProgress();
    this.options.status.hide();
    void this.worker.dispose();
    this.panel.dispose();
    for (const listener of this.disposeListeners.splice(0)) listener();
    this.reviewListeners.clear();
  }
}
