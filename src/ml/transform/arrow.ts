/**
 * A RawBatch from an Arrow table of Examples (ExampleGen's shards: plain Int64 / Float32 / Utf8
 * / Binary columns for single-valued features, List columns for multi-valued ones). Numeric
 * columns are copied chunk by chunk from the value buffers; strings and lists go through
 * Arrow's accessors. Browser-safe: apache-arrow only.
 */
import { DataType, type Table, type Vector } from 'apache-arrow';
import { DataError } from '../../errors.js';
import { validity } from '../../io/arrow-validity.js';
import type { RawBatch, RawColumn } from './batch.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

function numeric(name: string, vec: Vector): RawColumn {
  const values = new Float64Array(vec.length);
  let valid: Uint8Array | null = null;
  let at = 0;
  for (const chunk of vec.data) {
    const v = validity(chunk);
    if (v) {
      valid ??= new Uint8Array(vec.length).fill(1);
      valid.set(v, at);
    }
    if (DataType.isBool(chunk.type)) {
      for (let i = 0; i < chunk.length; i++) values[at + i] = chunk.values[(chunk.offset + i) >> 3]! & (1 << ((chunk.offset + i) & 7)) ? 1 : 0;
    } else {
      // Data.slice subarrays a fixed-width value buffer (the bitmaps, Bool's too, keep the offset): element i is values[i]
      const buf = chunk.values as ArrayLike<number | bigint>;
      for (let i = 0; i < chunk.length; i++) values[at + i] = Number(buf[i]!);
    }
    at += chunk.length;
  }
  if (at !== vec.length) throw new DataError(`column '${name}': chunks hold ${at} values for ${vec.length} rows`);
  return { kind: 'number', values, valid };
}

function cell(v: unknown): number | string {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return utf8.decode(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v as number | string;
}

/** The columns `names` (default: all) of `table` as a RawBatch; a name the table lacks is left out (all missing). */
export function rawBatchFromArrow(table: Table, names: readonly string[] = table.schema.fields.map((f) => f.name)): RawBatch {
  const columns: Record<string, RawColumn> = {};
  for (const name of names) {
    const vec = table.getChild(name);
    // a shard where no row has the feature has no column for it: the batch leaves it out, which reads as all missing
    if (!vec) continue;
    const t = vec.type as DataType;
    if (DataType.isInt(t) || DataType.isFloat(t) || DataType.isBool(t)) columns[name] = numeric(name, vec);
    else if (DataType.isUtf8(t) || DataType.isBinary(t) || DataType.isLargeUtf8(t) || DataType.isLargeBinary(t) || DataType.isDictionary(t)) {
      columns[name] = { kind: 'string', values: Array.from({ length: vec.length }, (_, i) => {
        const v: unknown = vec.get(i);
        return v === null || v === undefined ? null : String(cell(v));
      }) };
    } else if (DataType.isList(t) || DataType.isLargeList(t) || DataType.isFixedSizeList(t)) {
      columns[name] = { kind: 'list', values: Array.from({ length: vec.length }, (_, i) => {
        const v = vec.get(i) as Vector | null;
        return v === null || v === undefined ? null : Array.from(v as Iterable<unknown>, cell);
      }) };
    } else if (DataType.isNull(t)) {
      columns[name] = { kind: 'number', values: new Float64Array(vec.length), valid: new Uint8Array(vec.length) };
    } else throw new DataError(`column '${name}' has Arrow type ${String(t)}, which a transform cannot read`);
  }
  return { numRows: table.numRows, columns };
}
