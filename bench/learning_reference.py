#!/usr/bin/python3
"""The learning benchmark's outside reference: a scikit-learn loop on the same vectors.

Reads a dataset written by bench/learningVectors.ts (JSONL, one {"label": ...} per line) and its
vectors (.npy float32, one row per line), and runs random sampling, least confidence and clustered
uncertainty as the book's reference code does it (rmunro/pytorch_active_learning: the top 10% of
the pool by uncertainty, cosine k-means into ceil(batch / 5) clusters, then each cluster's
centroid, its outlier and 3 random members), with LogisticRegression(C=10,
class_weight='balanced') retrained after every batch.

Protocol, per seed: a random 20% is held out; random batches until two classes have labels (the
model needs them), then the strategy's batches until the budget is spent. Prints one JSON object:
the mean curves, and per strategy the ALC, labels to 95% of the full-pool score and the label
saving (labels needed to reach random's score at the full budget, divided by the budget), for
accuracy and macro-F1.

Usage: /usr/bin/python3 bench/learning_reference.py DATA.jsonl VECTORS.npy [--seeds 1,2,3,4,5]
       [--budget 300] [--batch 10] [--metric accuracy|macroF1]
"""
import argparse
import json
import math
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

warnings.filterwarnings("ignore", category=ConvergenceWarning)


def model():
    return LogisticRegression(C=10, class_weight="balanced", max_iter=2000)


def least_confidence(probs):
    n = probs.shape[1]
    return (1 - probs.max(axis=1)) * n / (n - 1)


def margin(probs):
    top = np.sort(probs, axis=1)
    return 1 - (top[:, -1] - top[:, -2])


def cosine_kmeans(x, k, rng, epochs=5):
    """The reference's clustering: items dealt round-robin, then reassigned to the most similar
    cluster vector each epoch (it always runs 5 epochs: max_epochs is never passed on)."""
    assign = np.arange(len(x)) % k
    rng.shuffle(assign)
    for _ in range(epochs):
        centres = np.stack([x[assign == c].sum(axis=0) if np.any(assign == c) else np.zeros(x.shape[1]) for c in range(k)])
        norms = np.linalg.norm(centres, axis=1, keepdims=True)
        centres = centres / np.where(norms > 0, norms, 1)
        moved = (x @ centres.T).argmax(axis=1)
        if np.array_equal(moved, assign):
            break
        assign = moved
    sims = (x @ centres.T)[np.arange(len(x)), assign]
    return assign, sims


def clustered_uncertainty(x_pool, probs, batch, rng, scorer):
    scores = scorer(probs)
    top = max(batch, math.ceil(0.1 * len(x_pool)))
    candidates = np.argsort(-scores, kind="stable")[:top]
    k = math.ceil(batch / 5)
    assign, sims = cosine_kmeans(x_pool[candidates], k, rng)
    picked = []
    for c in range(k):
        members = np.where(assign == c)[0]
        if len(members) == 0:
            continue
        order = members[np.argsort(-sims[members])]
        chosen = [order[0]]
        if len(order) > 1:
            chosen.append(order[-1])
        middle = list(order[1:-1])
        rng.shuffle(middle)
        chosen.extend(middle[:3])
        picked.extend(candidates[i] for i in chosen)
    picked = list(dict.fromkeys(picked))[:batch]
    if len(picked) < batch:
        rest = np.setdiff1d(np.arange(len(x_pool)), picked)
        picked.extend(rng.choice(rest, batch - len(picked), replace=False))
    return np.array(picked)


def strategies():
    return {
        "random": None,
        "least-confidence": lambda x, p, b, rng: np.argsort(-least_confidence(p), kind="stable")[:b],
        "margin": lambda x, p, b, rng: np.argsort(-margin(p), kind="stable")[:b],
        "clustered-uncertainty": lambda x, p, b, rng: clustered_uncertainty(x, p, b, rng, least_confidence),
        "clustered-uncertainty (margin)": lambda x, p, b, rng: clustered_uncertainty(x, p, b, rng, margin),
    }


