/**
 * TF Serving's request messages into the serving contract's shapes, and the contract's answers
 * into TF Serving's response messages (as plain objects for protobufjs' encode: camelCase
 * fields, enums as numbers, int64 as numbers).
 */
import { tensorFromProto, tensorToProto, DATA_TYPE_NUMBER, type TensorProtoObject } from './tensor-proto.js';
import { invalidArgument } from './status.js';
import type { AnsweredBy, ExampleRow, ModelSpec, SignatureDef, Tensor, VersionStatus } from '../servable.js';

export interface ModelSpecObject {
  name?: string;
  version?: { value?: number };
  versionLabel?: string;
  signatureName?: string;
}

/** A request's ModelSpec; no name is INVALID_ARGUMENT, as TF Serving answers "Missing ModelSpec". */
export function modelSpecFrom(spec: ModelSpecObject | undefined): ModelSpec {
  if (!spec?.name) throw invalidArgument('Missing ModelSpec: the request names no model (model_spec.name)');
  const out: ModelSpec = { name: spec.name };
  if (spec.version) out.version = Number(spec.version.value ?? 0);
  if (spec.versionLabel) out.label = spec.versionLabel;
  if (spec.signatureName) out.signatureName = spec.signatureName;
  return out;
}

export function inputsFrom(inputs: Record<string, TensorProtoObject> | undefined): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(inputs ?? {})) out[name] = tensorFromProto(t, name);
  return out;
}

export const modelSpecOf = (a: AnsweredBy) => ({ name: a.name, version: { value: a.version }, signatureName: a.signatureName });

export function outputsOf(outputs: Record<string, Tensor>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(outputs)) out[name] = tensorToProto(t);
  return out;
}

interface FeatureObject {
  bytesList?: { value?: Uint8Array[] };
  floatList?: { value?: number[] };
  int64List?: { value?: number[] };
}
interface ExampleObject {
  features?: { feature?: Record<string, FeatureObject> };
}
export interface InputObject {
  exampleList?: { examples?: ExampleObject[] };
  exampleListWithContext?: { examples?: ExampleObject[]; context?: ExampleObject };
}

function rowOf(example: ExampleObject): ExampleRow {
  const row: ExampleRow = {};
  for (const [name, f] of Object.entries(example.features?.feature ?? {}))
    row[name] = f.bytesList?.value ?? f.floatList?.value ?? f.int64List?.value ?? [];
  return row;
}

/** Classify/Regress input: the examples, and the context features every one shares. */
export function examplesFrom(input: InputObject | undefined): { examples: ExampleRow[]; context?: ExampleRow } {
  const list = input?.exampleList ?? input?.exampleListWithContext;
  const examples = (list?.examples ?? []).map(rowOf);
  // TF Serving: "Input is empty" when no examples came
  if (examples.length === 0) throw invalidArgument('Input is empty: input.example_list (or example_list_with_context) holds no examples');
  const context = input?.exampleListWithContext?.context;
  return context ? { examples, context: rowOf(context) } : { examples };
}

const tensorInfoOf = (i: SignatureDef['inputs'][string]) => ({
  name: i.name,
  dtype: DATA_TYPE_NUMBER[i.dtype],
  tensorShape: i.shape ? { dim: i.shape.map((size) => ({ size })) } : { unknownRank: true },
});

const infoMap = (m: Record<string, SignatureDef['inputs'][string]>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, tensorInfoOf(v)]));

/** The SignatureDefMap GetModelMetadata packs in its Any. */
export const signatureDefMapOf = (signatures: Record<string, SignatureDef>) => ({
  signatureDef: Object.fromEntries(
    Object.entries(signatures).map(([k, s]) => [k, { methodName: s.methodName, inputs: infoMap(s.inputs), outputs: infoMap(s.outputs) }]),
  ),
});

/** ModelVersionStatus.State numbers (get_model_status.proto). */
const STATE_NUMBER: Record<VersionStatus['state'], number> = { UNKNOWN: 0, START: 10, LOADING: 20, AVAILABLE: 30, UNLOADING: 40, END: 50 };
/** tensorflow.error.Code numbers (error_codes.proto) */
const CODES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

export const versionStatusOf = (v: VersionStatus) => ({
  version: v.version,
  state: STATE_NUMBER[v.state],
  status: { errorCode: Math.max(0, CODES.indexOf(v.errorCode)), errorMessage: v.errorMessage },
});
