/**
 * The TensorProto codec through real protobuf bytes: every served dtype both ways (tensor_content
 * and the typed fields), the one-value broadcast, and the inputs it must refuse, by name.
 */
import { describe, expect, it } from 'vitest';
import { protoType } from '../../../src/io/proto.js';
import { tensorFromProto, tensorToProto, type TensorProtoObject } from '../../../src/serving/grpc/tensor-proto.js';
import { ServingError } from '../../../src/serving/http-errors.js';
import type { Tensor } from '../../../src/serving/servable.js';

const TensorProto = protoType('tensorflow/core/framework/tensor.proto', 'tensorflow.TensorProto');
/** bytes on the wire and back, as the server's deserializer reads them */
const wire = (o: Record<string, unknown>): TensorProtoObject =>
  TensorProto.toObject(TensorProto.decode(TensorProto.encode(TensorProto.fromObject(o)).finish()), { longs: Number, enums: String }) as TensorProtoObject;
const shape = (...dims: number[]) => ({ dim: dims.map((size) => ({ size })) });
const le = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

describe('tensorFromProto', () => {
  it('reads tensor_content little-endian for every numeric dtype', () => {
    const f = Float32Array.of(1.5, -2.25, 3, 4e-3, 5, 6);
    expect(tensorFromProto(wire({ dtype: 'DT_FLOAT', tensorShape: shape(2, 3), tensorContent: le(f) }), 'x')).toEqual({ dtype: 'DT_FLOAT', shape: [2, 3], values: Array.from(f) });
    const d = Float64Array.of(0.1, 1e300);
    expect(tensorFromProto(wire({ dtype: 'DT_DOUBLE', tensorShape: shape(2), tensorContent: le(d) }), 'x').values).toEqual([0.1, 1e300]);
    const i = BigInt64Array.of(-5n, 2n ** 40n);
    expect(tensorFromProto(wire({ dtype: 'DT_INT64', tensorShape: shape(2, 1), tensorContent: le(i) }), 'x').values).toEqual([-5, 2 ** 40]);
    expect(tensorFromProto(wire({ dtype: 'DT_INT32', tensorShape: shape(2), tensorContent: le(Int32Array.of(-7, 9)) }), 'x').values).toEqual([-7, 9]);
    expect(tensorFromProto(wire({ dtype: 'DT_BOOL', tensorShape: shape(3), tensorContent: Uint8Array.of(1, 0, 1) }), 'x').values).toEqual([true, false, true]);
    // narrow ints are served as DT_INT32
    expect(tensorFromProto(wire({ dtype: 'DT_INT8', tensorShape: shape(2), tensorContent: Uint8Array.of(0xff, 3) }), 'x')).toEqual({ dtype: 'DT_INT32', shape: [2], values: [-1, 3] });
  });

  it('reads the typed fields, broadcasts one value, and treats no shape as a scalar', () => {
    expect(tensorFromProto(wire({ dtype: 'DT_FLOAT', tensorShape: shape(3), floatVal: [0.5] }), 'x').values).toEqual([0.5, 0.5, 0.5]);
    expect(tensorFromProto(wire({ dtype: 'DT_INT64', tensorShape: shape(2), int64Val: [3, -4] }), 'x').values).toEqual([3, -4]);
    const s = tensorFromProto(wire({ dtype: 'DT_STRING', tensorShape: shape(2), stringVal: [Buffer.from('Biscoe'), Buffer.from([0, 255])] }), 'x');
    expect((s.values as Uint8Array[]).map((b) => Array.from(b))).toEqual([Array.from(Buffer.from('Biscoe')), [0, 255]]);
    expect(tensorFromProto(wire({ dtype: 'DT_DOUBLE', doubleVal: [7] }), 'x')).toEqual({ dtype: 'DT_DOUBLE', shape: [], values: [7] });
    expect(tensorFromProto(wire({ dtype: 'DT_FLOAT', tensorShape: shape(0, 4) }), 'x').values).toEqual([]);
  });

  it('refuses, naming the input: wrong value counts, content sizes, dtypes and shapes', () => {
    const refuse = (o: Record<string, unknown>, re: RegExp) => {
      const err = (() => {
        try {
          tensorFromProto(wire(o), 'Island');
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ServingError);
      expect((err as ServingError).statusCode).toBe(400);
      expect((err as Error).message).toMatch(/input 'Island'/);
      expect((err as Error).message).toMatch(re);
    };
    refuse({ dtype: 'DT_FLOAT', tensorShape: shape(3), floatVal: [1, 2] }, /2 values for shape \[3\]/);
    refuse({ dtype: 'DT_FLOAT', tensorShape: shape(2), tensorContent: Uint8Array.of(1, 2, 3) }, /3 bytes.*needs 8/);
    refuse({ dtype: 'DT_HALF', tensorShape: shape(1), halfVal: [1] }, /DT_HALF is not supported/);
    refuse({ dtype: 'DT_STRING', tensorShape: shape(1), tensorContent: Uint8Array.of(65) }, /string_val/);
    refuse({ dtype: 'DT_FLOAT', tensorShape: { unknownRank: true } }, /rank is unknown/);
    refuse({ dtype: 'DT_FLOAT', tensorShape: shape(-1), floatVal: [1] }, /-1/);
    refuse({ tensorShape: shape(1), floatVal: [1] }, /DT_INVALID/);
  });
});

describe('tensorToProto', () => {
  it('writes what tensorFromProto reads back, for every served dtype', () => {
    const tensors: Tensor[] = [
      { dtype: 'DT_FLOAT', shape: [2, 2], values: [1.5, -2, 0, 3.25] },
      { dtype: 'DT_DOUBLE', shape: [1], values: [0.1] },
      { dtype: 'DT_INT32', shape: [2], values: [-3, 4] },
      { dtype: 'DT_INT64', shape: [2], values: [-(2 ** 40), 5] },
      { dtype: 'DT_BOOL', shape: [2], values: [false, true] },
    ];
    for (const t of tensors) expect(tensorFromProto(wire(tensorToProto(t)), 'out')).toEqual(t);
    const s = tensorFromProto(wire(tensorToProto({ dtype: 'DT_STRING', shape: [1], values: [Buffer.from('Adelie')] })), 'out');
    expect(Buffer.from(s.values[0] as Uint8Array).toString()).toBe('Adelie');
  });
});
