/**
 * REST JSON <-> Tensor, as TF Serving's util/json_tensor.cc converts them: row `instances`
 * (one entry per example, objects keyed by input name unless the signature has one input)
 * and columnar `inputs`, typed by the signature's input dtypes; `{"b64": ...}` for bytes;
 * responses with float32 values written at float precision (0.2, not 0.20000000298) with a
 * trailing `.0` on whole numbers, NaN/Infinity as bare tokens, and a lone output unwrapped.
 * `null` is a tsfx extension: a missing raw feature, which a Model's transform fills.
 */
import { badRequest } from './http-errors.js';
import type { DType, Tensor, TensorInfo } from './servable.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** TF Serving's binary value: an object whose one key is b64, holding a string */
export const isBase64Object = (v: unknown): v is { b64: string } =>
  isObject(v) && Object.keys(v).length === 1 && typeof v.b64 === 'string';

const jsonType = (v: unknown) =>
  v === null
    ? 'Null'
    : Array.isArray(v)
      ? 'Array'
      : typeof v === 'object'
        ? 'Object'
        : typeof v === 'boolean'
          ? v
            ? 'True'
            : 'False'
          : typeof v === 'string'
            ? 'String'
            : 'Number';
const debug = (v: unknown) => {
  const s = Number.isNaN(v) ? 'NaN' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v);
  return s.length > 256 ? `${s.slice(0, 256)}…` : s;
};
const dtypeWord: Record<DType, string> = {
  DT_FLOAT: 'float',
  DT_DOUBLE: 'double',
  DT_INT32: 'int32',
  DT_INT64: 'int64',
  DT_STRING: 'string',
  DT_BOOL: 'bool',
};

const utf8 = new TextEncoder();

function decodeBase64(v: { b64: string }, where: string): Uint8Array {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(v.b64) || v.b64.replace(/=+$/, '').length % 4 === 1)
    throw badRequest(`${where}: Unable to base64 decode ${debug(v.b64)}`);
  return new Uint8Array(Buffer.from(v.b64, 'base64'));
}

/** One leaf checked against the dtype; null marks a missing value. */
function leaf(v: unknown, dtype: DType, where: string): number | boolean | Uint8Array | null {
  const typeError = () =>
    badRequest(`${where}: JSON Value: ${debug(v)} Type: ${jsonType(v)} is not of expected type: ${dtypeWord[dtype]}`);
  if (v === null) return null;
  switch (dtype) {
    case 'DT_FLOAT':
    case 'DT_DOUBLE':
      if (typeof v !== 'number') throw typeError();
      return v;
    case 'DT_INT32':
    case 'DT_INT64':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError();
      if (dtype === 'DT_INT32' && (v > 2147483647 || v < -2147483648)) throw typeError();
      return v;
    case 'DT_BOOL':
      if (typeof v !== 'boolean') throw typeError();
      return v;
    case 'DT_STRING':
      if (typeof v === 'string') return utf8.encode(v);
      if (isBase64Object(v)) return decodeBase64(v, where);
      throw typeError();
  }
}

/** A value (scalar or nested list) as a tensor of `dtype`: shape from the nesting, ragged lists refused. */
export function tensorOfJson(value: unknown, dtype: DType, where: string): Tensor {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  const values: (number | boolean | Uint8Array)[] = [];
  const missing: boolean[] = [];
  let anyMissing = false;
  const walk = (v: unknown, level: number, at: string) => {
    if (Array.isArray(v)) {
      if (level >= shape.length)
        throw badRequest(`${at}: Encountered list at unexpected level: ${level} expected < ${shape.length}`);
      if (v.length !== shape[level])
        throw badRequest(
          `${at}: Encountered list at unexpected size: ${v.length} at level: ${level} expected size: ${shape[level]} (ragged list)`,
        );
      v.forEach((x, i) => walk(x, level + 1, `${at}[${i}]`));
      return;
    }
    if (level !== shape.length)
      throw badRequest(
        `${at}: JSON Value: ${debug(v)} found at incorrect level: ${level + 1} in the JSON DOM. Expected at level: ${shape.length}`,
      );
    if (isObject(v) && !(dtype === 'DT_STRING' && isBase64Object(v)))
      throw badRequest(`${at}: JSON Value: ${debug(v)} Type: Object is not of expected type: ${dtypeWord[dtype]}`);
    const x = leaf(v, dtype, at);
    missing.push(x === null);
    if (x === null) anyMissing = true;
    values.push(x ?? (dtype === 'DT_STRING' ? new Uint8Array(0) : dtype === 'DT_BOOL' ? false : NaN));
  };
  walk(value, 0, where);
  return { dtype, shape, values: values as Tensor['values'], ...(anyMissing ? { missing } : {}) };
}

