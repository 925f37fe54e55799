/**
 * CSV reader (RFC 4180, header row required) decoding into an ExampleBatchBuilder.
 *
 * Column types are inferred over the whole file, as TFX's CSV ExampleGen does: int if every
 * non-empty value is an integer, float if every non-empty value is numeric, else bytes. The
 * reader streams the file twice (infer, then decode) rather than buffering it, so memory stays
 * flat however large the file is. An empty cell is an absent feature.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse';
import type { ExampleBatchBuilder, FeatureKind } from './columns.js';
import { DataError } from '../errors.js';

/** Per column: the narrowest kind holding every value seen so far (undefined: no value yet). */
export type KindMap = Map<string, FeatureKind | undefined>;

const RANK: Record<FeatureKind, number> = { int: 0, float: 1, bytes: 2 };

/** The narrower kind that still holds both (int < float < bytes). */
export function widenKind(a: FeatureKind | undefined, b: FeatureKind | undefined): FeatureKind | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

export interface CsvReadOptions {
  /** types for some or all columns; the others are inferred from the file */
  columnTypes?: Record<string, FeatureKind>;
  /** called every 10,000 records, between records; a returned promise is awaited before reading on */
  onProgress?: (bytesRead: number, records: number) => unknown;
  signal?: AbortSignal;
}

const INT_RE = /^\s*[+-]?\d+\s*$/;
const FLOAT_RE = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
// the spellings strtod (and so TensorFlow's CSV decoding) accepts for non-finite values
const SPECIAL_RE = /^\s*([+-]?)(nan|inf|infinity)\s*$/i;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An integer as a number when exact, a bigint when past 2^53; undefined when not an int64. */
export function parseIntCell(s: string): number | bigint | undefined {
  if (!INT_RE.test(s)) return undefined;
  const n = Number(s);
  if (Number.isSafeInteger(n)) return n;
  const b = BigInt(s.trim());
  return b >= INT64_MIN && b <= INT64_MAX ? b : undefined;
}

export function parseFloatCell(s: string): number | undefined {
  if (FLOAT_RE.test(s)) return Number(s);
  const m = SPECIAL_RE.exec(s);
  if (!m) return undefined;
  if (m[2]!.toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

function cellKind(s: string): FeatureKind {
  if (parseIntCell(s) !== undefined) return 'int';
  if (parseFloatCell(s) !== undefined) return 'float';
  return 'bytes';
}

interface CsvRecord {
  fields: string[];
  /** byte offset where the record (or the blank lines before it) starts */
  start: number;
  /** 0 for the header, then 1, 2, … */
  index: number;
}

/** 1-based line of the first non-blank line at or after byte `offset`; only runs on errors. */
async function lineAt(file: string, offset: number): Promise<number> {
  let line = 1;
  let pos = 0;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++, pos++) {
      const c = chunk[i]!;
      if (pos >= offset && c !== 0x0a && c !== 0x0d) return line;
      if (c === 0x0a) line++;
    }
  }
  return line;
}

async function* csvRecords(file: string, opts: CsvReadOptions): AsyncGenerator<CsvRecord> {
  const parser = fs
    .createReadStream(file)
    .pipe(parse({ info: true, bom: true, relax_column_count: true, skip_empty_lines: true }));
  let start = 0;
  let index = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      yield { fields: record, start, index };
      if (index > 0 && index % 10_000 === 0) await opts.onProgress?.(info.bytes, index);
      start = info.bytes;
      index++;
    }
    await opts.onProgress?.(start, Math.max(0, index - 1));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('CSV_')) {
      throw new DataError(`malformed CSV: ${(err as Error).message}`, file, `line ${await lineAt(file, start)}`);
    }
    throw err;
  } finally {
    parser.destroy();
  }
}

function checkHeader(file: string, header: string[] | undefined): string[] {
  if (!header) throw new DataError('empty file: a header row is required', file, 'line 1');
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name.trim() === '') throw new DataError(`column ${i + 1} has an empty header`, file, 'line 1');
    if (seen.has(name)) throw new DataError(`duplicate column '${name}' in the header`, file, 'line 1');
    seen.add(name);
  });
  return header;
}

async function raggedError(file: string, rec: CsvRecord, header: string[]): Promise<DataError> {
  return new DataError(
    `row has ${rec.fields.length} fields, the header has ${header.length}`,
    file,
    `line ${await lineAt(file, rec.start)}`,
  );
}

/** Widen `into` with the kinds of every column of `file` (the inference pass). */
export async function inferCsvKinds(file: string, into: KindMap = new Map(), opts: CsvReadOptions = {}): Promise<KindMap> {
  let header: string[] | undefined;
  let kinds: (FeatureKind | undefined)[] = [];
  for await (const rec of csvRecords(file, opts)) {
    if (!header) {
      header = checkHeader(file, rec.fields);
      kinds = header.map((h) => into.get(h));
      continue;
    }
    if (rec.fields.length !== header.length) throw await raggedError(file, rec, header);
    for (let c = 0; c < header.length; c++) {
      const v = rec.fields[c]!;
      // bytes is the widest kind: no need to look at the column's other values
      if (v === '' || kinds[c] === 'bytes') continue;
      kinds[c] = widenKind(kinds[c], cellKind(v));
    }
  }
  checkHeader(file, header);
  header!.forEach((h, c) => into.set(h, widenKind(into.get(h), kinds[c])));
  return into;
}

/**
 * Decode `file` into `builder`, one row per record. Columns without a given type are inferred
 * from this file (a first pass); a column with no value at all becomes an all-absent bytes column.
 */
export async function readCsvExamples(file: string, builder: ExampleBatchBuilder, opts: CsvReadOptions = {}): Promise<void> {
  const given = opts.columnTypes ?? {};
  let header: string[] | undefined;
  let inferred: KindMap | undefined;
  const cols: ReturnType<ExampleBatchBuilder['column']>[] = [];
  for await (const rec of csvRecords(file, opts)) {
    if (!header) {
      header = checkHeader(file, rec.fields);
      if (header.some((h) => !given[h])) inferred = await inferCsvKinds(file, new Map(), { signal: opts.signal });
      for (const h of header) cols.push(builder.column(h, given[h] ?? inferred?.get(h) ?? 'bytes', file, 'line 1'));
      continue;
    }
    if (rec.fields.length !== header.length) throw await raggedError(file, rec, header);
    const row = builder.beginRow();
    for (let c = 0; c < header.length; c++) {
      const v = rec.fields[c]!;
      if (v === '') continue;
      const col = cols[c]!;
      if (col.kind === 'bytes') {
        col.present(row);
        col.pushString(v);
        continue;
      }
      const parsed = col.kind === 'int' ? parseIntCell(v) : parseFloatCell(v);
      if (parsed === undefined) {
        const line = await lineAt(file, rec.start);
        throw new DataError(`column '${header[c]}': '${v}' is not ${col.kind === 'int' ? 'an int64' : 'a number'}`, file, `line ${line}`);
      }
      col.present(row);
      if (typeof parsed === 'bigint') col.pushBigInt(parsed);
      else if (col.kind === 'int') col.pushInt(parsed);
      else col.pushFloat(parsed);
    }
  }
  checkHeader(file, header);
}
