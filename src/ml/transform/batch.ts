/**
 * Columnar batches of raw features, the transform runtime's input: typed arrays for numbers,
 * arrays for strings, nothing per row. Missing values are explicit (a validity mask, or null),
 * and so are multi-valued features (lists): transform ops take one value per row, and a row
 * with more is a DataError naming the feature and the row, never a silent NaN.
 */
import { DataError } from '../../errors.js';

/** A numeric column; `valid[i] === 0` marks row i missing (no mask: all present). */
export interface NumberColumn {
  kind: 'number';
  values: Float64Array;
  valid?: Uint8Array | null;
}
/** A string column; null is missing. */
export interface StringColumn {
  kind: 'string';
  values: readonly (string | null)[];
}
/** A multi-valued column (tf.Example lists): null or [] is missing, one value reads as a scalar. */
export interface ListColumn {
  kind: 'list';
  values: readonly (readonly (number | string)[] | null)[];
}
export type RawColumn = NumberColumn | StringColumn | ListColumn;

export interface RawBatch {
  numRows: number;
  columns: Readonly<Record<string, RawColumn>>;
}

/** A numeric column from numbers and nulls (null: missing). */
export function numberColumn(values: ArrayLike<number | null | undefined>): NumberColumn {
  const out = new Float64Array(values.length);
  let valid: Uint8Array | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      valid ??= new Uint8Array(values.length).fill(1);
      valid[i] = 0;
    } else out[i] = v;
  }
  return { kind: 'number', values: out, valid };
}

export function stringColumn(values: readonly (string | null | undefined)[]): StringColumn {
  return { kind: 'string', values: values.map((v) => v ?? null) };
}

/**
 * A batch from row objects (serving's `instances`, tests): numbers become number columns,
 * strings string columns, arrays list columns; a feature's kind is taken from its first
 * present value.
 */
export function rawBatchFromRows(rows: readonly Readonly<Record<string, unknown>>[]): RawBatch {
  const names = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) names.add(k);
  const columns: Record<string, RawColumn> = {};
  for (const name of names) {
    const cells = rows.map((r) => r[name] ?? null);
    const first = cells.find((c) => c !== null);
    const bad = (i: number, want: string) => new DataError(`feature '${name}' row ${i}: expected ${want}, got ${JSON.stringify(cells[i])}`);
    if (Array.isArray(first)) {
      columns[name] = {
        kind: 'list',
        values: cells.map((c, i) => {
          if (c === null || (Array.isArray(c) && c.every((x) => typeof x === 'number' || typeof x === 'string'))) return c as (number | string)[] | null;
          throw bad(i, 'a list of numbers or strings');
        }),
      };
    } else if (typeof first === 'string') {
      cells.forEach((c, i) => {
        if (c !== null && typeof c !== 'string') throw bad(i, 'a string');
      });
      columns[name] = stringColumn(cells as (string | null)[]);
    } else {
      cells.forEach((c, i) => {
        if (c !== null && typeof c !== 'number') throw bad(i, 'a number');
      });
      columns[name] = numberColumn(cells as (number | null)[]);
    }
  }
  return { numRows: rows.length, columns };
}

/** A column as the evaluator reads it: one value (or missing) per row. */
export interface NumCol {
  t: 'num';
  v: Float64Array;
  /** missing[i] === 1: row i has no value; null: none missing */
  miss: Uint8Array | null;
  /** the raw feature (or expression) this column comes from, for error messages */
  src: string;
}
export interface StrCol {
  t: 'str';
  v: readonly (string | null)[];
  src: string;
}

function column(batch: RawBatch, name: string): RawColumn {
  const c = batch.columns[name];
  // absent from every row (a shard without the feature, instances without the key): all missing,
  // as an absent tf.Example feature is; fillMissing handles it, any other op names the feature
  if (!c) return { kind: 'number', values: new Float64Array(batch.numRows), valid: new Uint8Array(batch.numRows) };
  if (c.values.length !== batch.numRows) throw new DataError(`feature '${name}' has ${c.values.length} values for ${batch.numRows} rows`);
  return c;
}

function scalarOfList(name: string, cell: readonly (number | string)[] | null, row: number): number | string | null {
  if (cell === null || cell.length === 0) return null;
  if (cell.length > 1) throw new DataError(`feature '${name}' row ${row}: has ${cell.length} values, but transform ops take one value per row`);
  return cell[0]!;
}

/** Reads raw feature `name` as numbers. */
export function readNumbers(batch: RawBatch, name: string): NumCol {
  const c = column(batch, name);
  if (c.kind === 'number') {
    let miss: Uint8Array | null = null;
    if (c.valid) {
      const valid = c.valid;
      for (let i = 0; i < valid.length; i++) {
        if (valid[i] === 0) {
          miss ??= new Uint8Array(valid.length);
          miss[i] = 1;
        }
      }
    }
    return { t: 'num', v: c.values, miss, src: name };
  }
  const n = batch.numRows;
  const v = new Float64Array(n);
  let miss: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const x = c.kind === 'list' ? scalarOfList(name, c.values[i]!, i) : c.values[i]!;
    if (x === null) {
      miss ??= new Uint8Array(n);
      miss[i] = 1;
    } else if (typeof x === 'number') v[i] = x;
    else throw new DataError(`feature '${name}' row ${i}: expected a number, got the string ${JSON.stringify(x)}`);
  }
  return { t: 'num', v, miss, src: name };
}

/** Reads raw feature `name` as strings. */
export function readStrings(batch: RawBatch, name: string): StrCol {
  const c = column(batch, name);
  if (c.kind === 'string') return { t: 'str', v: c.values, src: name };
  if (c.kind === 'number') {
    // a column with no value at all has no kind (rawBatchFromRows of one row with a null): all missing
    if (c.valid && c.valid.every((v) => v === 0)) return { t: 'str', v: new Array<null>(batch.numRows).fill(null), src: name };
    throw new DataError(`feature '${name}': expected strings, got a numeric column`);
  }
  const v = new Array<string | null>(batch.numRows);
  for (let i = 0; i < batch.numRows; i++) {
    const x = scalarOfList(name, c.values[i]!, i);
    if (typeof x === 'number') throw new DataError(`feature '${name}' row ${i}: expected a string, got the number ${x}`);
    v[i] = x;
  }
  return { t: 'str', v, src: name };
}

/** Throws the DataError for the first missing row of a column an op needs whole. */
export function requirePresent(c: NumCol | StrCol, op: string): void {
  if (c.t === 'num') {
    if (!c.miss) return;
    const row = c.miss.indexOf(1);
    if (row >= 0) throw new DataError(`feature '${c.src}' row ${row}: value is missing, and ${op} has no fillMissing before it`);
  } else {
    const row = c.v.indexOf(null);
    if (row >= 0) throw new DataError(`feature '${c.src}' row ${row}: value is missing, and ${op} has no fillMissing before it`);
  }
}
