/**
 * The extension host's worst stall while the engine worker embeds a dataset: the host side is the
 * real WorkerClient (validating every message, as in VS Code) and the real Presenter (forwarding
 * progress to a page port that serializes each message, as VS Code does); the worker runs the real
 * engine on 10,000 headlines with the MiniLM-shaped model (all-MiniLM-L6-v2's cost). The host's
 * event loop is sampled with monitorEventLoopDelay; the reference is an idle event loop in the
 * same process, measured right before.
 * Usage: npm run bench:host [-- --items N --model lexical|minilm]
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Presenter } from '../src/host/presenter';
import { DEFAULT_KEYMAP } from '../src/shared/protocol';
import type { StartMessage } from '../src/shared/protocol/engine';
import { ensureMiniLmShapedModel } from '../test/fixtures/tinyModel';
import { sourceEngine } from '../test/unit/host/recordingPorts';
import { type BenchResult, report, writeDoc } from './common';

const HEADLINES = path.resolve(__dirname, '..', '..', 'shared/datasets/disaster-headlines');

const { values } = parseArgs({ options: { items: { type: 'string', default: '10000' }, model: { type: 'string', default: 'minilm' } } });
const items = Number(values.items);

async function idleLoop(ms: number): Promise<number> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await new Promise((r) => setTimeout(r, ms));
  h.disable();
  return h.max / 1e6;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'al-bench-host-'));
  try {
    const base = readdirSync(HEADLINES)
      .filter((f) => f.endsWith('.csv'))
      .flatMap((f) => readFileSync(path.join(HEADLINES, f), 'utf8').split('\n'))
      .map((line) => line.split(',')[1]?.trim() ?? '')
      .filter((t) => t.length > 0);
    const file = path.join(dir, 'headlines.jsonl');
    writeFileSync(file, Array.from({ length: items }, (_, i) => JSON.stringify({ id: `h${i}`, text: `${base[i % base.length]} ${i}` })).join('\n') + '\n');
    const model = values.model === 'lexical' ? 'lexical' : ensureMiniLmShapedModel();
    let serialized = 0;
    const presenter = new Presenter(
      { datasetName: 'headlines.jsonl', labels: ['a', 'b'], mode: 'single', keymap: DEFAULT_KEYMAP, strategy: 'Margin' },
      { visible: true, post: (m) => void (serialized += JSON.stringify(m).length) },
      { showProgress: () => undefined, showModel: () => undefined, showError: () => undefined },
    );
    const idleMax = await idleLoop(2000);
    const client = sourceEngine((reason) => console.error(reason));
    let progress = 0;
    const ready = new Promise<void>((resolve, reject) =>
      client.onMessage((m) => {
        presenter.present(m);
        if (m.type === 'progress') progress++;
        if (m.type === 'engineReady') resolve();
        if (m.type === 'error') reject(new Error(m.message));
      }),
    );
    const start: StartMessage = {
      type: 'start', datasetFile: file, workspaceRoot: dir, textField: 'text', labels: ['a', 'b'], mode: 'single', strategy: 'margin',
      batchSize: 10, retrainEvery: 10, randomShare: 0.1, annotator: 'bench', model, cacheDir: path.join(dir, 'models'), seed: 1,
    };
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const t0 = performance.now();
    client.post(start);
    await ready;
    const seconds = (performance.now() - t0) / 1000;
    h.disable();
    await client.dispose();
    const results: BenchResult[] = [
      report({
        name: `extension-host worst stall while ${items.toLocaleString('en-US')} items embed in the worker (${values.model === 'lexical' ? 'lexical' : 'MiniLM-shaped'})`,
        value: h.max / 1e6,
        unit: 'ms',
        target: '<= 50 ms',
        reference: { name: 'idle event loop, same process, 2 s', value: idleMax, unit: 'ms' },
        note: `p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms; ${progress} progress messages validated and forwarded (${(serialized / 1e3).toFixed(0)} kB); ready in ${seconds.toFixed(1)} s`,
      }),
    ];
    writeDoc('host', 'npm run bench:host', results);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
