/**
 * Arrow table -> TFRecord of tf.Examples, so data tsfx holds can be read by TensorFlow.
 * Each row becomes one Example; each column one feature:
 *   integer types (Int8..Int64, Uint8..Uint64), Bool -> int64_list  (Uint64 >= 2^63 wraps, as in TF)
 *   Float16/32/64                                  -> float_list  (stored as float32)
 *   Utf8, Binary, LargeUtf8, LargeBinary           -> bytes_list
 *   List / LargeList / FixedSizeList of the above  -> the same list with all the row's values
 * A null cell leaves the feature out of that Example; a null inside a list can't be
 * represented and is a DataError naming the column and row.
 */
import { DataType, makeVector, type Data, type Table } from 'apache-arrow';
import { DataError } from '../errors.js';
import { ExampleEncoder } from './tf-example-encode.js';
import { TfRecordWriter, type TfRecordWriterOptions } from './tfrecord.js';

export interface ExamplesToTfRecordOptions extends TfRecordWriterOptions {
  /** columns to write, in this order (default: all) */
  columns?: string[];
  onProgress?: (records: number) => void;
}

/** writes row `i`'s values of one column (the caller checked the row is valid) */
type CellWriter = (enc: ExampleEncoder, i: number) => void;
/** writes values [from, to) of a list's child data */
type RangeWriter = (enc: ExampleEncoder, from: number, to: number) => void;

function rangeWriter(column: string, name: Uint8Array, data: Data): RangeWriter {
  const t = data.type;
  if (data.nullCount > 0) {
    const inner = rangeWriter(column, name, data.clone(data.type, data.offset, data.length, 0));
    return (enc, from, to) => {
      for (let j = from; j < to; j++) if (!data.getValid(j)) throw new DataError(`column '${column}' has a null inside a list, which tf.Example can't hold (list value ${j})`);
      inner(enc, from, to);
    };
  }
  if (DataType.isInt(t) && t.bitWidth === 64) {
    const v = data.values as BigInt64Array;
    const parts = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
    return (enc, from, to) => enc.intParts(name, parts, from, to);
  }
  if (DataType.isInt(t) || (DataType.isFloat(t) && t.precision !== 0)) {
    const v = data.values as Int32Array | Float32Array;
    return DataType.isInt(t) ? (enc, from, to) => enc.ints(name, v, from, to) : (enc, from, to) => enc.floats(name, v, from, to);
  }
  if (DataType.isUtf8(t) || DataType.isBinary(t)) {
    const offsets = data.valueOffsets as Int32Array;
    return (enc, from, to) => enc.bytesFrom(name, data.values as Uint8Array, offsets, from, to);
  }
  if (DataType.isLargeUtf8(t) || DataType.isLargeBinary(t)) {
    const offsets = Array.from(data.valueOffsets as BigInt64Array, Number);
    return (enc, from, to) => enc.bytesFrom(name, data.values as Uint8Array, offsets, from, to);
  }
  // Bool, Float16, dictionaries: through Arrow's own per-value accessor (slower, rare)
  const vector = makeVector(data);
  if (DataType.isBool(t)) return (enc, from, to) => enc.ints(name, range(from, to, (j) => (vector.get(j) ? 1 : 0)));
  if (DataType.isFloat(t)) return (enc, from, to) => enc.floats(name, range(from, to, (j) => vector.get(j) as number));
  if (DataType.isDictionary(t) && (DataType.isUtf8(t.dictionary) || DataType.isBinary(t.dictionary))) {
    return (enc, from, to) => enc.bytes(name, range(from, to, (j) => vector.get(j) as string | Uint8Array));
  }
  throw new DataError(`column '${column}' has Arrow type ${t}, which tf.Example can't hold`);
}

function range<T>(from: number, to: number, f: (j: number) => T): T[] {
  const out: T[] = [];
  for (let j = from; j < to; j++) out.push(f(j));
  return out;
}

function cellWriter(column: string, name: Uint8Array, data: Data): CellWriter {
  const t = data.type;
  if (DataType.isList(t) || DataType.isLargeList(t)) {
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const child = rangeWriter(column, name, data.children[0]!);
    if (offsets instanceof Int32Array) return (enc, i) => child(enc, offsets[i]!, offsets[i + 1]!);
    return (enc, i) => child(enc, Number(offsets[i]!), Number(offsets[i + 1]!));
  }
  if (DataType.isFixedSizeList(t)) {
    const size = t.listSize;
    const child = rangeWriter(column, name, data.children[0]!);
    return (enc, i) => child(enc, i * size, (i + 1) * size);
  }
  // null cells are skipped by the caller, so the values can be read as if there were none
  const scalar = rangeWriter(column, name, data.nullCount > 0 ? data.clone(t, data.offset, data.length, 0) : data);
  return (enc, i) => scalar(enc, i, i + 1);
}

/** Writes each row of `table` as one tf.Example to a TFRecord file (plain or GZIP). */
export async function examplesToTfRecord(
  table: Table,
  file: string,
  opts: ExamplesToTfRecordOptions = {},
): Promise<{ records: number; bytes: number }> {
  const names = opts.columns ?? table.schema.fields.map((f) => f.name);
  const indices = names.map((n) => {
    const i = table.schema.fields.findIndex((f) => f.name === n);
    if (i < 0) throw new DataError(`no column '${n}' in the table`, file);
    return i;
  });
  const keys = names.map((n) => Buffer.from(n, 'utf8'));
  const writer = await TfRecordWriter.open(file, opts);
  const enc = new ExampleEncoder();
  try {
    for (const batch of table.batches) {
      const cols = indices.map((ci, k) => {
        const data = batch.data.children[ci]!;
        return { data, write: cellWriter(names[k]!, keys[k]!, data), nullable: data.nullCount > 0 };
      });
      for (let i = 0; i < batch.numRows; i++) {
        enc.begin();
        for (const c of cols) if (!c.nullable || c.data.getValid(i)) c.write(enc, i);
        await writer.write(enc.finish());
      }
      opts.onProgress?.(writer.records);
    }
  } finally {
    await writer.close();
  }
  return { records: writer.records, bytes: writer.bytes };
}