/** Several tensors, one per example, stacked along a new batch dimension; shapes must agree. */
function stack(parts: Tensor[], name: string): Tensor {
  const first = parts[0]!;
  const values: unknown[] = [];
  const missing: boolean[] = [];
  let anyMissing = false;
  parts.forEach((t, i) => {
    if (t.shape.join(',') !== first.shape.join(','))
      throw badRequest(
        `instances[${i}].${name}: Expecting shape [${first.shape.join(',')}] but got: [${t.shape.join(',')}] (instances[0] has [${first.shape.join(',')}]; one batch needs one shape)`,
      );
    for (const v of t.values) values.push(v);
    if (t.missing) anyMissing = true;
    for (let k = 0; k < t.values.length; k++) missing.push(t.missing?.[k] ?? false);
  });
  return {
    dtype: first.dtype,
    shape: [parts.length, ...first.shape],
    values: values as Tensor['values'],
    ...(anyMissing ? { missing } : {}),
  };
}

/** A predict body's tensors, typed by the signature's inputs; `format` says how to answer. */
export function tensorsOfPredictBody(
  body: Record<string, unknown>,
  inputs: Record<string, TensorInfo>,
): { format: 'row' | 'columnar'; tensors: Record<string, Tensor> } {
  const names = Object.keys(inputs);
  const hasRows = 'instances' in body;
  const hasCols = 'inputs' in body;
  if (hasRows && hasCols)
    throw badRequest(`Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist`);
  if (!hasRows && !hasCols) throw badRequest(`Missing 'inputs' or 'instances' key`);
  if (names.length === 0) throw badRequest('Failed to get input map for signature');
  const tensors: Record<string, Tensor> = Object.create(null) as Record<string, Tensor>;
  if (hasCols) {
    const val = body.inputs;
    if (!isObject(val) || isBase64Object(val)) {
      if (names.length > 1)
        throw badRequest(
          `inputs is a plain value/list, but expecting an object as multiple input tensors required as per tensorinfo_map (inputs: ${names.join(', ')})`,
        );
      tensors[names[0]!] = tensorOfJson(val, inputs[names[0]!]!.dtype, 'inputs');
    } else {
      for (const key of Object.keys(val))
        if (!Object.hasOwn(inputs, key))
          throw badRequest(`inputs: JSON object: does not have named input: ${key} (inputs: ${names.join(', ')})`);
      for (const name of names) {
        if (!Object.hasOwn(val, name)) throw badRequest(`Missing named input: ${name} in 'inputs' object.`);
        tensors[name] = tensorOfJson(val[name], inputs[name]!.dtype, `inputs.${name}`);
      }
    }
    return { format: 'columnar', tensors };
  }
  const list = body.instances;
  if (!Array.isArray(list)) throw badRequest(`Expecting 'instances' to be an list/array`);
  if (list.length === 0) throw badRequest(`No values in 'instances' array`);
  const keyed = isObject(list[0]) && !isBase64Object(list[0]);
  if (!keyed && names.length > 1)
    throw badRequest(
      `instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map (inputs: ${names.join(', ')})`,
    );
  const perInput: Record<string, Tensor[]> = Object.fromEntries(names.map((n) => [n, []]));
  list.forEach((elem, i) => {
    const isElemObject = isObject(elem) && !isBase64Object(elem);
    if (keyed) {
      if (!isElemObject) throw badRequest(`Expecting object but got list at item ${i} of input list`);
      for (const key of Object.keys(elem))
        if (!Object.hasOwn(inputs, key))
          throw badRequest(
            `Failed to process element: ${i} key: ${key} of 'instances' list. Error: JSON object: does not have named input: ${key} (inputs: ${names.join(', ')})`,
          );
      const absent = names.filter((n) => !Object.hasOwn(elem, n));
      if (absent.length)
        throw badRequest(
          `Failed to process element: ${i} of 'instances' list: missing input${absent.length > 1 ? 's' : ''} ${absent.map((a) => `'${a}'`).join(', ')}; keys must be equal to: ${names.join(',')}`,
        );
      for (const n of names) perInput[n]!.push(tensorOfJson(elem[n], inputs[n]!.dtype, `instances[${i}].${n}`));
    } else {
      if (isElemObject) throw badRequest(`Expecting value/list but got object at item ${i} of input list`);
      perInput[names[0]!]!.push(tensorOfJson(elem, inputs[names[0]!]!.dtype, `instances[${i}]`));
    }
  });
  for (const n of names) tensors[n] = stack(perInput[n]!, n);
  return { format: 'row', tensors };
}

