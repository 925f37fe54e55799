"""Computes the Evaluator's metrics with scikit-learn for metrics-sklearn.test.ts.

Reads a JSON file of cases (labels, predictions, weights) and prints one JSON line of results.
Thresholding follows TFMA: predicted positive when prediction > threshold.
"""
import json
import sys

import numpy as np
from sklearn import metrics as m


def nan_to_none(x):
    if isinstance(x, (list, tuple, np.ndarray)):
        return [nan_to_none(v) for v in x]
    x = float(x)
    return None if np.isnan(x) else x


def binary(case):
    y = np.asarray(case["labels"], dtype=np.float64)
    p = np.asarray(case["predictions"], dtype=np.float64)
    w = None if case.get("weights") is None else np.asarray(case["weights"], dtype=np.float64)
    sw = np.ones_like(y) if w is None else w
    t = case["threshold"]
    y_hat = (p > t).astype(np.float64)
    out = {
        "weightedExampleCount": sw.sum(),
        "meanLabel": np.average(y, weights=sw),
        "meanPrediction": np.average(p, weights=sw),
        "aucRoc": m.roc_auc_score(y, p, sample_weight=w),
        "aucPr": m.average_precision_score(y, p, sample_weight=w),
        "accuracy": m.accuracy_score(y, y_hat, sample_weight=w),
        "precision": m.precision_score(y, y_hat, sample_weight=w, zero_division=np.nan),
        "recall": m.recall_score(y, y_hat, sample_weight=w, zero_division=np.nan),
        "logLoss": m.log_loss(y, p, sample_weight=w, labels=[0, 1]),
        "calibration": np.sum(sw * p) / np.sum(sw * y),
    }
    out = {k: nan_to_none(v) for k, v in out.items()}
    out["confusionMatrices"] = []
    for th in case["thresholds"]:
        (tn, fp), (fn, tp) = m.confusion_matrix(y, (p > th).astype(np.float64), labels=[0, 1], sample_weight=w)
        out["confusionMatrices"].append({"threshold": th, "tp": float(tp), "fp": float(fp), "tn": float(tn), "fn": float(fn)})
    return out


def multiclass(case):
    k = case["numClasses"]
    labels = list(range(k))
    y = np.asarray(case["labels"], dtype=np.int64)
    s = np.asarray(case["predictions"], dtype=np.float64)
    w = None if case.get("weights") is None else np.asarray(case["weights"], dtype=np.float64)
    y_hat = np.argmax(s, axis=1)

    def pr(fn, average):
        return nan_to_none(fn(y, y_hat, labels=labels, average=average, sample_weight=w, zero_division=np.nan))

    return {
        "accuracy": nan_to_none(m.accuracy_score(y, y_hat, sample_weight=w)),
        "topKAccuracy": {str(t): nan_to_none(m.top_k_accuracy_score(y, s, k=t, labels=labels, sample_weight=w)) for t in case["topK"]},
        "precision": pr(m.precision_score, None),
        "recall": pr(m.recall_score, None),
        "microPrecision": pr(m.precision_score, "micro"),
        "microRecall": pr(m.recall_score, "micro"),
        "macroPrecision": pr(m.precision_score, "macro"),
        "macroRecall": pr(m.recall_score, "macro"),
        "confusionMatrix": m.confusion_matrix(y, y_hat, labels=labels, sample_weight=w).astype(np.float64).tolist(),
    }


def regression(case):
    y = np.asarray(case["labels"], dtype=np.float64)
    p = np.asarray(case["predictions"], dtype=np.float64)
    w = None if case.get("weights") is None else np.asarray(case["weights"], dtype=np.float64)
    sw = np.ones_like(y) if w is None else w
    out = {
        "weightedExampleCount": sw.sum(),
        "meanLabel": np.average(y, weights=sw),
        "meanPrediction": np.average(p, weights=sw),
        "mse": m.mean_squared_error(y, p, sample_weight=w),
        "rmse": m.root_mean_squared_error(y, p, sample_weight=w),
        "mae": m.mean_absolute_error(y, p, sample_weight=w),
        "r2": m.r2_score(y, p, sample_weight=w),
    }
    return {k: nan_to_none(v) for k, v in out.items()}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    kinds = {"binary": binary, "multiclass": multiclass, "regression": regression}
    print(json.dumps({name: kinds[c["kind"]](c) for name, c in cases.items()}))


if __name__ == "__main__":
    main()
