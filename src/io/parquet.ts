/**
 * Parquet reader decoding into an ExampleBatchBuilder, one row group at a time: parquet-wasm
 * (arrow-rs's Parquet reader compiled to WebAssembly) decodes a row group to Arrow IPC, which
 * apache-arrow reads and the Arrow IPC reader's mapping turns into tf.Example kinds. The decoder
 * runs on a helper thread (parquet-decoder.ts) and opens the file as a file-backed Blob, so only
 * the footer and two row groups (the one being turned into rows, the next being decoded) are in
 * memory, never the file.
 *
 * Types, as the other readers have them: integers (signed or unsigned, 8 to 64 bits) and booleans
 * are int (Int64); floats and doubles are float (Float32, tf.Example's float_list); strings,
 * binaries, enums, JSON and UUIDs are bytes; lists of those are multi-valued; a null is a missing
 * value. Dates and timestamps (INT96 included) are int, epoch milliseconds: what the Arrow reader
 * gives, sub-millisecond digits dropped, a timestamp without a time zone taken as UTC. Decimals
 * are float (unscaled / 10^scale, so a float32's ~7 significant digits). Anything else (structs,
 * maps, lists of lists, time of day, intervals) is a DataError naming the file and column.
 */
import fs from 'node:fs';
import { Type, tableFromIPC, util, type DataType, type Decimal } from 'apache-arrow';
import type { ExampleBatchBuilder } from './columns.js';
import { appendArrowBatch, arrowColumns, type ScalarMapping } from './arrow-input.js';
import { DecoderCrash, ParquetSource } from './parquet-decoder.js';
import { DataError, TsfxError } from '../errors.js';

export interface ParquetReadOptions {
  /** called after each row group; a returned promise is awaited before reading on */
  onProgress?: (bytesRead: number, records: number) => unknown;
  signal?: AbortSignal;
}

const MAGIC = Buffer.from('PAR1');
/** rows per Arrow batch within a row group: bounds the JS-side copies of one decode */
const BATCH_ROWS = 65_536;

/** Parquet's DECIMAL: float, like every other non-integer number in tf.Example. */
function decimalMapping(type: DataType): ScalarMapping | undefined {
  if (type.typeId !== Type.Decimal) return undefined;
  const { scale } = type as unknown as Decimal;
  return { kind: 'float', push: (col, v) => col.pushFloat(util.bigNumToNumber(v as never, scale)) };
}

/** A message for what parquet-wasm threw: it throws strings and Errors. */
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * What the decoder's failure at `where` says about `file`: a DataError, unless the decoder crashed
 * while other files were being read too; then it may be theirs, and a retry (alone, most likely) tells.
 */
function readFailure(err: unknown, file: string, what: string, where?: string): Error {
  if (err instanceof DecoderCrash && err.shared) {
    return new TsfxError(`${[file, where].filter(Boolean).join(' ')}: ${err.message} while reading other Parquet files too; retrying tells which is corrupt`);
  }
  return new DataError(`${what}: ${messageOf(err)}`, file, where);
}

async function checkMagic(file: string, size: number): Promise<void> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    if (size >= 8) await fh.read(tail, 0, 4, size - 4);
    if (!head.equals(MAGIC)) throw new DataError('not a Parquet file (no PAR1 magic at its start)', file, 'byte 0');
    // a cut-off copy: the footer (and its magic) is what goes missing
    if (size < 12 || !tail.equals(MAGIC)) throw new DataError('truncated Parquet file (no PAR1 magic at its end, so no footer)', file, `byte ${size}`);
  } finally {
    await fh.close();
  }
}

/** Decode every row group of `file` into `builder`; columns keep the Parquet schema's order. */
export async function readParquetExamples(file: string, builder: ExampleBatchBuilder, opts: ParquetReadOptions = {}): Promise<void> {
  const size = (await fs.promises.stat(file)).size;
  await checkMagic(file, size);
  let source: ParquetSource;
  try {
    source = await ParquetSource.open(file);
  } catch (err) {
    throw readFailure(err, file, 'unreadable Parquet footer');
  }
  const what = 'Parquet (as Arrow)';
  // rows of this file so far: not builder.rowCount - start, since onProgress may drain the builder
  let fileRows = 0;
  let bytes = 0;
  const { groups } = source;
  const decode = (i: number) => source.read(i, BATCH_ROWS);
  // one row group decoded ahead; a failure of it is seen when its turn comes
  let next = groups.length ? decode(0) : undefined;
  next?.catch(() => undefined);
  try {
    const columns = arrowColumns(file, tableFromIPC(source.schemaIpc).schema, builder, what, decimalMapping);
    for (const [i, group] of groups.entries()) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      let ipc: Uint8Array;
      try {
        ipc = await next!;
      } catch (err) {
        const rows = group.rows ? `; rows ${fileRows}-${fileRows + group.rows - 1}` : '';
        if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
        throw readFailure(err, file, 'unreadable Parquet data', `row group ${i} (of ${groups.length}, from 0${rows})`);
      }
      next = i + 1 < groups.length ? decode(i + 1) : undefined;
      next?.catch(() => undefined);
      const table = tableFromIPC(ipc);
      if (table.numRows !== group.rows) {
        throw new DataError(`the footer says ${group.rows} rows but the data has ${table.numRows}`, file, `row group ${i}`);
      }
      for (const batch of table.batches) {
        appendArrowBatch(file, columns, builder, batch, fileRows);
        fileRows += batch.numRows;
      }
      bytes += group.bytes;
      await opts.onProgress?.(Math.min(bytes, size), fileRows);
    }
  } finally {
    // a decode still under way finishes (or fails) unobserved before the file is closed
    await next?.catch(() => undefined);
    await source.close();
  }
  await opts.onProgress?.(size, fileRows);
}
