/**
 * The labeling WebviewPanel: a strict-CSP page from `renderWebviewHtml`, scripts and styles only
 * from dist/, and a message pipe the session owns. The panel itself knows nothing about the engine.
 */
import * as vscode from 'vscode';
import { makeNonce, renderWebviewHtml } from '../shared/webviewHtml';
import type { HostToWebview } from '../shared/protocol';

export const LABELING_VIEW_TYPE = 'activeLabel.labeling';

/** Webview options shared by new panels and panels restored by the serializer. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    // Only the built assets may load: never the dataset's folder, never the workspace.
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
    // State lives in the webview's setState, so a hidden panel need not be kept alive.
    retainContextWhenHidden: false,
    enableFindWidget: false,
  };
}

export class LabelingPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readonly onDidDisposeEmitter = new vscode.EventEmitter<void>();

  /** Opens a new panel beside the editor. */
  static create(extensionUri: vscode.Uri, title: string): LabelingPanel {
    const panel = vscode.window.createWebviewPanel(
      LABELING_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      webviewOptions(extensionUri),
    );
    return new LabelingPanel(panel, extensionUri, title);
  }

  /** Adopts a panel that VS Code restored after a reload. */
  static adopt(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, title: string): LabelingPanel {
    panel.webview.options = webviewOptions(extensionUri);
    return new LabelingPanel(panel, extensionUri, title);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    title: string,
  ) {
    panel.title = title;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html(title);
    this.disposables.push(
      panel.onDidDispose(() => {
        this.disposed = true;
        this.onDidDisposeEmitter.fire();
        this.dispose();
      }),
    );
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Subscribes to raw (unvalidated) messages from the webview. */
  onMessage(listener: (raw: unknown) => void): void {
    this.disposables.push(this.panel.webview.onDidReceiveMessage(listener));
  }

  onDidDispose(listener: () => void): void {
    this.onDidDisposeEmitter.event(listener);
  }

  post(message: HostToWebview): void {
    if (this.disposed) return;
    // postMessage drops messages while the webview is hidden; the webview re-sends `ready` when
    // shown again and gets a fresh `init` with the full state, so nothing is lost.
    void this.panel.webview.postMessage(message);
  }

  /** False while the panel is in a background tab: its page is then destroyed and reloads on reveal. */
  get visible(): boolean {
    return !this.disposed && this.panel.visible;
  }

  reveal(): void {
    if (!this.disposed) this.panel.reveal(undefined, false);
  }

  setTitle(title: string): void {
    if (!this.disposed) this.panel.title = title;
  }

  private html(title: string): string {
    const webview = this.panel.webview;
    const asset = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', file)).toString();
    return renderWebviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asset('webview.js'),
      styleUri: asset('webview.css'),
      title,
    });
  }

  dispose(): void {
    if (!this.disposed) {
      this.disposed = true;
      this.panel.dispose();
    }
    this.onDidDisposeEmitter.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
