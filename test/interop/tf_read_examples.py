"""Reads a TFRecord file of tf.Examples with TensorFlow and prints them as canonical JSON.

usage: tf_read_examples.py FILE COMPRESSION('' or GZIP) SPEC_JSON
SPEC_JSON maps feature name -> 'int' | 'float' | 'bytes' for tf.io.parse_example.
Prints {"proto": [...], "parsed": [...]}: the records decoded with tf.train.Example.FromString,
and the same records through tf.io.parse_example (VarLenFeature: missing reads as empty).
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tf_examples_json import canonical_values, example_to_json  # noqa: E402

DTYPES = {"int": tf.int64, "float": tf.float32, "bytes": tf.string}


def main():
    path, compression, spec_json = sys.argv[1], sys.argv[2], sys.argv[3]
    spec = json.loads(spec_json)
    ds = tf.data.TFRecordDataset(path, compression_type=compression)
    records = [r.numpy() for r in ds]
    proto = [example_to_json(tf.train.Example.FromString(r)) for r in records]

    parsed = [dict() for _ in records]
    if records:
        features = tf.io.parse_example(
            tf.constant(records), {name: tf.io.VarLenFeature(DTYPES[kind]) for name, kind in spec.items()}
        )
        for name, kind in spec.items():
            sp = features[name]
            rows = sp.indices.numpy()[:, 0]
            vals = sp.values.numpy()
            for i in range(len(records)):
                v = vals[rows == i]
                if kind == "float":
                    v = [float(x) for x in v.astype(np.float32)]
                parsed[i][name] = canonical_values(kind, list(v))
    print(json.dumps({"proto": proto, "parsed": parsed}))


if __name__ == "__main__":
    main()
