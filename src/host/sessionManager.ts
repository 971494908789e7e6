/**
 * Owns the one active panel session: finds the dataset a command refers to, runs the setup
 * flow, starts or re-reveals the session, and restores the panel after a window reload.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_SECTION, readSettings, type Settings } from '../shared/settings';
import { defaultAnnotator } from './annotator';
import { LabelingPanel, LABELING_VIEW_TYPE } from './labelingPanel';
import { VscodeSessionUi } from './vscodeSessionUi';
import { WorkerClient } from './workerClient';
import { PanelSession } from './panelSession';
import { datasetStoreDir } from '../core/labels';
import { plainText } from '../shared/plainText';
import { runSetupFlow, SetupMemory, type SetupAnswers } from './setupFlow';
import { LabelingStatusBar } from './statusBar';

export const SUPPORTED_EXTENSIONS = ['.jsonl', '.csv', '.tsv', '.txt'];
const LAST_SESSION_KEY = 'activeLabel.lastSession';

export class SessionManager implements vscode.Disposable {
  private session: PanelSession | undefined;
  private readonly statusBar = new LabelingStatusBar();
  private readonly disposables: vscode.Disposable[] = [this.statusBar];
  private annotatorCache: string | undefined;
  private readonly memory: SetupMemory;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.LogOutputChannel,
  ) {
    this.memory = new SetupMemory(context.workspaceState, (file) => datasetStoreDir(this.workspaceRootOf(file), file));
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(CONFIG_SECTION)) this.session?.updateSettings(this.settings());
      }),
      vscode.window.registerWebviewPanelSerializer(LABELING_VIEW_TYPE, {
        deserializeWebviewPanel: (panel) => this.restore(panel),
      }),
    );
    void this.setSessionContext(false);
  }

  get activeSession(): PanelSession | undefined {
    return this.session;
  }

  settings(): Settings {
    return readSettings(vscode.workspace.getConfiguration(CONFIG_SECTION));
  }

  /** The dataset a command refers to: its argument, the active editor's file, or a file picker. */
  async resolveDataset(arg?: unknown): Promise<string | undefined> {
    if (arg instanceof vscode.Uri && arg.scheme === 'file') return arg.fsPath;
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active?.scheme === 'file' && SUPPORTED_EXTENSIONS.includes(path.extname(active.fsPath).toLowerCase())) return active.fsPath;
    if (this.session) return this.session.datasetFile;
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      title: 'Active Label: choose a dataset to label',
      filters: { 'Datasets (JSONL, CSV, TSV, TXT)': ['jsonl', 'csv', 'tsv', 'txt'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    return picked?.[0]?.fsPath;
  }

  /** Start Labeling: asks the setup questions the first time, then opens the queue. */
  async start(arg?: unknown): Promise<void> {
    const file = await this.resolveDataset(arg);
    if (!file) return;
    if (this.session && !this.isSame(this.session.datasetFile, file)) this.session.dispose();
    if (this.session) {
      this.session.reveal();
      return;
    }
    const answers = (await this.memory.get(file)) ?? (await this.askSetup(file));
    if (!answers) return;
    await this.open(file, answers);
  }

  /** Configure Labels: always asks, then applies the answers to the running session. */
  async configure(arg?: unknown): Promise<void> {
    const file = arg instanceof vscode.Uri ? arg.fsPath : (this.session?.datasetFile ?? (await this.resolveDataset(arg)));
    if (!file) return;
    const answers = await this.askSetup(file);
    if (!answers) return;
    if (this.session && this.isSame(this.session.datasetFile, file)) {
      this.session.reconfigure(answers);
      this.session.reveal();
    } else {
      this.session?.dispose();
      await this.open(file, answers);
    }
  }

  /** Copies the bundled sample to a scratch folder (labels never land in the extension) and starts. */
  async openSample(): Promise<void> {
    const source = vscode.Uri.joinPath(this.context.extensionUri, 'sample', 'headlines.jsonl').fsPath;
    const folder = path.join(this.context.globalStorageUri.fsPath, 'sample');
    const target = path.join(folder, 'headlines.jsonl');
    await fs.mkdir(folder, { recursive: true });
    // Keep an existing copy: its label log sits beside it.
    await fs.copyFile(source, target, fs.constants.COPYFILE_EXCL).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await vscode.window.showTextDocument(vscode.Uri.file(target), { preview: true, preserveFocus: true });
    await this.start(vscode.Uri.file(target));
  }

  private async askSetup(file: string): Promise<SetupAnswers | undefined> {
    try {
      return await runSetupFlow(this.memory, file);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.output.error(`Setup of ${file} failed: ${message}`);
      void vscode.window.showErrorMessage(`Active Label cannot read ${plainText(path.basename(file))}: ${plainText(message)}`);
      return undefined;
    }
  }

  private async open(file: string, answers: SetupAnswers, restoredPanel?: vscode.WebviewPanel): Promise<void> {
    const workspaceRoot = this.workspaceRootOf(file);
    const settings = this.settings();
    const annotator = settings.annotator || (this.annotatorCache ??= await defaultAnnotator(workspaceRoot));
    const cacheDir = path.join(this.context.globalStorageUri.fsPath, 'models');
    const extensionUri = this.context.extensionUri;
    const title = `Label: ${path.basename(file)}`;
    const panel = restoredPanel ? LabelingPanel.adopt(restoredPanel, extensionUri, title) : LabelingPanel.create(extensionUri, title);
    const workerFile = vscode.Uri.joinPath(extensionUri, 'dist', 'worker.js').fsPath;
    const session = new PanelSession({
      datasetFile: file,
      workspaceRoot,
      cacheDir,
      answers,
      settings,
      annotator,
      panel,
      status: this.statusBar,
      ui: new VscodeSessionUi(this.output, this.context.secrets),
      spawnEngine: () => new WorkerClient(workerFile, (reason) => this.output.warn(`Refused a malformed message from the engine: ${reason}`)),
    });
    this.session = session;
    void this.context.workspaceState.update(LAST_SESSION_KEY, file);
    void this.setSessionContext(true);
    session.onDidDispose(() => {
      if (this.session === session) {
        this.session = undefined;
        void this.setSessionContext(false);
      }
    });
  }

  /** A labeling panel survived a reload: resume its dataset with the remembered answers. */
  private async restore(panel: vscode.WebviewPanel): Promise<void> {
    const file = this.context.workspaceState.get<string>(LAST_SESSION_KEY);
    const answers = file ? await this.memory.get(file) : undefined;
    const exists = file ? await fs.stat(file).then(() => true, () => false) : false;
    if (!file || !answers || !exists || this.session) {
      panel.dispose();
      return;
    }
    await this.open(file, answers, panel);
  }

  /** The label log lives in the file's workspace folder, or beside the file outside any workspace. */
  workspaceRootOf(file: string): string {
    return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? path.dirname(file);
  }

  private isSame(a: string, b: string): boolean {
    return path.resolve(a) === path.resolve(b);
  }

  private setSessionContext(active: boolean): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', 'activeLabel.sessionActive', active);
  }

  dispose(): void {
    this.session?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
