"""numpy + scikit-learn reference for bench/scale/sampling.ts, on the same vectors in the same run.

argv: directory holding pool.npy (n x d float32), lab.npy (m x d float32), y.npy (m int32),
      then k (clusters), iterations (max_iter), percent (top share clustered), sample (rows fitted).
Prints one JSON object of median milliseconds.
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression

folder, k, iters, percent, sample = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
P = np.load(f'{folder}/pool.npy', mmap_mode=None)
L = np.load(f'{folder}/lab.npy')
y = np.load(f'{folder}/y.npy')
n = P.shape[0]


def med(f, runs=3):
    f()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return sorted(ts)[runs // 2] * 1000


state = {}


def retrain():
    m = LogisticRegression(max_iter=100).fit(L, y)
    state['probs'] = m.predict_proba(P)


def margin_top():
    p = state['probs']
    two = np.partition(p, -2, axis=1)[:, -2:]
    margin = 1 - (two[:, 1] - two[:, 0])
    top = max(10, int(np.ceil(percent / 100 * n)))
    return np.argpartition(-margin, top - 1)[:top]


def picks(X, top, km):
    d = km.transform(X)
    return [top[np.argmin(np.where(km.labels_ == c, d[:, c], np.inf))] for c in range(km.n_clusters)]


def clustered_full():
    """The book's reference: every one of the top items is clustered."""
    top = margin_top()
    X = P[top]
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    km = KMeans(k, algorithm='lloyd', n_init=1, max_iter=iters, random_state=0).fit(X)
    picks(X, top, km)


def clustered_sample():
    """What ours does: the top items chosen over the whole pool, k-means fitted on a seeded sample
    of at most `sample` of them, picks from that sample."""
    top = margin_top()
    if len(top) > sample:
        top = top[np.random.default_rng(0).choice(len(top), size=sample, replace=False)]
    X = P[top]
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    km = KMeans(k, algorithm='lloyd', n_init=1, max_iter=iters, random_state=0).fit(X)
    picks(X, top, km)


out = {'retrain': med(retrain)}
out['clusteredFull'] = med(clustered_full)
out['clusteredSample'] = med(clustered_sample)
print(json.dumps(out))
