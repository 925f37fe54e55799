/**
 * The predict verb: a request body in TF Serving's row (`instances`) or columnar (`inputs`)
 * format is checked against the model's inputs, batched into one tensor per input, run once,
 * and answered in the matching format. Every rejection names the instance, input and shapes.
 */
import * as tf from '@tensorflow/tfjs';
import { badRequest } from './http-errors.js';
import { inputSpecs, outputSpecs, showShape, SIGNATURE_NAME, type TensorSpec } from './signature.js';

type Nested = number | boolean | Nested[];

interface Batch {
  /** per model input, in model order: full shape (batch first) and flat values */
  tensors: { shape: number[]; values: (number | boolean)[] }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The shape of a nested list of numbers; rejects ragged lists and non-numeric leaves. */
function shapeOf(value: unknown, where: string): number[] {
  if (typeof value === 'number' || typeof value === 'boolean') return [];
  if (Array.isArray(value)) {
    if (value.length === 0) return [0];
    const inner = shapeOf(value[0], `${where}[0]`);
    for (let i = 1; i < value.length; i++) {
      const s = shapeOf(value[i], `${where}[${i}]`);
      if (s.length !== inner.length || s.some((d, k) => d !== inner[k])) {
        throw badRequest(
          `${where}: ragged list: element ${i} has shape ${showShape(s)} but element 0 has ${showShape(inner)}`,
        );
      }
    }
    return [value.length, ...inner];
  }
  if (isObject(value) && 'b64' in value)
    throw badRequest(`${where}: binary ({"b64": …}) inputs are not supported; send numbers`);
  throw badRequest(`${where}: expected a number or a list, got ${value === null ? 'null' : typeof value}`);
}

function flattenInto(v: Nested, out: (number | boolean)[]): void {
  if (Array.isArray(v)) for (const x of v) flattenInto(x, out);
  else out.push(v);
}

function checkShape(spec: TensorSpec, expected: (number | null)[], got: number[], where: string): void {
  const ok = expected.length === got.length && expected.every((d, k) => d === null || d === got[k]);
  if (!ok)
    throw badRequest(`${where}: input '${spec.name}' expects shape ${showShape(expected)} but got ${showShape(got)}`);
}

function namedValues(obj: Record<string, unknown>, specs: TensorSpec[], where: string): unknown[] {
  const names = specs.map((s) => s.name);
  for (const key of Object.keys(obj)) {
    if (!names.includes(key)) throw badRequest(`${where}: unknown input '${key}' (model inputs: ${names.join(', ')})`);
  }
  return specs.map((s) => {
    if (!(s.name in obj)) throw badRequest(`${where}: missing input '${s.name}' (model inputs: ${names.join(', ')})`);
    return obj[s.name];
  });
}

/** Row format: one entry per example, a bare value for one-input models or an object by input name. */
export function batchFromInstances(instances: unknown, specs: TensorSpec[]): Batch {
  if (!Array.isArray(instances))
    throw badRequest(`'instances' must be a list, got ${instances === null ? 'null' : typeof instances}`);
  if (instances.length === 0) throw badRequest(`'instances' is empty`);
  const keyed = specs.length > 1 || isObject(instances[0]);
  const first: number[][] = [];
  const values: (number | boolean)[][] = specs.map(() => []);
  instances.forEach((inst, i) => {
    let perInput: unknown[];
    if (keyed) {
      if (!isObject(inst)) {
        throw badRequest(
          `instances[${i}]: expected an object keyed by input name (${specs.map((s) => s.name).join(', ')}), got ${Array.isArray(inst) ? 'a list' : typeof inst}`,
        );
      }
      perInput = namedValues(inst, specs, `instances[${i}]`);
    } else {
      perInput = [inst];
    }
    specs.forEach((spec, k) => {
      const where = keyed ? `instances[${i}].${spec.name}` : `instances[${i}]`;
      const shape = shapeOf(perInput[k], where);
      checkShape(spec, spec.shape.slice(1), shape, where);
      if (i === 0) first[k] = shape;
      else if (showShape(shape) !== showShape(first[k]!)) {
        throw badRequest(
          `${where}: input '${spec.name}' has shape ${showShape(shape)} but instances[0] has ${showShape(first[k]!)}; one batch needs one shape`,
        );
      }
      flattenInto(perInput[k] as Nested, values[k]!);
    });
  });
  return { tensors: specs.map((_, k) => ({ shape: [instances.length, ...first[k]!], values: values[k]! })) };
}

/** Columnar format: one tensor (batch first) for one-input models, or an object by input name. */
export function batchFromInputs(inputs: unknown, specs: TensorSpec[]): Batch {
  let perInput: unknown[];
  if (isObject(inputs)) perInput = namedValues(inputs, specs, `inputs`);
  else if (specs.length === 1) perInput = [inputs];
  else
    throw badRequest(
      `the model has ${specs.length} inputs (${specs.map((s) => s.name).join(', ')}): 'inputs' must be an object keyed by input name`,
    );
  const tensors = specs.map((spec, k) => {
    const where = isObject(inputs) ? `inputs.${spec.name}` : 'inputs';
    const shape = shapeOf(perInput[k], where);
    checkShape(spec, spec.shape, shape, where);
    const values: (number | boolean)[] = [];
    flattenInto(perInput[k] as Nested, values);
    return { shape, values };
  });
  const sizes = tensors.map((t) => t.shape[0]);
  if (new Set(sizes).size > 1)
    throw badRequest(`inputs disagree on the batch size: ${specs.map((s, k) => `${s.name}=${sizes[k]}`).join(', ')}`);
  return { tensors };
}

/** Run the model once on the whole batch; plain arrays out, every tensor disposed. */
export function runBatch(model: tf.LayersModel, batch: Batch): unknown[] {
  const specs = inputSpecs(model);
  const outs = tf.tidy(() => {
    const xs = batch.tensors.map((t, k) => tf.tensor(t.values as number[], t.shape, specs[k]!.dtype));
    const y = model.predict(xs.length === 1 ? xs[0]! : xs);
    return Array.isArray(y) ? y : [y];
  });
  try {
    return outs.map((t) => t.arraySync());
  } finally {
    tf.dispose(outs);
  }
}

/** Answer a parsed :predict body. */
export function predict(model: tf.LayersModel, body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw badRequest('the request body must be a JSON object');
  const sig = body.signature_name;
  if (sig !== undefined && sig !== '' && sig !== SIGNATURE_NAME) {
    throw badRequest(`unknown signature_name '${String(sig)}' (the model has '${SIGNATURE_NAME}')`);
  }
  const hasRows = 'instances' in body;
  const hasCols = 'inputs' in body;
  if (hasRows === hasCols)
    throw badRequest(`the request needs exactly one of 'instances' (row format) or 'inputs' (columnar format)`);
  const specs = inputSpecs(model);
  const batch = hasRows ? batchFromInstances(body.instances, specs) : batchFromInputs(body.inputs, specs);
  let outputs: unknown[];
  try {
    outputs = runBatch(model, batch);
  } catch (err) {
    throw badRequest(`prediction failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const names = outputSpecs(model).map((s) => s.name);
  if (!hasRows)
    return { outputs: names.length === 1 ? outputs[0] : Object.fromEntries(names.map((n, k) => [n, outputs[k]])) };
  if (names.length === 1) return { predictions: outputs[0] };
  const n = batch.tensors[0]!.shape[0]!;
  const rows = Array.from({ length: n }, (_, i) =>
    Object.fromEntries(names.map((name, k) => [name, (outputs[k] as unknown[])[i]])),
  );
  return { predictions: rows };
}
