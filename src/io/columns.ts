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

/** Capacity >= need, doubling: amortised O(1) appends. */
function grown<T extends Int32Array | Float32Array | Uint8Array>(a: T, used: number, need: number): T {
  let cap = Math.max(a.length * 2, 64);
  while (cap < need) cap *= 2;
  const next = new (a.constructor as new (n: number) => T)(cap);
  next.set(a.subarray(0, used) as never);
  return next;
}

/**
 * One feature's values. Rows are appended in order through the owning builder.
 * Storage is one typed array per field (not a generic growable) so every hot access site
 * sees a single array type and V8 keeps it monomorphic; this is the decoders' inner loop.
 */
export class ColumnBuilder {
  /** offsets[r] = index of row r's first value; rows + 1 entries */
  private offsets = new Int32Array(0);
  private validity = new Uint8Array(0);
  /** rows closed so far (validity and offsets[1..] filled) */
  private rows = 0;
  /** int: (lo, hi) 32-bit pairs of each int64, little-endian order so a BigInt64Array can view them */
  private ints = new Int32Array(0);
  /** float: float32 values, and a byte view of the same memory for bit-exact copies from the wire */
  private floats: Float32Array = new Float32Array(0);
  private floatBytes: Uint8Array = new Uint8Array(0);
  /** bytes: concatenated value bytes + per-value end offsets */
  private bytes = new Uint8Array(0);
  private bytesLength = 0;
  private byteEnds = new Int32Array(0);
  private valueCount = 0;
  /** rows present with a count other than 1: decides List vs plain column */
  private multi = false;
  private currentRow = -1;
  private currentStart = 0;

  constructor(
    readonly name: string,
    readonly kind: FeatureKind,
  ) {
    this.allocate(1024, 1024, 8192);
  }

  private allocate(rows: number, values: number, bytes: number): void {
    this.offsets = new Int32Array(rows);
    this.validity = new Uint8Array(rows);
    if (this.kind === 'int') this.ints = new Int32Array(2 * values);
    else if (this.kind === 'float') this.setFloats(new Float32Array(values));
    else {
      this.bytes = new Uint8Array(bytes);
      this.byteEnds = new Int32Array(values);
    }
  }

  /**
   * Start over at row 0 after build(). The built vectors keep the old arrays (no copy), so
   * this takes fresh ones, sized like the last batch's so the next one rarely regrows.
   */
  reset(): void {
    this.allocate(Math.max(1024, this.rows + 1), Math.max(1024, this.valueCount), Math.max(8192, this.bytesLength));
    this.rows = 0;
    this.valueCount = 0;
    this.bytesLength = 0;
    this.multi = false;
    this.currentRow = -1;
    this.currentStart = 0;
  }

  private setFloats(a: Float32Array): void {
    this.floats = a;
    this.floatBytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  }

  /** Pad rows [this column's last row + 1, row) as absent, then mark `row` present. */
  present(row: number): void {
    if (row === this.currentRow) return;
    if (this.currentRow >= this.rows) this.closeRow();
    if (this.rows < row) this.pad(row);
    this.currentRow = row;
    this.currentStart = this.valueCount;
  }

  /**
   * Like present(), but when `row` is already present its values are dropped first: protobuf
   * map semantics, where a repeated key's last entry wins.
   */
  replaceRow(row: number): void {
    if (row !== this.currentRow) return this.present(row);
    const n = this.currentStart;
    if (this.kind === 'bytes') this.bytesLength = n > 0 ? this.byteEnds[n - 1]! : 0;
    this.valueCount = n;
  }

  private closeRow(): void {
    const r = this.rows;
    if (r + 2 > this.validity.length) this.growRows(r + 2);
    if (this.valueCount - this.currentStart !== 1) this.multi = true;
    this.validity[r] = 1;
    this.offsets[r + 1] = this.valueCount;
    this.rows = r + 1;
  }

  /** absent rows up to `row` (exclusive) */
  private pad(row: number): void {
    if (row + 1 > this.validity.length) this.growRows(row + 1);
    // validity is zero-filled on allocation and never written past `rows`
    this.offsets.fill(this.valueCount, this.rows + 1, row + 1);
    this.rows = row;
  }

  private growRows(need: number): void {
    this.validity = grown(this.validity, this.rows, need);
    this.offsets = grown(this.offsets, this.rows + 1, need + 1);
  }

  pushFloat(v: number): void {
    const n = this.valueCount;
    if (n === this.floats.length) this.setFloats(grown(this.floats, n, n + 1));
    this.floats[n] = v;
    this.valueCount = n + 1;
  }

  /** `count` little-endian float32 values from src[start...], copied bit-exactly (NaN payloads kept). */
  pushFloatsLE(src: Uint8Array, start: number, count: number): void {
    const n = this.valueCount;
    if (n + count > this.floats.length) this.setFloats(grown(this.floats, n, n + count));
    const dst = this.floatBytes;
    const at = n * 4;
    const len = count * 4;
    if (len <= 32) for (let i = 0; i < len; i++) dst[at + i] = src[start + i]!;
    else dst.set(src.subarray(start, start + len), at);
    this.valueCount = n + count;
  }

  /** An int64 that fits a JS number exactly (|v| < 2^53). */
  pushInt(v: number): void {
    const hi = Math.floor(v / TWO_32);
    this.pushIntParts(v - hi * TWO_32, hi);
  }

