/**
 * Load a tfjs LayersModel from a URL and predict on a batch, in the browser or in Node. Node-free
 * (the browser bundle's core), so Node can run the very same code to check the browser's numbers.
 * Raw features reach the model through a `transform` (raw batch -> model inputs); the default is
 * the identity, for callers that already hold model inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../../errors.js';

/**
 * One model input's values for a batch: one array per row, or every row's values flat in row
 * order (a typed array straight from a columnar transform). Either is shaped by the input's shape.
 */
export type InputValues = ArrayLike<number> | ArrayLike<number>[];

/** Model inputs keyed by the model's input names (the input layers' names, {@link inputNamesOf}). */
export type ModelInputs = Record<string, InputValues>;

/** Raw features of a batch to model inputs: the transform runtime plugs in here. */
export type Transform<Raw> = (raw: Raw) => ModelInputs | Promise<ModelInputs>;

/** One output for a batch: its shape (rows first) and values flat in row order. */
export interface OutputValues {
  shape: number[];
  values: number[];
}

/** Predictions keyed by the model's output names (the output layers' names, {@link outputNamesOf}). */
export type Predictions = Record<string, OutputValues>;

/** A loaded model bound to the transform that feeds it. */
export interface Predictor<Raw> {
  model: tf.LayersModel;
  /** Transform one raw batch, then predict on it. */
  predict(raw: Raw): Promise<Predictions>;
}

/**
 * Load `model.json` (and the weight files its manifest names, relative to it) from a URL, as
 * src/ml/fs-model-io.ts writes them. A missing or malformed file is a DataError naming the URL.
 */
export async function loadModelFromUrl(url: string, requestInit?: RequestInit): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(tf.io.http(url, { requestInit }));
  } catch (err) {
    throw new DataError(`cannot load a LayersModel: ${err instanceof Error ? err.message : String(err)}`, url);
  }
}

/**
 * The model's input names: its input layers' names. Not `model.inputNames`, which a Sequential
 * fills only once compiled, so a loaded (uncompiled) Sequential has none.
 */
export function inputNamesOf(model: tf.LayersModel): string[] {
  return model.inputs.map((t) => t.sourceLayer.name);
}

/** The model's output names: its output layers' names (see {@link inputNamesOf}). */
export function outputNamesOf(model: tf.LayersModel): string[] {
  return model.outputs.map((t) => t.sourceLayer.name);
}

/** Reads one value of an input: a non-number, non-finite value (or a fraction for an int input) names its row. */
function checked(name: string, v: unknown, row: number, int: string | undefined): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new DataError(`${String(v)} is not a finite number`, undefined, `input '${name}' row ${row}`);
  if (int && !Number.isInteger(v))
    throw new DataError(`${v} is not an integer, the input is ${int}`, undefined, `input '${name}' row ${row}`);
  return v;
}

/**
 * One input's values packed into a typed array of its dtype: NaN and fractions would otherwise
 * turn silently into NaN predictions or truncated indices.
 */
function pack(name: string, values: InputValues, width: number, dtype: tf.DataType) {
  const int = dtype === 'int32' || dtype === 'bool' ? dtype : undefined;
  const make = (n: number) => (int ? new Int32Array(n) : new Float32Array(n));
  if (values.length === 0) return { rows: 0, data: make(0) };
  if (typeof values[0] !== 'object') {
    const flat = values as ArrayLike<number>;
    if (flat.length % width !== 0)
      throw new DataError(`${flat.length} values are not whole rows of ${width}`, undefined, `input '${name}'`);
    const data = make(flat.length);
    for (let k = 0; k < flat.length; k++) data[k] = checked(name, flat[k], Math.floor(k / width), int);
    return { rows: flat.length / width, data };
  }
  const perRow = values as ArrayLike<number>[];
  const data = make(perRow.length * width);
  for (let r = 0; r < perRow.length; r++) {
    const row = perRow[r];
    if (row?.length !== width)
      throw new DataError(
        `has ${row?.length ?? 'no'} values, the model wants ${width}`,
        undefined,
        `input '${name}' row ${r}`,
      );
    for (let i = 0; i < width; i++) data[r * width + i] = checked(name, row[i], r, int);
  }
  return { rows: perRow.length, data };
}

