/**
 * A LayersModel's inputs and outputs described as TF Serving's `serving_default` signature:
 * names, dtypes and shapes (batch dimension -1), in the JSON form of its protos (int64 as strings).
 */
import type * as tf from '@tensorflow/tfjs';

export interface TensorSpec {
  name: string;
  /** full shape, batch first; null where any size is accepted */
  shape: (number | null)[];
  dtype: tf.DataType;
}

export const SIGNATURE_NAME = 'serving_default';

const tfDtype: Record<string, string> = {
  float32: 'DT_FLOAT',
  int32: 'DT_INT32',
  bool: 'DT_BOOL',
  string: 'DT_STRING',
  complex64: 'DT_COMPLEX64',
};

// names come from the layers: a Sequential fills inputNames/outputNames only once built, and
// its tensors' own names gain suffixes (`out/out_1`) each time a model is loaded
export function inputSpecs(model: tf.LayersModel): TensorSpec[] {
  return model.inputs.map((t) => ({ name: t.sourceLayer.name, shape: t.shape, dtype: t.dtype }));
}

export function outputSpecs(model: tf.LayersModel): TensorSpec[] {
  return model.outputs.map((t) => ({ name: t.sourceLayer.name, shape: t.shape, dtype: t.dtype }));
}

function tensorInfo(spec: TensorSpec) {
  return {
    dtype: tfDtype[spec.dtype] ?? 'DT_INVALID',
    tensor_shape: { dim: spec.shape.map((d) => ({ size: String(d ?? -1), name: '' })), unknown_rank: false },
    name: `${spec.name}:0`,
  };
}

/** The body of GET …/metadata. */
export function modelMetadata(name: string, version: number, model: tf.LayersModel) {
  const section = (specs: TensorSpec[]) => Object.fromEntries(specs.map((s) => [s.name, tensorInfo(s)]));
  return {
    model_spec: { name, signature_name: '', version: String(version) },
    metadata: {
      signature_def: {
        signature_def: {
          [SIGNATURE_NAME]: {
            inputs: section(inputSpecs(model)),
            outputs: section(outputSpecs(model)),
            method_name: 'tensorflow/serving/predict',
          },
        },
      },
    },
  };
}

/** `[-1,3]` style, as error messages show shapes. */
export const showShape = (shape: readonly (number | null)[]) => `[${shape.map((d) => d ?? -1).join(',')}]`;
