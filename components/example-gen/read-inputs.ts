/**
 * Reading ExampleGen's input files into ExampleBatchBuilders: the format of each file, one
 * type inference over every CSV/JSON file (so a column has the same type in every file and
 * every split), then the readers.
 */
import path from 'node:path';
import type { ExampleBatchBuilder, FeatureKind } from '../../src/io/columns.js';
import { readArrowExamples } from '../../src/io/arrow-input.js';
import { inferCsvKinds, readCsvExamples, type KindMap } from '../../src/io/csv.js';
import { inferJsonKinds, readJsonExamples } from '../../src/io/json.js';
import { readParquetExamples } from '../../src/io/parquet.js';
import { readTfRecordExamples } from '../../src/io/tf-example.js';
import { DataError } from '../../src/errors.js';
import { InputFormat } from './spec.js';

export type FileFormat = Exclude<InputFormat, 'auto'>;

const BY_EXTENSION: Record<string, FileFormat> = {
  '.tfrecord': 'tfrecord',
  '.tfrecords': 'tfrecord',
  '.rio': 'tfrecord',
  '.gz': 'tfrecord-gzip',
  '.csv': 'csv',
  '.json': 'json',
  '.ndjson': 'json',
  '.jsonl': 'json',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.arrows': 'arrow',
  '.parquet': 'parquet',
  '.parq': 'parquet',
};

/** "csv (.csv), json (.json .ndjson .jsonl), …": every format `auto` knows, with its extensions. */
function formatsByExtension(): string {
  const exts = new Map<FileFormat, string[]>();
  for (const [ext, f] of Object.entries(BY_EXTENSION)) exts.set(f, [...(exts.get(f) ?? []), ext]);
  return [...exts].map(([f, e]) => `${f} (${e.join(' ')})`).join(', ');
}

/** The format of `file`: the one given, or by extension when `auto`. */
export function formatOf(file: string, format: InputFormat): FileFormat {
  if (format !== 'auto') return format;
  const ext = path.extname(file).toLowerCase();
  const byExt = BY_EXTENSION[ext];
  if (!byExt) {
    const formats = InputFormat.options.filter((f) => f !== 'auto').map((f) => `'${f}'`).join(', ');
    throw new DataError(
      `can't tell the format from the extension ${ext ? `'${ext}'` : '(the name has none)'}; ` +
        `ExampleGen knows ${formatsByExtension()}. ` +
        `Rename the file, or set ExampleGen's 'format' param to one of ${formats} ` +
        `(e.g. ExampleGen({ input: '…', format: 'csv' })); it applies to every input file`,
      file,
    );
  }
  return byExt;
}

export interface ReaderHooks {
  /** a returned promise is awaited by the reader before it reads on */
  onProgress?: (bytesRead: number, records: number) => unknown;
  signal?: AbortSignal;
}

/** Widen `kinds` with the column types of one CSV/JSON file; other formats carry their own types. */
export async function inferFileKinds(file: string, format: InputFormat, kinds: KindMap, progress: ReaderHooks = {}): Promise<void> {
  const f = formatOf(file, format);
  if (f === 'csv') await inferCsvKinds(file, kinds, progress);
  else if (f === 'json') await inferJsonKinds(file, kinds, progress);
}

/** Inferred kinds with the given ones winning; a column with no value anywhere is bytes. */
export function columnTypesOf(kinds: KindMap, given: Record<string, FeatureKind> = {}): Record<string, FeatureKind> {
  const out: Record<string, FeatureKind> = {};
  for (const [name, kind] of kinds) out[name] = kind ?? 'bytes';
  return { ...out, ...given };
}

/** Decode one file into `builder`. */
export async function readInputFile(
  file: string,
  format: InputFormat,
  builder: ExampleBatchBuilder,
  columnTypes: Record<string, FeatureKind>,
  progress: ReaderHooks,
): Promise<void> {
  switch (formatOf(file, format)) {
    case 'csv':
      return readCsvExamples(file, builder, { columnTypes, ...progress });
    case 'json':
      return readJsonExamples(file, builder, { columnTypes, ...progress });
    case 'arrow':
      return readArrowExamples(file, builder, progress);
    case 'parquet':
      return readParquetExamples(file, builder, progress);
    case 'tfrecord':
    case 'tfrecord-gzip': {
      const compression = formatOf(file, format) === 'tfrecord-gzip' ? 'gzip' : 'auto';
      await readTfRecordExamples(file, builder, { compression, onProgress: progress.onProgress });
      return;
    }
  }
}
