import { kmeans } from '../src/core/sampling/kmeans';
import { embeddings, python, report, timeMedian, writeDoc, type BenchResult } from './common';

/** k-means, 10,000 x 384, k = 20, 10 Lloyd iterations, k-means++: ours vs scikit-learn vs ml-kmeans. */
export async function benchKmeans(): Promise<BenchResult[]> {
  const n = 10_000;
  const d = 384;
  const k = 20;
  const x = embeddings(n, d, 1);
  let seed = 0;
  const ours = timeMedian(() => {
    kmeans(x, k, { seed: seed++, maxIterations: 10, tolerance: 0 });
  }, 7, 2);
  const sk = python(
    `import numpy as np, time, json
from sklearn.cluster import KMeans
X = np.fromfile('x.bin', dtype=np.float32).reshape(${n}, ${d})
ts = []
for s in range(9):
    t = time.perf_counter(); KMeans(${k}, algorithm='lloyd', n_init=1, max_iter=10, tol=0, init='k-means++', random_state=s).fit(X); ts.append(time.perf_counter() - t)
print(json.dumps({'ms': sorted(ts[2:])[3] * 1000}))`,
    { 'x.bin': x.data },
  );
  const { kmeans: mlKmeans } = await import('ml-kmeans');
  const rows = Array.from({ length: n }, (_, i) => Array.from(x.data.subarray(i * d, (i + 1) * d)));
  const t = performance.now();
  mlKmeans(rows, k, { seed: 1, maxIterations: 10, initialization: 'kmeans++' });
  const ml = performance.now() - t;
  const results = [
    report({ name: 'k-means 10,000x384 k=20 10 it', value: ours, unit: 'ms', target: '<= 1.5x sklearn', reference: sk ? { name: 'sklearn KMeans lloyd', value: sk.ms, unit: 'ms' } : undefined, note: sk ? `ratio ${(ours / sk.ms).toFixed(2)}x sklearn` : 'sklearn unavailable' }),
    report({ name: 'k-means vs ml-kmeans', value: ours, unit: 'ms', reference: { name: 'ml-kmeans 7.0.1 (1 run)', value: ml, unit: 'ms' }, note: `ml-kmeans is ${(ml / ours).toFixed(0)}x slower` }),
  ];
  return results;
}

if (require.main === module) {
  void benchKmeans().then((r) => writeDoc('kmeans', 'npm run bench:kmeans', r));
}
