/**
 * JSON reader: a JSON array of objects, or NDJSON (one object per line), decoded into an
 * ExampleBatchBuilder. Each top-level key is a feature: numbers are int when integral in every
 * record, else float; strings are bytes; booleans are int 0/1; arrays are multi-valued;
 * null or a missing key is an absent feature. Nested objects have no tf.Example form: an error.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { ExampleBatchBuilder, FeatureKind } from './columns.js';
import { parseFloatCell, parseIntCell, widenKind, type KindMap } from './csv.js';
import { DataError } from '../errors.js';

export interface JsonReadOptions {
  /** types for some or all fields; the others are inferred from the file (an extra pass) */
  columnTypes?: Record<string, FeatureKind>;
  /** called every 10,000 records, between records; a returned promise is awaited before reading on */
  onProgress?: (bytesRead: number, records: number) => unknown;
  signal?: AbortSignal;
}

type Scalar = number | string | boolean;
interface JsonRecord {
  value: Record<string, unknown>;
  /** "record 3" (array, 0-based) or "line 12" (NDJSON, 1-based) */
  where: string;
}

const NDJSON_EXT = new Set(['.ndjson', '.jsonl']);
const TWO_63 = 2 ** 63;

async function firstChar(file: string): Promise<string | undefined> {
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 4096 }) as AsyncIterable<string>) {
    const m = /\S/.exec(chunk.replace(/^\uFEFF/, ''));
    if (m) return m[0];
  }
  return undefined;
}

/** NDJSON by extension, else by content: an array starts with '[', NDJSON with '{'. */
export async function isNdjson(file: string): Promise<boolean> {
  if (NDJSON_EXT.has(path.extname(file).toLowerCase())) return true;
  return (await firstChar(file)) === '{';
}

function asRecord(file: string, v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new DataError(`expected a JSON object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`, file, where);
  }
  return v as Record<string, unknown>;
}

function lineOfPosition(text: string, message: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  if (!m) return undefined;
  const pos = Number(m[1]);
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

async function* jsonRecords(file: string, opts: JsonReadOptions): AsyncGenerator<JsonRecord> {
  const size = (await fs.promises.stat(file)).size;
  if (await isNdjson(file)) {
    const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    let lineNo = 0;
    let bytes = 0;
    let records = 0;
    for await (const raw of lines) {
      lineNo++;
      bytes += Buffer.byteLength(raw) + 1;
      const text = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch (err) {
        throw new DataError(`bad JSON (expected one object per line): ${(err as Error).message}`, file, `line ${lineNo}`);
      }
      yield { value: asRecord(file, v, `line ${lineNo}`), where: `line ${lineNo}` };
      if (++records % 10_000 === 0) await opts.onProgress?.(Math.min(bytes, size), records);
    }
    await opts.onProgress?.(size, records);
    return;
  }
  const text = (await fs.promises.readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const line = lineOfPosition(text, (err as Error).message);
    throw new DataError(`bad JSON: ${(err as Error).message}`, file, line ? `line ${line}` : undefined);
  }
  if (!Array.isArray(doc)) throw new DataError('expected a JSON array of objects, or NDJSON (one object per line)', file);
  for (let i = 0; i < doc.length; i++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    yield { value: asRecord(file, doc[i], `record ${i}`), where: `record ${i}` };
    if ((i + 1) % 10_000 === 0) await opts.onProgress?.(Math.floor((size * (i + 1)) / doc.length), i + 1);
  }
  await opts.onProgress?.(size, doc.length);
}

function scalarKind(v: Scalar): FeatureKind {
  if (typeof v === 'string') return 'bytes';
  if (typeof v === 'boolean') return 'int';
  return Number.isInteger(v) && Math.abs(v) < TWO_63 ? 'int' : 'float';
}

/** The scalars of one field value ([] for an empty array), or undefined when absent. */
function scalarsOf(file: string, rec: JsonRecord, key: string): Scalar[] | undefined {
  const v = rec.value[key];
  if (v === null || v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  for (const x of list) {
    if (typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean') continue;
    const what = x === null ? 'a null inside an array' : Array.isArray(x) ? 'a nested array' : 'a nested object';
    throw new DataError(`field '${key}' holds ${what}, which tf.Example can't represent`, file, rec.where);
  }
  return list as Scalar[];
}

/** Widen `into` with the kind of every field of `file`; fields only ever null map to undefined. */
export async function inferJsonKinds(file: string, into: KindMap = new Map(), opts: JsonReadOptions = {}): Promise<KindMap> {
  for await (const rec of jsonRecords(file, opts)) {
    for (const key of Object.keys(rec.value)) {
      const values = scalarsOf(file, rec, key);
      let kind = into.get(key);
      for (const v of values ?? []) kind = widenKind(kind, scalarKind(v));
      into.set(key, kind);
    }
  }
  return into;
}

function pushValue(file: string, rec: JsonRecord, key: string, col: ReturnType<ExampleBatchBuilder['column']>, v: Scalar): void {
  if (col.kind === 'bytes') return col.pushString(typeof v === 'string' ? v : String(v));
  if (typeof v === 'boolean') return col.kind === 'int' ? col.pushInt(v ? 1 : 0) : col.pushFloat(v ? 1 : 0);
  if (col.kind === 'float') {
    const f = typeof v === 'number' ? v : parseFloatCell(v);
    if (f === undefined) throw new DataError(`field '${key}': '${v}' is not a number`, file, rec.where);
    return col.pushFloat(f);
  }
  const i = typeof v === 'number' ? (Number.isInteger(v) && Math.abs(v) < TWO_63 ? v : undefined) : parseIntCell(v);
  if (i === undefined) throw new DataError(`field '${key}': ${JSON.stringify(v)} is not an int64`, file, rec.where);
  if (typeof i === 'bigint') col.pushBigInt(i);
  else if (Number.isSafeInteger(i)) col.pushInt(i);
  else col.pushBigInt(BigInt(i));
}

/**
 * Decode `file` into `builder`, one row per object. Fields keep first-seen order; a field
 * without a given type triggers one inference pass over the file.
 */
export async function readJsonExamples(file: string, builder: ExampleBatchBuilder, opts: JsonReadOptions = {}): Promise<void> {
  const given = opts.columnTypes ?? {};
  let inferred: KindMap | undefined;
  const kindOf = async (key: string): Promise<FeatureKind> => {
    if (given[key]) return given[key];
    inferred ??= await inferJsonKinds(file, new Map(), { signal: opts.signal });
    return inferred.get(key) ?? 'bytes';
  };
  const cols = new Map<string, ReturnType<ExampleBatchBuilder['column']>>();
  for await (const rec of jsonRecords(file, opts)) {
    const row = builder.beginRow();
    for (const key of Object.keys(rec.value)) {
      const values = scalarsOf(file, rec, key);
      let col = cols.get(key);
      if (!col) cols.set(key, (col = builder.column(key, await kindOf(key), file, rec.where)));
      if (values === undefined) continue;
      col.present(row);
      for (const v of values) pushValue(file, rec, key, col, v);
    }
  }
}
