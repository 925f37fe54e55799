"""Writes the Parquet files test/io/parquet.test.ts reads, and prints pyarrow's reading of them.

Usage: python parquet_fixtures.py DIR

Each file's columns come back as JSON in the form tf.Example gives them (what ExampleGen's
reader should produce): ints as decimal strings, floats rounded to float32, bytes as hex, dates
and timestamps as epoch milliseconds, decimals as floats, null as None. The last stdout line is
{file: {column: [values...]}} for the files the reader should accept.
"""
import datetime as dt
import decimal
import json
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

EPOCH = dt.datetime(1970, 1, 1)


def f32(x):
    """float32 as JSON can carry it: a non-finite one as its name"""
    with np.errstate(over="ignore"):
        v = float(np.float32(x))
    return v if np.isfinite(v) else str(v)


def expected_value(v, t):
    """One non-null pyarrow value as tf.Example's reader should give it."""
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return [expected_value(x, t.value_type) for x in v]
    if pa.types.is_boolean(t):
        return str(int(v))
    if pa.types.is_integer(t):
        return str(v)
    if pa.types.is_floating(t):
        return f32(v)
    if pa.types.is_decimal(t):
        return f32(float(v))
    if pa.types.is_timestamp(t):
        if v.tzinfo is not None:
            v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return str((v - EPOCH) // dt.timedelta(milliseconds=1))
    if pa.types.is_date(t):
        return str((dt.datetime(v.year, v.month, v.day) - EPOCH) // dt.timedelta(milliseconds=1))
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return v.encode().hex()
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return v.hex()
    if pa.types.is_dictionary(t):
        return expected_value(v, t.value_type)
    raise TypeError(f"no expectation for {t}")


def expected(path):
    """pyarrow's reading of `path` (the whole file), column by column."""
    table = pq.read_table(path)
    cols = {}
    for name in table.column_names:
        col = table.column(name)
        cols[name] = [None if v is None else expected_value(v, col.type) for v in col.to_pylist()]
    return cols


accepted = {}

# every supported type, with nulls, in two row groups of 3 and 2 rows
types = pa.table({
    "i8": pa.array([1, None, -3, 127, -128], pa.int8()),
    "i32": pa.array([2**31 - 1, -(2**31), 0, None, 7], pa.int32()),
    "i64": pa.array([2**63 - 1, -(2**63), 0, 1, None], pa.int64()),
    "u16": pa.array([0, 65535, None, 1, 2], pa.uint16()),
    "u64": pa.array([0, 2**63 - 1, 5, None, 1], pa.uint64()),
    "flag": pa.array([True, False, None, True, False], pa.bool_()),
    "f32": pa.array([0.5, None, -1.25, float("inf"), 3.0], pa.float32()),
    "f64": pa.array([0.1, 1e300, None, -2.5, 1 / 3], pa.float64()),
    "s": pa.array(["a", "", None, "ünï", "long " * 20], pa.string()),
    "bin": pa.array([b"\xff\x00", b"", None, b"x", b"\x80"], pa.binary()),
    "cat": pa.array(["x", "y", "x", None, "z"]).dictionary_encode(),
    "day": pa.array([dt.date(2024, 1, 2), None, dt.date(1970, 1, 1), dt.date(1969, 12, 31), dt.date(2000, 2, 29)], pa.date32()),
    "ts_us": pa.array([dt.datetime(2001, 1, 1, 0, 1), dt.datetime(1970, 1, 1, 0, 0, 0, 1500), None, dt.datetime(2030, 6, 1, 12), EPOCH], pa.timestamp("us")),
    "ts_ms_utc": pa.array([dt.datetime(2020, 5, 5, 5, 5, 5, 5000, tzinfo=dt.timezone.utc), None, EPOCH.replace(tzinfo=dt.timezone.utc), EPOCH.replace(tzinfo=dt.timezone.utc), EPOCH.replace(tzinfo=dt.timezone.utc)], pa.timestamp("ms", tz="UTC")),
    "price": pa.array([decimal.Decimal("12.34"), None, decimal.Decimal("-0.01"), decimal.Decimal("99999999.99"), decimal.Decimal("0")], pa.decimal128(10, 2)),
    "empty": pa.array([None] * 5, pa.string()),
})
path = os.path.join(out, "types.parquet")
pq.write_table(types, path, row_group_size=3, compression="snappy")
accepted["types.parquet"] = expected(path)

# lists: int/float/string lists with empty lists and null lists, several row groups, zstd
n = 2500
lists = pa.table({
    "id": pa.array(range(n), pa.int64()),
    "ints": pa.array([None if i % 7 == 0 else list(range(i % 4)) for i in range(n)], pa.list_(pa.int32())),
    "floats": pa.array([[i * 0.5, -i] if i % 3 else [] for i in range(n)], pa.list_(pa.float64())),
    "words": pa.array([[f"w{i % 11}"] * (i % 3) if i % 5 else None for i in range(n)], pa.large_list(pa.string())),
})
path = os.path.join(out, "lists.parquet")
pq.write_table(lists, path, row_group_size=1000, compression="zstd")
assert pq.ParquetFile(path).num_row_groups == 3
accepted["lists.parquet"] = expected(path)

# many row groups, gzip, the legacy INT96 timestamps (Spark's), a nullable double
n = 10_000
many = pa.table({
    "id": pa.array(range(n), pa.int64()),
    "x": pa.array([None if i % 13 == 0 else i / 8 for i in range(n)], pa.float64()),
    "when": pa.array([dt.datetime(2020, 1, 1) + dt.timedelta(seconds=37 * i) for i in range(n)], pa.timestamp("ns")),
})
path = os.path.join(out, "many.parquet")
pq.write_table(many, path, row_group_size=999, compression="gzip", use_deprecated_int96_timestamps=True)
assert pq.ParquetFile(path).num_row_groups == 11
accepted["many.parquet"] = expected(path)

# a schema and no rows
path = os.path.join(out, "no-rows.parquet")
pq.write_table(pa.table({"a": pa.array([], pa.int64()), "b": pa.array([], pa.string())}), path)
accepted["no-rows.parquet"] = expected(path)

# rejected: a struct column, a list of lists, time of day, a null inside a list, a uint64 past int64
pq.write_table(pa.table({"ok": [1], "point": pa.array([{"x": 1, "y": 2}])}), os.path.join(out, "struct.parquet"))
pq.write_table(pa.table({"ok": [1], "nested": pa.array([[[1], [2, 3]]])}), os.path.join(out, "nested.parquet"))
pq.write_table(pa.table({"ok": [1], "clock": pa.array([dt.time(12, 30)], pa.time64("us"))}), os.path.join(out, "time.parquet"))
pq.write_table(pa.table({"ok": [1, 2, 3], "holes": pa.array([[1], [2, None], [3]])}), os.path.join(out, "null-in-list.parquet"))
pq.write_table(pa.table({"big": pa.array([1, 2**63], pa.uint64())}), os.path.join(out, "u64.parquet"))

# corrupt: many.parquet with row group 4's first page header overwritten, and with the
# compressed bytes of its second column's page garbled
good = open(os.path.join(out, "many.parquet"), "rb").read()
chunk = pq.ParquetFile(os.path.join(out, "many.parquet")).metadata.row_group(4).column(0)
bad = bytearray(good)
bad[chunk.data_page_offset:chunk.data_page_offset + 16] = b"\xff" * 16
open(os.path.join(out, "bad-header.parquet"), "wb").write(bad)
chunk = pq.ParquetFile(os.path.join(out, "many.parquet")).metadata.row_group(4).column(1)
bad = bytearray(good)
mid = chunk.data_page_offset + chunk.total_compressed_size // 2
bad[mid:mid + 64] = bytes(range(64))
open(os.path.join(out, "bad-page.parquet"), "wb").write(bad)

print(json.dumps(accepted))
