"""TFT side of bench/transform-vs-tft.ts: AnalyzeAndTransformDataset (Beam DirectRunner) timed.

  python transform_tft.py DATA.json WORKDIR
DATA.json: {"n0".."n9": [float|null], "s0".."s9": [str]}. Prints {"seconds": ..., "rows": ...}.
The clock covers the Beam pipeline (analyze + transform + collecting the output), not imports
or building the input dicts. The preprocessing is the bench's, feature for feature.
"""
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import apache_beam as beam  # noqa: E402
import tensorflow as tf  # noqa: E402
import tensorflow_transform as tft  # noqa: E402
import tensorflow_transform.beam as tft_beam  # noqa: E402
from tensorflow_transform.tf_metadata import dataset_metadata, schema_utils  # noqa: E402

NUM = ["n%d" % i for i in range(10)]
STR = ["s%d" % i for i in range(10)]


def dense(sp, default):
    return tft.sparse_tensor_to_dense_with_shape(sp, [None, 1], default_value=default)[:, 0]


def preprocessing_fn(inputs):
    out = {}
    for i in range(5):
        x = inputs[NUM[i]]
        out[NUM[i]] = tft.scale_to_z_score(dense(x, tft.mean(x)))
    for i in range(5, 8):
        out[NUM[i]] = tft.scale_to_0_1(dense(inputs[NUM[i]], 0.0))
    for i in range(8, 10):
        out[NUM[i]] = tft.bucketize(dense(inputs[NUM[i]], 0.0), 10)
    for i in range(6):
        s = dense(inputs[STR[i]], "")
        out[STR[i]] = tft.compute_and_apply_vocabulary(s, top_k=100, num_oov_buckets=10) if i < 2 else tft.compute_and_apply_vocabulary(s)
    for i in range(6, 10):
        out[STR[i]] = tft.hash_strings(dense(inputs[STR[i]], ""), 1000)
    return out


def main():
    data = json.load(open(sys.argv[1]))
    workdir = sys.argv[2]
    n = len(data["n0"])
    rows = []
    for r in range(n):
        row = {}
        for k in NUM:
            v = data[k][r]
            row[k] = [] if v is None else [v]
        for k in STR:
            row[k] = [data[k][r].encode("utf-8")]
        rows.append(row)
    spec = {k: tf.io.VarLenFeature(tf.float32) for k in NUM}
    spec.update({k: tf.io.VarLenFeature(tf.string) for k in STR})
    metadata = dataset_metadata.DatasetMetadata(schema_utils.schema_from_feature_spec(spec))
    start = time.perf_counter()
    with beam.Pipeline(runner="DirectRunner") as p:
        with tft_beam.Context(temp_dir=tempfile.mkdtemp(dir=workdir)):
            (transformed, _), _ = (p | beam.Create(rows), metadata) | tft_beam.AnalyzeAndTransformDataset(preprocessing_fn, output_record_batches=True)
            counted = transformed | "Rows" >> beam.Map(lambda b: b[0].num_rows) | "Sum" >> beam.CombineGlobally(sum)
            _ = counted | "Write" >> beam.Map(lambda c: open(os.path.join(workdir, "rows.txt"), "w").write(str(c)))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rows": int(open(os.path.join(workdir, "rows.txt")).read())}))


if __name__ == "__main__":
    main()
