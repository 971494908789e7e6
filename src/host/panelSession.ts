/**
 * The panel's session: one dataset, its engine worker, its labeling panel. Messages from the page
 * are validated once, here, and the engine's are validated once in the WorkerClient; the writes
 * and item requests go to the worker as they are (the worker owns the labeling state), and every
 * engine message goes to the one Presenter. What needs VS Code UI (settings, the strategy pick,
 * error actions, notifications) is done here.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { STRATEGIES } from '../core/sampling/registry';
import { plainText } from '../shared/plainText';
import { ERROR_ACTIONS, parseWith, WebviewToHost, type ErrorActionId, type Message } from '../shared/protocol';
import type { HostToWorker, WorkerToHost } from '../shared/protocol/engine';
import type { SessionInit } from '../shared/protocol/sessionInit';
import type { Settings } from '../shared/settings';
import { assertUnreachable } from '../shared/assert';
import { LabelingPanel } from './labelingPanel';
import { Presenter, type PageConfig } from './presenter';
import { ProgressNotification } from './progressNotification';
import type { SetupAnswers } from './setupFlow';
import type { LabelingStatusBar } from './statusBar';
import { WorkerClient } from './workerClient';

export interface PanelSessionOptions {
  readonly extensionUri: vscode.Uri;
  readonly datasetFile: string;
  readonly workspaceRoot: string;
  readonly cacheDir: string;
  readonly answers: SetupAnswers;
  readonly settings: Settings;
  readonly annotator: string;
  readonly statusBar: LabelingStatusBar;
  readonly output: vscode.LogOutputChannel;
  /** A panel VS Code restored after a reload; a new one is opened otherwise. */
  readonly restoredPanel?: vscode.WebviewPanel;
}

export class PanelSession implements vscode.Disposable {
  readonly panel: LabelingPanel;
  private worker: WorkerClient;
  private readonly presenter: Presenter;
  private readonly progress: ProgressNotification;
  private settings: Settings;
  private answers: SetupAnswers;
  /** Overrides the configured model for this session only (e.g. "Use lexical embeddings"). */
  private modelOverride: string | undefined;
  private disposed = false;
  private readonly onDidDisposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.onDidDisposeEmitter.event;

  constructor(private readonly options: PanelSessionOptions) {
    this.settings = options.settings;
    this.answers = options.answers;
    const title = `Label: ${path.basename(options.datasetFile)}`;
    this.panel = options.restoredPanel
      ? LabelingPanel.adopt(options.restoredPanel, options.extensionUri, title)
      : LabelingPanel.create(options.extensionUri, title);
    this.presenter = new Presenter(this.pageConfig(), this.panel, options.statusBar);
    this.progress = new ProgressNotification(() => this.send({ type: 'cancel' }));
    this.worker = this.spawnWorker();
    this.panel.onMessage((raw) => this.fromPage(raw));
    this.panel.onDidDispose(() => this.dispose());
    this.startEngine();
  }

