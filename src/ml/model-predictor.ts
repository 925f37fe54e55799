/**
 * Predict from raw features with a Model folder's three parts: its signature, its serving
 * TransformGraph and its LayersModel. Raw rows (objects keyed by raw feature names, as a TF
 * Serving `instances` request carries them) go through the one transform runtime, are laid out
 * as the Trainer fed the model (one tensor per named feature, or all features concatenated in
 * the signature's order), and come back as the model's output with class names. Node-free:
 * serving and the browser bundle share it, so Node can check the browser's numbers with it.
 */
import type * as tf from '@tensorflow/tfjs';
import { ModelSignature } from '../../schemas/model-signature.js';
import { TransformGraph } from '../../schemas/transform-graph.js';
import { DataError } from '../errors.js';
import { inputNamesOf, outputNamesOf, predictInputs, type ModelInputs } from './browser/predict.js';
import { rawBatchFromInstances } from './raw-instances.js';
import { applyTransform, type RawBatch, type TransformedBatch } from './transform/index.js';

/** What a prediction on raw rows returns: the model's output, and for classification the classes. */
export interface RawPredictions {
  rows: number;
  /** values per row: k class probabilities (multiclass), P(class 1) (binary), the value (regression) */
  width: number;
  /** every row's output, flat in row order (rows * width) */
  values: number[];
  /** classification only: the predicted class id per row (argmax; binary: P(class 1) >= 0.5) */
  classIds?: number[];
  /** classification only: the predicted class name per row, from the label vocabulary */
  classNames?: string[];
}

/** A Model folder bound together: predict from raw rows or from a raw columnar batch. */
export interface ModelPredictor {
  signature: ModelSignature;
  graph: TransformGraph;
  model: tf.LayersModel;
  /** the raw features a row must carry (null where a value is missing) */
  rawInputs: string[];
  predictRows(rows: readonly Readonly<Record<string, unknown>>[]): Promise<RawPredictions>;
  predictBatch(batch: RawBatch): Promise<RawPredictions>;
}

/** Validate signature.json's parsed content; a mismatch is a DataError naming `file` and the field. */
export function parseSignature(json: unknown, file = 'signature.json'): ModelSignature {
  const parsed = ModelSignature.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new DataError(`not a model signature: ${issue.message} at ${issue.path.join('.') || '(root)'}`, file);
}

/** Validate a serving TransformGraph's parsed content; a mismatch is a DataError naming `file`. */
export function parseTransformGraph(json: unknown, file = 'transform_graph.json'): TransformGraph {
  const parsed = TransformGraph.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new DataError(`not a TransformGraph: ${issue.message} at ${issue.path.join('.') || '(root)'}`, file);
}

/**
 * The model inputs for a transformed batch, as the Trainer's batchInputs fed them: named
 * features one input each (int32 ids stay ids), or every feature's values side by side in one
 * float32 input. A column the signature promises but the graph does not give (or gives at
 * another width) means the folder's parts do not belong together: a DataError saying which.
 */
export function modelInputsOf(signature: ModelSignature, model: tf.LayersModel, batch: TransformedBatch): ModelInputs {
  const rows = batch.numRows;
  const spec = new Map(signature.transformedInputs.map((f) => [f.name, f]));
  const column = (name: string) => {
    const f = spec.get(name);
    const c = batch.columns[name];
    if (!f)
      throw new DataError(
        `the signature's model inputs name '${name}', which transformedInputs lacks`,
        'signature.json',
      );
    if (!c)
      throw new DataError(
        `the serving transform has no output '${name}', which the model reads`,
        'transform_graph.json',
      );
    if (c.dtype === 'string')
      throw new DataError(`output '${name}' is strings; the model reads numbers`, 'transform_graph.json');
    if (c.width !== f.width)
      throw new DataError(
        `output '${name}' has ${c.width} values per row, the signature says ${f.width}`,
        'transform_graph.json',
      );
    return { f, values: c.values };
  };
  const { modelInputs } = signature;
  const inputNames = inputNamesOf(model);
  if (modelInputs.kind === 'named') {
    if (modelInputs.names.length !== inputNames.length)
      throw new DataError(
        `the signature names ${modelInputs.names.length} model inputs, the model has ${inputNames.length}`,
        'signature.json',
      );
    const out: ModelInputs = {};
    // input i of the model is feature names[i]: the Trainer checked the names when it built it
    modelInputs.names.forEach((name, i) => {
      const { f, values } = column(name);
      out[inputNames[i]!] = f.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    });
    return out;
  }
  if (inputNames.length !== 1)
    throw new DataError(
      `the signature concatenates the features into one input, the model has ${inputNames.length}`,
      'signature.json',
    );
  const parts = modelInputs.features.map(column);
  const width = parts.reduce((n, p) => n + p.f.width, 0);
  const x = new Float32Array(rows * width);
  let offset = 0;
  for (const { f, values } of parts) {
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < f.width; j++) x[r * width + offset + j] = values[r * f.width + j]!;
    offset += f.width;
  }
  return { [inputNames[0]!]: x };
}

/** Class ids and names from the output, for classification tasks. */
function classesOf(
  signature: ModelSignature,
  rows: number,
  width: number,
  values: number[],
): Pick<RawPredictions, 'classIds' | 'classNames'> {
  const { task, classes } = signature.label;
  if (task === 'regression') return {};
  const ids = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    if (task === 'binary') ids[r] = values[r]! >= 0.5 ? 1 : 0;
    else {
      let best = 0;
      for (let k = 1; k < width; k++) if (values[r * width + k]! > values[r * width + best]!) best = k;
      ids[r] = best;
    }
  }
  return { classIds: ids, classNames: ids.map((i) => classes?.[i] ?? String(i)) };
}

/**
 * Bind a Model folder's parts. The signature and graph are checked against each other and the
 * model once here (input count, output width), so a request never meets a mismatched folder.
 *
 * @example
 * const p = createModelPredictor({ signature, graph, model });
 * const { classNames } = await p.predictRows([{ Island: 'Biscoe', 'Body Mass (g)': 4200, ... }]);
 */
export function createModelPredictor(parts: {
  signature: ModelSignature;
  graph: TransformGraph;
  model: tf.LayersModel;
}): ModelPredictor {
  const { signature, graph, model } = parts;
  if (model.outputs.length !== 1)
    throw new DataError(`the model has ${model.outputs.length} outputs; a Trainer's Model has one`, 'model.json');
  const out = model.outputs[0]!.shape;
  const got = out.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
  if (got !== signature.output.width)
    throw new DataError(
      `the model outputs ${got} values per row, the signature says ${signature.output.width}`,
      'model.json',
    );
  const rawInputs = signature.rawInputs.map((r) => r.name);
  const predictBatch = async (batch: RawBatch): Promise<RawPredictions> => {
    const inputs = modelInputsOf(signature, model, applyTransform(graph, batch));
    const predictions = await predictInputs(model, inputs);
    const { values } = predictions[outputNamesOf(model)[0]!]!;
    const width = signature.output.width;
    return { rows: batch.numRows, width, values, ...classesOf(signature, batch.numRows, width, values) };
  };
  return {
    signature,
    graph,
    model,
    rawInputs,
    predictBatch,
    // async, so a bad row rejects the promise as a failed prediction does
    predictRows: async (rows) => predictBatch(rawBatchFromInstances(signature.rawInputs, rows)),
  };
}
