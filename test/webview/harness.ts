/**
 * Test harness for the labeling webview in headless Chromium.
 *
 * - builds webview/main.ts with esbuild exactly as esbuild.mjs does (only that entry, so a peer's
 *   half-written extension code cannot break these tests);
 * - serves the page from `renderWebviewHtml` (the host's own function, same strict CSP) on 127.0.0.1;
 * - injects `acquireVsCodeApi` before any page script runs; its postMessage crosses into Node,
 *   where `FakeHost` plays the extension host on the typed protocol (validating every message) and
 *   answers the way the real host would. State (`setState`) lives in sessionStorage so it survives a
 *   reload, as VS Code keeps it across a hidden panel.
 */
import * as esbuild from 'esbuild';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_KEYMAP, labelKeyForIndex } from '../../src/shared/webviewProtocol';
import { parseWebviewToHost } from '../../src/shared/webviewValidation';
import type { HostToWebview, InitMessage, LabelMode, QueueItem, WebviewToHost } from '../../src/shared/webviewProtocol';
import { makeNonce, renderWebviewHtml } from '../../src/shared/webviewHtml';
import { CHROMIUM_ARGS, chromiumPath } from '../chromium';

const repo = path.resolve(__dirname, '../..');
const datasets = path.resolve(repo, '..', 'shared/datasets/disaster-headlines');


/** Real headlines from the shared disaster-headlines data set, as queue items with reasons. */
export async function loadHeadlines(limit = 60): Promise<QueueItem[]> {
  const rows: string[][] = [];
  for (const file of ['evaluation_data-related.csv', 'evaluation_data-not_related.csv']) {
    const text = await readFile(path.join(datasets, file), 'utf8');
    rows.push(...(parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][]).slice(0, limit / 2));
  }
  return rows.map(([id, text, label], i) => ({
    id: `h-${id}`,
    text,
    prediction: i % 3 === 2 ? undefined : { label: label === '1' ? 'related' : 'not related', confidence: 0.5 + ((i * 7) % 50) / 100 },
    reason: { strategy: 'margin', score: 1 - i / (2 * limit), cluster: i % 4, detail: `Top uncertain, cluster ${i % 4}` },
  }));
}

export interface Served {
  readonly url: string;
  readonly dir: string;
  close(): Promise<void>;
}

