/**
 * One labeling session: a dataset, its engine worker, its panel and the status bar. Created by
 * the controller once the setup answers are known; disposed when the panel closes.
 *
 * The session turns engine errors into UI with actions (model-load failures offer a local model
 * folder, lexical embeddings or a retry) and shows embedding progress with a Cancel button.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Settings } from './config';
import { LabelingPanel } from './labelingPanel';
import { isFinished, Relay, toModelSnapshot, toProgressSnapshot, type RelayConfig } from './relay';
import type { SetupAnswers } from './setupFlow';
import type { LabelingStatusBar } from './statusBar';
import { WorkerClient } from './workerClient';
import type { InitMessage, StrategyId, WorkerToHost } from '../shared/workerProtocol';

export interface SessionOptions {
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

/** Error-action ids shared by the notification buttons and the webview's banner buttons. */
const ACTION_TITLES: Record<string, string> = {
  chooseLocalModel: 'Choose local model folder',
  useLexical: 'Use lexical embeddings',
  retry: 'Retry',
  openSettings: 'Open Settings',
};

export class LabelingSession implements vscode.Disposable {
  readonly panel: LabelingPanel;
  private worker: WorkerClient;
  private readonly relay: Relay;
  private settings: Settings;
  private answers: SetupAnswers;
  /** Overrides the configured model for this session only (e.g. "Use lexical embeddings"). */
  private modelOverride: string | undefined;
  private progressDone: (() => void) | undefined;
  private progressReport: ((p: { message: string; increment?: number }) => void) | undefined;
  private lastFraction = 0;
  private disposed = false;
  private readonly onDidDisposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.onDidDisposeEmitter.event;

  constructor(private readonly options: SessionOptions) {
    this.settings = options.settings;
    this.answers = options.answers;
    const title = `Label: ${path.basename(options.datasetFile)}`;
    this.panel = options.restoredPanel
      ? LabelingPanel.adopt(options.restoredPanel, options.extensionUri, title)
      : LabelingPanel.create(options.extensionUri, title);
    this.worker = this.spawnWorker();
    this.relay = new Relay(this.relayConfig(), this.worker, (m) => this.panel.post(m), {
      openSettings: () => void vscode.commands.executeCommand('activeLabel.openSettings'),
      chooseStrategy: () => void vscode.commands.executeCommand('activeLabel.chooseStrategy'),
      retry: () => this.restartEngine(),
      errorAction: (id) => void this.runErrorAction(id),
      log: (message) => options.output.warn(message),
    });
    this.panel.onMessage((raw) => this.relay.fromWebview(raw));
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
    const pageAlive = this.panel.visible;
    this.relay.reveal('chart', pageAlive);
    this.panel.reveal();
  }

  /** New setup answers (Configure Labels): restart the engine session with them. */
  reconfigure(answers: SetupAnswers): void {
    this.answers = answers;
    this.relay.reconfigure(this.relayConfig());
    this.restartEngine();
  }

  /** Settings changed: strategy applies at once; keymap re-inits the webview. */
  updateSettings(settings: Settings): void {
    const before = this.settings;
    this.settings = settings;
    if (before.strategy !== settings.strategy) this.setStrategy(settings.strategy);
    if (JSON.stringify(before.keymap) !== JSON.stringify(settings.keymap)) this.relay.reconfigure(this.relayConfig());
  }

  setStrategy(strategy: StrategyId): void {
    this.settings = { ...this.settings, strategy };
    if (this.worker.isAlive) this.worker.post({ type: 'setStrategy', strategy });
    this.relay.reconfigure(this.relayConfig());
  }

  /** Writes the current labels; resolves with the number exported. */
  exportLabels(outFile: string, format: 'jsonl' | 'csv'): Promise<number> {
    return this.worker.request({ type: 'export', format, outFile }).reply.then((m) => {
      if (m.type === 'exported') return m.count;
      if (m.type === 'error') throw new Error(m.message);
      throw new Error(`Unexpected reply to export: ${m.type}`);
    });
  }

  private relayConfig(): RelayConfig {
    return {
      datasetName: path.basename(this.options.datasetFile),
      labels: this.answers.labels,
      mode: this.answers.mode,
      keymap: this.settings.keymap,
      strategy: this.settings.strategy,
    };
  }

  private spawnWorker(): WorkerClient {
    const file = vscode.Uri.joinPath(this.options.extensionUri, 'dist', 'worker.js').fsPath;
    const worker = new WorkerClient(file, (raw) =>
      this.options.output.warn(`Ignored an invalid message from the engine: ${JSON.stringify(raw).slice(0, 300)}`),
    );
    worker.onMessage((m) => this.fromWorker(m));
    return worker;
  }

  private initMessage(): InitMessage {
    const s = this.settings;
    return {
      type: 'init',
      datasetFile: this.options.datasetFile,
      workspaceRoot: this.options.workspaceRoot,
      textField: this.answers.textField,
      ...(this.answers.labelField ? { labelField: this.answers.labelField } : {}),
      labels: this.answers.labels,
      mode: this.answers.mode,
      strategy: s.strategy,
      batchSize: s.batchSize,
      retrainEvery: s.retrainEvery,
      randomShare: s.randomShare,
      evalFraction: s.evaluationFraction,
      annotator: this.options.annotator,
      model: this.modelOverride ?? s.model,
      cacheDir: this.options.cacheDir,
      seed: this.answers.seed,
      ...(this.answers.seedPatterns.length > 0 ? { seedPatterns: this.answers.seedPatterns } : {}),
    };
  }

