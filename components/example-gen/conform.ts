/**
 * Row selection and schema alignment on the tables ExampleBatchBuilder makes (Int64, Float32,
 * Utf8, Binary, and List of those). `takeRows` partitions one table by split without changing
 * any type; `conformSplits` makes tables built separately (one per given split folder) share
 * one schema, because downstream components read every split with the same feature list.
 */
import {
  Binary, Field, Float32, Int64, List, Table, Type, Utf8, makeData, makeVector,
  type Data, type DataType, type Vector,
} from 'apache-arrow';
import type { FeatureColumn } from '../../schemas/artifacts.js';
import { DataError } from '../../src/errors.js';

function bitmapOf(n: number, valid: (i: number) => boolean): { nullCount: number; nullBitmap: Uint8Array } {
  const nullBitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (valid(i)) nullBitmap[i >> 3]! |= 1 << (i & 7);
    else nullCount++;
  }
  return { nullCount, nullBitmap };
}

/** The rows `idx` of `data`, same type. Indices are relative to the (possibly sliced) data. */
export function takeData(data: Data, idx: ArrayLike<number>): Data {
  const n = idx.length;
  const { nullCount, nullBitmap } = bitmapOf(n, (i) => data.getValid(idx[i]!));
  const type = data.type as DataType;
  if (type.typeId === Type.Int || type.typeId === Type.Float) {
    const src = data.values as BigInt64Array | Float32Array;
    const out = new (src.constructor as new (n: number) => typeof src)(n);
    for (let i = 0; i < n; i++) out[i] = src[idx[i]!]!;
    return makeData({ type, length: n, nullCount, nullBitmap, data: out } as never);
  }
  const offsets = data.valueOffsets as Int32Array;
  const valueOffsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) valueOffsets[i + 1] = valueOffsets[i]! + offsets[idx[i]! + 1]! - offsets[idx[i]!]!;
  if (type.typeId === Type.Utf8 || type.typeId === Type.Binary) {
    const src = data.values as Uint8Array;
    const out = new Uint8Array(valueOffsets[n]!);
    for (let i = 0; i < n; i++) out.set(src.subarray(offsets[idx[i]!]!, offsets[idx[i]! + 1]!), valueOffsets[i]!);
    return makeData({ type, length: n, nullCount, nullBitmap, valueOffsets, data: out } as never);
  }
  if (type.typeId === Type.List) {
    const childIdx = new Int32Array(valueOffsets[n]!);
    let k = 0;
    for (let i = 0; i < n; i++) for (let j = offsets[idx[i]!]!; j < offsets[idx[i]! + 1]!; j++) childIdx[k++] = j;
    const child = takeData(data.children[0]!, childIdx);
    return makeData({ type, length: n, nullCount, nullBitmap, valueOffsets, child } as never);
  }
  throw new Error(`takeData: unexpected Arrow type ${String(type)}`);
}

/** Table rows `idx`, same schema (so every split of one table keeps identical types). */
export function takeRows(table: Table, idx: ArrayLike<number>): Table {
  const vectors: Record<string, Vector> = {};
  for (const field of table.schema.fields) {
    const vec = table.getChild(field.name)!;
    vectors[field.name] = makeVector(takeData(singleChunk(vec), idx));
  }
  return new Table(table.schema, new Table(vectors).batches);
}

function singleChunk(vec: Vector): Data {
  // ExampleBatchBuilder makes one chunk per column; anything else is a caller's mistake
  if (vec.data.length !== 1) throw new Error(`expected a single-chunk column, got ${vec.data.length} chunks`);
  return vec.data[0]!;
}

/** A built split before alignment. */
export interface BuiltSplit {
  split: string;
  table: Table;
  features: FeatureColumn[];
}

interface UnionFeature {
  name: string;
  kind: FeatureColumn['kind'];
  multi: boolean;
  /** some split holds non-UTF-8 bytes: every split uses Binary */
  binary: boolean;
}

function valueType(f: UnionFeature): DataType {
  if (f.kind === 'int') return new Int64();
  if (f.kind === 'float') return new Float32();
  return f.binary ? new Binary() : new Utf8();
}

function targetType(f: UnionFeature): DataType {
  const v = valueType(f);
  return f.multi ? new List(new Field('item', v, true)) : v;
}

