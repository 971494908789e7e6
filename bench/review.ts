/**
 * `npm run bench:review`: plant label errors (5% and 10% of the labels flipped to another label,
 * seeded) in the disaster headlines, a SpamAssassin sample and a three-class SpamAssassin task, run
 * `active-label review`'s core path (src/cli/review.ts `review`) on lexical and use-lite vectors,
 * and score the ranking: precision in the top K (K = number planted) and recall in the top 2K.
 * Beside it, scikit-learn confident learning (bench/review_reference.py) on the SAME vectors and the
 * same noisy labels; neither side sees which labels were planted. Ranking variants (score x order)
 * are scored from the same out-of-fold probabilities, to show why the default was chosen.
 * Writes its section of docs/benchmarks.md between the bench:review markers.
 *
 * Usage: node --import tsx bench/review.ts [--seeds 1,2,3] [--rates 0.05,0.1]
 *        [--embedders lexical,use-lite] [--datasets headlines,spam,spam-kinds] [--spam-size 2000]
 *        [--no-reference] [--no-doc]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { consoleIO } from '../src/cli/main';
import { review, type ReviewSettings } from '../src/cli/review';
import { encodeNpy } from '../src/core/embedding/npy';
import { type ErrorOrder, type ErrorScore, rankLabelErrors } from '../src/core/evaluation/errorRanking';
import { writeSpamKinds, writeSpamSample } from './learningData';
import { LEARNING_CACHE, useLiteVectors, writeHeadlinesJsonl } from './learningVectors';
import { alignVectors, plantLabelErrors, plantedMetrics } from './reviewData';
import { type Measured, renderSection, writeSection } from './reviewReport';

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(ROOT, '.cache', 'review');
const PYTHON = '/usr/bin/python3';
const VARIANTS: readonly { score: ErrorScore; order: ErrorOrder }[] = [
  { score: 'margin', order: 'merged' },
  { score: 'self-confidence', order: 'merged' },
  { score: 'margin', order: 'flagged-first' },
  { score: 'self-confidence', order: 'flagged-first' },
];

function reference(vectors: string, labels: string, seed: number): Record<string, { ranking: number[]; flagged: number }> | undefined {
  if (!existsSync(PYTHON)) return undefined;
  const run = spawnSync(PYTHON, [path.join(__dirname, 'review_reference.py'), vectors, labels, '--seed', String(seed)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
  });
  if (run.status !== 0) {
    process.stderr.write(`scikit-learn reference failed (${run.stderr.trim().split('\n').pop() ?? run.status}); left out.\n`);
    return undefined;
  }
  return (JSON.parse(run.stdout) as { models: Record<string, { ranking: number[]; flagged: number }> }).models;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      rates: { type: 'string' },
      embedders: { type: 'string' },
      datasets: { type: 'string' },
      'spam-size': { type: 'string' },
      'no-reference': { type: 'boolean' },
      'no-doc': { type: 'boolean' },
    },
  });
  const seeds = (values.seeds ?? '1,2,3').split(',').map(Number);
  const rates = (values.rates ?? '0.05,0.1').split(',').map(Number);
  const embedders = (values.embedders ?? 'lexical,use-lite').split(',');
  const wanted = (values.datasets ?? 'headlines,spam,spam-kinds').split(',');
  const spamSize = Number(values['spam-size'] ?? 2000);
  const io = consoleIO();
  const quiet = { ...io, out: () => undefined, err: () => undefined };
  const started = performance.now();
  await fs.mkdir(CACHE, { recursive: true });
  const makers: Record<string, () => Promise<string>> = {
    headlines: () => writeHeadlinesJsonl(LEARNING_CACHE),
    spam: () => writeSpamSample(LEARNING_CACHE, spamSize),
    'spam-kinds': () => writeSpamKinds(LEARNING_CACHE, spamSize),
  };
  const measured: Measured[] = [];
  for (const dataset of wanted) {
    const make = makers[dataset];
    if (!make) throw new Error(`unknown dataset "${dataset}": ${Object.keys(makers).join(', ')}`);
    const clean = await make();
    for (const embedder of embedders) {
      if (embedder !== 'lexical' && embedder !== 'use-lite') throw new Error(`unknown embedder "${embedder}": lexical or use-lite`);
      const cleanVectors = embedder === 'use-lite' ? await useLiteVectors(clean, (line) => io.progress(line)) : undefined;
      for (const rate of rates) {
        for (const seed of seeds) {
          // One noisy path per dataset: the texts never change, so the embedding cache keeps hitting.
          const planted = await plantLabelErrors(clean, path.join(CACHE, `${dataset}-noisy.jsonl`), rate, seed);
          const settings: ReviewSettings = {
            data: planted.file,
            labelField: 'label',
            model: 'lexical',
            cacheDir: CACHE,
            folds: 5,
            seed: 0,
            ...(cleanVectors ? { vectors: { file: await alignVectors(cleanVectors, planted.file), sidecar: false } } : {}),
          };
          io.progress(`${dataset} ${embedder} ${rate * 100}% seed ${seed}: review ...`);
          const t0 = performance.now();
          const run = await review(settings, quiet);
          const seconds = (performance.now() - t0) / 1000;
          const ids = run.items.map((item) => item.id);
          const plantedIds = new Set(ids.filter((id) => planted.flipped.has(id)));
          const ours = plantedMetrics(run.result.ranked.map((r) => ids[r.row] as string), plantedIds);
          const found = run.result.ranked.slice(0, plantedIds.size).filter((r) => plantedIds.has(ids[r.row] as string));
          const suggestedRight = found.filter((r) => planted.flipped.get(ids[r.row] as string) === run.classes[r.suggested]).length;
          const variants = Object.fromEntries(
            VARIANTS.map((v) => [`${v.score}, ${v.order}`, plantedMetrics(rankLabelErrors(run.result.probs, run.y, v).map((r) => ids[r.row] as string), plantedIds)]),
          );
          const references: Measured['references'] = {};
          if (!values['no-reference']) {
            const x = path.join(CACHE, `${dataset}-${embedder}.npy`);
            const y = path.join(CACHE, `${dataset}-labels.i32`);
            await fs.writeFile(x, encodeNpy(run.embeddings.data, run.embeddings.rows, run.embeddings.cols));
            await fs.writeFile(y, Buffer.from(run.y.buffer, run.y.byteOffset, run.y.byteLength));
            io.progress(`${dataset} ${embedder} ${rate * 100}% seed ${seed}: scikit-learn reference ...`);
            for (const [name, r] of Object.entries(reference(x, y, seed) ?? {})) {
              references[name] = { ...plantedMetrics(r.ranking.map((row) => ids[row] as string), plantedIds), flagged: r.flagged };
            }
          }
          const m: Measured = {
            dataset,
            embedder: run.embedder,
            embedderKind: embedder,
            rate,
            seed,
            items: run.items.length,
            classes: run.classes,
            ours: { ...ours, flagged: run.result.flagged },
            suggestedRight: found.length === 0 ? 0 : suggestedRight / found.length,
            variants,
            references,
            seconds,
          };
          measured.push(m);
          const refText = Object.entries(references)
            .map(([n, r]) => `${n} P@K ${r.precisionAtK.toFixed(3)} R@2K ${r.recallAt2K.toFixed(3)}`)
            .join('; ');
          io.err(
            `${dataset} ${embedder} ${Math.round(rate * 100)}% seed ${seed}: K=${ours.k} ours P@K ${ours.precisionAtK.toFixed(3)} ` +
              `R@2K ${ours.recallAt2K.toFixed(3)} (${seconds.toFixed(1)} s)${refText ? ` | ${refText}` : ''}`,
          );
        }
      }
    }
  }
  const section = renderSection(measured, { seeds, rates, spamSize, seconds: (performance.now() - started) / 1000 });
  io.out(section);
  if (!values['no-doc']) {
    await writeSection(path.join(ROOT, 'docs', 'benchmarks.md'), section);
    io.err('Wrote docs/benchmarks.md (the bench:review section).');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