/**
 * Tensors for the model's inputs in {@link inputNamesOf} order, each of its input's dtype and
 * shape. An unknown or missing input name, a row of the wrong width, inputs of different row
 * counts, a value that is not a finite number (or not an integer, for an int32 input) are a
 * DataError naming the input (and the row).
 */
export function inputTensors(model: tf.LayersModel, inputs: ModelInputs): tf.Tensor[] {
  const names = inputNamesOf(model);
  const unknown = Object.keys(inputs).filter((k) => !names.includes(k));
  if (unknown.length)
    throw new DataError(
      `not inputs of the model (it has ${names.join(', ')})`,
      undefined,
      `input '${unknown.join("', '")}'`,
    );
  let batch: number | undefined;
  const prepared = model.inputs.map((symbolic, i) => {
    const name = names[i]!;
    const values = inputs[name];
    if (values === undefined) throw new DataError('is missing from the model inputs', undefined, `input '${name}'`);
    const inner = symbolic.shape.slice(1);
    if (inner.some((d) => d === null))
      throw new DataError(
        `has a shape with unknown inner sizes ${JSON.stringify(symbolic.shape)}`,
        undefined,
        `input '${name}'`,
      );
    const dims = inner as number[];
    const { rows, data } = pack(
      name,
      values,
      dims.reduce((a, b) => a * b, 1),
      symbolic.dtype,
    );
    if (batch !== undefined && rows !== batch)
      throw new DataError(`has ${rows} rows, input '${names[0]}' has ${batch}`, undefined, `input '${name}'`);
    batch = rows;
    return { data, shape: [rows, ...dims], dtype: symbolic.dtype };
  });
  return prepared.map((p) => tf.tensor(p.data, p.shape, p.dtype));
}

/** Predict on model inputs; every output comes back as plain numbers. */
export async function predictInputs(model: tf.LayersModel, inputs: ModelInputs): Promise<Predictions> {
  const xs = inputTensors(model, inputs);
  let ys: tf.Tensor[] = [];
  try {
    const out = model.predict(xs.length === 1 ? xs[0]! : xs);
    ys = Array.isArray(out) ? out : [out];
    const result: Predictions = {};
    const names = outputNamesOf(model);
    for (const [i, y] of ys.entries()) result[names[i]!] = { shape: y.shape, values: Array.from(await y.data()) };
    return result;
  } finally {
    tf.dispose([...xs, ...ys]);
  }
}

const identity = (raw: ModelInputs): ModelInputs => raw;

/** Transform a raw batch (default: it already is model inputs), then predict on it. */
export async function predict(model: tf.LayersModel, raw: ModelInputs): Promise<Predictions>;
export async function predict<Raw>(model: tf.LayersModel, raw: Raw, transform: Transform<Raw>): Promise<Predictions>;
export async function predict(
  model: tf.LayersModel,
  raw: unknown,
  transform: Transform<unknown> = identity as Transform<unknown>,
): Promise<Predictions> {
  return predictInputs(model, await transform(raw));
}

/**
 * Load the model at `url` once and bind it to `transform`:
 * `const p = await loadPredictor(url, { transform: (rows) => applyGraph(graph, rows) })`.
 */
export async function loadPredictor(
  url: string,
  options?: { requestInit?: RequestInit },
): Promise<Predictor<ModelInputs>>;
export async function loadPredictor<Raw>(
  url: string,
  options: { transform: Transform<Raw>; requestInit?: RequestInit },
): Promise<Predictor<Raw>>;
export async function loadPredictor(
  url: string,
  options: { transform?: Transform<unknown>; requestInit?: RequestInit } = {},
): Promise<Predictor<unknown>> {
  const model = await loadModelFromUrl(url, options.requestInit);
  const transform = options.transform ?? (identity as Transform<unknown>);
  return { model, predict: (raw) => predict(model, raw, transform) };
}
