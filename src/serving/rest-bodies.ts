/**
 * The REST bodies other than predict tensors, shaped as TF Serving writes them: status and
 * metadata as its protobuf JSON printer does (snake_case field names, int64 as strings, enum
 * names, empty fields printed), :classify/:regress `examples` and `context` read as tf.Examples
 * (json_tensor.cc's MakeExampleFromJsonObject), and their `results`.
 */
import { badRequest } from './http-errors.js';
import { formatFloat, isBase64Object } from './json-tensor.js';
import type { AnsweredBy, ExampleRow, SignatureDef, TensorInfo, VersionStatus } from './servable.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const jsonType = (v: unknown) => (v === null ? 'Null' : Array.isArray(v) ? 'Array' : isObject(v) ? 'Object' : typeof v);
const utf8 = new TextEncoder();

export function statusJson(versions: VersionStatus[]): string {
  return JSON.stringify(
    {
      model_version_status: versions.map((v) => ({
        version: String(v.version),
        state: v.state,
        status: { error_code: v.errorCode, error_message: v.errorMessage },
      })),
    },
    null,
    1,
  );
}

function tensorInfoJson(t: TensorInfo) {
  return {
    dtype: t.dtype,
    tensor_shape: t.shape
      ? { dim: t.shape.map((d) => ({ size: String(d), name: '' })), unknown_rank: false }
      : { dim: [], unknown_rank: true },
    name: t.name,
  };
}

export function metadataJson(by: AnsweredBy, signatures: Record<string, SignatureDef>): string {
  const section = (m: Record<string, TensorInfo>) =>
    Object.fromEntries(Object.entries(m).map(([k, t]) => [k, tensorInfoJson(t)]));
  const defs = Object.fromEntries(
    Object.entries(signatures).map(([name, s]) => [
      name,
      { inputs: section(s.inputs), outputs: section(s.outputs), method_name: s.methodName, defaults: {} },
    ]),
  );
  return JSON.stringify(
    {
      model_spec: { name: by.name, signature_name: by.signatureName, version: String(by.version) },
      metadata: { signature_def: { signature_def: defs } },
    },
    null,
    1,
  );
}

/** One feature of a JSON example: a value or a list of values, each a tf.Example bytes, float or int64. */
function featureOf(name: string, content: unknown, where: string): number[] | Uint8Array[] {
  const items = Array.isArray(content) ? content : [content];
  const out: (number | Uint8Array)[] = [];
  let kind: 'bytes' | 'number' | undefined;
  for (const v of items) {
    let x: number | Uint8Array;
    if (typeof v === 'string') x = utf8.encode(v);
    else if (isBase64Object(v)) x = new Uint8Array(Buffer.from(v.b64, 'base64'));
    else if (typeof v === 'number') x = v;
    else if (typeof v === 'boolean') x = v ? 1 : 0;
    else
      throw badRequest(
        `${where}: Feature: ${name} has element with unexpected JSON type: ${jsonType(v)}${v === null ? ' (leave the feature out, or send [], for a missing value)' : ''}`,
      );
    const k = x instanceof Uint8Array ? 'bytes' : 'number';
    if (kind && k !== kind)
      throw badRequest(
        `${where}: Unexpected element type in feature: ${name} expecting type: ${kind === 'bytes' ? 'bytes' : 'float or int64'}`,
      );
    kind = k;
    out.push(x);
  }
  return out as number[] | Uint8Array[];
}

function exampleOf(val: unknown, where: string): ExampleRow {
  if (!isObject(val)) throw badRequest(`${where}: Example must be JSON object but got JSON ${jsonType(val)}`);
  const row: ExampleRow = Object.create(null) as ExampleRow;
  for (const [name, content] of Object.entries(val)) row[name] = featureOf(name, content, where);
  return row;
}

/** A :classify / :regress body's examples and optional shared context. */
export function examplesOfBody(
  body: Record<string, unknown>,
  api: string,
): { examples: ExampleRow[]; context?: ExampleRow } {
  const context = 'context' in body ? exampleOf(body.context, 'context') : undefined;
  if (!('examples' in body)) throw badRequest(`When method is ${api}, key 'examples' is expected and was not found`);
  if (!Array.isArray(body.examples)) throw badRequest(`Expecting 'examples' value to be an list/array`);
  if (body.examples.length === 0) throw badRequest(`'examples' value is an empty array`);
  return { examples: body.examples.map((e, i) => exampleOf(e, `examples[${i}]`)), ...(context ? { context } : {}) };
}

export function classifyResponseJson(results: { label: string; score: number }[][]): string {
  const rows = results.map(
    (r) => `[${r.map((c) => `[${JSON.stringify(c.label)}, ${formatFloat(c.score)}]`).join(', ')}]`,
  );
  return `{\n    "results": [\n        ${rows.join(',\n        ')}\n    ]\n}`;
}

export function regressResponseJson(results: number[]): string {
  return `{\n    "results": [${results.map((v) => formatFloat(v)).join(', ')}]\n}`;
}
