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
