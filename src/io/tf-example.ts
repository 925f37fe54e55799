/**
 * tf.Example codec: decode serialized Examples into an ExampleBatchBuilder (one row each),
 * read whole TFRecord files of them, and encode Examples.
 *
 * @example
 *   const builder = new ExampleBatchBuilder();
 *   await readTfRecordExamples('data.tfrecord.gz', builder);
 *   const { table, features } = builder.build();
 */
import { DataError } from '../errors.js';
import type { ExampleBatchBuilder } from './columns.js';
import { ExampleDecoder } from './tf-example-decode.js';
import { ExampleEncoder } from './tf-example-encode.js';
import { forEachRecord, type TfRecordReadOptions, type TfRecordReadResult } from './tfrecord.js';

export { ExampleDecoder } from './tf-example-decode.js';
export { ExampleEncoder } from './tf-example-encode.js';
export { examplesToTfRecord, type ExamplesToTfRecordOptions } from './tf-example-export.js';

// one decoder per builder, so its feature-name cache (and what it knows of each feature's
// kind) lives as long as the builder, across records and files
const decoders = new WeakMap<ExampleBatchBuilder, ExampleDecoder>();

function decoderFor(builder: ExampleBatchBuilder, file: string | undefined): ExampleDecoder {
  let d = decoders.get(builder);
  if (!d) decoders.set(builder, (d = new ExampleDecoder(builder)));
  d.file = file;
  return d;
}

/**
 * Decodes the serialized tf.Example in buf[start, end) as the builder's next row.
 * `file` and `where` (e.g. "record 12") only go into error messages.
 */
export function decodeExampleInto(
  builder: ExampleBatchBuilder,
  buf: Uint8Array,
  start = 0,
  end = buf.length,
  file?: string,
  where?: string,
): void {
  decoderFor(builder, file).decode(buf, start, end, -1, -1, where);
}

/** compression, chunk size and `onProgress(bytesRead, records)`, called after each chunk */
export type ReadTfRecordExamplesOptions = TfRecordReadOptions;

/** Reads every tf.Example of a TFRecord file (plain or GZIP) into the builder, one row each. */
export async function readTfRecordExamples(
  file: string,
  builder: ExampleBatchBuilder,
  opts: ReadTfRecordExamplesOptions = {},
): Promise<TfRecordReadResult> {
  const decoder = decoderFor(builder, file);
  return forEachRecord(file, (buf, start, end, offset, index) => decoder.decode(buf, start, end, index, offset), opts);
}

export type FeatureValues =
  | { kind: 'int'; values: ArrayLike<number | bigint> }
  | { kind: 'float'; values: ArrayLike<number> }
  | { kind: 'bytes'; values: ArrayLike<Uint8Array | string> };

let shared: ExampleEncoder | undefined;

/** Serializes one tf.Example, features in the object's key order. Returns a fresh array. */
export function encodeExample(features: Record<string, FeatureValues>): Uint8Array {
  const enc = (shared ??= new ExampleEncoder());
  enc.begin();
  for (const [key, f] of Object.entries(features)) {
    const name = Buffer.from(key, 'utf8');
    if (f.kind === 'int') enc.ints(name, f.values);
    else if (f.kind === 'float') enc.floats(name, f.values);
    else if (f.kind === 'bytes') enc.bytes(name, f.values);
    else throw new DataError(`feature '${key}': unknown kind '${(f as { kind: unknown }).kind}'`);
  }
  // a copy: finish() is a view into the shared encoder (and Buffer#slice would not copy)
  return new Uint8Array(enc.finish());
}
