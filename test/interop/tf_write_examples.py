"""Writes tf.Examples with TensorFlow's own writer, plain and GZIP, and prints them as canonical JSON.

usage: tf_write_examples.py PLAIN_FILE GZIP_FILE
Both files hold the same examples: all three kinds, multi-valued and empty lists, missing
features, a Feature with no kind, non-UTF-8 bytes, extreme int64 and float values.
"""
import json
import math
import os
import struct
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

from tf_examples_json import example_to_json  # noqa: E402

Feature = tf.train.Feature


def ints(*v):
    return Feature(int64_list=tf.train.Int64List(value=list(v)))


def floats(*v):
    return Feature(float_list=tf.train.FloatList(value=list(v)))


def byts(*v):
    return Feature(bytes_list=tf.train.BytesList(value=list(v)))


def nan_with_payload():
    return struct.unpack("<f", struct.pack("<I", 0x7FC12345))[0]


def examples():
    out = [
        {
            "id": ints(0),
            "big": ints(2**63 - 1, -(2**63), 2**53 + 1, -1, 0),
            "score": floats(0.5),
            "vec": floats(math.nan, math.inf, -math.inf, -0.0, 1e-45, 3.4028234663852886e38),
            "name": byts("héllo".encode()),
            "blob": byts(b"\xff\x00\xc3\x28\x80", b""),
        },
        {"id": ints(1), "big": ints(), "score": floats(1.25), "vec": floats(), "name": byts(b""), "blob": byts()},
        {"id": ints(2)},
        {"id": ints(3), "vec": Feature(), "name": byts("ü".encode(), b"x"), "score": floats(nan_with_payload())},
    ]
    for i in range(4, 300):
        out.append(
            {
                "id": ints(i),
                "big": ints(-i * 1_000_000_007, i),
                "score": floats(i / 7),
                "vec": floats(*[i * 0.5 + k for k in range(i % 4)]),
                "name": byts(f"row-{i}".encode()),
                **({"blob": byts(bytes([i % 256, 255 - i % 256]))} if i % 3 else {}),
            }
        )
    return [tf.train.Example(features=tf.train.Features(feature=f)) for f in out]


def main():
    plain, gz = sys.argv[1], sys.argv[2]
    exs = examples()
    with tf.io.TFRecordWriter(plain) as w:
        for e in exs:
            w.write(e.SerializeToString())
    with tf.io.TFRecordWriter(gz, options=tf.io.TFRecordOptions(compression_type="GZIP")) as w:
        for e in exs:
            w.write(e.SerializeToString())
    print(json.dumps([example_to_json(e) for e in exs]))


if __name__ == "__main__":
    main()