  private startEngine(): void {
    const init = this.initMessage();
    this.options.output.info(`Starting session on ${init.datasetFile} (model ${init.model}, strategy ${init.strategy}, mode ${init.mode})`);
    this.worker.post(init);
  }

  /** Re-sends `init`; a dead worker is replaced first. */
  private restartEngine(): void {
    if (this.disposed) return;
    this.endProgress();
    if (!this.worker.isAlive) this.worker = this.spawnWorker();
    this.relay.resetEngine(this.worker);
    this.startEngine();
  }

  private fromWorker(m: WorkerToHost): void {
    if (this.disposed) return;
    this.relay.fromWorker(m);
    switch (m.type) {
      case 'progress':
        if (isFinished(m)) {
          if (m.phase === 'training') this.options.statusBar.showModel(this.relay.snapshot);
          break;
        }
        this.options.statusBar.showProgress(toProgressSnapshot(m));
        if (m.phase !== 'training') this.showProgress(m.done, m.total, toProgressSnapshot(m).phase);
        break;
      case 'ready':
        this.endProgress();
        this.options.statusBar.showModel(this.relay.snapshot);
        this.options.output.info(
          `Ready: ${m.summary.loaded} items loaded, ${m.summary.skipped} rows skipped, embedder ${m.embedder}, ${m.labelsState.labeled} labeled.`,
        );
        for (const p of m.problems) this.options.output.warn(p.message);
        for (const p of m.logProblems) this.options.output.warn(`label log: ${p}`);
        if (m.summary.skipped > 0) {
          void vscode.window
            .showWarningMessage(
              `Active Label skipped ${m.summary.skipped} of ${m.summary.rows} rows of ${path.basename(this.options.datasetFile)}.`,
              'Show details',
            )
            .then((choice) => choice && this.options.output.show(true));
        }
        break;
      case 'model':
        this.options.statusBar.showModel(toModelSnapshot(m));
        break;
      case 'saved':
      case 'undone':
        // The relay has taken the new counts into its snapshot; the status bar follows each label.
        if (m.labelsState !== undefined && this.relay.showsCounts) this.options.statusBar.showModel(this.relay.snapshot);
        break;
      case 'error':
        this.endProgress();
        void this.showError(m);
        break;
      case 'log':
        this.options.output[m.level](m.message);
        break;
      default:
        break;
    }
  }

  private async showError(m: Extract<WorkerToHost, { type: 'error' }>): Promise<void> {
    if (m.kind === 'cancelled') {
      this.options.statusBar.showError('Embedding cancelled');
      this.panel.post({ type: 'error', message: 'Embedding was cancelled.', actions: [{ id: 'retry', title: 'Retry' }] });
      return;
    }
    this.options.output.error(`${m.kind}: ${m.message}`);
    this.options.statusBar.showError(m.message);
    const ids = m.kind === 'model-load' ? ['chooseLocalModel', 'useLexical', 'retry'] : m.kind === 'dataset' ? ['openSettings', 'retry'] : ['retry'];
    // The banner keeps the message visible in the panel; the notification offers the same actions.
    this.panel.post({ type: 'error', message: m.message, actions: ids.map((id) => ({ id, title: ACTION_TITLES[id] ?? id })) });
    const choice = await vscode.window.showErrorMessage(`Active Label: ${m.message}`, ...ids.map((id) => ACTION_TITLES[id] ?? id));
    const id = Object.keys(ACTION_TITLES).find((key) => ACTION_TITLES[key] === choice);
    if (id) await this.runErrorAction(id);
  }

  private async runErrorAction(id: string): Promise<void> {
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
        this.options.output.warn(`Unknown error action ${id}`);
    }
  }

  /** One notification with Cancel for the whole load/embed phase. */
  private showProgress(done: number, total: number, phase: string): void {
    const verb = phase === 'loading-model' ? 'Loading model' : 'Embedding';
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const message = total > 0 ? `${verb} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}` : `${verb}…`;
    if (!this.progressDone) {
      this.lastFraction = 0;
      // Set synchronously: `ready` may arrive before VS Code runs the progress callback.
      let finish: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      this.progressDone = finish;
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Active Label', cancellable: true },
        (progress, token) => {
          if (this.progressDone === finish) this.progressReport = (p) => progress.report(p);
          token.onCancellationRequested(() => {
            if (this.worker.isAlive) this.worker.post({ type: 'cancel' });
            this.endProgress();
          });
          return finished;
        },
      );
    }
    const increment = Math.max(0, (fraction - this.lastFraction) * 100);
    this.lastFraction = Math.max(this.lastFraction, fraction);
    this.progressReport?.({ message, increment });
  }

  private endProgress(): void {
    this.progressDone?.();
    this.progressDone = undefined;
    this.progressReport = undefined;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.endProgress();
    this.options.statusBar.hide();
    void this.worker.dispose();
    this.panel.dispose();
    this.onDidDisposeEmitter.fire();
    this.onDidDisposeEmitter.dispose();
  }
}
