"""TFDV side of test/stats/tfdv.test.ts, run in the venv built by scripts/python-venv.sh.

  python tfdv_stats.py generate IN.tfrecord OUT.pb [WEIGHT]
                                                     TFDV's statistics of a TFRecord of tf.Examples
                                                     (weighted by feature WEIGHT if given)
  python tfdv_stats.py load STATS.pb                 read tsfx's binary with TFDV, print fields as JSON
"""
import json
import math
import sys


def generate(tfrecord, out, weight=None):
    import tensorflow_data_validation as tfdv

    options = tfdv.StatsOptions(weight_feature=weight) if weight else tfdv.StatsOptions()
    stats = tfdv.generate_statistics_from_tfrecord(data_location=tfrecord, stats_options=options)
    with open(out, "wb") as f:
        f.write(stats.SerializeToString())


def _num(x):
    # JSON has no NaN/Infinity
    return x if math.isfinite(x) else str(x)


def load(path):
    import tensorflow_data_validation as tfdv
    from tensorflow_metadata.proto.v0 import statistics_pb2

    stats = tfdv.load_stats_binary(path)
    out = {"datasets": []}
    for ds in stats.datasets:
        feats = {}
        for f in ds.features:
            name = "/".join(f.path.step)
            kind = statistics_pb2.FeatureNameStatistics.Type.Name(f.type)
            entry = {"type": kind}
            which = f.WhichOneof("stats")
            if which == "num_stats":
                s = f.num_stats
                entry.update(
                    num_non_missing=s.common_stats.num_non_missing,
                    num_missing=s.common_stats.num_missing,
                    mean=_num(s.mean),
                    std_dev=_num(s.std_dev),
                    min=_num(s.min),
                    max=_num(s.max),
                    num_zeros=s.num_zeros,
                    histogram_types=[statistics_pb2.Histogram.HistogramType.Name(h.type) for h in s.histograms],
                )
            elif which == "string_stats":
                s = f.string_stats
                entry.update(
                    num_non_missing=s.common_stats.num_non_missing,
                    unique=s.unique,
                    top=[[v.value, v.frequency] for v in s.top_values[:3]],
                    invalid_utf8_count=s.invalid_utf8_count,
                )
            feats[name] = entry
        out["datasets"].append({"name": ds.name, "num_examples": ds.num_examples, "features": feats})
    # the view TFDV's own helpers give: the schema it would infer from our statistics
    # (infer_schema takes one dataset)
    first = statistics_pb2.DatasetFeatureStatisticsList()
    first.datasets.add().CopyFrom(stats.datasets[0])
    schema = tfdv.infer_schema(first)
    out["schema_features"] = sorted(f.name for f in schema.feature)
    print(json.dumps(out))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "generate":
        generate(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
    elif cmd == "load":
        load(sys.argv[2])
    else:
        sys.exit("usage: tfdv_stats.py generate IN OUT [WEIGHT] | load STATS")
