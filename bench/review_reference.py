#!/usr/bin/python3
"""The review benchmark's outside reference: confident learning with scikit-learn on the same vectors.

Reads the vectors `active-label review` trained on (.npy float32, rows x dim) and the labels as given
(noisy; raw little-endian int32, one per row), never the planted errors. For each model:
1. out-of-fold predict_proba with cross_val_predict over StratifiedKFold(5, shuffled, seeded);
2. per-class thresholds t_j = mean P(j) over the rows labeled j;
3. a row is flagged when P(given) < t_given and some other class j has P(j) >= t_j
   (cleanlab's confident-joint off-diagonal);
4. ranking: flagged rows first, then the rest, each by self-confidence 1 - P(given), as cleanlab's
   find_label_issues(..., return_indices_ranked_by="self_confidence") orders its list.

Models: LogisticRegression() with scikit-learn's defaults (C=1, as cleanlab's examples use it) and
LogisticRegression(C=10, class_weight="balanced") (bench/learning_reference.py's model).
Prints one JSON object: {"models": {name: {"ranking": [row, ...], "flagged": n}}}.

Usage: /usr/bin/python3 bench/review_reference.py VECTORS.npy LABELS.i32 [--seed 0] [--folds 5]
"""
import argparse
import json
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

warnings.filterwarnings("ignore", category=ConvergenceWarning)

MODELS = {
    "LogisticRegression()": lambda: LogisticRegression(max_iter=1000),
    "LogisticRegression(C=10, balanced)": lambda: LogisticRegression(C=10, class_weight="balanced", max_iter=1000),
}


def rank(probs, y):
    k = probs.shape[1]
    given = probs[np.arange(len(y)), y]
    t = np.array([probs[y == j, j].mean() if np.any(y == j) else 1.0 for j in range(k)])
    above = probs >= t[None, :]
    above[np.arange(len(y)), y] = False
    flagged = (given < t[y]) & above.any(axis=1)
    # lexsort: last key first; flagged rows first, then lowest P(given), then row order.
    order = np.lexsort((np.arange(len(y)), given, ~flagged))
    return order, int(flagged.sum())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vectors")
    ap.add_argument("labels")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    x = np.load(args.vectors).astype(np.float64)
    y = np.fromfile(args.labels, dtype="<i4")
    if len(x) != len(y):
        raise SystemExit(f"{args.vectors}: {len(x)} rows for {len(y)} labels")
    classes = np.unique(y)
    y = np.searchsorted(classes, y)
    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
    out = {}
    for name, make in MODELS.items():
        probs = cross_val_predict(make(), x, y, cv=folds, method="predict_proba")
        order, flagged = rank(probs, y)
        out[name] = {"ranking": [int(i) for i in order], "flagged": flagged}
    print(json.dumps({"models": out}))


if __name__ == "__main__":
    main()
