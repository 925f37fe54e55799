"""TensorFlow's side of bench/tfrecord-ingest.ts: read and parse a TFRecord of tf.Examples
the way TF input pipelines do (TFRecordDataset -> batch -> parse_example with a feature spec).

usage: tfrecord_ingest_tf.py FILE COMPRESSION('' or GZIP) SPEC_JSON THREADS RUNS
SPEC_JSON maps feature name -> [kind, 'fixed' | 'var'] with kind int | float | bytes.
THREADS: 0 = TensorFlow's defaults (parallel parse, AUTOTUNE), 1 = one thread throughout.
Prints one JSON line: {"seconds": [...], "cpu_seconds": [...], "records": N, "max_rss_mb": M}
(per run; CPU is process time over all threads).
"""
import json
import os
import resource
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

DTYPES = {"int": tf.int64, "float": tf.float32, "bytes": tf.string}


def main():
    path, compression, spec_json, threads, runs = sys.argv[1:6]
    threads, runs = int(threads), int(runs)
    if threads:
        tf.config.threading.set_inter_op_parallelism_threads(threads)
        tf.config.threading.set_intra_op_parallelism_threads(threads)
    spec = {
        name: tf.io.FixedLenFeature([], DTYPES[kind]) if shape == "fixed" else tf.io.VarLenFeature(DTYPES[kind])
        for name, (kind, shape) in json.loads(spec_json).items()
    }
    first = next(iter(spec))

    def dataset():
        ds = tf.data.TFRecordDataset(path, compression_type=compression, buffer_size=8 << 20)
        ds = ds.batch(1024)
        parallel = None if threads else tf.data.AUTOTUNE
        ds = ds.map(lambda x: tf.io.parse_example(x, spec), num_parallel_calls=parallel)
        ds = ds.prefetch(1 if threads else tf.data.AUTOTUNE)
        if threads:
            opts = tf.data.Options()
            opts.threading.private_threadpool_size = threads
            opts.threading.max_intra_op_parallelism = 1
            ds = ds.with_options(opts)
        return ds

    seconds = []
    cpu = []
    records = 0
    for _ in range(runs):
        start = time.perf_counter()
        cpu0 = time.process_time()
        records = 0
        for batch in dataset():
            records += int(batch[first].shape[0])
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu0)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "records": records, "max_rss_mb": rss_mb}))


if __name__ == "__main__":
    main()
