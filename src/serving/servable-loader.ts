/**
 * One version folder loaded into something the core can run. Two kinds:
 * - a Trainer Model (signature.json beside model.json): its signatures are those of a
 *   TFX-exported Keras model, `serving_default` (predict) over the raw features typed from
 *   signature.rawInputs, plus `classification` or `regression` for :classify / :regress; a
 *   request carries raw features and the saved transform turns them into the model's inputs;
 * - a plain tfjs LayersModel: `serving_default` over the model's own inputs and outputs.
 * Either way the core sees one `run(inputs)` from signature input name to tensors, to output tensors.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadModel } from '../ml/fs-model-io.js';
import { createModelPredictor, parseSignature, parseTransformGraph } from '../ml/model-predictor.js';
import { numberColumn, stringColumn, type RawBatch, type RawColumn } from '../ml/transform/index.js';
import { DataError } from '../errors.js';
import { badRequest, ServingError } from './http-errors.js';
import { runInChunks, type RunControl } from './run-chunks.js';
import type { DType, SignatureDef, Tensor, TensorInfo } from './servable.js';
import { inputSpecs, outputSpecs, SIGNATURE_NAME, type TensorSpec } from './signature.js';

export const CLASSIFY_SIGNATURE = 'classification';
export const REGRESS_SIGNATURE = 'regression';
export const PREDICT_METHOD = 'tensorflow/serving/predict';
export const CLASSIFY_METHOD = 'tensorflow/serving/classify';
export const REGRESS_METHOD = 'tensorflow/serving/regress';

/**
 * A model saved with `userDefinedMetadata: {"allowNonFiniteInputs": true}` takes Infinity;
 * any other plain model refuses it, because its prediction would come back as NaN with a 200.
 */
export const ALLOW_NON_FINITE = 'allowNonFiniteInputs';

/** A loaded version: its signature_def map and how to run serving_default. */
export interface Servable {
  kind: 'model' | 'layers';
  signatures: Record<string, SignatureDef>;
  /** serving_default's output name (the one tensor classify/regress read) */
  outputName: string;
  /** Trainer Models only: the task and class names, for classify/regress */
  task?: 'binary' | 'multiclass' | 'regression';
  classes?: string[];
  /** Trainer Models only: the label's feature name (examples may carry it; it is not an input) */
  labelName?: string;
  /** whether inputs may carry missing values (a Model's transform fills them) */
  acceptsMissing: boolean;
  /** serving_default on checked inputs (one tensor per signature input, batch first) */
  run(inputs: Record<string, Tensor>, control?: RunControl): Promise<Record<string, Tensor>>;
  dispose(): void;
}

const dtypeOf: Record<string, DType> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL', string: 'DT_STRING' };
const rawDtype = { float: 'DT_FLOAT', int: 'DT_INT64', string: 'DT_STRING' } as const;
// TF names a signature's tensors `<signature>_<input>:0`, with characters a graph name can't hold replaced
const graphName = (prefix: string, name: string) => `${prefix}_${name.replace(/[^A-Za-z0-9_.\-/]/g, '_')}:0`;
const info = (name: string, dtype: DType, shape: number[]): TensorInfo => ({ name, dtype, shape });
const shapeOfSpec = (s: TensorSpec) => s.shape.map((d) => d ?? -1);

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new DataError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataError(`not valid JSON (${(err as Error).message})`, file);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** One raw feature's tensor as a transform column; missing (null, or NaN for floats) becomes null. */
function rawColumn(name: string, t: Tensor): RawColumn {
  const gone = (k: number) => t.missing?.[k] === true;
  if (t.dtype === 'DT_STRING')
    return stringColumn(
      (t.values as Uint8Array[]).map((b, k) => {
        if (gone(k)) return null;
        try {
          return decoder.decode(b);
        } catch {
          throw badRequest(`input '${name}' value ${k}: not valid UTF-8 text`);
        }
      }),
    );
  return numberColumn(
    (t.values as number[]).map((v, k) => {
      if (gone(k) || Number.isNaN(v)) return null;
      if (!Number.isFinite(v))
        throw badRequest(`input '${name}' value ${k}: ${v} is not a finite number (send null for a missing value)`);
      return v;
    }),
  );
}

