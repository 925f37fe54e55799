/**
 * A small ServingCore over one Trainer Model (createModelPredictor), for the gRPC face's tests
 * while the real core (src/serving/serving-core.ts) is built on another branch. It follows the
 * same signature shape: `serving_default` takes the raw features (float -> DT_FLOAT, int ->
 * DT_INT64, string -> DT_STRING, shape [-1]) and answers `output_0` [-1, width]; classify and
 * regress read tf.Examples of raw features.
 */
import type { ModelPredictor } from '../../../src/ml/model-predictor.js';
import { badRequest, notFound } from '../../../src/serving/http-errors.js';
import type { DType, ExampleRow, ModelSpec, ServingCore, SignatureDef, Tensor } from '../../../src/serving/servable.js';

const DTYPE_OF = { float: 'DT_FLOAT', int: 'DT_INT64', string: 'DT_STRING' } as const;
const text = new TextDecoder();

export function predictorCore(name: string, version: number, predictor: ModelPredictor): ServingCore {
  const { signature } = predictor;
  const width = signature.output.width;
  const inputs = Object.fromEntries(
    signature.rawInputs.map((r) => [r.name, { name: `serving_default_${r.name}:0`, dtype: DTYPE_OF[r.kind] as DType, shape: [-1] }]),
  );
  const signatures: Record<string, SignatureDef> = {
    serving_default: {
      methodName: 'tensorflow/serving/predict',
      inputs,
      outputs: { output_0: { name: 'StatefulPartitionedCall:0', dtype: 'DT_FLOAT', shape: [-1, width] } },
    },
  };
  const resolve = (spec: ModelSpec) => {
    if (spec.name !== name) throw notFound(`Servable not found for request: Latest(${spec.name})`);
    if (spec.version !== undefined && spec.version !== version)
      throw notFound(`Servable not found for request: Specific(${spec.name}, ${spec.version})`);
    const signatureName = spec.signatureName || 'serving_default';
    if (!signatures[signatureName]) throw badRequest(`Serving signature key "${signatureName}" not found.`);
    return { name, version, signatureName };
  };
  const scalar = (v: number | Uint8Array | boolean | undefined) => (v instanceof Uint8Array ? text.decode(v) : v ?? null);
  const rowsOf = (tensors: Record<string, Tensor>) => {
    let n = -1;
    for (const [key, t] of Object.entries(tensors)) {
      const info = inputs[key];
      if (!info) throw badRequest(`input '${key}' is not an input of signature serving_default`);
      if (t.dtype !== info.dtype) throw badRequest(`input '${key}' is ${t.dtype}; the signature takes ${info.dtype}`);
      if (n >= 0 && t.values.length !== n) throw badRequest(`input '${key}' has ${t.values.length} rows, others ${n}`);
      n = t.values.length;
    }
    return Array.from({ length: Math.max(n, 0) }, (_, i) =>
      Object.fromEntries(Object.entries(tensors).map(([key, t]) => [key, scalar(t.values[i])])),
    );
  };
  const exampleRows = (examples: ExampleRow[], context?: ExampleRow) =>
    examples.map((e) => Object.fromEntries(Object.entries({ ...context, ...e }).map(([k, v]) => [k, scalar(v[0])])));
  return {
    status: (spec) => {
      resolve({ ...spec, signatureName: undefined });
      return [{ version, state: 'AVAILABLE', errorCode: 'OK', errorMessage: '' }];
    },
    metadata: (spec) => ({ answeredBy: resolve(spec), signatures }),
    predict: async ({ spec, inputs: given }) => {
      const answeredBy = resolve(spec);
      const out = await predictor.predictRows(rowsOf(given));
      return { answeredBy, outputs: { output_0: { dtype: 'DT_FLOAT', shape: [out.rows, width], values: out.values } } };
    },
    classify: async ({ spec, examples, context }) => {
      const answeredBy = resolve(spec);
      const out = await predictor.predictRows(exampleRows(examples, context));
      const classes = signature.label.classes ?? [];
      const results = Array.from({ length: out.rows }, (_, i) =>
        width === 1
          ? [{ label: classes[0] ?? '0', score: 1 - out.values[i]! }, { label: classes[1] ?? '1', score: out.values[i]! }]
          : classes.map((label, k) => ({ label, score: out.values[i * width + k]! })),
      );
      return { answeredBy, results };
    },
    regress: async ({ spec, examples, context }) => {
      const answeredBy = resolve(spec);
      const out = await predictor.predictRows(exampleRows(examples, context));
      return { answeredBy, results: out.values.filter((_, i) => i % width === 0) };
    },
  };
}
