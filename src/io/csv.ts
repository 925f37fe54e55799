/**
 * CSV reader (RFC 4180, header row required) decoding into an ExampleBatchBuilder.
 *
 * Column types are inferred over the whole file, as TFX's CSV ExampleGen does: int if every
 * non-empty value is an integer, float if every non-empty value is numeric, else bytes. The
 * reader streams the file twice (infer, then decode) rather than buffering it, so memory stays
 * flat however large the file is. An empty cell is an absent feature.
 *
 * Both passes run on csv-tokenizer.ts's field offsets: numbers parse from the input bytes and
 * byte values are copied from them, with no string per cell (csv-parse's strings were most of
 * the reading time).
 */
import fs from 'node:fs';
import { TextDecoder } from 'node:util';
import type { ColumnBuilder, ExampleBatchBuilder, FeatureKind } from './columns.js';
import { cellKind, floatAt, intAt, kindAt, parseFloatCell, parseIntCell } from './csv-cells.js';
import { CsvSyntaxError, CsvTokenizer } from './csv-tokenizer.js';
import { DataError } from '../errors.js';

export { parseFloatCell, parseIntCell } from './csv-cells.js';

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

/** A bad record: eachRecord adds the file and the line the record starts on. */
class RecordError extends Error {}

/** The file's bytes; a UTF-16LE file (known by its BOM, as csv-parse knew it) as UTF-8. */
async function* inputChunks(file: string): AsyncGenerator<Buffer> {
  let utf16: TextDecoder | undefined;
  let first = true;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (first && chunk[0] === 0xff && chunk[1] === 0xfe) utf16 = new TextDecoder('utf-16le');
    first = false;
    yield utf16 ? Buffer.from(utf16.decode(chunk, { stream: true }), 'utf8') : chunk;
  }
  const rest = utf16?.decode() ?? '';
  if (rest) yield Buffer.from(rest, 'utf8');
}

/** 1-based line of the first non-blank line at or after byte `offset`; only runs on errors. */
async function lineAt(file: string, offset: number): Promise<number> {
  let line = 1;
  let pos = 0;
  for await (const chunk of inputChunks(file)) {
    for (let i = 0; i < chunk.length; i++, pos++) {
      const c = chunk[i]!;
      if (pos >= offset && c !== 0x0a && c !== 0x0d) return line;
      if (c === 0x0a) line++;
    }
  }
  return line;
}

/**
 * Calls `onRecord` with the tokenizer at each record (index 0: the header) and reports progress
 * every 10,000 records after the header. A promise `onRecord` returns is awaited; a RecordError
 * it throws and malformed input become DataErrors naming the file and line.
 */
async function eachRecord(
  file: string,
  opts: CsvReadOptions,
  onRecord: (tok: CsvTokenizer, index: number) => Promise<void> | void,
): Promise<void> {
  const tok = new CsvTokenizer();
  const { signal, onProgress } = opts;
  let index = 0;
  /** where the last record ended */
  let done = 0;
  const drain = async (): Promise<void> => {
    while (tok.next()) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const pending = onRecord(tok, index);
      if (pending) await pending;
      if (index > 0 && index % 10_000 === 0) await onProgress?.(tok.end, index);
      done = tok.end;
      index++;
    }
  };
  try {
    for await (const chunk of inputChunks(file)) {
      tok.push(chunk);
      await drain();
    }
    tok.finish();
    await drain();
    await onProgress?.(done, Math.max(0, index - 1));
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new DataError(`malformed CSV: ${err.message}`, file, `line ${await lineAt(file, err.offset)}`);
    if (err instanceof RecordError) throw new DataError(err.message, file, `line ${await lineAt(file, tok.start)}`);
    throw err;
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

function headerOf(file: string, tok: CsvTokenizer): string[] {
  return checkHeader(file, Array.from({ length: tok.count }, (_, i) => tok.text(i)));
}

function ragged(tok: CsvTokenizer, header: string[]): RecordError {
  return new RecordError(`row has ${tok.count} fields, the header has ${header.length}`);
}

/** Widen `into` with the kinds of every column of `file` (the inference pass). */
export async function inferCsvKinds(file: string, into: KindMap = new Map(), opts: CsvReadOptions = {}): Promise<KindMap> {
  let header: string[] | undefined;
  let kinds: (FeatureKind | undefined)[] = [];
  await eachRecord(file, opts, (tok) => {
    if (!header) {
      header = headerOf(file, tok);
      kinds = header.map((h) => into.get(h));
      return;
    }
    if (tok.count !== header.length) throw ragged(tok, header);
    const { buf, starts, ends, quoting } = tok;
    for (let c = 0; c < kinds.length; c++) {
      const s = starts[c]!;
      const e = ends[c]!;
      // bytes is the widest kind: no need to look at the column's other values
      if (s === e || kinds[c] === 'bytes') continue;
      const kind = (quoting[c] !== 2 && kindAt(buf, s, e)) || cellKind(tok.text(c));
      if (kind !== kinds[c]) kinds[c] = widenKind(kinds[c], kind);
    }
  });
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
  const cols: ColumnBuilder[] = [];

  const open = async (tok: CsvTokenizer): Promise<void> => {
    const names = headerOf(file, tok);
    const inferred = names.some((h) => !given[h]) ? await inferCsvKinds(file, new Map(), { signal: opts.signal }) : undefined;
    for (const h of names) cols.push(builder.column(h, given[h] ?? inferred?.get(h) ?? 'bytes', file, 'line 1'));
    header = names;
  };

  /** A cell off the fast paths: exponents, blanks around it, non-finite spellings, int64 past 2^53, bad values. */
  const slowCell = (tok: CsvTokenizer, c: number, row: number): void => {
    const col = cols[c]!;
    const text = tok.text(c);
    const parsed = col.kind === 'int' ? parseIntCell(text) : parseFloatCell(text);
    if (parsed === undefined) {
      throw new RecordError(`column '${header![c]}': '${text}' is not ${col.kind === 'int' ? 'an int64' : 'a number'}`);
    }
    col.present(row);
    if (typeof parsed === 'bigint') col.pushBigInt(parsed);
    else if (col.kind === 'int') col.pushInt(parsed);
    else col.pushFloat(parsed);
  };

  const decode = (tok: CsvTokenizer): void => {
    if (tok.count !== cols.length) throw ragged(tok, header!);
    const row = builder.beginRow();
    const { buf, starts, ends, quoting } = tok;
    for (let c = 0; c < cols.length; c++) {
      const s = starts[c]!;
      const e = ends[c]!;
      if (s === e) continue;
      const col = cols[c]!;
      if (col.kind === 'bytes') {
        col.present(row);
        tok.pushTo(c, col);
        continue;
      }
      const v = quoting[c] === 2 ? undefined : col.kind === 'int' ? intAt(buf, s, e) : floatAt(buf, s, e);
      if (v === undefined) {
        slowCell(tok, c, row);
        continue;
      }
      col.present(row);
      if (col.kind === 'int') col.pushInt(v);
      else col.pushFloat(v);
    }
  };

  await eachRecord(file, opts, (tok) => (header ? decode(tok) : open(tok)));
  checkHeader(file, header);
}