function unionOf(parts: BuiltSplit[]): UnionFeature[] {
  const byName = new Map<string, UnionFeature & { from: string }>();
  for (const { split, features } of parts) {
    for (const f of features) {
      const binary = /Binary/.test(f.arrowType);
      const seen = byName.get(f.name);
      if (!seen) {
        byName.set(f.name, { name: f.name, kind: f.kind, multi: f.valency === 'multi', binary, from: split });
        continue;
      }
      if (seen.kind !== f.kind) {
        throw new DataError(`feature '${f.name}' is ${seen.kind} in split '${seen.from}' but ${f.kind} in split '${split}'`);
      }
      seen.multi ||= f.valency === 'multi';
      seen.binary ||= binary;
    }
  }
  return [...byName.values()].map(({ from: _from, ...f }) => f);
}

function nullData(type: DataType, n: number): Data {
  const base = { type, length: n, nullCount: n, nullBitmap: new Uint8Array((n + 7) >> 3) };
  if (type.typeId === Type.Int) return makeData({ ...base, data: new BigInt64Array(n) } as never);
  if (type.typeId === Type.Float) return makeData({ ...base, data: new Float32Array(n) } as never);
  const valueOffsets = new Int32Array(n + 1);
  if (type.typeId === Type.List) {
    return makeData({ ...base, valueOffsets, child: nullData(type.children[0]!.type as DataType, 0) } as never);
  }
  return makeData({ ...base, valueOffsets, data: new Uint8Array(0) } as never);
}

/** Utf8 (or List<Utf8>) data seen as Binary: the same bytes, a wider type. */
function asBinary(data: Data): Data {
  const t = data.type as DataType;
  const { nullCount, nullBitmap } = bitmapOf(data.length, (i) => data.getValid(i));
  if (t.typeId === Type.Utf8) {
    return makeData({ type: new Binary(), length: data.length, nullCount, nullBitmap, valueOffsets: data.valueOffsets, data: data.values } as never);
  }
  if (t.typeId === Type.List && (t.children[0]!.type as DataType).typeId === Type.Utf8) {
    const child = asBinary(data.children[0]!);
    const type = new List(new Field('item', child.type, true));
    return makeData({ type, length: data.length, nullCount, nullBitmap, valueOffsets: data.valueOffsets, child } as never);
  }
  return data;
}

/** Single-valued data as a List column: each present value becomes a one-value list. */
function asList(data: Data): Data {
  const n = data.length;
  const valid: number[] = [];
  const valueOffsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    if (data.getValid(i)) valid.push(i);
    valueOffsets[i + 1] = valid.length;
  }
  const child = takeData(data, valid);
  const { nullCount, nullBitmap } = bitmapOf(n, (i) => data.getValid(i));
  const type = new List(new Field('item', child.type, true));
  return makeData({ type, length: n, nullCount, nullBitmap, valueOffsets, child } as never);
}

function conformColumn(data: Data | undefined, f: UnionFeature, n: number): Data {
  if (!data) return nullData(targetType(f), n);
  let out = data;
  if (f.binary) out = asBinary(out);
  if (f.multi && (out.type as DataType).typeId !== Type.List) out = asList(out);
  return out;
}

/**
 * Align separately built splits on one schema: the union of their features in first-seen
 * order; a feature missing from a split is an all-null column there; a feature multi-valued
 * in any split is a List column in all; bytes that aren't UTF-8 anywhere make Binary everywhere.
 * A feature whose kind differs between splits is a DataError.
 */
export function conformSplits(parts: BuiltSplit[]): { tables: Map<string, Table>; features: FeatureColumn[] } {
  const union = unionOf(parts);
  const tables = new Map<string, Table>();
  for (const { split, table } of parts) {
    const vectors: Record<string, Vector> = {};
    for (const f of union) {
      const vec = table.getChild(f.name);
      vectors[f.name] = makeVector(conformColumn(vec ? singleChunk(vec) : undefined, f, table.numRows));
    }
    tables.set(split, union.length ? new Table(vectors) : table);
  }
  const features = union.map((f) => ({
    name: f.name,
    kind: f.kind,
    valency: f.multi ? ('multi' as const) : ('single' as const),
    arrowType: String(targetType(f)),
  }));
  return { tables, features };
}
