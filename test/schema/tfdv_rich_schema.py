"""TFDV side of test/schema/tfdv-rich-schema.test.ts, run in the venv built by scripts/python-venv.sh.

  python tfdv_rich_schema.py CURATED.pbtxt OURS.pbtxt OURS.pb OUTDIR

CURATED is the hand-written schema tsfx parsed; OURS.pbtxt / OURS.pb are what tsfx wrote
from it. Python parses CURATED itself and loads ours (tfdv.load_schema_text, FromString),
then builds a second rich schema through the generated Python API and writes it with
tfdv.write_schema_text (OUTDIR/built.pbtxt) and as binary (OUTDIR/built.pb) for tsfx to read.
Prints one JSON object.
"""
import os
import sys


def build():
    """A schema made field by field (not from text), touching every message type."""
    from tensorflow_metadata.proto.v0 import path_pb2, schema_pb2

    s = schema_pb2.Schema()
    f = s.feature.add(name="amount", type=schema_pb2.FLOAT)
    f.presence.min_fraction = 0.25
    f.value_count.max = 4
    f.float_domain.min = 0.1
    f.float_domain.max = float("inf")
    f.float_domain.is_embedding = True
    f.float_domain.embedding_dim = 8
    f.distribution_constraints.min_domain_mass = 0.5
    f.drift_comparator.normalized_abs_difference.threshold = 1e-6
    f.drift_comparator.jensen_shannon_divergence.source.type = schema_pb2.HistogramSelection.STANDARD
    f.skew_comparator.infinity_norm.threshold = 0.3
    f.unique_constraints.min = -9223372036854775808
    f.lifecycle_stage = schema_pb2.DEBUG_ONLY
    any_path = f.annotation.extra_metadata.add()
    any_path.Pack(path_pb2.Path(step=["x", "ü"]))
    f.annotation.extra_metadata.add(type_url="corp.example/none.Such", value=b"\x00\xff")
    f.annotation.tag.append("τ")

    f = s.feature.add(name="nested", type=schema_pb2.STRUCT)
    f.group_presence.required = True
    child = f.struct_domain.feature.add(name="words", type=schema_pb2.BYTES)
    child.value_counts.value_count.add(min=1)
    child.value_counts.value_count.add(max=7)
    nl = child.natural_language_domain
    nl.vocabulary = "v"
    nl.coverage.excluded_int_tokens.extend([5, -6])
    nl.token_constraints.add(string_value="x", min_fraction_of_sequences=0.125)
    nl.sequence_length_constraints.excluded_int_value.extend([0, 2])
    nl.sequence_length_constraints.max_sequence_length = 9
    sp = f.struct_domain.sparse_feature.add(name="inner_sparse")
    sp.index_feature.add(name="k")
    child.sequence_metadata.sequential_status = schema_pb2.SequenceMetadata.SEQUENTIAL_YES

    s.feature.add(name="img", type=schema_pb2.BYTES).image_domain.max_image_byte_size = 99
    s.feature.add(name="m").mid_domain.SetInParent()
    s.feature.add(name="u").url_domain.SetInParent()
    s.feature.add(name="t").time_domain.integer_format = schema_pb2.TimeDomain.UNIX_MICROSECONDS
    s.feature.add(name="tod").time_of_day_domain.string_format = "%H"
    s.feature.add(name="b").bool_domain.true_value = "yes"
    s.feature.add(name="i").int_domain.max = 18
    s.feature.add(name="s").string_domain.is_categorical = schema_pb2.StringDomain.CATEGORICAL_NO
    f = s.feature.add(name="shaped", type=schema_pb2.INT, domain="shared")
    f.shape.dim.add(size=3)
    f.in_environment.append("SERVING")
    f.not_in_environment.append("TRAINING")
    d = s.feature.add(name="derived", lifecycle_stage=schema_pb2.VALIDATION_DERIVED).validation_derived_source
    d.deriver_name = "allow"
    d.source_path.add(step=["a"])
    d.config.allowlist.allowed_bytes_value.append(b"\x01\x02")
    s.feature.add(name="top").validation_derived_source.config.argmax_top_k.k = 3
    s.feature.add(name="red").validation_derived_source.config.reduce_op.op_name = "max"
    s.feature.add(name="iq").validation_derived_source.config.image_quality.model_name = "m"
    s.feature.add(name="sq").validation_derived_source.config.slice_sql.int64_default_feature_value = 7

    sp = s.sparse_feature.add(name="sp", lifecycle_stage=schema_pb2.PLANNED, is_sorted=False)
    sp.dense_shape.dim.add(size=100)
    sp.index_feature.add(name="ix")
    sp.value_feature.name = "vx"
    w = s.weighted_feature.add(name="w")
    w.feature.step.append("amount")
    w.weight_feature.step.append("weight")
    s.string_domain.add(name="shared", value=["a", "b"])
    s.float_domain.add(name="f", disallow_nan=True)
    s.int_domain.add(name="n", is_categorical=True)
    s.default_environment.extend(["TRAINING", "SERVING"])
    s.represent_variable_length_as_ragged = False
    s.annotation.comment.append("built in python")
    s.dataset_constraints.num_examples_version_comparator.max_fraction_threshold = 2.0
    s.dataset_constraints.min_examples_count = 0
    # one key per map: binary map order is the serializer's choice, so keep it unambiguous
    group = s.tensor_representation_group["g"]
    rep = group.tensor_representation["r"].ragged_tensor
    rep.feature_path.step.append("nested")
    rep.partition.add(uniform_row_length=3)
    rep.row_partition_dtype = schema_pb2.TensorRepresentation.INT64
    return s


def same(a, b):
    # bytes, not ==: a nan bound (float_domain max: nan) never equals itself
    return a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)


def main(curated_path, ours_text_path, ours_binary_path, outdir):
    import json

    import tensorflow_data_validation as tfdv
    from google.protobuf import text_format
    from tensorflow_metadata.proto.v0 import schema_pb2

    with open(curated_path) as f:
        curated = text_format.Parse(f.read(), schema_pb2.Schema())
    ours_text = tfdv.load_schema_text(ours_text_path)
    with open(ours_binary_path, "rb") as f:
        ours_binary = schema_pb2.Schema.FromString(f.read())

    built = build()
    built_text = os.path.join(outdir, "built.pbtxt")
    built_binary = os.path.join(outdir, "built.pb")
    tfdv.write_schema_text(built, built_text)
    with open(built_binary, "wb") as f:
        f.write(built.SerializeToString(deterministic=True))

    print(json.dumps({
        "curated_equals_ours_text": same(curated, ours_text),
        "curated_equals_ours_binary": same(curated, ours_binary),
        "ours_reprinted": text_format.MessageToString(ours_text),
        "curated_features": len(curated.feature),
        "built_text": built_text,
        "built_binary": built_binary,
    }))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit("usage: tfdv_rich_schema.py CURATED.pbtxt OURS.pbtxt OURS.pb OUTDIR")
    main(*sys.argv[1:])
