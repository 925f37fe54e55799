/**
 * The pinned Python packages the interop tests and benchmarks install into their venvs
 * (scripts/python-venv.sh NAME REQUIREMENTS…). One place, so a test and a bench share a venv.
 */
export const TF_REQUIREMENTS = ['tensorflow-cpu==2.20.0'];

/** TFDV 1.16.1 alone makes pip backtrack to an unbuildable pyarrow; these pins resolve at once. */
export const TFDV_REQUIREMENTS = [
  'tensorflow-data-validation==1.16.1',
  'apache-beam[gcp]==2.60.0',
  'pyarrow==10.0.1',
  'tensorflow==2.16.2',
];

/** TensorBoard's own event reader (EventAccumulator) for test/ml/train/tensorboard.test.ts; the version TF 2.20 pairs with. */
export const TENSORBOARD_REQUIREMENTS = ['tensorboard==2.20.0'];

/**
 * TensorFlow Transform for the transform parity test and bench: the same stack as TFDV's pins
 * (tfx-bsl 1.16 resolves with these at once), so pip does no backtracking.
 */
export const TFT_REQUIREMENTS = [
  'tensorflow-transform==1.16.0',
  'tfx-bsl==1.16.1',
  'apache-beam[gcp]==2.60.0',
  'pyarrow==10.0.1',
  'tensorflow==2.16.2',
];

/** scikit-learn for the Evaluator's metric cross-check (test/components/evaluator/metrics-sklearn.test.ts); scipy pinned so pip resolves the same stack every time. */
export const SKLEARN_REQUIREMENTS = ['scikit-learn==1.5.2', 'numpy==2.1.3', 'scipy==1.14.1'];

/**
 * TF Serving's Python client for the gRPC face's interop test: tensorflow-serving-api 2.20 needs
 * the `tensorflow` distribution itself (tensorflow-cpu does not satisfy its requirement), 2.20 as the tf venv.
 */
export const TF_SERVING_API_REQUIREMENTS = ['tensorflow==2.20.0', 'tensorflow-serving-api==2.20.0'];

/** The Prometheus Python client, whose text parser reads the model server's /monitoring/prometheus/metrics page (test/serving/metrics.test.ts). */
export const PROMETHEUS_CLIENT_REQUIREMENTS = ['prometheus-client==0.21.1'];

/**
 * TFX for bench/penguin-vs-tfx.ts, in a venv of its own on Python 3.10 (TFX_PYTHON_VERSIONS).
 * 1.16.0 is the newest TFX that installs on this Debian 12 (glibc 2.36, libstdc++ of GCC 12):
 * 1.21.0 (the only TFX for Python 3.11) needs ml-metadata 1.21 and TFDV 1.21, whose wheels are
 * manylinux_2_39 (TFDV's extension calls glibc 2.38's __isoc23_strtol, both need GLIBCXX_3.4.32),
 * and 1.17's tfx-bsl/TFDV wheels are manylinux_2_39 too; TFX 1.15-1.17 require Python < 3.11.
 * The rest are pinned to what pip resolves for these, so the install does not backtrack.
 */
export const TFX_REQUIREMENTS = [
  'tfx==1.16.0',
  'tensorflow==2.16.2',
  'tensorflow-data-validation==1.16.1',
  'tfx-bsl==1.16.1',
  'tensorflow-transform==1.16.0',
  'tensorflow-model-analysis==0.47.1',
  'ml-metadata==1.16.0',
  'apache-beam[gcp]==2.60.0',
  'pyarrow==10.0.1',
  'protobuf==3.20.3',
  'grpcio==1.65.5',
  'grpcio-status==1.48.2',
  'google-cloud-aiplatform==1.165.1',
  'keras==3.12.4',
  'tf-keras==2.16.0',
  'numpy==1.26.4',
  'scipy==1.12.0',
  'scikit-learn==1.5.1',
];

/** Pythons TFX 1.16 supports (>= 3.9, < 3.11), newest first. */
export const TFX_PYTHON_VERSIONS = ['3.10', '3.9'];

/**
 * The `tensorflowjs` converter's Keras side for test/interop/tfjs-keras.test.ts, on the same
 * TensorFlow as TF_REQUIREMENTS. tensorflowjs 4.22 declares jax, flax, tensorflow-decision-forests
 * (which pins TensorFlow 2.19) and tensorflow-hub, needed only by its SavedModel and JAX
 * converters; the tfjs_layers_model -> Keras path imports tf_keras, h5py, six and numpy, so it
 * is installed without its dependencies (after `--no-deps`, scripts/python-venv.sh), and so is
 * tf-keras 2.20.1 (the release paired with TensorFlow 2.20), whose one dependency, `tensorflow`,
 * would install a second TensorFlow beside tensorflow-cpu.
 */
export const TFJS_REQUIREMENTS = [...TF_REQUIREMENTS, 'six==1.17.0', '--no-deps', 'tf-keras==2.20.1', 'tensorflowjs==4.22.0'];
