/**
 * TensorProto <-> the serving contract's Tensor. A client may send a tensor's values either as
 * raw little-endian bytes (`tensor_content`, what `tf.make_tensor_proto` writes for numeric
 * arrays of more than one element) or in the typed `*_val` field of its dtype (scalars, strings,
 * hand-built protos); one typed value stands for every element, as TensorFlow's decoder allows.
 * Answers go out as `tensor_content` for numbers (one copy, no per-value varints) and
 * `string_val` for strings, which `tf.make_ndarray` reads either way.
 */
import { invalidArgument } from './status.js';
import type { DType, Tensor } from '../servable.js';

/** A decoded TensorProto, as protobufjs' toObject gives it (camelCase, longs as numbers, enums as names). */
export interface TensorProtoObject {
  dtype?: string;
  tensorShape?: { dim?: { size?: number }[]; unknownRank?: boolean };
  tensorContent?: Uint8Array;
  floatVal?: number[];
  doubleVal?: number[];
  intVal?: number[];
  int64Val?: number[];
  boolVal?: boolean[];
  stringVal?: Uint8Array[];
}

/** tensorflow.DataType numbers of the dtypes served (types.proto). */
export const DATA_TYPE_NUMBER: Record<DType, number> = {
  DT_FLOAT: 1,
  DT_DOUBLE: 2,
  DT_INT32: 3,
  DT_STRING: 7,
  DT_INT64: 9,
  DT_BOOL: 10,
};

/** narrow integer dtypes travel in int_val as TensorFlow does, and are served as DT_INT32 */
const AS_INT32 = new Set(['DT_INT8', 'DT_UINT8', 'DT_INT16', 'DT_UINT16']);

/** bytes per element in tensor_content, and how to read element i */
const CONTENT: Record<string, { size: number; read: (v: DataView, at: number) => number | boolean }> = {
  DT_FLOAT: { size: 4, read: (v, at) => v.getFloat32(at, true) },
  DT_DOUBLE: { size: 8, read: (v, at) => v.getFloat64(at, true) },
  DT_INT32: { size: 4, read: (v, at) => v.getInt32(at, true) },
  DT_INT64: { size: 8, read: (v, at) => Number(v.getBigInt64(at, true)) },
  DT_BOOL: { size: 1, read: (v, at) => v.getUint8(at) !== 0 },
  DT_INT8: { size: 1, read: (v, at) => v.getInt8(at) },
  DT_UINT8: { size: 1, read: (v, at) => v.getUint8(at) },
  DT_INT16: { size: 2, read: (v, at) => v.getInt16(at, true) },
  DT_UINT16: { size: 2, read: (v, at) => v.getUint16(at, true) },
};

function typedValues(t: TensorProtoObject, dtype: string): unknown[] {
  if (dtype === 'DT_FLOAT') return t.floatVal ?? [];
  if (dtype === 'DT_DOUBLE') return t.doubleVal ?? [];
  if (dtype === 'DT_INT64') return t.int64Val ?? [];
  if (dtype === 'DT_BOOL') return t.boolVal ?? [];
  if (dtype === 'DT_STRING') return t.stringVal ?? [];
  return t.intVal ?? [];
}

/**
 * Decode input `name` of a request. Unknown rank, negative dims, an unsupported dtype, or a
 * value count that is neither the shape's element count nor 1 are INVALID_ARGUMENT naming it.
 */
export function tensorFromProto(t: TensorProtoObject, name: string): Tensor {
  const dtype = t.dtype ?? 'DT_INVALID';
  if (!(dtype in DATA_TYPE_NUMBER) && !AS_INT32.has(dtype))
    throw invalidArgument(`input '${name}': dtype ${dtype} is not supported (use DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64, DT_STRING or DT_BOOL)`);
  if (t.tensorShape?.unknownRank) throw invalidArgument(`input '${name}': the tensor's rank is unknown; send its full shape`);
  // no tensor_shape at all is a scalar, as in TensorFlow
  const shape = (t.tensorShape?.dim ?? []).map((d) => Number(d.size ?? 0));
  const bad = shape.find((d) => !Number.isSafeInteger(d) || d < 0);
  if (bad !== undefined) throw invalidArgument(`input '${name}': dimension ${bad} in shape [${shape.join(',')}] is not a size`);
  const n = shape.reduce((a, d) => a * d, 1);
  const served: DType = AS_INT32.has(dtype) ? 'DT_INT32' : (dtype as DType);
  const content = t.tensorContent;
  if (content && content.length > 0) {
    const how = CONTENT[dtype];
    if (!how) throw invalidArgument(`input '${name}': ${dtype} cannot be sent as tensor_content; use string_val`);
    if (content.length !== n * how.size)
      throw invalidArgument(`input '${name}': tensor_content has ${content.length} bytes, shape [${shape.join(',')}] of ${dtype} needs ${n * how.size}`);
    const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
    const values = new Array<number | boolean>(n);
    for (let i = 0; i < n; i++) values[i] = how.read(view, i * how.size);
    return { dtype: served, shape, values: values as number[] | boolean[] };
  }
  const given = typedValues(t, dtype);
  if (given.length === n) return { dtype: served, shape, values: given as Tensor['values'] };
  // TensorFlow reads one value as every element's (tf.make_tensor_proto(1.0, shape=[2, 3]))
  if (given.length === 1) return { dtype: served, shape, values: new Array(n).fill(given[0]) as Tensor['values'] };
  throw invalidArgument(`input '${name}': ${given.length} values for shape [${shape.join(',')}], which holds ${n}`);
}

/** The TensorProto of an answer's tensor, ready for protobufjs' encode (enum as its number). */
export function tensorToProto(t: Tensor): Record<string, unknown> {
  const tensorShape = { dim: t.shape.map((size) => ({ size })) };
  const dtype = DATA_TYPE_NUMBER[t.dtype];
  if (t.dtype === 'DT_STRING') return { dtype, tensorShape, stringVal: t.values };
  const n = t.values.length;
  const size = CONTENT[t.dtype]!.size;
  const bytes = new Uint8Array(n * size);
  const view = new DataView(bytes.buffer);
  const values = t.values as (number | boolean)[];
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (t.dtype === 'DT_FLOAT') view.setFloat32(i * 4, v as number, true);
    else if (t.dtype === 'DT_DOUBLE') view.setFloat64(i * 8, v as number, true);
    else if (t.dtype === 'DT_INT32') view.setInt32(i * 4, v as number, true);
    else if (t.dtype === 'DT_INT64') view.setBigInt64(i * 8, BigInt(v as number), true);
    else view.setUint8(i, v ? 1 : 0);
  }
  return { dtype, tensorShape, tensorContent: bytes };
}
