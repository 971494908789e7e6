/**
 * Drives the real product in a real VS Code: code-server (installed on demand into .e2e/), the
 * built extension copied into an isolated extensions dir, and Debian's chromium via
 * playwright-core. Shared by the E2E test and `npm run bench:ui`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../chromium';
import type { CodeServer } from '../../scripts/code-server.mjs' with { 'resolution-mode': 'import' };

/** scripts/code-server.mjs is ESM (npm start uses it too); this test file is CJS, so import lazily. */
const codeServerModule = (): Promise<typeof import('../../scripts/code-server.mjs', { with: { 'resolution-mode': 'import' } })> => import('../../scripts/code-server.mjs');

export const repoRoot = path.resolve(__dirname, '..', '..');

/** Builds dist/ once per process (the test runner may already have done it; esbuild is fast). */
export function buildExtension(): void {
  const result = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
  for (const file of ['extension.js', 'worker.js', 'webview.js']) {
    if (!fs.existsSync(path.join(repoRoot, 'dist', file))) throw new Error(`build did not produce dist/${file}`);
  }
}

export interface Workbench {
  readonly server: CodeServer;
  readonly browser: Browser;
  readonly page: Page;
  /** The temp folder opened in VS Code (a copy of the sample data). */
  readonly folder: string;
  readonly tmp: string;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Files copied into the opened folder. */
  readonly files: readonly string[];
  /** User settings written before start. */
  readonly settings?: Record<string, unknown>;
  /** Reuse a folder/profile (for restart checks) instead of fresh temp dirs. */
  readonly reuse?: { folder: string; tmp: string };
  readonly log?: (line: string) => void;
  /** Install this .vsix (as a user would); default: copy the unpacked dev build. */
  readonly vsix?: string;
}

/** Packages the production .vsix for this platform (scripts/package.mjs, as `npm start` does). */
export async function packageExtension(log: (line: string) => void): Promise<string> {
  const { packageVsix } = await import('../../scripts/package.mjs' as string) as { packageVsix: (o: { log: (l: string) => void }) => string };
  return packageVsix({ log });
}

/** Starts code-server with the extension and opens the folder in Chromium. */
export async function launchWorkbench(options: LaunchOptions): Promise<Workbench> {
  const log = options.log ?? ((line: string) => console.log(`[e2e] ${line}`));
  const { ensureCodeServer, installUnpacked, startCodeServer } = await codeServerModule();
  const bin = await ensureCodeServer({ log });
  const tmp = options.reuse?.tmp ?? fs.mkdtempSync(path.join(os.tmpdir(), 'active-label-e2e-'));
  const folder = options.reuse?.folder ?? path.join(tmp, 'workspace');
  const userDataDir = path.join(tmp, 'user');
  const extensionsDir = path.join(tmp, 'ext');
  if (!options.reuse) {
    fs.mkdirSync(folder, { recursive: true });
    for (const file of options.files) fs.copyFileSync(file, path.join(folder, path.basename(file)));
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(userDataDir, 'User', 'settings.json'),
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'workbench.welcomePage.walkthroughs.openOnInstall': false,
          'security.workspace.trust.enabled': false,
          'telemetry.telemetryLevel': 'off',
          'extensions.autoUpdate': false,
          'extensions.autoCheckUpdates': false,
          'update.mode': 'none',
          'window.commandCenter': false,
          ...options.settings,
        },
        null,
        2,
      ),
    );
    if (options.vsix) {
      const r = spawnSync(bin, ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', options.vsix, '--force'], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`installing ${options.vsix} failed:\n${r.stdout}\n${r.stderr}`);
    } else {
      installUnpacked(extensionsDir);
    }
  }
  const server = await startCodeServer({ bin, userDataDir, extensionsDir, log });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // The explorer and extension host need a moment after the shell paints.
    await page.waitForSelector('.explorer-folders-view, .explorer-viewlet', { timeout: 60_000 }).catch(() => undefined);
    const opened = browser;
    return {
      server,
      browser: opened,
      page,
      folder,
      tmp,
      close: async () => {
        await opened.close().catch(() => undefined);
        server.stop();
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    server.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- code-server output ---\n${server.output()}`);
  }
}

/** Runs a command from the palette (F1) by its title, e.g. "Active Label: Start Labeling". */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.locator('.monaco-workbench').click({ position: { x: 600, y: 5 } }).catch(() => undefined);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/** The quick input's current title or placeholder, to know which setup step is showing. */
export async function quickInputVisible(page: Page, containing: string, timeout = 30_000): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.filter({ hasText: containing }).first().waitFor({ state: 'visible', timeout }).catch(async () => {
    // The placeholder is an attribute, not text: check it too.
    const placeholder = page.locator(`.quick-input-widget input[placeholder*="${containing.replace(/"/g, '\\"')}"]`);
    await placeholder.first().waitFor({ state: 'visible', timeout: 5_000 });
  });
}

/** The innermost frame of the labeling webview (the one that holds the webview's root element). */
export async function labelingFrame(page: Page, timeout = 120_000): Promise<Frame> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const found = await frame.evaluate(() => document.getElementById('active-label-root') !== null).catch(() => false);
      if (found) return frame;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`the labeling webview did not appear within ${timeout / 1000} s; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = path.join(repoRoot, 'docs', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  await page.screenshot({ path: file });
  return file;
}

/** Notifications currently shown, for diagnostics. */
export async function notifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts().catch(() => []);
}

/** Polls `probe` every 100 ms until it returns a value; throws after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
