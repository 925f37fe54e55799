"""TFDV side of test/anomalies/tfdv-validate.test.ts, run in the venv built by scripts/python-venv.sh.

  python tfdv_validate.py CASES.json

CASES.json lists cases, each a folder holding current.pb (and optionally previous.pb,
serving.pb) as DatasetFeatureStatisticsList binaries written by tsfx's statistics engine,
schema.pbtxt, and ours.pb: the Anomalies tsfx's validateStatistics gave on the same inputs.
For each case runs tfdv.validate_statistics and prints one JSON object {case: {tfdv, ours,
baseline_equal}}, both Anomalies turned into dicts by the same converter (json_format), so
the test compares like with like.
"""
import json
import os
import sys


def load_list(path):
    from tensorflow_metadata.proto.v0 import statistics_pb2

    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return statistics_pb2.DatasetFeatureStatisticsList.FromString(f.read())


def as_dict(anomalies):
    from google.protobuf import json_format

    d = json_format.MessageToDict(anomalies)
    # the baseline is compared as a message (baseline_equal); its dict is only noise here
    d.pop("baseline", None)
    return d


def run_case(folder, environment):
    import tensorflow_data_validation as tfdv
    from tensorflow_metadata.proto.v0 import anomalies_pb2

    schema = tfdv.load_schema_text(os.path.join(folder, "schema.pbtxt"))
    theirs = tfdv.validate_statistics(
        load_list(os.path.join(folder, "current.pb")),
        schema,
        environment=environment,
        previous_statistics=load_list(os.path.join(folder, "previous.pb")),
        serving_statistics=load_list(os.path.join(folder, "serving.pb")),
    )
    with open(os.path.join(folder, "ours.pb"), "rb") as f:
        ours = anomalies_pb2.Anomalies.FromString(f.read())
    return {
        "tfdv": as_dict(theirs),
        "ours": as_dict(ours),
        "baseline_equal": ours.baseline == theirs.baseline,
    }


def main(cases_path):
    with open(cases_path) as f:
        cases = json.load(f)
    out = {c["name"]: run_case(c["dir"], c.get("environment")) for c in cases}
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tfdv_validate.py CASES.json")
    main(sys.argv[1])