/** Builds the bundle into a temp dir and serves the exact host page for it. */
export async function serveWebview(): Promise<Served> {
  const dir = await mkdtemp(path.join(tmpdir(), 'al-webview-'));
  await esbuild.build({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    entryPoints: [path.join(repo, 'webview/main.ts')],
    outfile: path.join(dir, 'webview.js'),
    logLevel: 'error',
  });
  const server: Server = createServer((request, response) => {
    void (async () => {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const name = new URL(request.url ?? '/', origin).pathname;
      if (name === '/') {
        const html = renderWebviewHtml({ cspSource: origin, nonce: makeNonce(), scriptUri: `${origin}/webview.js`, styleUri: `${origin}/webview.css`, title: 'Active Label' });
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
        return;
      }
      const file = { '/webview.js': 'webview.js', '/webview.css': 'webview.css' }[name];
      if (!file) {
        response.writeHead(404).end();
        return;
      }
      const body = await readFile(path.join(dir, file));
      response.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    dir,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
}

/** VS Code's Dark Modern values for the variables the stylesheet uses. */
export const DARK_THEME: Record<string, string> = {
  '--vscode-foreground': '#cccccc',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-sideBar-background': '#181818',
  '--vscode-textCodeBlock-background': '#2b2b2b',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#026ec1',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
};

/** Runs in the page before any of its scripts: VS Code's `acquireVsCodeApi`, backed by Node. */
const FAKE_VSCODE_API = `function (vars) {
  let acquired = false;
  window.__alCspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__alCspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may only be called once');
    acquired = true;
    for (const [name, value] of Object.entries(vars)) document.documentElement.style.setProperty(name, value);
    document.body.classList.add('vscode-dark');
    return {
      postMessage: (message) => void window.__alToHost(message),
      getState: () => {
        const saved = sessionStorage.getItem('al-state');
        return saved ? JSON.parse(saved) : undefined;
      },
      setState: (state) => sessionStorage.setItem('al-state', JSON.stringify(state)),
    };
  };
}`;

export type SaveMode = 'save' | 'fail' | 'hold';

export interface FakeHostOptions {
  readonly items: readonly QueueItem[];
  readonly labels?: readonly string[];
  readonly mode?: LabelMode;
  /** 'hold' keeps replies to label/undo until `release()`; 'fail' answers saveFailed. */
  saves?: SaveMode;
  /** When false, needItems requests are recorded but not answered until `release()`. */
  answerItems?: boolean;
  /** Answer each needItems with at most this many items, as the real host does for long texts. */
  readonly itemsPerReply?: number;
}

/**
 * The extension host's side of the protocol, in Node. Everything the webview posts is validated
 * with `parseWebviewToHost`; anything invalid is kept in `invalid` for the tests to assert on.
 */
export class FakeHost {
  readonly received: WebviewToHost[] = [];
  readonly invalid: string[] = [];
  readonly sent: HostToWebview[] = [];
  /** The label log as the real host would append it (requestIds are idempotent). */
  readonly log: { requestId: string; type: 'label' | 'undo'; itemId: string; labels?: readonly string[]; source?: string }[] = [];
  private readonly held: (() => Promise<void>)[] = [];
  private readonly options: FakeHostOptions;

  constructor(readonly page: Page, options: FakeHostOptions) {
    this.options = { saves: 'save', answerItems: true, ...options };
  }

  get saves(): SaveMode {
    return this.options.saves ?? 'save';
  }

  set saves(mode: SaveMode) {
    this.options.saves = mode;
  }

  set answerItems(answer: boolean) {
    this.options.answerItems = answer;
  }

  /** Call before `page.goto`. */
  async install(theme: Record<string, string> = DARK_THEME): Promise<void> {
    await this.page.exposeBinding('__alToHost', (_source, message: unknown) => this.onMessage(message));
    // A string, not a function: tsx would wrap a function's inner names in helpers the page lacks.
    await this.page.addInitScript(`(${FAKE_VSCODE_API})(${JSON.stringify(theme)})`);
  }

  initMessage(): InitMessage {
    const labels = this.options.labels ?? ['related', 'not related'];
    return {
      type: 'init',
      dataset: { name: 'disaster-headlines.csv', total: this.options.items.length },
      labels: labels.map((name, i) => ({ name, key: labelKeyForIndex(i) })),
      mode: this.options.mode ?? 'single',
      keymap: DEFAULT_KEYMAP,
      strategy: 'Clustered uncertainty',
      state: { version: 0, training: false, curve: [], counts: Object.fromEntries(labels.map((l) => [l, 0])), labeled: 0, total: this.options.items.length },
    };
  }

  async send(message: HostToWebview): Promise<void> {
    this.sent.push(message);
    await this.page.evaluate((m) => window.postMessage(m, '*'), message);
  }

  /** Sends every held reply, in order. */
  async release(): Promise<void> {
    for (const reply of this.held.splice(0)) await reply();
  }

  heldCount(): number {
    return this.held.length;
  }

  of<T extends WebviewToHost['type']>(type: T): Extract<WebviewToHost, { type: T }>[] {
    return this.received.filter((m): m is Extract<WebviewToHost, { type: T }> => m.type === type);
  }

  async waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; received: ${JSON.stringify(this.received.map((m) => m.type))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = parseWebviewToHost(raw);
    if (!parsed.ok) {
      this.invalid.push(parsed.error);
      return;
    }
    const message = parsed.message;
    this.received.push(message);
    switch (message.type) {
      case 'ready':
        await this.send(this.initMessage());
        return;
      case 'needItems': {
        const reply = async (): Promise<void> => {
          const exclude = new Set(message.exclude);
          const pool = this.options.items.filter((item) => !exclude.has(item.id) && !this.log.some((e) => e.itemId === item.id && e.type === 'label'));
          const count = Math.min(message.count, this.options.itemsPerReply ?? Infinity);
          const items = pool.slice(0, count);
          await this.send({ type: 'items', items, exhausted: pool.length <= count });
        };
        if (this.options.answerItems) await reply();
        else this.held.push(reply);
        return;
      }
      case 'label':
      case 'undo': {
        const write = async (): Promise<void> => {
          if (this.options.saves === 'fail') {
            await this.send({ type: 'saveFailed', requestId: message.requestId, itemId: message.itemId, message: "EACCES: permission denied, open 'labels.jsonl'" });
            return;
          }
          if (!this.log.some((e) => e.requestId === message.requestId)) {
            this.log.push(message.type === 'label'
              ? { requestId: message.requestId, type: 'label', itemId: message.itemId, labels: message.labels, source: message.source }
              : { requestId: message.requestId, type: 'undo', itemId: message.itemId });
          }
          await this.send({ type: 'saved', requestId: message.requestId, itemId: message.itemId });
        };
        if (this.options.saves === 'hold') this.held.push(write);
        else await write();
        return;
      }
      default:
        return;
    }
  }
}

/** A page with a fake host, loaded and past the ready → init handshake with items on screen. */
export async function openWebview(browser: Browser, url: string, options: FakeHostOptions): Promise<{ page: Page; host: FakeHost }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  const host = new FakeHost(page, options);
  await host.install();
  await page.goto(url);
  await host.waitFor(() => host.of('ready').length > 0, 'ready');
  if (options.answerItems !== false && options.items.length > 0) await page.waitForSelector('.al-card[data-item-id]:not([data-item-id=""])');
  return { page, host };
}

/** The id and text of the item on screen. */
export async function shownItem(page: Page): Promise<{ id: string; text: string }> {
  return page.evaluate(() => ({
    id: document.querySelector('.al-card')?.getAttribute('data-item-id') ?? '',
    text: document.querySelector('[data-testid="item-text"]')?.textContent ?? '',
  }));
}

export interface Suite {
  readonly browser: Browser;
  readonly served: Served;
  readonly items: QueueItem[];
}

/** Starts Chromium, the page server and `count` real headlines once per test file; stops them after. */
export function webviewSuite(count: number, use: (suite: Suite) => void): void {
  let suite: Suite | undefined;
  before(async () => {
    const [browser, served, items] = await Promise.all([launch(), serveWebview(), loadHeadlines(count)]);
    suite = { browser, served, items };
    use(suite);
  });
  after(async () => {
    await suite?.browser.close();
    await suite?.served.close();
  });
}
