"""Keras baseline for bench/trainer-backends.ts: the same MLP (8 -> 64 relu -> 64 relu -> 1), the
same LCG data and initial weights as bench/lib/train-mlp.ts, SGD, MSE, the same batch size and
epochs, shuffle off. Prints one JSON line. Usage: python trainer_backends_keras.py '{"rows":200000}'"""
import json
import math
import os
import resource
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def lcg(seed):
    s = seed & 0xFFFFFFFF
    while True:
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        yield s / 2**32 * 2 - 1


def make_data(rows, features, seed):
    rnd = lcg(seed)
    x = np.empty((rows, features), np.float32)
    y = np.empty((rows, 1), np.float32)
    for i in range(rows):
        t = 0.0
        for j in range(features):
            v = next(rnd)
            x[i, j] = v
            t += (0.5 if j % 2 else -0.3) * v
        y[i, 0] = math.tanh(t) + 0.1 * float(x[i, 0]) * float(x[i, 1])
    return x, y


def main():
    spec = json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}")
    rows, features = spec.get("rows", 200_000), spec.get("features", 8)
    hidden, batch, epochs = spec.get("hidden", [64, 64]), spec.get("batch", 256), spec.get("epochs", 1)
    lr, seed = spec.get("learningRate", 0.05), spec.get("seed", 42)
    tf.config.threading.set_inter_op_parallelism_threads(0)
    layers = [tf.keras.Input((features,))] + [tf.keras.layers.Dense(u, activation="relu") for u in hidden]
    model = tf.keras.Sequential(layers + [tf.keras.layers.Dense(1)])
    rnd = lcg(seed + 1)
    weights = []
    for w in model.get_weights():
        if w.ndim == 1:
            weights.append(np.zeros_like(w))
        else:
            limit = math.sqrt(6 / (w.shape[0] + w.shape[1]))
            weights.append(np.array([next(rnd) * limit for _ in range(w.size)], np.float32).reshape(w.shape))
    model.set_weights(weights)
    model.compile(optimizer=tf.keras.optimizers.SGD(lr), loss="mse")
    x, y = make_data(rows, features, seed)
    t0 = time.perf_counter()
    history = model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=False, verbose=0)
    fit = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "backend": {"name": "keras", "package": f"tensorflow {tf.__version__} (Keras {tf.keras.__version__})"},
        "loss": [float(v) for v in history.history["loss"]],
        "fitSeconds": fit,
        "examplesPerSecond": rows * epochs / fit,
        "peakRssMb": peak_mb,
    }))


main()
