/**
 * Columnar builder every reader (TFRecord, CSV, JSON, Arrow) decodes into. It keeps
 * tf.Example's model: each feature is a list of int64, float32 or bytes values per row, and
 * a feature may be absent (null) or present with zero values. `build()` turns features whose
 * present rows all hold exactly one value into plain Arrow columns, the rest into List columns.
 */
import { isUtf8 } from 'node:buffer';
import {
  Binary, Field, Float32, Int64, List, Table, Utf8, makeData, makeVector,
  type Data, type DataType, type Vector,
} from 'apache-arrow';
import type { FeatureColumn } from '../../schemas/artifacts.js';
import { DataError } from '../errors.js';

export type FeatureKind = FeatureColumn['kind'];

const TWO_32 = 2 ** 32;

class Growable<T extends Int32Array | Float32Array | Uint8Array | Uint32Array> {
  array: T;
  length = 0;
  constructor(private readonly ctor: new (n: number) => T, capacity = 1024) {
    this.array = new ctor(capacity);
  }
  reserve(extra: number): T {
    const need = this.length + extra;
    if (need > this.array.length) {
      let cap = this.array.length * 2;
      while (cap < need) cap *= 2;
      const next = new this.ctor(cap);
      next.set(this.array.subarray(0, this.length) as never);
      this.array = next;
    }
    return this.array;
  }
  push(v: number): void {
    if (this.length === this.array.length) this.reserve(1);
    this.array[this.length++] = v;
  }
  view(): T {
    return this.array.subarray(0, this.length) as T;
  }
}

/** One feature's values. Rows are appended in order through the owning builder. */
export class ColumnBuilder {
  /** offsets[r] = index of row r's first value; offsets has rowCount + 1 entries once padded */
  private readonly offsets = new Growable(Int32Array);
  private readonly validity = new Growable(Uint8Array);
  /** int: (lo, hi) 32-bit pairs of each int64; float: float32 values */
  private readonly ints = new Growable(Uint32Array);
  private readonly floats = new Growable(Float32Array);
  /** bytes: concatenated value bytes + per-value end offsets */
  private readonly bytes = new Growable(Uint8Array);
  private readonly byteEnds = new Growable(Int32Array);
  private valueCount = 0;
  /** rows present with a count other than 1: decides List vs plain column */
  private multi = false;
  private currentRow = -1;
  private currentStart = 0;

  constructor(
    readonly name: string,
    readonly kind: FeatureKind,
  ) {
    this.offsets.push(0);
  }

  /** Pad rows [this column's last row + 1, row) as absent, then mark `row` present. */
  present(row: number): void {
    if (row === this.currentRow) return;
    this.closeRow();
    while (this.validity.length < row) {
      this.validity.push(0);
      this.offsets.push(this.valueCount);
    }
    this.currentRow = row;
    this.currentStart = this.valueCount;
  }

  private closeRow(): void {
    if (this.currentRow < 0 || this.validity.length > this.currentRow) return;
    if (this.valueCount - this.currentStart !== 1) this.multi = true;
    this.validity.push(1);
    this.offsets.push(this.valueCount);
  }

  pushFloat(v: number): void {
    this.floats.push(v);
    this.valueCount++;
  }

  /** An int64 that fits a JS number exactly (|v| < 2^53). */
  pushInt(v: number): void {
    const hi = Math.floor(v / TWO_32);
    this.pushIntParts(v - hi * TWO_32, hi);
  }

  /** An int64 as its low and high 32 bits (two's complement), as a varint decoder has it. */
  pushIntParts(lo: number, hi: number): void {
    const a = this.ints.reserve(2);
    a[this.ints.length++] = lo >>> 0;
    a[this.ints.length++] = hi >>> 0;
    this.valueCount++;
  }

  pushBigInt(v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.pushIntParts(Number(u & 0xffffffffn), Number(u >> 32n));
  }

  pushBytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    const a = this.bytes.reserve(n);
    a.set(src.subarray(start, end), this.bytes.length);
    this.bytes.length += n;
    this.byteEnds.push(this.bytes.length);
    this.valueCount++;
  }

  pushString(s: string): void {
    this.pushBytes(Buffer.from(s, 'utf8'));
  }

  /** Close the column at `rowCount` rows and build its Arrow vector. */
  build(rowCount: number): { vector: Vector; feature: FeatureColumn } {
    this.closeRow();
    while (this.validity.length < rowCount) {
      this.validity.push(0);
      this.offsets.push(this.valueCount);
    }
    const valid = this.validity.view();
    let nullCount = 0;
    const bitmap = new Uint8Array((rowCount + 7) >> 3);
    for (let r = 0; r < rowCount; r++) {
      if (valid[r]) bitmap[r >> 3] |= 1 << (r & 7);
      else nullCount++;
    }
    const values = this.valuesData();
    if (!this.multi) {
      // every present row has one value: value i belongs to the i-th present row, so spread them out
      const data = this.scatterSingle(values, valid, rowCount, nullCount, bitmap);
      return { vector: makeVector(data), feature: this.feature(data.type, 'single') };
    }
    const type = new List(new Field('item', values.type, true));
    const data = makeData({ type, length: rowCount, nullCount, nullBitmap: bitmap, valueOffsets: this.offsets.view(), child: values });
    return { vector: makeVector(data), feature: this.feature(type, 'multi') };
  }

  private feature(type: DataType, valency: 'single' | 'multi'): FeatureColumn {
    return { name: this.name, kind: this.kind, valency, arrowType: String(type) };
  }

  private valuesData(): Data {
    const n = this.valueCount;
    if (this.kind === 'float') return makeData({ type: new Float32(), length: n, data: this.floats.view() });
    if (this.kind === 'int') {
      const pairs = this.ints.view();
      return makeData({ type: new Int64(), length: n, data: new BigInt64Array(pairs.buffer, pairs.byteOffset, n) });
    }
    const ends = this.byteEnds.view();
    const valueOffsets = new Int32Array(n + 1);
    valueOffsets.set(ends, 1);
    const data = this.bytes.view();
    let utf8 = true;
    for (let i = 0; i < n && utf8; i++) utf8 = isUtf8(data.subarray(valueOffsets[i], valueOffsets[i + 1]));
    const type = utf8 ? new Utf8() : new Binary();
    return makeData({ type, length: n, valueOffsets, data } as never);
  }

  private scatterSingle(values: Data, valid: Uint8Array, rowCount: number, nullCount: number, nullBitmap: Uint8Array): Data {
    if (nullCount === 0) return values;
    // row r's value index = offsets[r]
    const offsets = this.offsets.view();
    if (this.kind === 'float') {
      const src = values.values as Float32Array;
      const out = new Float32Array(rowCount);
      for (let r = 0; r < rowCount; r++) if (valid[r]) out[r] = src[offsets[r]!]!;
      return makeData({ type: new Float32(), length: rowCount, nullCount, nullBitmap, data: out });
    }
    if (this.kind === 'int') {
      const src = values.values as BigInt64Array;
      const out = new BigInt64Array(rowCount);
      for (let r = 0; r < rowCount; r++) if (valid[r]) out[r] = src[offsets[r]!]!;
      return makeData({ type: new Int64(), length: rowCount, nullCount, nullBitmap, data: out });
    }
    // bytes: value offsets per row, absent rows are empty
    const srcOffsets = values.valueOffsets as Int32Array;
    const rowOffsets = new Int32Array(rowCount + 1);
    for (let r = 0; r < rowCount; r++) {
      const v = offsets[r]!;
      rowOffsets[r + 1] = valid[r] ? srcOffsets[v + 1]! : rowOffsets[r]!;
    }
    return makeData({ type: values.type, length: rowCount, nullCount, nullBitmap, valueOffsets: rowOffsets, data: values.values } as never);
  }
}

/**
 * Builds one Arrow table from rows of features. Readers call `beginRow()`, then for each
 * feature `column(name, kind).present(row)` and push its values.
 */
export class ExampleBatchBuilder {
  private readonly columns = new Map<string, ColumnBuilder>();
  private rows = 0;

  get rowCount(): number {
    return this.rows;
  }

  /** Start a new row; returns its index. */
  beginRow(): number {
    return this.rows++;
  }

  /**
   * The column for a feature, created on first use. A feature seen with another kind before
   * is a DataError naming the feature and where (`where` is e.g. "file.tfrecord record 12").
   */
  column(name: string, kind: FeatureKind, file?: string, where?: string): ColumnBuilder {
    let col = this.columns.get(name);
    if (!col) {
      col = new ColumnBuilder(name, kind);
      this.columns.set(name, col);
    } else if (col.kind !== kind) {
      throw new DataError(`feature '${name}' is ${kind} here but was ${col.kind} before`, file, where);
    }
    return col;
  }

  hasColumn(name: string): boolean {
    return this.columns.has(name);
  }

  /** Build the table; features keep first-seen order. Also returns the feature schema. */
  build(): { table: Table; features: FeatureColumn[] } {
    const vectors: Record<string, Vector> = {};
    const features: FeatureColumn[] = [];
    for (const [name, col] of this.columns) {
      const { vector, feature } = col.build(this.rows);
      vectors[name] = vector;
      features.push(feature);
    }
    return { table: new Table(vectors), features };
  }
}
