"""TFDV side of test/schema/tfdv-schema.test.ts, run in the venv built by scripts/python-venv.sh.

  python tfdv_schema.py OUR.pbtxt OUR.pb SPLIT.tfrecord...

Reads tsfx's schema with tfdv.load_schema_text and schema_pb2.Schema.FromString, computes
TFDV's own statistics of each split's TFRecord (test/stats/tfdv_stats.py) and infers a
schema from them the way TFX's SchemaGen does (infer_schema on the first split,
update_schema with the others). Prints one JSON object: both schemas as feature summaries,
whether text and binary agree, and TFDV's schema in text format.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "stats"))


def summary(schema):
    from tensorflow_metadata.proto.v0 import schema_pb2

    domains = {d.name: list(d.value) for d in schema.string_domain}
    out = {}
    for f in schema.feature:
        e = {"type": schema_pb2.FeatureType.Name(f.type)}
        if f.HasField("presence"):
            p = {}
            if f.presence.HasField("min_fraction"):
                p["min_fraction"] = f.presence.min_fraction
            if f.presence.HasField("min_count"):
                p["min_count"] = f.presence.min_count
            e["presence"] = p
        if f.HasField("value_count"):
            v = {}
            if f.value_count.HasField("min"):
                v["min"] = f.value_count.min
            if f.value_count.HasField("max"):
                v["max"] = f.value_count.max
            e["value_count"] = v
        if f.HasField("shape"):
            e["shape"] = [d.size for d in f.shape.dim]
        kind = f.WhichOneof("domain_info")
        if kind == "domain":
            e["domain"] = {"string_domain": domains.get(f.domain)}
        elif kind == "bool_domain":
            e["domain"] = {"bool_domain": [f.bool_domain.true_value, f.bool_domain.false_value]}
        elif kind == "int_domain":
            e["domain"] = {"int_domain": [f.int_domain.min, f.int_domain.max]}
        elif kind is not None:
            e["domain"] = {kind: None}
        if f.HasField("lifecycle_stage"):
            e["lifecycle_stage"] = schema_pb2.LifecycleStage.Name(f.lifecycle_stage)
        out[f.name] = e
    return out


def main(text_path, binary_path, tfrecords):
    import tensorflow_data_validation as tfdv
    from google.protobuf import text_format
    from tensorflow_metadata.proto.v0 import schema_pb2
    from tfdv_stats import generate

    ours_text = tfdv.load_schema_text(text_path)
    with open(binary_path, "rb") as f:
        ours_binary = schema_pb2.Schema.FromString(f.read())

    schema = None
    stats_files = []
    for i, rec in enumerate(tfrecords):
        out = rec + ".tfdv-stats.pb"
        generate(rec, out)
        stats_files.append(out)
        stats = tfdv.load_stats_binary(out)
        schema = tfdv.infer_schema(stats, True) if schema is None else tfdv.update_schema(schema, stats, True)

    print(json.dumps({
        "ours": summary(ours_text),
        "text_equals_binary": ours_text == ours_binary,
        "tfdv": summary(schema),
        "tfdv_text": text_format.MessageToString(schema),
        "tfdv_stats": stats_files,
    }))


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit("usage: tfdv_schema.py OUR.pbtxt OUR.pb SPLIT.tfrecord...")
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
