/**
 * A ServingCore over one plain LayersModel of a ModelRepository, for the gRPC face's bench and tests: the
 * gRPC face measured on the very model (and tfjs call) the REST server of src/serving/server.ts
 * answers with. With `batcher`, concurrent predicts share model runs (src/serving/batching.ts).
 * Used by bench/serving-load.ts and test/serving/grpc; replace with src/serving/serving-core.ts once it serves both faces.
 */
import * as tf from '@tensorflow/tfjs';
import { badRequest, notFound } from '../../src/serving/http-errors.js';
import type { ServingCore, Tensor } from '../../src/serving/servable.js';
import { inputSpecs, outputSpecs } from '../../src/serving/signature.js';

type TensorMap = Record<string, Tensor>;
/** what batching.ts's Batcher offers: submit one request's tensors, get its rows of the output */
export interface TensorBatcher {
  submit(input: TensorMap): Promise<TensorMap>;
}

/** The model over one request's (or one batch's) inputs, flat float32 out. */
export async function runModel(model: tf.LayersModel, inputs: TensorMap): Promise<TensorMap> {
  const specs = inputSpecs(model);
  const outs = outputSpecs(model);
  const ys = tf.tidy(() => {
    const xs = specs.map((s) => {
      const t = inputs[s.name];
      if (!t) throw badRequest(`input '${s.name}' is missing`);
      return tf.tensor(t.values as number[], t.shape, s.dtype);
    });
    const y = model.predict(xs.length === 1 ? xs[0]! : xs, { batchSize: xs[0]!.shape[0] });
    return Array.isArray(y) ? y : [y];
  });
  try {
    const values = await Promise.all(ys.map((y) => y.data()));
    return Object.fromEntries(outs.map((s, k) => [s.name, { dtype: 'DT_FLOAT', shape: ys[k]!.shape, values: Array.from(values[k]!) } as Tensor]));
  } finally {
    tf.dispose(ys);
  }
}

export function layersCore(name: string, version: number, model: tf.LayersModel, batcher?: TensorBatcher): ServingCore {
  const answeredBy = { name, version, signatureName: 'serving_default' };
  const check = (spec: { name: string; version?: number }) => {
    if (spec.name !== name || (spec.version !== undefined && spec.version !== version))
      throw notFound(`Servable not found for request: ${spec.name}`);
  };
  const info = (s: { name: string; shape: (number | null)[] }) => ({ name: `${s.name}:0`, dtype: 'DT_FLOAT' as const, shape: s.shape.map((d) => d ?? -1) });
  const unsupported = () => Promise.reject(badRequest('this bench core answers predict only'));
  return {
    status: (spec) => (check(spec), [{ version, state: 'AVAILABLE', errorCode: 'OK', errorMessage: '' }]),
    metadata: (spec) => {
      check(spec);
      const inputs = Object.fromEntries(inputSpecs(model).map((s) => [s.name, info(s)]));
      const outputs = Object.fromEntries(outputSpecs(model).map((s) => [s.name, info(s)]));
      return { answeredBy, signatures: { serving_default: { methodName: 'tensorflow/serving/predict', inputs, outputs } } };
    },
    predict: async ({ spec, inputs }) => {
      check(spec);
      return { answeredBy, outputs: batcher ? await batcher.submit(inputs) : await runModel(model, inputs) };
    },
    classify: unsupported,
    regress: unsupported,
  };
}
