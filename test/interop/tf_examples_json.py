"""Shared helpers for the TensorFlow interop scripts: tf.train.Example <-> canonical JSON.

Canonical form (exact, JSON-safe): one object per example, feature name -> {kind, values};
int64 as decimal strings, floats as their float32 bit patterns (uint32), bytes as hex.
A Feature with no kind set is {"kind": null, "values": []}.
"""
import struct

KINDS = {"int64_list": "int", "float_list": "float", "bytes_list": "bytes"}


def float_bits(v):
    return struct.unpack("<I", struct.pack("<f", v))[0]


def canonical_values(kind, values):
    if kind == "int":
        return [str(int(v)) for v in values]
    if kind == "float":
        return [float_bits(v) for v in values]
    return [bytes(v).hex() for v in values]


def example_to_json(example):
    out = {}
    for name, feature in example.features.feature.items():
        which = feature.WhichOneof("kind")
        if which is None:
            out[name] = {"kind": None, "values": []}
            continue
        kind = KINDS[which]
        out[name] = {"kind": kind, "values": canonical_values(kind, getattr(feature, which).value)}
    return out
