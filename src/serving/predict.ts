/**
 * The predict verb: a request body in TF Serving's row (`instances`) or columnar (`inputs`)
 * format is checked against the model's inputs (row count, shapes, finite numbers), batched into
 * one tensor per input, run in chunks, and answered in the matching format. Every rejection
 * names the instance, input and shapes.
 */
import type * as tf from '@tensorflow/tfjs';
import { badRequest, ServingError, tooLarge } from './http-errors.js';
import { runInChunks, type Batch, type RunControl } from './run-chunks.js';
import { inputSpecs, outputSpecs, showShape, SIGNATURE_NAME, type TensorSpec } from './signature.js';

type Nested = number | boolean | Nested[];

export interface PredictLimits extends RunControl {
  /** most rows (instances, or the batch size of columnar inputs) one request may hold */
  maxRows?: number;
}

/** Big enough for batch scoring, small enough that one request can't hold a core for minutes. */
export const DEFAULT_MAX_ROWS = 100_000;

/**
 * A model saved with `userDefinedMetadata: {"allowNonFiniteInputs": true}` takes Infinity
 * (a JSON number too large for a double, such as 1e400); any other model refuses it, because
 * its prediction would come back as JSON null with a 200.
 */
export const ALLOW_NON_FINITE = 'allowNonFiniteInputs';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** TF Serving's binary value, `{"b64": "..."}` */
const isBinary = (v: unknown) => isObject(v) && Object.keys(v).length === 1 && typeof v.b64 === 'string';

function binaryUnsupported(where: string): ServingError {
  return badRequest(
    `${where}: binary ({"b64": …}) inputs are not supported by this model: its inputs take numbers, not bytes`,
  );
}

/** The shape of a nested list of numbers; rejects ragged lists, non-numeric leaves and (unless allowed) non-finite numbers. */
function shapeOf(value: unknown, where: string, allowNonFinite: boolean): number[] {
  if (typeof value === 'number') {
    if (!allowNonFinite && !Number.isFinite(value))
      throw badRequest(
        `${where}: ${value} is not a finite number (a JSON number too large for a float?); this model takes finite inputs only`,
      );
    return [];
  }
  if (typeof value === 'boolean') return [];
  if (Array.isArray(value)) {
    if (value.length === 0) return [0];
    const inner = shapeOf(value[0], `${where}[0]`, allowNonFinite);
    for (let i = 1; i < value.length; i++) {
      const s = shapeOf(value[i], `${where}[${i}]`, allowNonFinite);
      if (s.length !== inner.length || s.some((d, k) => d !== inner[k])) {
        throw badRequest(
          `${where}: ragged list: element ${i} has shape ${showShape(s)} but element 0 has ${showShape(inner)}`,
        );
      }
    }
    return [value.length, ...inner];
  }
  if (isObject(value) && 'b64' in value) throw binaryUnsupported(where);
  throw badRequest(`${where}: expected a number or a list, got ${value === null ? 'null' : typeof value}`);
}

function flattenInto(v: Nested, out: (number | boolean)[]): void {
  if (Array.isArray(v)) for (const x of v) flattenInto(x, out);
  else out.push(v);
}

const hasInput = (specs: TensorSpec[], name: string) => specs.some((s) => s.name === name);

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
export function batchFromInstances(instances: unknown, specs: TensorSpec[], allowNonFinite = false): Batch {
  if (!Array.isArray(instances))
    throw badRequest(`'instances' must be a list, got ${instances === null ? 'null' : typeof instances}`);
  if (instances.length === 0) throw badRequest(`'instances' is empty`);
  // a lone {"b64": ...} is a binary value, not an object keyed by an input named b64
  const keyed = specs.length > 1 || (isObject(instances[0]) && !(isBinary(instances[0]) && !hasInput(specs, 'b64')));
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
      const shape = shapeOf(perInput[k], where, allowNonFinite);
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
export function batchFromInputs(inputs: unknown, specs: TensorSpec[], allowNonFinite = false): Batch {
  let perInput: unknown[];
  if (isBinary(inputs) && !hasInput(specs, 'b64')) throw binaryUnsupported('inputs');
  if (isObject(inputs)) perInput = namedValues(inputs, specs, `inputs`);
  else if (specs.length === 1) perInput = [inputs];
  else
    throw badRequest(
      `the model has ${specs.length} inputs (${specs.map((s) => s.name).join(', ')}): 'inputs' must be an object keyed by input name`,
    );
  const tensors = specs.map((spec, k) => {
    const where = isObject(inputs) ? `inputs.${spec.name}` : 'inputs';
    const shape = shapeOf(perInput[k], where, allowNonFinite);
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

/** Rows in the request, counted before any of it is checked or copied. */
function rowCount(body: Record<string, unknown>): number {
  const length = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  if ('instances' in body) return length(body.instances);
  return isObject(body.inputs) ? Math.max(0, ...Object.values(body.inputs).map(length)) : length(body.inputs);
}

/** Answer a parsed :predict body. */
export async function predict(
  model: tf.LayersModel,
  body: unknown,
  limits: PredictLimits = {},
): Promise<Record<string, unknown>> {
  if (!isObject(body)) throw badRequest('the request body must be a JSON object');
  const sig = body.signature_name;
  if (sig !== undefined && sig !== '' && sig !== SIGNATURE_NAME) {
    throw badRequest(`unknown signature_name '${String(sig)}' (the model has '${SIGNATURE_NAME}')`);
  }
  const hasRows = 'instances' in body;
  const hasCols = 'inputs' in body;
  if (hasRows === hasCols)
    throw badRequest(`the request needs exactly one of 'instances' (row format) or 'inputs' (columnar format)`);
  const maxRows = limits.maxRows ?? DEFAULT_MAX_ROWS;
  const rows = rowCount(body);
  if (rows > maxRows)
    throw tooLarge(`the request has ${rows} rows; this server takes at most ${maxRows} rows per request (--max-rows)`);
  const specs = inputSpecs(model);
  const allowNonFinite =
    (model.getUserDefinedMetadata() as Record<string, unknown> | undefined)?.[ALLOW_NON_FINITE] === true;
  const batch = hasRows
    ? batchFromInstances(body.instances, specs, allowNonFinite)
    : batchFromInputs(body.inputs, specs, allowNonFinite);
  let outputs: unknown[];
  try {
    outputs = await runInChunks(model, batch, limits);
  } catch (err) {
    if (err instanceof ServingError) throw err;
    throw badRequest(`prediction failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const names = outputSpecs(model).map((s) => s.name);
  if (!hasRows)
    return { outputs: names.length === 1 ? outputs[0] : Object.fromEntries(names.map((n, k) => [n, outputs[k]])) };
  if (names.length === 1) return { predictions: outputs[0] };
  const n = batch.tensors[0]!.shape[0]!;
  const rowsOut = Array.from({ length: n }, (_, i) =>
    Object.fromEntries(names.map((name, k) => [name, (outputs[k] as unknown[])[i]])),
  );
  return { predictions: rowsOut };
}