  /** An int64 as its low and high 32 bits (two's complement, signed or unsigned), as a varint decoder has it. */
  pushIntParts(lo: number, hi: number): void {
    const n = this.valueCount;
    if (2 * n + 2 > this.ints.length) this.ints = grown(this.ints, 2 * n, 2 * n + 2);
    this.ints[2 * n] = lo;
    this.ints[2 * n + 1] = hi;
    this.valueCount = n + 1;
  }

  pushBigInt(v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.pushIntParts(Number(u & 0xffffffffn), Number(u >> 32n));
  }

  pushBytes(src: Uint8Array, start = 0, end = src.length): void {
    const len = end - start;
    const n = this.valueCount;
    const at = this.bytesLength;
    if (at + len > this.bytes.length) this.bytes = grown(this.bytes, at, at + len);
    if (n === this.byteEnds.length) this.byteEnds = grown(this.byteEnds, n, n + 1);
    const dst = this.bytes;
    // short values (most strings) copy faster by hand than through a subarray
    if (len <= 24) for (let i = 0; i < len; i++) dst[at + i] = src[start + i]!;
    else dst.set(src.subarray(start, end), at);
    this.bytesLength = at + len;
    this.byteEnds[n] = at + len;
    this.valueCount = n + 1;
  }

  pushString(s: string): void {
    this.pushBytes(Buffer.from(s, 'utf8'));
  }

  /** Close the column at `rowCount` rows and build its Arrow vector. */
  build(rowCount: number): { vector: Vector; feature: FeatureColumn } {
    if (this.currentRow >= this.rows) this.closeRow();
    if (this.rows < rowCount) this.pad(rowCount);
    const valid = this.validity;
    let nullCount = 0;
    const bitmap = new Uint8Array((rowCount + 7) >> 3);
    for (let r = 0; r < rowCount; r++) {
      if (valid[r]) bitmap[r >> 3] |= 1 << (r & 7);
      else nullCount++;
    }
    const values = this.valuesData();
    if (!this.multi) {
      // every present row has one value: value i belongs to the i-th present row, so spread them out
      const data = this.scatterSingle(values, rowCount, nullCount, bitmap);
      return { vector: makeVector(data), feature: this.feature(data.type, 'single') };
    }
    const type = new List(new Field('item', values.type, true));
    const valueOffsets = this.offsets.subarray(0, rowCount + 1);
    const data = makeData({ type, length: rowCount, nullCount, nullBitmap: bitmap, valueOffsets, child: values });
    return { vector: makeVector(data), feature: this.feature(type, 'multi') };
  }

  private feature(type: DataType, valency: 'single' | 'multi'): FeatureColumn {
    return { name: this.name, kind: this.kind, valency, arrowType: String(type) };
  }

  private valuesData(): Data {
    const n = this.valueCount;
    if (this.kind === 'float') return makeData({ type: new Float32(), length: n, data: this.floats.subarray(0, n) });
    if (this.kind === 'int') {
      const pairs = this.ints;
      return makeData({ type: new Int64(), length: n, data: new BigInt64Array(pairs.buffer, pairs.byteOffset, n) });
    }
    const valueOffsets = new Int32Array(n + 1);
    valueOffsets.set(this.byteEnds.subarray(0, n), 1);
    const data = this.bytes.subarray(0, this.bytesLength);
    const type = allUtf8(data, valueOffsets, n) ? new Utf8() : new Binary();
    return makeData({ type, length: n, valueOffsets, data } as never);
  }

  private scatterSingle(values: Data, rowCount: number, nullCount: number, nullBitmap: Uint8Array): Data {
    if (nullCount === 0) return values;
    // row r's value index = offsets[r]; absent rows keep zeros
    const offsets = this.offsets;
    const valid = this.validity;
    if (this.kind === 'float') {
      const src = this.floats;
      const out = new Float32Array(rowCount);
      for (let r = 0; r < rowCount; r++) if (valid[r]) out[r] = src[offsets[r]!]!;
      return makeData({ type: new Float32(), length: rowCount, nullCount, nullBitmap, data: out });
    }
    if (this.kind === 'int') {
      // move the 32-bit halves: reading a BigInt64Array would box every value as a BigInt
      const src = this.ints;
      const out = new Int32Array(rowCount * 2);
      for (let r = 0; r < rowCount; r++) {
        if (!valid[r]) continue;
        const v = offsets[r]!;
        out[2 * r] = src[2 * v]!;
        out[2 * r + 1] = src[2 * v + 1]!;
      }
      return makeData({ type: new Int64(), length: rowCount, nullCount, nullBitmap, data: new BigInt64Array(out.buffer) });
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
 * Whether every value data[offsets[i], offsets[i+1]) is valid UTF-8, with one native check of
 * the whole buffer instead of one per value: the pieces of valid UTF-8 cut only at character
 * starts (never before a continuation byte 10xxxxxx) are all valid.
 */
function allUtf8(data: Uint8Array, offsets: Int32Array, n: number): boolean {
  if (!isUtf8(data)) return false;
  const len = data.length;
  for (let i = 1; i < n; i++) {
    const at = offsets[i]!;
    if (at < len && (data[at]! & 0xc0) === 0x80) return false;
  }
  return true;
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

  /**
   * Build the rows so far and start over at row 0, keeping the columns (so their order, their
   * kinds and the decoders' references to them carry on): a reader can stream a large input
   * through one builder in batches. Call it between rows only. A column absent from every row
   * of the batch is an all-null single-valued column in it.
   */
  drain(): { table: Table; features: FeatureColumn[] } {
    const out = this.build();
    for (const col of this.columns.values()) col.reset();
    this.rows = 0;
    return out;
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
