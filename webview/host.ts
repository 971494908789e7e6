/**
 * The webview's only link to the extension host: a typed wrapper around `acquireVsCodeApi()`.
 * Incoming messages are validated before anyone sees them; outgoing messages (other than `ready`)
 * wait until the host has sent `init`, so nothing is lost while the host is still starting up.
 */
import { HostToWebview, parseWith, type WebviewToHost } from '../src/shared/protocol';

/** The part of VS Code's webview API we use (`acquireVsCodeApi` is injected by VS Code). */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export type HostListener = (message: HostToWebview) => void;

export class HostBridge {
  private readonly api: VsCodeApi;
  private readonly outbox: WebviewToHost[] = [];
  private connected = false;

  constructor(
    private readonly onMessage: HostListener,
    private readonly onInvalid: (error: string) => void,
    api?: VsCodeApi,
  ) {
    // acquireVsCodeApi may be called only once per page; the bridge owns that single handle.
    this.api = api ?? acquireVsCodeApi();
    window.addEventListener('message', (event: MessageEvent) => this.receive(event.data));
  }

  /** Announces the script is running; the host answers with `init`. */
  ready(restored: boolean): void {
    this.api.postMessage({ type: 'ready', restored } satisfies WebviewToHost);
  }

  post(message: WebviewToHost): void {
    if (this.connected) this.api.postMessage(message);
    else this.outbox.push(message);
  }

  getState(): unknown {
    return this.api.getState();
  }

  setState(state: unknown): void {
    this.api.setState(state);
  }

  private receive(data: unknown): void {
    const parsed = parseWith(HostToWebview, data);
    if (!parsed.ok) {
      this.onInvalid(parsed.error);
      return;
    }
    if (parsed.value.type === 'init' && !this.connected) {
      this.connected = true;
      for (const message of this.outbox.splice(0)) this.api.postMessage(message);
    }
    this.onMessage(parsed.value);
  }
}
