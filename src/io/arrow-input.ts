/**
 * Arrow IPC reader (file format, "ARROW1" magic, or stream format) decoding into an
 * ExampleBatchBuilder. Arrow types map onto tf.Example's three kinds: integers, booleans,
 * dates and timestamps (as epoch milliseconds) are int; floats are float; strings, binaries
 * and dictionary-encoded strings are bytes; List/FixedSizeList of those are multi-valued.
 */
import fs from 'node:fs';
import { RecordBatchReader, Type, type DataType, type Field, type RecordBatch, type Schema, type Vector } from 'apache-arrow';
import type { ColumnBuilder, ExampleBatchBuilder, FeatureKind } from './columns.js';
import { DataError } from '../errors.js';

export interface ArrowReadOptions {
  /** called after each record batch; a returned promise is awaited before reading on */
  onProgress?: (bytesRead: number, records: number) => unknown;
  signal?: AbortSignal;
}

const MAGIC = Buffer.from('ARROW1');
const INT64_MAX = 2n ** 63n - 1n;

/** How one Arrow scalar type becomes tf.Example values; `push` takes a non-null `get()` result. */
export interface ScalarMapping {
  kind: FeatureKind;
  push: (col: ColumnBuilder, v: unknown) => void;
}

export function pushIntLike(col: ColumnBuilder, v: number | bigint): void {
  if (typeof v === 'bigint') col.pushBigInt(v);
  else if (Number.isSafeInteger(v)) col.pushInt(v);
  else col.pushBigInt(BigInt(Math.floor(v)));
}

function scalarMapping(type: DataType): ScalarMapping | undefined {
  switch (type.typeId) {
    case Type.Int:
      return {
        kind: 'int',
        push: (col, v) => {
          // Uint64 past int64's range would silently wrap negative; tf.Example has only int64
          if (typeof v === 'bigint' && v > INT64_MAX) throw new RangeError(`${v} does not fit an int64`);
          pushIntLike(col, v as number | bigint);
        },
      };
    case Type.Float:
      return { kind: 'float', push: (col, v) => col.pushFloat(v as number) };
    case Type.Bool:
      return { kind: 'int', push: (col, v) => col.pushInt(v ? 1 : 0) };
    case Type.Date:
    case Type.Timestamp:
      // apache-arrow hands both out as epoch milliseconds (fractional below a millisecond)
      return { kind: 'int', push: (col, v) => pushIntLike(col, Math.floor(Number(v instanceof Date ? v.getTime() : v))) };
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
      return { kind: 'bytes', push: (col, v) => col.pushString(v as string) };
    case Type.Binary:
    case Type.LargeBinary:
    case Type.BinaryView:
    case Type.FixedSizeBinary:
      return { kind: 'bytes', push: (col, v) => col.pushBytes(v as Uint8Array) };
    case Type.Dictionary:
      return scalarMapping((type as unknown as { dictionary: DataType }).dictionary);
    case Type.Null:
      return { kind: 'bytes', push: () => undefined };
    default:
      return undefined;
  }
}

interface ColumnMapping {
  kind: FeatureKind;
  multi: boolean;
  push: ScalarMapping['push'];
}

/** Mappings a reader adds for types plain Arrow IPC input doesn't take (Parquet's decimals). */
export type ExtraMapping = (type: DataType) => ScalarMapping | undefined;

function columnMapping(file: string, field: Field, what: string, extra?: ExtraMapping): ColumnMapping {
  const t = field.type;
  const isList = t.typeId === Type.List || t.typeId === Type.FixedSizeList || t.typeId === Type.LargeList;
  const valueType = isList ? (t.children[0]!.type as DataType) : t;
  const scalar = extra?.(valueType) ?? scalarMapping(valueType);
  if (!scalar) {
    throw new DataError(`column '${field.name}' has ${what} type ${String(t)}, which has no tf.Example form`, file);
  }
  return { ...scalar, multi: isList };
}

