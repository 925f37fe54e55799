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


def none_if_not_finite(x):
    x = float(x)
    return None if not np.isfinite(x) else x


def evaluator_binary(case):
    """The Evaluator's flat metrics and plot data of a binary case (names as the Evaluator writes them)."""
    y = np.asarray(case["labels"], dtype=np.float64)
    p = np.asarray(case["predictions"], dtype=np.float64)
    w = None if case.get("weights") is None else np.asarray(case["weights"], dtype=np.float64)
    sw = np.ones_like(y) if w is None else w
    lib = binary(case)
    metrics = {"exampleCount": float(len(y)), **{k: v for k, v in lib.items() if k != "confusionMatrices"}}
    fpr, tpr, roc_t = m.roc_curve(y, p, sample_weight=w, drop_intermediate=False)
    roc = [{"threshold": none_if_not_finite(t), "fpr": float(a), "tpr": float(b)} for t, a, b in zip(roc_t, fpr, tpr)]
    prec, rec, pr_t = m.precision_recall_curve(y, p, sample_weight=w, drop_intermediate=False)
    # sklearn orders by ascending threshold and ends with (precision 1, recall 0); the Evaluator starts there and descends
    pr = [{"threshold": None, "precision": float(prec[-1]), "recall": float(rec[-1])}]
    pr += [{"threshold": float(t), "precision": float(a), "recall": float(b)} for t, a, b in zip(pr_t[::-1], prec[-2::-1], rec[-2::-1])]
    n = case["calibrationBuckets"]
    edges = np.linspace(0.0, 1.0, n + 1)
    idx = np.searchsorted(edges[1:-1], p)  # the binning of sklearn.calibration.calibration_curve
    count = np.bincount(idx, minlength=n)
    weight = np.bincount(idx, weights=sw, minlength=n)
    sum_label = np.bincount(idx, weights=sw * y, minlength=n)
    sum_pred = np.bincount(idx, weights=sw * p, minlength=n)
    if w is None:
        from sklearn.calibration import calibration_curve
        prob_true, prob_pred = calibration_curve(y, p, n_bins=n, strategy="uniform")
        filled = count > 0
        assert np.allclose(prob_true, sum_label[filled] / count[filled], rtol=0, atol=1e-12), "binning differs from calibration_curve"
        assert np.allclose(prob_pred, sum_pred[filled] / count[filled], rtol=0, atol=1e-12), "binning differs from calibration_curve"
    calibration = [
        {"lower": float(edges[b]), "upper": float(edges[b + 1]), "count": float(count[b]), "weight": float(weight[b]), "sumLabel": float(sum_label[b]), "sumPrediction": float(sum_pred[b])}
        for b in range(n)
    ]
    matrices = []
    for th in case["thresholds"]:
        y_hat = (p > th).astype(np.float64)
        cm = dict(lib["confusionMatrices"][len(matrices)])
        cm["precision"] = nan_to_none(m.precision_score(y, y_hat, sample_weight=w, zero_division=np.nan))
        cm["recall"] = nan_to_none(m.recall_score(y, y_hat, sample_weight=w, zero_division=np.nan))
        cm["accuracy"] = nan_to_none(m.accuracy_score(y, y_hat, sample_weight=w))
        matrices.append(cm)
    return {"metrics": metrics, "plots": {"roc": roc, "pr": pr, "calibration": calibration, "confusionMatrices": matrices}}


def evaluator_multiclass(case):
    lib = multiclass(case)
    w = case.get("weights")
    metrics = {
        "exampleCount": float(len(case["labels"])),
        "weightedExampleCount": float(np.sum(w) if w is not None else len(case["labels"])),
        "accuracy": lib["accuracy"],
    }
    for k, v in lib["topKAccuracy"].items():
        metrics[f"topKAccuracy@{k}"] = v
    names = case["classes"]
    for c, v in enumerate(lib["precision"]):
        metrics[f"precision/{names[c]}"] = v
    for c, v in enumerate(lib["recall"]):
        metrics[f"recall/{names[c]}"] = v
    for k in ("microPrecision", "microRecall", "macroPrecision", "macroRecall"):
        metrics[k] = lib[k]
    return {"metrics": metrics, "plots": {"confusionMatrix": {"matrix": lib["confusionMatrix"]}}}


def evaluator_regression(case):
    lib = regression(case)
    return {"metrics": {"exampleCount": float(len(case["labels"])), **lib}, "plots": {}}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    kinds = {"binary": binary, "multiclass": multiclass, "regression": regression}
    evaluator = {"binary": evaluator_binary, "multiclass": evaluator_multiclass, "regression": evaluator_regression}
    print(json.dumps({
        "library": {name: kinds[c["kind"]](c) for name, c in cases.items()},
        "evaluator": {name: evaluator[c["kind"]](c) for name, c in cases.items()},
    }))


if __name__ == "__main__":
    main()
