/**
 * A LayersModel's inputs and outputs described as TF Serving's `serving_default` signature:
 * the input and output layers' names, dtypes and shapes (batch dimension null).
 */
import type * as tf from '@tensorflow/tfjs';

export interface TensorSpec {
  name: string;
  /** full shape, batch first; null where any size is accepted */
  shape: (number | null)[];
  dtype: tf.DataType;
}

export const SIGNATURE_NAME = 'serving_default';

// names come from the layers: a Sequential fills inputNames/outputNames only once built, and
// its tensors' own names gain suffixes (`out/out_1`) each time a model is loaded
export function inputSpecs(model: tf.LayersModel): TensorSpec[] {
  return model.inputs.map((t) => ({ name: t.sourceLayer.name, shape: t.shape, dtype: t.dtype }));
}

export function outputSpecs(model: tf.LayersModel): TensorSpec[] {
  return model.outputs.map((t) => ({ name: t.sourceLayer.name, shape: t.shape, dtype: t.dtype }));
}

/** `[-1,3]` style, as error messages show shapes. */
export const showShape = (shape: readonly (number | null)[]) => `[${shape.map((d) => d ?? -1).join(',')}]`;
