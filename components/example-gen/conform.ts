/**
 * Row selection and schema alignment on the tables ExampleBatchBuilder makes (Int64, Float32,
 * Utf8, Binary, and List of those). ExampleGen builds its input in batches, so one feature can
 * be single-valued in one batch and multi-valued in the next, Utf8 here and Binary there, or
 * missing from early batches; `assemble` puts pieces of such batches into one table of a
 * wider schema (`ColumnSpec`s), which is how every shard ends up with the same columns and types.
 */
import {
  Binary, Field, Float32, Int64, List, Table, Type, Utf8, makeData, makeVector,
  type Data, type DataType, type Vector,
} from 'apache-arrow';
import type { FeatureColumn } from '../../schemas/artifacts.js';
import { DataError } from '../../src/errors.js';
import { validity } from '../../src/io/arrow-validity.js';

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
  const present = validity(data);
  const { nullCount, nullBitmap } = bitmapOf(n, present ? (i) => present[idx[i]!] === 1 : () => true);
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
    for (let i = 0; i < n; i++) {
      const from = offsets[idx[i]!]!;
      const len = offsets[idx[i]! + 1]! - from;
      const to = valueOffsets[i]!;
      // short values (most strings) copy faster by hand than through a subarray view each
      if (len <= 32) for (let j = 0; j < len; j++) out[to + j] = src[from + j]!;
      else out.set(src.subarray(from, from + len), to);
    }
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
  // ExampleBatchBuilder makes one chunk per column, and so do shards; anything else is a caller's mistake
  if (vec.data.length !== 1) throw new Error(`expected a single-chunk column, got ${vec.data.length} chunks`);
  return vec.data[0]!;
}

/** One column of a shard's schema: the widest form of the feature seen so far. */
export interface ColumnSpec {
  name: string;
  kind: FeatureColumn['kind'];
  multi: boolean;
  /** some value isn't UTF-8: Binary instead of Utf8 */
  binary: boolean;
}

function valueType(f: ColumnSpec): DataType {
  if (f.kind === 'int') return new Int64();
  if (f.kind === 'float') return new Float32();
  return f.binary ? new Binary() : new Utf8();
}

export function arrowTypeOf(f: ColumnSpec): DataType {
  const v = valueType(f);
  return f.multi ? new List(new Field('item', v, true)) : v;
}

export function featureOf(f: ColumnSpec): FeatureColumn {
  return { name: f.name, kind: f.kind, valency: f.multi ? 'multi' : 'single', arrowType: String(arrowTypeOf(f)) };
}

/** Names and Arrow types in order: two shards with the same signature have the same schema. */
export function signatureOf(specs: ColumnSpec[]): string {
  return specs.map((f) => `${f.name}:${String(arrowTypeOf(f))}`).join('\n');
}

/**
 * Widen `into` (first-seen order) with the features of one batch of one builder, where a
 * feature's kind never changes (the builder refuses that).
 */
export function widenSpecs(into: Map<string, ColumnSpec>, features: FeatureColumn[]): void {
  for (const f of features) {
    const multi = f.valency === 'multi';
    const binary = /Binary/.test(f.arrowType);
    const seen = into.get(f.name);
    if (!seen) into.set(f.name, { name: f.name, kind: f.kind, multi, binary });
    else {
      seen.multi ||= multi;
      seen.binary ||= binary;
    }
  }
}

/**
 * One schema for separately read splits: the union of their features in first-seen order; a
 * feature multi-valued in any split is a List in all; bytes that aren't UTF-8 anywhere make
 * Binary everywhere. A feature whose kind differs between splits is a DataError.
 */
