/**
 * Reads one Arrow column (a RecordBatch child `Data`) the way the statistics need it, straight
 * from its buffers: which rows are present, how many values each has, and the leaf values of
 * the present rows as numbers or byte ranges. No row objects and no per-value Arrow accessor
 * on the common types (Int*, Float32/64, Utf8, Binary and List/FixedSizeList of them).
 *
 * Index conventions of apache-arrow's sliced Data, which everything here relies on: element
 * i of a Data is `values[i]` (fixed width) or `values[valueOffsets[i] .. valueOffsets[i+1])`
 * (variable width), and its validity bit is bit `offset + i` of the (unsliced) null bitmap.
 */
import { DataType, makeVector, type Data } from 'apache-arrow';
import { DataError } from '../errors.js';
import { validity } from '../io/arrow-validity.js';

export type ValueKind = 'int' | 'float' | 'bytes';

export interface ColumnLayout {
  /** null for an Arrow Null column: no type to infer */
  kind: ValueKind | null;
  rows: number;
  /** 1 = present, 0 = null; undefined when every row is present */
  present: Uint8Array | undefined;
  /** list offsets per row (rows + 1 entries) into the leaf; undefined for a plain column */
  offsets: Int32Array | undefined;
  /** FixedSizeList width */
  fixedSize: number;
  leaf: Data;
}

/** The value kind of an Arrow leaf type, or a DataError naming the column. */
export function leafKind(column: string, t: DataType): ValueKind | null {
  if (DataType.isNull(t)) return null;
  if (DataType.isInt(t) || DataType.isBool(t)) return 'int';
  if (DataType.isFloat(t)) return 'float';
  if (DataType.isUtf8(t) || DataType.isBinary(t) || DataType.isLargeUtf8(t) || DataType.isLargeBinary(t)) return 'bytes';
  if (DataType.isDictionary(t)) return leafKind(column, t.dictionary);
  throw new DataError(`column '${column}' has Arrow type ${t}, which has no statistics (expected int, float, string or bytes values)`);
}

/** The value kind of a column's Arrow type (lists: of their items). */
export function typeKind(column: string, t: DataType): ValueKind | null {
  if (DataType.isList(t) || DataType.isLargeList(t) || DataType.isFixedSizeList(t)) return leafKind(column, t.children[0]!.type);
  return leafKind(column, t);
}

export function layoutOf(column: string, data: Data): ColumnLayout {
  const t = data.type;
  const present = validity(data);
  if (DataType.isList(t) || DataType.isLargeList(t)) {
    const raw = data.valueOffsets as Int32Array | BigInt64Array;
    const offsets = raw instanceof Int32Array ? raw : Int32Array.from(raw, Number);
    const leaf = data.children[0]!;
    return { kind: leafKind(column, leaf.type), rows: data.length, present, offsets, fixedSize: 0, leaf };
  }
  if (DataType.isFixedSizeList(t)) {
    const leaf = data.children[0]!;
    return { kind: leafKind(column, leaf.type), rows: data.length, present, offsets: undefined, fixedSize: t.listSize, leaf };
  }
  if (DataType.isStruct(t) || DataType.isMap(t) || DataType.isUnion(t)) {
    throw new DataError(`column '${column}' has nested Arrow type ${t}; only lists of values have statistics`);
  }
  return { kind: leafKind(column, t), rows: data.length, present, offsets: undefined, fixedSize: 0, leaf: data };
}

/** [start, end) of row i's leaf elements. */
export function rowRange(l: ColumnLayout, i: number): [number, number] {
  if (l.offsets) return [l.offsets[i]!, l.offsets[i + 1]!];
  if (l.fixedSize) {
    // a FixedSizeList's child is indexed from the list's own element offset
    const base = i * l.fixedSize;
    return [base, base + l.fixedSize];
  }
  return [i, i + 1];
}

/**
 * The leaf's elements as doubles (the way TFDV converts numbers before averaging: int64 beyond
 * 2^53 rounds to the nearest double). Null leaf elements come out as NaN-free zeros and must be
 * skipped through `validity(leaf)`. Conversions write into `into` when it is large enough
 * (callers reuse one buffer: a fresh 8 MB array per column is mostly garbage-collector work).
 */
export function leafNumbers(leaf: Data, into?: Float64Array): Float64Array {
  const t = leaf.type;
  const n = leaf.length;
  const target = () => (into && into.length >= n ? into.subarray(0, n) : new Float64Array(n));
  if (DataType.isInt(t) && t.bitWidth === 64) {
    const v = leaf.values as BigInt64Array | BigUint64Array;
    const parts = new Int32Array(v.buffer, v.byteOffset, n * 2);
    const out = target();
    const signed = t.isSigned;
    for (let i = 0; i < n; i++) {
      const lo = parts[2 * i]! >>> 0;
      const hi = signed ? parts[2 * i + 1]! : parts[2 * i + 1]! >>> 0;
      // one rounding step: hi * 2^32 is exact, adding lo rounds once
      out[i] = hi * 4294967296 + lo;
    }
    return out;
  }
  if (DataType.isInt(t) || (DataType.isFloat(t) && t.precision !== 0)) {
    const v = leaf.values as Int32Array | Float32Array | Float64Array;
    if (v instanceof Float64Array) return v.subarray(0, n);
    const out = target();
    out.set(v.subarray(0, n));
    return out;
  }
  // Bool, Float16, dictionaries of numbers: Arrow's accessor (rare types)
  const vec = makeVector(leaf);
  const out = target();
  for (let i = 0; i < n; i++) {
    const x = vec.get(i) as number | boolean | bigint | null;
    out[i] = x === null ? 0 : Number(x);
  }
  return out;
}

/** Byte access to a string/binary leaf: element i is bytes[starts[i] .. starts[i+1]). */
export interface LeafBytes {
  bytes: Buffer;
  starts: Int32Array | Float64Array;
}

export function leafBytes(leaf: Data): LeafBytes {
  const t = leaf.type;
  if (DataType.isDictionary(t)) {
    // decode through the dictionary once; rare in Examples shards
    const vec = makeVector(leaf);
    const parts: Buffer[] = [];
    const starts = new Float64Array(leaf.length + 1);
    let at = 0;
    for (let i = 0; i < leaf.length; i++) {
      const x = vec.get(i) as string | Uint8Array | null;
      const b = x === null ? Buffer.alloc(0) : typeof x === 'string' ? Buffer.from(x, 'utf8') : Buffer.from(x);
      parts.push(b);
      at += b.length;
      starts[i + 1] = at;
    }
    return { bytes: Buffer.concat(parts), starts };
  }
  const values = (leaf.values as Uint8Array | undefined) ?? new Uint8Array(0);
  const raw = leaf.valueOffsets as Int32Array | BigInt64Array;
  const starts = raw instanceof Int32Array ? raw : Float64Array.from(raw, Number);
  return { bytes: Buffer.from(values.buffer, values.byteOffset, values.byteLength), starts };
}