async function loadTrainerModel(dir: string, model: tf.LayersModel): Promise<Servable> {
  const sigFile = path.join(dir, 'signature.json');
  const graphFile = path.join(dir, 'transform', 'transform_graph.json');
  const signature = parseSignature(await readJson(sigFile), sigFile);
  const graph = parseTransformGraph(await readJson(graphFile), graphFile);
  const predictor = createModelPredictor({ signature, graph, model });
  const outputName = outputSpecs(model)[0]!.name;
  const width = signature.output.width;
  const inputs = Object.fromEntries(
    signature.rawInputs.map((r) => [r.name, info(graphName(SIGNATURE_NAME, r.name), rawDtype[r.kind], [-1])]),
  );
  const signatures: Record<string, SignatureDef> = {
    [SIGNATURE_NAME]: {
      methodName: PREDICT_METHOD,
      inputs,
      outputs: { [outputName]: info(graphName('StatefulPartitionedCall', outputName), 'DT_FLOAT', [-1, width]) },
    },
  };
  const examples = { inputs: info('input_example_tensor:0', 'DT_STRING', [-1]) };
  const { task, classes } = signature.label;
  const k = task === 'binary' ? 2 : width;
  if (task === 'regression')
    signatures[REGRESS_SIGNATURE] = {
      methodName: REGRESS_METHOD,
      inputs: examples,
      outputs: { outputs: info('regression_outputs:0', 'DT_FLOAT', [-1, 1]) },
    };
  else
    signatures[CLASSIFY_SIGNATURE] = {
      methodName: CLASSIFY_METHOD,
      inputs: examples,
      outputs: {
        classes: info('classification_classes:0', 'DT_STRING', [-1, k]),
        scores: info('classification_scores:0', 'DT_FLOAT', [-1, k]),
      },
    };
  return {
    kind: 'model',
    signatures,
    outputName,
    task,
    classes: classes ?? Array.from({ length: k }, (_, i) => String(i)),
    labelName: signature.label.name,
    acceptsMissing: true,
    async run(tensors) {
      const numRows = Object.values(tensors)[0]?.shape[0] ?? 0;
      const columns: Record<string, RawColumn> = {};
      for (const [name, t] of Object.entries(tensors)) columns[name] = rawColumn(name, t);
      const batch: RawBatch = { numRows, columns };
      let out;
      try {
        out = await predictor.predictBatch(batch);
      } catch (err) {
        if (err instanceof ServingError) throw err;
        // the transform names the row and feature at fault (a missing value it cannot fill, a bad category)
        throw badRequest(`prediction failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      return { [outputName]: { dtype: 'DT_FLOAT', shape: [out.rows, out.width], values: out.values } };
    },
    dispose: () => model.dispose(),
  };
}

function flatten(v: unknown, out: number[]): void {
  if (Array.isArray(v)) for (const x of v) flatten(x, out);
  else out.push(typeof v === 'boolean' ? Number(v) : (v as number));
}

function loadLayers(model: tf.LayersModel): Servable {
  const ins = inputSpecs(model);
  const outs = outputSpecs(model);
  const allowNonFinite =
    (model.getUserDefinedMetadata() as Record<string, unknown> | undefined)?.[ALLOW_NON_FINITE] === true;
  const section = (specs: TensorSpec[]) =>
    Object.fromEntries(specs.map((s) => [s.name, info(`${s.name}:0`, dtypeOf[s.dtype] ?? 'DT_FLOAT', shapeOfSpec(s))]));
  return {
    kind: 'layers',
    signatures: { [SIGNATURE_NAME]: { methodName: PREDICT_METHOD, inputs: section(ins), outputs: section(outs) } },
    outputName: outs[0]!.name,
    acceptsMissing: false,
    async run(tensors, control) {
      const batch = {
        tensors: ins.map((s) => {
          const t = tensors[s.name]!;
          if (!allowNonFinite && (t.dtype === 'DT_FLOAT' || t.dtype === 'DT_DOUBLE')) {
            const k = (t.values as number[]).findIndex((v) => !Number.isFinite(v));
            if (k >= 0) {
              const perRow = t.values.length / (t.shape[0] || 1);
              throw badRequest(
                `input '${s.name}' row ${Math.floor(k / perRow)}: ${t.values[k]} is not a finite number; this model takes finite inputs only`,
              );
            }
          }
          return { shape: t.shape, values: t.values as (number | boolean)[] };
        }),
      };
      let rows: unknown[][];
      try {
        rows = await runInChunks(model, batch, control);
      } catch (err) {
        if (err instanceof ServingError) throw err;
        throw badRequest(`prediction failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      const n = batch.tensors[0]?.shape[0] ?? 0;
      return Object.fromEntries(
        outs.map((s, k) => {
          const values: number[] = [];
          flatten(rows[k], values);
          const inner = shapeOfSpec(s).slice(1);
          const per = n ? values.length / n : 0;
          // an inner dimension the model leaves open takes what came out
          const shape = inner.includes(-1) ? [n, per] : [n, ...inner];
          return [s.name, { dtype: dtypeOf[s.dtype] ?? 'DT_FLOAT', shape, values } satisfies Tensor];
        }),
      );
    },
    dispose: () => model.dispose(),
  };
}

/**
 * Load a version folder: a Trainer Model when it has signature.json, else a plain
 * LayersModel. A folder whose parts don't load or don't fit together is a DataError naming the file.
 */
export async function loadServable(dir: string): Promise<Servable> {
  const model = await loadModel(dir);
  try {
    if (await exists(path.join(dir, 'signature.json'))) return await loadTrainerModel(dir, model);
    return loadLayers(model);
  } catch (err) {
    model.dispose();
    throw err;
  }
}
