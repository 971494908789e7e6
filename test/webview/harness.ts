/**
 * Test harness for the labeling webview in headless Chromium.
 *
 * - builds webview/main.ts with esbuild exactly as esbuild.mjs does (only that entry, so a peer's
 *   half-written extension code cannot break these tests);
 * - serves the page from `renderWebviewHtml` (the host's own function, same strict CSP) on 127.0.0.1;
 * - injects `acquireVsCodeApi` before any page script runs; its postMessage crosses into Node,
 *   where `FakeHost` plays the extension host on the typed protocol (validating every message in
 *   both directions) and a FakeEngine answers the way the real host and engine do (pinned by
 *   contract.test.ts). State (`setState`) lives in sessionStorage so it survives a reload, as VS
 *   Code keeps it across a hidden panel.
 * - after each test, `assertHostsClean` fails it if any message was invalid in either direction.
 */
import * as esbuild from 'esbuild';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { after, afterEach, before } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { HostToWebview, parseWith, WebviewToHost, type InitMessage, type LabelMode, type QueueItem } from '../../src/shared/protocol';
import type { StrategyId } from '../../src/shared/settings';
import { makeNonce, renderWebviewHtml } from '../../src/shared/webviewHtml';
import { CHROMIUM_ARGS, chromiumPath } from '../chromium';
import { FakeEngine, plain, type FakeEngineOptions, type LoggedEvent } from './fakeEngine';

const repo = path.resolve(__dirname, '../..');
const datasets = path.resolve(repo, '..', 'shared/datasets/disaster-headlines');

/** How long a test waits for something the page or the fake host does (generous: CI machines are loaded). */
export const WAIT_MS = 30_000;

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
    ...(i % 3 === 2 ? {} : { prediction: { label: label === '1' ? 'related' : 'not related', confidence: 0.5 + ((i * 7) % 50) / 100 } }),
    // Clusters are one-based, as shown.
    reason: { strategy: 'margin', score: 1 - i / (2 * limit), cluster: (i % 4) + 1, detail: `Top uncertain, cluster ${(i % 4) + 1} of 4` },
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
  /** 'hold' keeps the answers to writes (label, skip, flag, undo) until `release()`; 'fail' fails the writes. */
  saves?: SaveMode;
  /** When false, answers to needItems are kept until `release()`. */
  answerItems?: boolean;
  /** Answer each needItems with at most this many items, as the real engine does for long texts. */
  readonly itemsPerReply?: number;
  /** The review queue's orders (see FakeEngineOptions). */
  readonly review?: FakeEngineOptions['review'];
}

/** What a failed write says in 'fail' mode. */
export const DISK_ERROR = "EACCES: permission denied, open 'labels.jsonl'";

/** Every FakeHost made during the current test; checked (and forgotten) after each test. */
const openHosts: FakeHost[] = [];

/**
 * The extension host's side of the protocol, in Node: it validates everything the page posts with
 * `parseWith(WebviewToHost, ...)`, lets a FakeEngine answer (the part test/webview/contract.test.ts
 * pins to the real engine) and posts the answers to the page, in order. A held answer is one the
 * engine has computed (a write is in the log) but the page has not been told yet: a slow host.
 */
export class FakeHost {
  readonly received: WebviewToHost[] = [];
  /** Page messages refused at the boundary; a test fails if any is left (see `assertHostsClean`). */
  readonly invalid: string[] = [];
  readonly sent: HostToWebview[] = [];
  readonly engine: FakeEngine;
  /** The fake's own failures (an invalid message it would send, a post that failed). */
  private readonly failures: string[] = [];
  private readonly held: HostToWebview[][] = [];
  private readonly waiters = new Set<() => void>();
  private sending: Promise<void> = Promise.resolve();
  private options: FakeHostOptions;

  constructor(readonly page: Page, options: FakeHostOptions) {
    this.options = { saves: 'save', answerItems: true, ...options };
    this.engine = new FakeEngine(options);
    this.saves = this.options.saves ?? 'save';
    openHosts.push(this);
  }

  /** The label log as the engine wrote it: one event per request id, held answers included. */
  get log(): readonly LoggedEvent[] {
    return this.engine.log;
  }

  get saves(): SaveMode {
    return this.options.saves ?? 'save';
  }

  set saves(mode: SaveMode) {
    this.options = { ...this.options, saves: mode };
    this.engine.writeError = mode === 'fail' ? DISK_ERROR : undefined;
  }

  set answerItems(answer: boolean) {
    this.options = { ...this.options, answerItems: answer };
  }

  /** Call before `page.goto`. */
  async install(theme: Record<string, string> = DARK_THEME): Promise<void> {
    await this.page.exposeBinding('__alToHost', (_source, message: unknown) => this.onMessage(message));
    // Bindings are called in the order the page calls them: see `sync`.
    await this.page.exposeBinding('__alSync', () => undefined);
    // A string, not a function: tsx would wrap a function's inner names in helpers the page lacks.
    await this.page.addInitScript(`(${FAKE_VSCODE_API})(${JSON.stringify(theme)})`);
  }

  initMessage(): InitMessage {
    return this.engine.init();
  }

  /** Posts a message to the page (after any still on their way); a message the host could not send throws. */
  send(message: HostToWebview): Promise<void> {
    this.check(message);
    return this.post([message]);
  }

  /** Choose Sampling Strategy on the host: the page gets what the real host and worker send it. */
  changeStrategy(strategy: StrategyId): Promise<void> {
    return this.post(this.engine.changeStrategy(strategy));
  }