/** TF Serving's WriteDecimal for float32: %g at 6 digits, 9 if that does not round-trip; '.0' on whole numbers. */
export function formatFloat(v: number, float32 = true): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v < 0 ? '-Infinity' : 'Infinity';
  const round = float32 ? Math.fround : (x: number) => x;
  let s = formatG(v, 6);
  if (round(Number(s)) !== round(v)) s = formatG(v, float32 ? 9 : 17);
  if (!s.includes('.') && !s.includes('e')) s += '.0';
  return s;
}

/** C's printf %.{p}g: fixed or exponent notation by the exponent, trailing zeros dropped, exponent of 2+ digits. */
function formatG(v: number, p: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expText] = v.toExponential(p - 1).split('e') as [string, string];
  const x = Number(expText);
  const strip = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (x < -4 || x >= p) {
    const e = Math.abs(x) < 10 ? `0${Math.abs(x)}` : String(Math.abs(x));
    return `${strip(mant)}e${x < 0 ? '-' : '+'}${e}`;
  }
  return strip(v.toFixed(Math.max(0, p - 1 - x)));
}

const utf8Decoder = new TextDecoder();

function leafJson(t: Tensor, k: number, asBytes: boolean): string {
  const v = t.values[k];
  switch (t.dtype) {
    case 'DT_FLOAT':
      return formatFloat(v as number);
    case 'DT_DOUBLE':
      return formatFloat(v as number, false);
    case 'DT_BOOL':
      return v ? 'true' : 'false';
    case 'DT_STRING': {
      const bytes = v as Uint8Array;
      return asBytes
        ? `{"b64": ${JSON.stringify(Buffer.from(bytes).toString('base64'))}}`
        : JSON.stringify(utf8Decoder.decode(bytes));
    }
    default:
      return String(v);
  }
}

/** A tensor's values from dimension `dim` on as JSON text; `offset` advances through the values. */
function valuesJson(t: Tensor, dim: number, offset: { k: number }, asBytes: boolean): string {
  if (dim >= t.shape.length) return leafJson(t, offset.k++, asBytes);
  const parts: string[] = [];
  for (let i = 0; i < t.shape[dim]!; i++) parts.push(valuesJson(t, dim + 1, offset, asBytes));
  return `[${parts.join(', ')}]`;
}

// TF Serving writes a DT_STRING output as {"b64": ...} when its name ends in _bytes
const bytesName = (name: string, t: Tensor) => t.dtype === 'DT_STRING' && name.endsWith('_bytes');

/** The predict response body: `predictions` (rows) or `outputs` (columnar); one output unwrapped. */
export function predictResponseJson(outputs: Record<string, Tensor>, format: 'row' | 'columnar'): string {
  const names = Object.keys(outputs);
  if (names.length === 0) throw badRequest('Cannot convert empty tensor map to JSON');
  const single = names.length === 1;
  if (format === 'columnar') {
    const parts = names.map((n) => {
      const text = valuesJson(outputs[n]!, 0, { k: 0 }, bytesName(n, outputs[n]!));
      return single ? text : `${JSON.stringify(n)}: ${text}`;
    });
    return `{\n    "outputs": ${single ? parts[0] : `{\n        ${parts.join(',\n        ')}\n    }`}\n}`;
  }
  let batch = -1;
  for (const n of names) {
    const t = outputs[n]!;
    if (t.shape.length === 0) throw badRequest(`Tensor name: ${n} has no shape information `);
    if (batch >= 0 && t.shape[0] !== batch)
      throw badRequest(`Tensor name: ${n} has inconsistent batch size: ${t.shape[0]} expecting: ${batch}`);
    batch = t.shape[0]!;
  }
  const offsets = Object.fromEntries(names.map((n) => [n, { k: 0 }]));
  const rows: string[] = [];
  for (let i = 0; i < batch; i++) {
    const cells = names.map((n) => {
      const text = valuesJson(outputs[n]!, 1, offsets[n]!, bytesName(n, outputs[n]!));
      return single ? text : `${JSON.stringify(n)}: ${text}`;
    });
    rows.push(single ? cells[0]! : `{${cells.join(', ')}}`);
  }
  return `{\n    "predictions": [\n        ${rows.join(',\n        ')}\n    ]\n}`;
}
