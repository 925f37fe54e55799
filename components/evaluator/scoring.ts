/**
 * Scoring raw eval rows as serving does: a Model folder (model.json + weights.bin,
 * signature.json, transform/transform_graph.json) bound by createModelPredictor, so the
 * Evaluator applies the Model's own saved transform. Labels come raw ('Adelie') and are mapped
 * to class ids through the signature's label classes; weights are a raw numeric column.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { readTransformGraph } from '../transform/graph-file.js';
import { DataError, DefinitionError } from '../../src/errors.js';
import { loadModel } from '../../src/ml/fs-model-io.js';
import { createModelPredictor, parseSignature, type ModelPredictor } from '../../src/ml/model-predictor.js';
import type { ModelSignature } from '../../schemas/model-signature.js';
import type { RawBatch, RawColumn } from '../../src/ml/transform/index.js';

export const SIGNATURE_FILE = 'signature.json';
export const MODEL_TRANSFORM_DIR = 'transform';

/** A Model folder's signature.json, parsed. */
export async function readSignature(dir: string): Promise<ModelSignature> {
  const file = path.join(dir, SIGNATURE_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new DataError(`cannot read the Model's signature: ${(err as Error).message}`, file);
  }
  return parseSignature(json, file);
}

/** A Model folder's parts bound into one predictor. */
export async function loadPredictor(dir: string): Promise<ModelPredictor> {
  const [signature, graph, model] = await Promise.all([readSignature(dir), readTransformGraph(path.join(dir, MODEL_TRANSFORM_DIR)), loadModel(dir)]);
  return createModelPredictor({ signature, graph, model });
}

/** One row's single value of a raw column, or null when missing; a list of several is a DataError. */
function single(col: RawColumn, r: number, name: string, ref: (r: number) => string): number | string | null {
  if (col.kind === 'number') return col.valid && col.valid[r] === 0 ? null : col.values[r]!;
  if (col.kind === 'string') return col.values[r]!;
  const list = col.values[r];
  if (!list || list.length === 0) return null;
  if (list.length > 1) throw new DataError(`'${name}' has ${list.length} values; the Evaluator reads one per example`, undefined, ref(r));
  return list[0]!;
}

/**
 * The label of every row as the metrics take it: a class id (classification, by the
 * signature's classes; without classes a binary label must be 0 or 1) or a number (regression).
 * A missing label, or a value that is not a class, is a DataError naming the row.
 */
export function labelsOf(batch: RawBatch, name: string, signature: ModelSignature, ref: (r: number) => string): Float64Array {
  const col = batch.columns[name];
  if (!col) throw new DataError(`label column '${name}' is missing (no row of this shard has it)`, undefined, ref(0));
  const { task, classes } = signature.label;
  const ids = classes ? new Map(classes.map((c, i) => [c, i])) : undefined;
  const out = new Float64Array(batch.numRows);
  for (let r = 0; r < batch.numRows; r++) {
    const v = single(col, r, name, ref);
    if (v === null) throw new DataError(`label '${name}' is missing`, undefined, ref(r));
    if (task === 'regression' || !ids) {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(n)) throw new DataError(`label '${name}' is ${JSON.stringify(v)}, not a number`, undefined, ref(r));
      out[r] = n;
      continue;
    }
    const id = ids.get(String(v));
    if (id === undefined) throw new DataError(`label '${name}' is ${JSON.stringify(v)}, which is not one of the Model's classes (${classes!.join(', ')})`, undefined, ref(r));
    out[r] = id;
  }
  return out;
}

/** The example weights of every row; missing, negative or non-numeric ones are a DataError naming the row. */
export function weightsOf(batch: RawBatch, name: string, ref: (r: number) => string): Float64Array {
  const col = batch.columns[name];
  if (!col) throw new DataError(`example weight column '${name}' is missing (no row of this shard has it)`, undefined, ref(0));
  const out = new Float64Array(batch.numRows);
  for (let r = 0; r < batch.numRows; r++) {
    const v = single(col, r, name, ref);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new DataError(`example weight '${name}' is ${JSON.stringify(v)}; it must be a finite number >= 0`, undefined, ref(r));
    out[r] = v;
  }
  return out;
}

/**
 * The baseline's output reordered into the candidate's class order (two Models trained on
 * different data may order a vocabulary differently); different classes cannot be compared.
 */
export function classOrder(candidate: ModelSignature, baseline: ModelSignature): number[] | undefined {
  if (candidate.label.task !== baseline.label.task)
    throw new DefinitionError(`the baseline Model is ${baseline.label.task}, the candidate ${candidate.label.task}: they cannot be compared`, ['baselineModel']);
  const a = candidate.label.classes;
  const b = baseline.label.classes;
  if (!a || !b || a.join('\u0000') === b.join('\u0000')) return undefined;
  if (a.length !== b.length || !a.every((c) => b.includes(c)))
    throw new DefinitionError(`the baseline Model's classes (${b.join(', ')}) differ from the candidate's (${a.join(', ')})`, ['baselineModel']);
  // binary: one output, P(class 1); swapped classes mean 1 - p (see reorder)
  return a.map((c) => b.indexOf(c));
}

/** The baseline's flat output (`width` per row) in the candidate's class order, from classOrder's permutation. */
export function reorder(values: number[], width: number, order: number[] | undefined): number[] {
  if (!order) return values;
  if (width === 1) return order[1] === 1 ? values : values.map((p) => 1 - p); // binary, classes swapped
  const out = new Array<number>(values.length);
  for (let r = 0; r < values.length / width; r++) for (let c = 0; c < width; c++) out[r * width + c] = values[r * width + order[c]!]!;
  return out;
}