def scores(clf, x, y):
    pred = clf.predict(x)
    return accuracy_score(y, pred), f1_score(y, pred, average="macro")


def run(x, y, seed, pick, budget, batch):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    held = order[: round(0.2 * len(y))]
    pool = list(order[round(0.2 * len(y)) :])
    labeled = []
    points = []
    while len(labeled) < budget:
        take = min(batch, budget - len(labeled))
        ready = len(set(y[labeled])) >= 2
        if pick is None or not ready:
            chosen = rng.choice(len(pool), take, replace=False)
        else:
            clf = model().fit(x[labeled], y[labeled])
            probs = clf.predict_proba(x[pool])
            chosen = pick(x[pool], probs, take, rng)
        chosen = set(int(i) for i in chosen)
        labeled.extend(pool[i] for i in sorted(chosen))
        pool = [p for i, p in enumerate(pool) if i not in chosen]
        if len(set(y[labeled])) >= 2:
            acc, f1 = scores(model().fit(x[labeled], y[labeled]), x[held], y[held])
        else:
            majority = np.full(len(held), y[labeled][0])
            acc, f1 = accuracy_score(y[held], majority), f1_score(y[held], majority, average="macro")
        points.append((len(labeled), acc, f1))
    full = scores(model().fit(x[order[round(0.2 * len(y)) :]], y[order[round(0.2 * len(y)) :]]), x[held], y[held])
    return points, full


def alc(points, m):
    xs = [p[0] for p in points]
    vs = [p[m] for p in points]
    area = sum((vs[i] + vs[i - 1]) / 2 * (xs[i] - xs[i - 1]) for i in range(1, len(xs)))
    return area / (xs[-1] - xs[0]) if xs[-1] > xs[0] else vs[0]


def first_reach(points, m, goal):
    return next((p[0] for p in points if p[m] >= goal - 1e-12), None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("vectors")
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--budget", type=int, default=300)
    ap.add_argument("--batch", type=int, default=10)
    args = ap.parse_args()
    with open(args.data, encoding="utf8") as f:
        labels = [json.loads(line)["label"] for line in f if line.strip()]
    x = np.load(args.vectors).astype(np.float64)
    if len(x) != len(labels):
        raise SystemExit(f"{args.vectors}: {len(x)} rows for {len(labels)} labeled lines")
    classes = sorted(set(labels))
    y = np.array([classes.index(label) for label in labels])
    seeds = [int(s) for s in args.seeds.split(",")]
    curves = {}
    fulls = []
    for name, pick in strategies().items():
        runs = []
        for seed in seeds:
            points, full = run(x, y, seed, pick, args.budget, args.batch)
            runs.append(points)
            if name == "random":
                fulls.append(full)
        curves[name] = [
            (runs[0][i][0], float(np.mean([r[i][1] for r in runs])), float(np.mean([r[i][2] for r in runs]))) for i in range(len(runs[0]))
        ]
    full = {"accuracy": float(np.mean([f[0] for f in fulls])), "macroF1": float(np.mean([f[1] for f in fulls]))}
    out = {"classes": classes, "items": len(y), "seeds": seeds, "budget": args.budget, "fullPool": full, "strategies": []}
    for name, points in curves.items():
        entry = {"strategy": name, "points": [{"labels": p[0], "accuracy": p[1], "macroF1": p[2]} for p in points]}
        for m, metric in ((1, "accuracy"), (2, "macroF1")):
            goal = curves["random"][-1][m]
            reach = first_reach(points, m, goal)
            to95 = first_reach(points, m, 0.95 * full[metric])
            entry[metric] = {
                "alc": alc(points, m),
                "final": points[-1][m],
                "labelsTo95": to95,
                "savingLabels": reach,
                "saving": None if reach is None else reach / args.budget,
            }
        out["strategies"].append(entry)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
