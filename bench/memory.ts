import { trainHead } from '../src/core/model/train';
import { selectBatch } from '../src/core/sampling/selectBatch';
import { embeddings, report, writeDoc, type BenchResult } from './common';

/** Peak RSS of one full round (train, score, clustered uncertainty batch) over 100,000 x 384 items. */
export function benchMemory(): BenchResult[] {
  const before = process.memoryUsage().rss;
  const pool = embeddings(100_000, 384, 5);
  const labeled = embeddings(2_000, 384, 6);
  const y = Int32Array.from({ length: labeled.rows }, (_, i) => i % 3);
  const model = trainHead(labeled, { kind: 'single', y }, ['a', 'b', 'c'], 'single');
  selectBatch({ pool, labeled, targets: { kind: 'single', y }, classes: ['a', 'b', 'c'], mode: 'single', model }, { strategy: 'clustered-uncertainty', batchSize: 10, seed: 1 });
  const peak = process.resourceUsage().maxRSS / 1024;
  const raw = pool.data.byteLength / 1024 / 1024;
  return [
    report({
      name: 'peak RSS, 100,000 x 384 pool, one clustered-uncertainty round',
      value: peak,
      unit: 'MB',
      reference: { name: 'raw float32 pool matrix', value: raw, unit: 'MB' },
      note: `RSS before data ${(before / 1024 / 1024).toFixed(0)} MB`,
    }),
  ];
}

if (require.main === module) writeDoc('memory', 'npm run bench:memory', benchMemory());
