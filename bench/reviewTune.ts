/**
 * A one-off ablation behind `active-label review`'s defaults (not part of `npm run bench:review`):
 * the same planted-error protocol (5% and 10% flipped, seeds 1 and 2, lexical vectors), scored for
 * several head settings and numbers of fold splits from the same embeddings.
 *
 * Usage: node --import tsx bench/reviewTune.ts '{"name": {"repeats": 2, "head": {"classWeighting": false}}, ...}'
 *        [headlines,spam,spam-kinds]
 */
import * as path from 'node:path';
import { review } from '../src/cli/review';
import { rankLabelErrors } from '../src/core/evaluation/errorRanking';
import { type ReviewOptions, headOutOfFold } from '../src/core/evaluation/reviewLabels';
import { writeSpamKinds, writeSpamSample } from './learningData';
import { LEARNING_CACHE, writeHeadlinesJsonl } from './learningVectors';
import { plantLabelErrors, plantedMetrics } from './reviewData';

const CACHE = path.resolve(__dirname, '..', '.cache', 'review');
const quiet = { out: (): void => undefined, err: (): void => undefined, progress: (): void => undefined };

async function main(): Promise<void> {
  const configs = JSON.parse(process.argv[2] ?? '{"default": {}}') as Record<string, Partial<ReviewOptions>>;
  const datasets = (process.argv[3] ?? 'headlines,spam').split(',');
  const scores: Record<string, [number, number][]> = {};
  for (const dataset of datasets) {
    const clean =
      dataset === 'headlines' ? await writeHeadlinesJsonl(LEARNING_CACHE) : dataset === 'spam' ? await writeSpamSample(LEARNING_CACHE, 2000) : await writeSpamKinds(LEARNING_CACHE, 2000);
    for (const rate of [0.05, 0.1]) {
      for (const seed of [1, 2]) {
        const planted = await plantLabelErrors(clean, path.join(CACHE, `${dataset}-noisy.jsonl`), rate, seed);
        const run = await review({ data: planted.file, labelField: 'label', model: 'lexical', cacheDir: CACHE, folds: 5, seed: 0 }, quiet);
        const ids = run.items.map((item) => item.id);
        const plantedIds = new Set(ids.filter((id) => planted.flipped.has(id)));
        for (const [name, options] of Object.entries(configs)) {
          const probs = headOutOfFold(run.embeddings, run.y, run.classes, options);
          const m = plantedMetrics(rankLabelErrors(probs, run.y, options.ranking).map((r) => ids[r.row] as string), plantedIds);
          (scores[name] ??= []).push([m.precisionAtK, m.recallAt2K]);
          process.stderr.write(`${dataset} ${rate} seed ${seed} ${name}: P@K ${m.precisionAtK.toFixed(3)} R@2K ${m.recallAt2K.toFixed(3)}\n`);
        }
      }
    }
  }
  for (const [name, s] of Object.entries(scores)) {
    const mean = (i: 0 | 1): string => (s.reduce((a, b) => a + b[i], 0) / s.length).toFixed(3);
    console.log(`${name}: P@K ${mean(0)} R@2K ${mean(1)}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
