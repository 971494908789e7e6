import { trainHead } from '../src/core/model/train';
import type { ClassifierHead } from '../src/core/model/types';
import { createRng } from '../src/core/random';
import { clusteredUncertaintySampling } from '../src/core/sampling/clusteredUncertainty';
import type { Matrix } from '../src/core/types';
import { embeddings, python, report, timeMedian, writeDoc, type BenchResult } from './common';

const POOL = 100_000;
const D = 384;
const LABELS = 5_000;
const CLASSES = ['a', 'b', 'c', 'd'];

/** Labels from the nearest of 4 random directions, with 10% noise, so the head has real work to do. */
function labelsFor(x: Matrix, seed: number): Int32Array {
  const rng = createRng(seed);
  const dirs = CLASSES.map(() => Float32Array.from({ length: x.cols }, () => rng.normal()));
  const y = new Int32Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let best = 0;
    let bestScore = -Infinity;
    dirs.forEach((dir, c) => {
      let s = 0;
      for (let j = 0; j < x.cols; j++) s += dir[j] * x.data[i * x.cols + j];
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    });
    y[i] = rng.next() < 0.1 ? rng.int(CLASSES.length) : best;
  }
  return y;
}

/** Retrain + rescore (100,000 pool, 5,000 labels) and clustered uncertainty over the 100,000 pool. */
export function benchSampling(): BenchResult[] {
  const pool = embeddings(POOL, D, 2);
  const labeled = embeddings(LABELS, D, 3);
  const y = labelsFor(labeled, 4);
  const targets = { kind: 'single' as const, y };
  let previous: ClassifierHead = trainHead(labeled, targets, CLASSES, 'single', { seed: 1 });
  let seed = 1;
  const retrain = timeMedian(() => {
    previous = trainHead(labeled, targets, CLASSES, 'single', { seed: seed++ }, previous);
    previous.predict(pool);
  });
  const cold = timeMedian(() => {
    trainHead(labeled, targets, CLASSES, 'single', { seed: seed++ }).predict(pool);
  }, 3, 1);
  const probs = previous.predict(pool).probs;
  const batch = 10;
  const clustered = timeMedian(() => {
    clusteredUncertaintySampling(pool, probs, batch, { mode: 'single', seed: seed++, uncertainPercent: 10 }, createRng(seed));
  });
  const ref = python(
    `import numpy as np, time, json, math
from sklearn.linear_model import LogisticRegression
from sklearn.cluster import KMeans
P = np.fromfile('pool.bin', dtype=np.float32).reshape(${POOL}, ${D})
L = np.fromfile('lab.bin', dtype=np.float32).reshape(${LABELS}, ${D})
y = np.fromfile('y.bin', dtype=np.int32)
probs = np.fromfile('probs.bin', dtype=np.float32).reshape(${POOL}, ${CLASSES.length})
def retrain():
    m = LogisticRegression(max_iter=100).fit(L, y); m.predict_proba(P)
def clustered():
    lc = 1 - probs.max(axis=1)
    top = np.argpartition(-lc, ${POOL / 10})[:${POOL / 10}]
    X = P[top]; X = X / np.linalg.norm(X, axis=1, keepdims=True)
    km = KMeans(${Math.ceil(batch / 5)}, algorithm='lloyd', n_init=1, max_iter=20, random_state=0).fit(X)
    d = km.transform(X)
    picks = [top[np.argmin(np.where(km.labels_ == c, d[:, c], np.inf))] for c in range(km.n_clusters)]
def med(f, runs=5):
    f(); ts = []
    for _ in range(runs):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return sorted(ts)[runs // 2] * 1000
print(json.dumps({'retrain': med(retrain, 3), 'clustered': med(clustered)}))`,
    { 'pool.bin': pool.data, 'lab.bin': labeled.data, 'y.bin': y, 'probs.bin': probs.data },
  );
  let acc = 0;
  const lp = previous.predict(labeled).probs;
  for (let i = 0; i < LABELS; i++) {
    let best = 0;
    for (let c = 1; c < CLASSES.length; c++) if (lp.data[i * 4 + c] > lp.data[i * 4 + best]) best = c;
    if (best === y[i]) acc++;
  }
  return [
    report({ name: 'retrain (warm) + rescore 100,000x384, 5,000 labels', value: retrain, unit: 'ms', target: '<= 500 ms', reference: ref ? { name: 'sklearn LogisticRegression fit + predict_proba', value: ref.retrain, unit: 'ms' } : undefined, note: `logistic head, 4 classes, warm start (8 epochs; cold start 20); train accuracy ${(acc / LABELS).toFixed(3)}` }),
    report({ name: 'train (cold) + rescore 100,000x384, 5,000 labels', value: cold, unit: 'ms', target: '<= 500 ms' }),
    report({ name: 'clustered uncertainty, 100,000x384 pool, batch 10', value: clustered, unit: 'ms', target: '<= 300 ms', reference: ref ? { name: 'numpy top-k + sklearn KMeans', value: ref.clustered, unit: 'ms' } : undefined, note: 'top 10% (10,000 items) clustered, k = 2' }),
  ];
}

if (require.main === module) writeDoc('sampling', 'npm run bench:sampling', benchSampling());
