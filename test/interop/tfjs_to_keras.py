"""A tfjs Layers model folder converted to Keras by the tensorflowjs package, then run in Keras.

argv: model.json, inputs.json ({input name: {"shape": [...], "values": [...]}}), work folder.
Converts as `tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras`
does (its dispatch function's body: keras_tfjs_loader.load_keras_model in a graph session,
then model.save to HDF5), loads the HDF5 back with tf_keras and with Keras 3, and prints both
predictions as JSON. The tensorflowjs package is imported without running its __init__: that
one imports the SavedModel and JAX converters, whose dependencies (tensorflow-decision-forests,
jax) are not installed (test/helpers/python-pins.ts says why); the Layers loader needs neither.
"""
import importlib.util
import json
import os
import sys
import types

import numpy as np
import tensorflow as tf

root = importlib.util.find_spec('tensorflowjs').submodule_search_locations[0]
for name, sub in (('tensorflowjs', ''), ('tensorflowjs.converters', 'converters')):
  pkg = types.ModuleType(name)
  pkg.__path__ = [os.path.join(root, sub)]
  sys.modules[name] = pkg
from tensorflowjs.converters import keras_tfjs_loader  # pylint: disable=g-import-not-at-top
from tensorflowjs import version as tfjs_version  # pylint: disable=g-import-not-at-top

model_json, inputs_json, work = sys.argv[1], sys.argv[2], sys.argv[3]
h5 = os.path.join(work, 'model.h5')
with tf.Graph().as_default(), tf.compat.v1.Session():
  keras_tfjs_loader.load_keras_model(model_json).save(h5)

with open(inputs_json) as f:
  given = json.load(f)
feeds = {k: np.asarray(v['values'], dtype=np.float32).reshape(v['shape']) for k, v in given.items()}

import keras  # pylint: disable=g-import-not-at-top
import tf_keras  # pylint: disable=g-import-not-at-top

out = {'tensorflowjs': tfjs_version.version, 'tensorflow': tf.__version__}
for label, lib in (('tf_keras', tf_keras), ('keras3', keras)):
  model = lib.models.load_model(h5, compile=False)
  names = [t.name.split(':')[0] for t in model.inputs]
  # Keras names an input tensor after its InputLayer, as tfjs does (a Sequential's `<first layer>_input`)
  x = [feeds[n] for n in names] if all(n in feeds for n in names) else list(feeds.values())
  y = model.predict(x if len(x) > 1 else x[0], verbose=0)
  out[label] = {'inputs': names, 'version': lib.__version__, 'predictions': np.asarray(y, dtype=np.float64).tolist()}
print(json.dumps(out))
