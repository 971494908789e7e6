/**
 * `npm run bench:ui`: keypress -> next item painted, in the real labeling panel inside a real
 * VS Code (code-server) in Chromium, through the E2E harness.
 *
 * The webview records each sample itself (window.__activeLabelLatency, see webview/latency.ts):
 * from the keydown event's timestamp to just after the frame that shows the next item is painted.
 * The reference is the same probe with no work at all (performance.now() -> requestAnimationFrame
 * -> post-paint message) in the same page, i.e. the floor a frame-synchronised paint can reach.
 *
 * Writes the result between <!-- bench:ui:start --> and <!-- bench:ui:end --> in docs/benchmarks.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { labelingFrame, launchWorkbench, packageExtension, quickInputVisible, repoRoot, runCommand } from '../test/e2e/harness';

const KEYPRESSES = Number(process.env.BENCH_UI_KEYPRESSES) || 120;
const TARGET_P95_MS = 16;
/** Gap between keypresses: a fast annotator, not a key held down. */
const PACE_MS = 120;

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

function shownId(frame: Frame): Promise<string> {
  return frame.evaluate(() => document.querySelector('[data-testid="item-text"]')?.closest('[data-item-id]')?.getAttribute('data-item-id') ?? '');
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The empty-frame reference: now -> rAF -> message after paint, `n` times, spaced out. */
function referenceRoundTrips(frame: Frame, n: number): Promise<number[]> {
  return frame.evaluate(async (count) => {
    const out: number[] = [];
    const channel = new MessageChannel();
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await new Promise<void>((resolve) => {
        channel.port1.onmessage = () => resolve();
        requestAnimationFrame(() => channel.port2.postMessage(0));
      });
      out.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 30));
    }
    return out;
  }, n);
}

function writeMarkdown(block: string): void {
  const file = path.join(repoRoot, 'docs', 'benchmarks.md');
  const start = '<!-- bench:ui:start -->';
  const end = '<!-- bench:ui:end -->';
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const section = `${start}\n${block}\n${end}`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? current.slice(0, from) + section + current.slice(to + end.length) : `${current.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(file, next);
}

async function main(): Promise<void> {
  const log = (line: string): void => console.log(`[bench:ui] ${line}`);
  const vsix = await packageExtension(log);
  const sample = path.join(repoRoot, 'sample', 'headlines.jsonl');
  const wb = await launchWorkbench({
    files: [sample],
    settings: { 'activeLabel.model': 'lexical', 'activeLabel.annotator': 'bench' },
    vsix,
    log,
  });
  try {
    const { page } = wb;
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill('headlines.jsonl');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'headlines.jsonl' }).first().waitFor();
    await page.keyboard.press('Enter');
    await runCommand(page, 'Active Label: Start Labeling');
    await quickInputVisible(page, 'text field');
    await page.keyboard.press('Enter');
    await quickInputVisible(page, 'labels for');
    await page.locator('.quick-input-widget .quick-input-box input').fill('disaster, not disaster');
    await page.keyboard.press('Enter');
    await quickInputVisible(page, 'labeling mode');
    await page.keyboard.press('Enter');
    await quickInputVisible(page, 'seed terms');
    await page.keyboard.press('Enter');
    const frame = await labelingFrame(page);
    let current = await until(async () => (await shownId(frame)) || undefined, 120_000, 'the first item');
    // Let the queue fill before measuring (the webview keeps >= 5 items ahead).
    await page.waitForTimeout(1500);
    await frame.evaluate(() => {
      if (window.__activeLabelLatency) window.__activeLabelLatency.length = 0;
    });
    const wall: number[] = [];
    for (let i = 0; i < KEYPRESSES; i++) {
      const t = Date.now();
      await page.keyboard.press(i % 3 === 0 ? '1' : '2');
      current = await until(async () => {
        const id = await shownId(frame);
        return id && id !== current ? id : undefined;
      }, 30_000, `item after keypress ${i + 1}`);
      wall.push(Date.now() - t);
      await page.waitForTimeout(PACE_MS);
    }
    await page.waitForTimeout(300);
    const samples = await frame.evaluate(() => [...(window.__activeLabelLatency ?? [])]);
    if (samples.length < KEYPRESSES * 0.9) throw new Error(`the webview recorded ${samples.length} samples for ${KEYPRESSES} keypresses`);
    const reference = await referenceRoundTrips(frame, 100);
    const s = [...samples].sort((a, b) => a - b);
    const r = [...reference].sort((a, b) => a - b);
    const w = [...wall].sort((a, b) => a - b);
    const fmt = (n: number): string => `${n.toFixed(1)} ms`;
    const p95 = quantile(s, 0.95);
    const pass = p95 <= TARGET_P95_MS;
    const date = new Date().toISOString().slice(0, 10);
    const block = [
      '## UI latency (keypress -> next item painted)',
      '',
      `Command: \`npm run bench:ui\` (${date}, Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}; ` +
        `code-server 4.100.3, headless Chromium, software rendering). ${samples.length} keypresses in the labeling panel of the packaged extension, ` +
        `${PACE_MS} ms apart, while the engine retrains every 10 labels in its worker.`,
      '',
      '| Measure | Median | p95 | Target | Reference (same page, same run) |',
      '| --- | --- | --- | --- | --- |',
      `| keydown -> next item painted (in the webview) | ${fmt(quantile(s, 0.5))} | ${fmt(p95)} | p95 <= ${TARGET_P95_MS} ms: ${pass ? 'met' : 'NOT met'} | empty rAF round trip: median ${fmt(quantile(r, 0.5))}, p95 ${fmt(quantile(r, 0.95))} |`,
      `| Playwright press -> new item id seen (CDP round trips included) | ${fmt(quantile(w, 0.5))} | ${fmt(quantile(w, 0.95))} |  | harness overhead, not user-visible |`,
      '',
      'The webview shows the next item from its local queue (at least 5 items ahead), so no keypress waits for the extension host or the worker.',
    ].join('\n');
    console.log(`\n${block}\n`);
    writeMarkdown(block);
    log('docs/benchmarks.md updated');
  } finally {
    await wb.close();
    fs.rmSync(wb.tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
