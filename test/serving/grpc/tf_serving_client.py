"""TF Serving's own Python client against tsfx's gRPC face, written as the TensorFlow Serving
docs show it (insecure_channel, PredictionServiceStub, tf.make_tensor_proto, tf.make_ndarray).

Usage: python tf_serving_client.py PORT REQUEST.json
REQUEST.json: {"model": str, "features": [[name, kind]], "rows": [{name: value}]}; kind is the
raw kind (float, int, string). Prints one JSON line with what each call answered.
"""
import json
import sys

import grpc
import numpy as np
import tensorflow as tf
from tensorflow.core.framework import types_pb2
from tensorflow_serving.apis import (
    classification_pb2,
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
    regression_pb2,
)

port, request_file = sys.argv[1], sys.argv[2]
with open(request_file) as f:
    request = json.load(f)
model, features, rows = request["model"], request["features"], request["rows"]
DTYPES = {"float": tf.float32, "int": tf.int64, "string": tf.string}

channel = grpc.insecure_channel(f"localhost:{port}")
stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
out = {}


def predict_request(name=model):
    req = predict_pb2.PredictRequest()
    req.model_spec.name = name
    req.model_spec.signature_name = "serving_default"
    for feature, kind in features:
        req.inputs[feature].CopyFrom(tf.make_tensor_proto([r[feature] for r in rows], dtype=DTYPES[kind]))
    return req


res = stub.Predict(predict_request(), 10.0)
(output_key,) = res.outputs.keys()
out["predict"] = tf.make_ndarray(res.outputs[output_key]).tolist()
out["predict_spec"] = [res.model_spec.name, res.model_spec.version.value, res.model_spec.signature_name]

# one typed value for a [n] input: TensorFlow reads it as every element's
one = predict_request()
first = rows[0]
for feature, kind in features:
    one.inputs[feature].CopyFrom(tf.make_tensor_proto(first[feature], dtype=DTYPES[kind], shape=[len(rows)]))
out["broadcast"] = tf.make_ndarray(stub.Predict(one, 10.0).outputs[output_key]).tolist()

meta_req = get_model_metadata_pb2.GetModelMetadataRequest()
meta_req.model_spec.name = model
meta_req.metadata_field.append("signature_def")
meta = stub.GetModelMetadata(meta_req, 10.0)
packed = meta.metadata["signature_def"]
signatures = get_model_metadata_pb2.SignatureDefMap()
packed.Unpack(signatures)


def infos(m):
    return {k: [types_pb2.DataType.Name(v.dtype), [d.size for d in v.tensor_shape.dim]] for k, v in m.items()}


out["metadata"] = {
    "type_url": packed.type_url,
    "version": meta.model_spec.version.value,
    "signatures": {
        k: {"method_name": s.method_name, "inputs": infos(s.inputs), "outputs": infos(s.outputs)}
        for k, s in signatures.signature_def.items()
    },
}

status_req = get_model_status_pb2.GetModelStatusRequest()
status_req.model_spec.name = model
status = model_service_pb2_grpc.ModelServiceStub(channel).GetModelStatus(status_req, 10.0)
out["status"] = [
    [s.version, get_model_status_pb2.ModelVersionStatus.State.Name(s.state), s.status.error_code, s.status.error_message]
    for s in status.model_version_status
]


def fill_examples(inp):
    for r in rows:
        example = inp.example_list.examples.add()
        for feature, kind in features:
            f = example.features.feature[feature]
            if kind == "string":
                f.bytes_list.value.append(r[feature].encode())
            elif kind == "int":
                f.int64_list.value.append(int(r[feature]))
            else:
                f.float_list.value.append(float(r[feature]))


classify = classification_pb2.ClassificationRequest()
classify.model_spec.name = model
classify.model_spec.signature_name = request.get("classify_signature", "")
fill_examples(classify.input)
answer = stub.Classify(classify, 10.0)
out["classify"] = [[[c.label, c.score] for c in cl.classes] for cl in answer.result.classifications]

regress = regression_pb2.RegressionRequest()
regress.model_spec.name = model
fill_examples(regress.input)


def code_of(call):
    try:
        call()
        return ["OK", ""]
    except grpc.RpcError as e:
        return [e.code().name, e.details()]


# a classifier has no regression signature: TF Serving refuses the call, and so must we
out["regress"] = code_of(lambda: stub.Regress(regress, 10.0))


def bad_dtype_request():
    # a string feature sent as DT_FLOAT numbers
    req = predict_request()
    name = next(name for name, kind in features if kind == "string")
    req.inputs[name].CopyFrom(tf.make_tensor_proto(np.ones(len(rows), dtype=np.float32)))
    return req


out["errors"] = {
    "unknown_model": code_of(lambda: stub.Predict(predict_request("no-such-model"), 10.0)),
    "bad_dtype": code_of(lambda: stub.Predict(bad_dtype_request(), 10.0)),
}
print(json.dumps(out))
