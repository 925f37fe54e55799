"""Runs TensorFlow Transform (Beam DirectRunner) on the parity test's generated rows.

Usage: tft_parity.py DATA.json WORKDIR
DATA.json: {"x": [float|null], "y": [...], "c": [...], "s": [str], "t": [str]}, one list per feature,
and "fingerprints": [str], strings to hash with to_hash_bucket_fast alone.
Prints one JSON line: {"outputs": {name: [value per row]}, "vocabularies": {name: [token]},
"frequencies": [[count, token]], "fingerprints": [decimal]}. Every feature is a VarLenFeature, so a null is an absent value,
which TFT's analyzers skip (as tsfx's do).
"""
import json
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402
import tensorflow_transform as tft  # noqa: E402
import tensorflow_transform.beam as tft_beam  # noqa: E402
from tensorflow_transform.tf_metadata import dataset_metadata, schema_utils  # noqa: E402

NUMERIC = ["x", "y", "c"]
STRINGS = ["s", "t"]


def dense(sp, default):
    return tft.sparse_tensor_to_dense_with_shape(sp, [None, 1], default_value=default)[:, 0]


def preprocessing_fn(inputs):
    x = inputs["x"]
    y = dense(inputs["y"], 0.0)
    c = dense(inputs["c"], 0.0)
    s = dense(inputs["s"], "")
    t = dense(inputs["t"], "")
    ones = tf.ones_like(y)
    x_mean = tft.mean(x)
    x_filled = dense(x, x_mean)
    s_id = tft.compute_and_apply_vocabulary(s, vocab_filename="s_vocab")
    # a frequency file of the same vocabulary (store_frequency), read back below
    tft.vocabulary(s, vocab_filename="s_freq", store_frequency=True)

    def cross(parts, buckets):
        return tf.sparse.to_dense(tf.sparse.cross_hashed([tf.expand_dims(p, 1) for p in parts], num_buckets=buckets))[:, 0]

    return {
        "row": inputs["row"],
        "x_mean": ones * x_mean,
        "x_var": ones * tft.var(x),
        "x_filled_z": tft.scale_to_z_score(x_filled),
        "y_z": tft.scale_to_z_score(y),
        "y_01": tft.scale_to_0_1(y),
        "y_mm": tft.scale_by_min_max(y, -1.0, 1.0),
        "y_min": ones * tft.min(y),
        "y_max": ones * tft.max(y),
        "c_z": tft.scale_to_z_score(c),
        "c_01": tft.scale_to_0_1(c),
        "s_id": s_id,
        "s_top5_oov": tft.compute_and_apply_vocabulary(s, top_k=5, num_oov_buckets=3, vocab_filename="s_top5"),
        "s_thr": tft.compute_and_apply_vocabulary(s, frequency_threshold=300, vocab_filename="s_thr"),
        "s_hash": tft.hash_strings(s, 1000),
        "y_bucket": tft.bucketize(y, 10),
        "y_bounds": tf.zeros([tf.shape(y)[0], 9]) + tft.quantiles(y, 10, 0.01),
        "st_cross": cross([s, t], 100),
        "s_id_cross": cross([s, s_id], 50),
    }


def main():
    data = json.load(open(sys.argv[1]))
    workdir = sys.argv[2]
    n = len(data["x"])
    rows = []
    for i in range(n):
        row = {}
        for k in NUMERIC + STRINGS:
            v = data[k][i]
            row[k] = [] if v is None else [v.encode("utf-8") if k in STRINGS else float(v)]
        row["row"] = i
        rows.append(row)
    spec = {k: tf.io.VarLenFeature(tf.float32) for k in NUMERIC}
    spec.update({k: tf.io.VarLenFeature(tf.string) for k in STRINGS})
    spec["row"] = tf.io.FixedLenFeature([], tf.int64)
    metadata = dataset_metadata.DatasetMetadata(schema_utils.schema_from_feature_spec(spec))
    out_dir = os.path.join(workdir, "transform_fn")
    import apache_beam as beam

    with beam.Pipeline(runner="DirectRunner") as p:
        with tft_beam.Context(temp_dir=tempfile.mkdtemp(dir=workdir), force_tf_compat_v1=False):
            raw = p | beam.Create(rows)
            (transformed, _), transform_fn = (raw, metadata) | tft_beam.AnalyzeAndTransformDataset(preprocessing_fn, output_record_batches=False)
            _ = transform_fn | tft_beam.WriteTransformFn(out_dir)
            _ = transformed | beam.combiners.ToList() | beam.Map(lambda rs: json.dump([{k: v.tolist() if hasattr(v, "tolist") else v for k, v in r.items()} for r in rs], open(os.path.join(workdir, "rows.json"), "w")))
    # Beam does not keep order: put the rows back in input order by the index passed through
    out_rows = sorted(json.load(open(os.path.join(workdir, "rows.json"))), key=lambda r: r["row"])
    tft_out = tft.TFTransformOutput(out_dir)
    vocabularies = {name: [t.decode("utf-8") if isinstance(t, bytes) else t for t in tft_out.vocabulary_by_name(name)] for name in ["s_vocab", "s_top5", "s_thr"]}
    freq = []
    with open(tft_out.vocabulary_file_by_name("s_freq"), "rb") as fh:
        for line in fh.read().decode("utf-8").split("\n"):
            if line:
                count, token = line.split(" ", 1)
                freq.append([int(count), token])
    outputs = {k: [r[k] for r in out_rows] for k in out_rows[0]}
    # Fingerprint64 itself, through to_hash_bucket_fast with the largest bucket count (as decimal strings: beyond 2^53)
    fps = [str(v) for v in tf.strings.to_hash_bucket_fast(data["fingerprints"], 2**63 - 1).numpy().tolist()]
    print(json.dumps({"outputs": outputs, "vocabularies": vocabularies, "frequencies": freq, "fingerprints": fps}))


if __name__ == "__main__":
    main()