  get datasetFile(): string {
    return this.options.datasetFile;
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Brings the panel forward and scrolls its learning curve into view (expanded, highlighted). */
  showLearningCurve(): void {
    this.presenter.reveal('chart');
    this.panel.reveal();
  }

  /** New setup answers (Configure Labels): restart the engine session with them. */
  reconfigure(answers: SetupAnswers): void {
    this.answers = answers;
    this.presenter.reconfigure(this.pageConfig());
    this.restartEngine();
  }

  /** Settings changed (the configuration listener is the only way in): strategy and keymap apply at once. */
  updateSettings(settings: Settings): void {
    const before = this.settings;
    this.settings = settings;
    if (before.strategy !== settings.strategy) this.send({ type: 'setStrategy', strategy: settings.strategy });
    if (before.strategy !== settings.strategy || JSON.stringify(before.keymap) !== JSON.stringify(settings.keymap)) {
      this.presenter.reconfigure(this.pageConfig());
    }
  }

  /** Writes the current labels; resolves with the number exported. */
  async exportLabels(outFile: string, format: 'jsonl' | 'csv'): Promise<number> {
    const reply = await this.worker.exportLabels(format, outFile);
    if (reply.type === 'error') throw new Error(reply.message);
    return reply.count;
  }

  private pageConfig(): PageConfig {
    return {
      datasetName: path.basename(this.options.datasetFile),
      labels: this.answers.labels,
      mode: this.answers.mode,
      keymap: this.settings.keymap,
      strategy: STRATEGIES[this.settings.strategy].title,
    };
  }

  /** A raw message from the page: validated here, once. */
  private fromPage(raw: unknown): void {
    const parsed = parseWith(WebviewToHost, raw);
    if (!parsed.ok) {
      this.options.output.warn(`Refused a malformed message from the labeling panel: ${parsed.error}`);
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
      case 'flag':
        this.sendWrite(m);
        return;
      case 'skip':
      case 'needItems':
        this.send(m);
        return;
      case 'openSettings':
        void vscode.commands.executeCommand('activeLabel.openSettings');
        return;
      case 'chooseStrategy':
        void vscode.commands.executeCommand('activeLabel.chooseStrategy');
        return;
      case 'errorAction':
        void this.runErrorAction(m.actionId);
        return;
      default:
        assertUnreachable(m);
    }
  }

  /** A write always gets an answer: a dead engine answers `saveFailed` here. */
  private sendWrite(m: Message<WebviewToHost, 'label' | 'undo' | 'flag'>): void {
    if (this.send(m)) return;
    this.panel.post({ type: 'saveFailed', requestId: m.requestId, itemId: m.itemId, message: 'The engine has stopped; choose Retry to restart it, then retry this write.' });
  }

  private send(m: HostToWorker): boolean {
    if (!this.worker.isAlive) return false;
    this.worker.post(m);
    return true;
  }

  private spawnWorker(): WorkerClient {
    const file = vscode.Uri.joinPath(this.options.extensionUri, 'dist', 'worker.js').fsPath;
    const worker = new WorkerClient(file, (reason) => this.options.output.warn(`Refused a malformed message from the engine: ${reason}`));
    worker.onMessage((m) => this.fromWorker(m));
    return worker;
  }

  private startMessage(): SessionInit & { type: 'start' } {
    const s = this.settings;
    return {
      type: 'start',
      datasetFile: this.options.datasetFile,
      workspaceRoot: this.options.workspaceRoot,
      textField: this.answers.textField,
      ...(this.answers.labelField ? { labelField: this.answers.labelField } : {}),
      labels: [...this.answers.labels],
      mode: this.answers.mode,
      strategy: s.strategy,
      batchSize: s.batchSize,
      retrainEvery: s.retrainEvery,
      randomShare: s.randomShare,
      evaluationFraction: s.evaluationFraction,
      annotator: this.options.annotator,
      model: this.modelOverride ?? s.model,
      cacheDir: this.options.cacheDir,
      seed: this.answers.seed,
      ...(this.answers.seedPatterns.length > 0 ? { seedPatterns: [...this.answers.seedPatterns] } : {}),
    };
  }

  private startEngine(): void {
    const start = this.startMessage();
    this.options.output.info(`Starting session on ${start.datasetFile} (model ${start.model}, strategy ${start.strategy}, mode ${start.mode})`);
    this.send(start);
  }

  /** Re-sends `start`; a dead worker is replaced first. The page resends its pending writes on `init`. */
  private restartEngine(): void {
    if (this.disposed) return;
    this.progress.dispose();
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
        this.progress.show(m);
        return;
      case 'engineReady':
        this.progress.dispose();
        this.reportReady(m);
        return;
      case 'error':
        this.progress.dispose();
        void this.showError(m);
        return;
      case 'log':
        this.options.output[m.level](m.message);
        return;
      default:
        return;
    }
  }

  private reportReady(m: Message<WorkerToHost, 'engineReady'>): void {
    const out = this.options.output;
    out.info(`Ready: ${m.summary.loaded} items loaded, ${m.summary.skipped} rows skipped, embedder ${m.embedder}, ${m.counts.labeled} labeled.`);
    for (const p of m.problems) out.warn(p.message);
    for (const p of m.logProblems) out.warn(`label log: ${p}`);
    if (m.summary.skipped === 0) return;
    const name = plainText(path.basename(this.options.datasetFile));
    void vscode.window
      .showWarningMessage(`Active Label skipped ${m.summary.skipped} of ${m.summary.rows} rows of ${name}.`, 'Show details')
      .then((choice) => choice && out.show(true));
  }

  private async showError(m: Message<WorkerToHost, 'error'>): Promise<void> {
    if (m.kind === 'cancelled') return;
    this.options.output.error(`${m.kind}: ${m.message}`);
    const titles = m.actions.map((id) => ERROR_ACTIONS[id]);
    const choice = await vscode.window.showErrorMessage(`Active Label: ${plainText(m.message)}`, ...titles);
    const id = m.actions.find((a) => ERROR_ACTIONS[a] === choice);
    if (id) await this.runErrorAction(id);
  }

  private async runErrorAction(id: ErrorActionId): Promise<void> {
    switch (id) {
      case 'useLexical':
        this.modelOverride = 'lexical';
        this.restartEngine();
        return;
      case 'chooseLocalModel': {
        const picked = await vscode.window.showOpenDialog({
          canSelectFolders: true,
          canSelectFiles: false,
          title: 'Choose a model folder (with onnx/model.onnx and tokenizer.json)',
          openLabel: 'Use this model',
        });
        if (!picked?.[0]) return;
        this.modelOverride = picked[0].fsPath;
        await vscode.workspace
          .getConfiguration('activeLabel')
          .update('model', picked[0].fsPath, vscode.ConfigurationTarget.Global)
          .then(undefined, () => undefined);
        this.restartEngine();
        return;
      }
      case 'openSettings':
        void vscode.commands.executeCommand('activeLabel.openSettings');
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
    this.progress.dispose();
    this.options.statusBar.hide();
    void this.worker.dispose();
    this.panel.dispose();
    this.onDidDisposeEmitter.fire();
    this.onDidDisposeEmitter.dispose();
  }
}