  /** Sends every held answer, in order. */
  release(): Promise<void> {
    return this.post(this.held.splice(0).flat());
  }

  heldCount(): number {
    return this.held.length;
  }

  of<T extends WebviewToHost['type']>(type: T): Extract<WebviewToHost, { type: T }>[] {
    return this.received.filter((m): m is Extract<WebviewToHost, { type: T }> => m.type === type);
  }

  /** Resolves when `predicate` (on what the fake received, logged or sent) holds; checked on every change. */
  waitFor(predicate: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.failures.length > 0) finish(new Error(`the fake host failed: ${this.failures.join('; ')}`));
        else if (predicate()) finish();
      };
      const timer = setTimeout(() => finish(new Error(`timed out waiting for ${what}; received: ${JSON.stringify(this.received.map((m) => m.type))}`)), timeoutMs);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  /**
   * Resolves once every message the page has posted so far reached the fake, and every answer to
   * them was posted to the page: after a key that should do nothing, "nothing arrived" is then
   * a fact, not a guess made after a sleep.
   */
  async sync(): Promise<void> {
    await this.page.evaluate(() => (window as unknown as { __alSync(): Promise<void> }).__alSync());
    await this.sending;
  }

  /** What went wrong at the boundary in this host's lifetime: refused page messages and the fake's own failures. */
  problems(): string[] {
    return [...this.invalid.map((e) => `the page posted an invalid message: ${e}`), ...this.failures];
  }

  private onMessage(raw: unknown): Promise<void> {
    const parsed = parseWith(WebviewToHost, raw);
    if (!parsed.ok) {
      this.invalid.push(parsed.error);
      this.changed();
      return Promise.resolve();
    }
    // The schema drops unknown fields; the page must not send any (the host would never see them).
    if (!isDeepStrictEqual(plain(parsed.value), plain(raw))) this.invalid.push(`fields the protocol does not have: ${JSON.stringify(raw)}`);
    const message = parsed.value;
    this.received.push(message);
    let answers: HostToWebview[];
    try {
      answers = this.engine.handle(message);
    } catch (error) {
      this.failures.push(String(error));
      this.changed();
      return Promise.resolve();
    }
    const write = message.type === 'label' || message.type === 'undo' || message.type === 'skip' || message.type === 'flag';
    const hold = (write && this.saves === 'hold') || (message.type === 'needItems' && this.options.answerItems === false);
    if (!hold) return this.post(answers);
    this.held.push(answers);
    this.changed();
    return Promise.resolve();
  }

  private check(message: HostToWebview): void {
    const parsed = parseWith(HostToWebview, message);
    if (!parsed.ok) throw new Error(`the fake host would send an invalid message: ${parsed.error}`);
    if (!isDeepStrictEqual(plain(parsed.value), plain(message))) throw new Error(`the fake host would send fields the protocol does not have: ${JSON.stringify(message)}`);
  }

  /** Posts in order: each answer waits for the ones before it, as one host channel does. */
  private post(messages: readonly HostToWebview[]): Promise<void> {
    if (messages.length === 0) {
      this.changed();
      return this.sending;
    }
    this.sent.push(...messages);
    this.changed();
    this.sending = this.sending.then(async () => {
      for (const m of messages) {
        try {
          await this.page.evaluate((message) => window.postMessage(message, '*'), m);
        } catch (error) {
          // A page closed at the end of a test may still have answers on the way.
          if (!this.page.isClosed()) this.failures.push(`posting ${m.type} failed: ${String(error)}`);
        }
      }
    });
    return this.sending;
  }

  private changed(): void {
    for (const check of [...this.waiters]) check();
  }
}

/** Fails the test if a page posted an invalid message or the fake host failed; then forgets the hosts. */
export function assertHostsClean(): void {
  const problems = openHosts.splice(0).flatMap((host) => host.problems());
  if (problems.length > 0) throw new Error(`protocol problems in this test:\n${problems.join('\n')}`);
}

/** A page with a fake host, loaded and past the ready → init handshake with items on screen. */
export async function openWebview(browser: Browser, url: string, options: FakeHostOptions): Promise<{ page: Page; host: FakeHost }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  const host = new FakeHost(page, options);
  await host.install();
  await page.goto(url);
  await host.waitFor(() => host.of('ready').length > 0, 'ready');
  if (options.answerItems !== false && options.items.length > 0) await page.waitForSelector('.al-card[data-item-id]:not([data-item-id=""])', { timeout: WAIT_MS });
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
  afterEach(assertHostsClean);
  after(async () => {
    await suite?.browser.close();
    await suite?.served.close();
  });
}

/** Waits until the page shows the item `itemId` (the key about to be pressed acts on it). */
export async function waitForShown(page: Page, itemId: string): Promise<void> {
  await page.waitForSelector(`.al-card[data-item-id="${itemId}"]`, { timeout: WAIT_MS });
}

/**
 * Resolves after the page has painted what the last message asked for: the card in the frame, the
 * rest (counts, chart, history, banners) in idle time, scheduled the same way, so a check made after
 * this sees it. Event-based: no fixed delay.
 */
export async function afterIdle(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        requestAnimationFrame(() => {
          const idle = (window as unknown as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => void }).requestIdleCallback;
          if (idle) idle(() => resolve(), { timeout: 1000 });
          else setTimeout(resolve, 0);
        }),
      ),
  );
}