export function unionOfSplits(parts: { split: string; specs: ColumnSpec[] }[]): ColumnSpec[] {
  const byName = new Map<string, ColumnSpec & { from: string }>();
  for (const { split, specs } of parts) {
    for (const f of specs) {
      const seen = byName.get(f.name);
      if (!seen) {
        byName.set(f.name, { ...f, from: split });
        continue;
      }
      if (seen.kind !== f.kind) {
        throw new DataError(`feature '${f.name}' is ${seen.kind} in split '${seen.from}' but ${f.kind} in split '${split}'`);
      }
      seen.multi ||= f.multi;
      seen.binary ||= f.binary;
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

const isBytes = (t: DataType) => t.typeId === Type.Utf8 || t.typeId === Type.Binary;

/**
 * Rows [0, data.length) of pieces of the same layout (Utf8 and Binary count as one: same
 * bytes) as one Data of `type`. Pieces may be slices: offsets need not start at 0.
 */
function concatData(parts: Data[], type: DataType): Data {
  const n = parts.reduce((s, d) => s + d.length, 0);
  const nullBitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  let at = 0;
  for (const d of parts) {
    if ((d.type as DataType).typeId !== type.typeId && !(isBytes(d.type as DataType) && isBytes(type))) {
      throw new Error(`concatData: ${String(d.type)} data in a ${String(type)} column`);
    }
    const present = validity(d);
    for (let i = 0; i < d.length; i++, at++) {
      if (!present || present[i] === 1) nullBitmap[at >> 3]! |= 1 << (at & 7);
      else nullCount++;
    }
  }
  if (type.typeId === Type.Int || type.typeId === Type.Float) {
    const out = type.typeId === Type.Int ? new BigInt64Array(n) : new Float32Array(n);
    at = 0;
    for (const d of parts) {
      out.set((d.values as typeof out).subarray(0, d.length) as never, at);
      at += d.length;
    }
    return makeData({ type, length: n, nullCount, nullBitmap, data: out } as never);
  }
  const valueOffsets = new Int32Array(n + 1);
  let row = 0;
  for (const d of parts) {
    const offsets = d.valueOffsets as Int32Array;
    const base = valueOffsets[row]! - offsets[0]!;
    for (let i = 1; i <= d.length; i++) valueOffsets[row + i] = offsets[i]! + base;
    row += d.length;
  }
  if (type.typeId === Type.List) {
    const childType = type.children[0]!.type as DataType;
    const children = parts.map((d) => {
      const offsets = d.valueOffsets as Int32Array;
      return d.children[0]!.slice(offsets[0]!, offsets[d.length]! - offsets[0]!);
    });
    return makeData({ type, length: n, nullCount, nullBitmap, valueOffsets, child: concatData(children, childType) } as never);
  }
  const out = new Uint8Array(valueOffsets[n]!);
  row = 0;
  for (const d of parts) {
    const offsets = d.valueOffsets as Int32Array;
    out.set((d.values as Uint8Array).subarray(offsets[0]!, offsets[d.length]!), valueOffsets[row]!);
    row += d.length;
  }
  return makeData({ type, length: n, nullCount, nullBitmap, valueOffsets, data: out } as never);
}

/** Rows [from, to) of a table. */
export interface Piece {
  table: Table;
  from: number;
  to: number;
}

/**
 * The pieces' rows, in order, as one single-batch table with exactly the columns of `specs`:
 * a column a piece lacks is all-null there, single values become one-value lists where the
 * spec is multi-valued, Utf8 becomes Binary where the spec is. Every piece's columns must be in
 * `specs`, no wider.
 */
export function assemble(pieces: Piece[], specs: ColumnSpec[]): Table {
  const vectors: Record<string, Vector> = {};
  for (const spec of specs) {
    const type = arrowTypeOf(spec);
    const parts = pieces.map(({ table, from, to }) => {
      const vec = table.getChild(spec.name);
      if (!vec) return nullData(type, to - from);
      const whole = singleChunk(vec);
      const data = from === 0 && to === whole.length ? whole : whole.slice(from, to - from);
      return spec.multi && (data.type as DataType).typeId !== Type.List ? asList(data) : data;
    });
    vectors[spec.name] = makeVector(concatData(parts, type));
  }
  return new Table(vectors);
}