/** The builder columns of one file's schema, in its order, with how each Arrow column maps onto them. */
export interface ArrowColumns {
  fields: Field[];
  maps: ColumnMapping[];
  cols: ColumnBuilder[];
}

/**
 * Map `schema` onto `builder`'s columns, or a DataError naming the first column of a type with
 * no tf.Example form. `what` names the file's format in that message ("Arrow", "Parquet").
 */
export function arrowColumns(file: string, schema: Schema, builder: ExampleBatchBuilder, what = 'Arrow', extra?: ExtraMapping): ArrowColumns {
  const fields = schema.fields;
  const maps = fields.map((f) => columnMapping(file, f, what, extra));
  const cols = fields.map((f, i) => builder.column(f.name, maps[i]!.kind, file, `column '${f.name}'`));
  return { fields, maps, cols };
}

/** Append `batch`'s rows to `builder`; `fileRows`: rows of this file before the batch (for messages). */
export function appendArrowBatch(file: string, columns: ArrowColumns, builder: ExampleBatchBuilder, batch: RecordBatch, fileRows: number): void {
  const base = builder.rowCount;
  for (let r = 0; r < batch.numRows; r++) builder.beginRow();
  columns.fields.forEach((f, i) => fillColumn(file, f, columns.maps[i]!, columns.cols[i]!, batch.getChildAt(i)!, base, fileRows));
}

async function checkMagic(fh: fs.promises.FileHandle, file: string): Promise<void> {
  const head = Buffer.alloc(6);
  const { bytesRead } = await fh.read(head, 0, 6, 0);
  const isFile = bytesRead === 6 && head.equals(MAGIC);
  const isStream = bytesRead >= 4 && head.readUInt32LE(0) === 0xffffffff;
  if (!isFile && !isStream) throw new DataError('not an Arrow IPC file (no ARROW1 magic) nor an Arrow IPC stream', file, 'byte 0');
}

/** `base`: the builder row of the vector's first value; `fileBase`: the same row counted within the file */
function fillColumn(file: string, field: Field, map: ColumnMapping, col: ColumnBuilder, vec: Vector, base: number, fileBase: number): void {
  for (let r = 0; r < vec.length; r++) {
    const v = vec.get(r);
    if (v === null || v === undefined) continue;
    const row = base + r;
    col.present(row);
    try {
      if (!map.multi) {
        map.push(col, v);
        continue;
      }
      for (const x of v as Vector) {
        if (x === null || x === undefined) throw new RangeError('a null inside a list, which tf.Example cannot hold');
        map.push(col, x);
      }
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      throw new DataError(`column '${field.name}': ${err.message}`, file, `row ${fileBase + r}`);
    }
  }
}

/** Decode every record batch of `file` into `builder`; columns keep the Arrow schema's order. */
export async function readArrowExamples(file: string, builder: ExampleBatchBuilder, opts: ArrowReadOptions = {}): Promise<void> {
  const size = (await fs.promises.stat(file)).size;
  // we own the handle: apache-arrow does not close it on every error path
  const fh = await fs.promises.open(file, 'r');
  // rows of this file so far: not builder.rowCount - start, since onProgress may drain the builder
  let fileRows = 0;
  // an error of the caller's onProgress is theirs: passed on as is, not as unreadable Arrow
  let hookError: unknown;
  try {
    await checkMagic(fh, file);
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    const columns = arrowColumns(file, reader.schema, builder);
    let bytes = 0;
    for await (const batch of reader) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      appendArrowBatch(file, columns, builder, batch, fileRows);
      fileRows += batch.numRows;
      bytes += batch.data.byteLength;
      try {
        await opts.onProgress?.(Math.min(bytes, size), fileRows);
      } catch (e) {
        throw (hookError = e);
      }
    }
  } catch (err) {
    if (err === hookError || err instanceof DataError || opts.signal?.aborted) throw err;
    throw new DataError(`unreadable Arrow IPC: ${(err as Error).message}`, file, `after row ${fileRows}`);
  } finally {
    await fh.close().catch(() => undefined);
  }
  await opts.onProgress?.(size, fileRows);
}
