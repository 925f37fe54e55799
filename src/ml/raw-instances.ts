/**
 * Raw rows (TF Serving `instances`: one object per example, keyed by raw feature name) checked
 * against a Model signature's raw inputs and turned into the transform runtime's columnar batch.
 * Every raw input must be a key of every row; `null` (or `[]`) is a missing value, which the
 * transform fills or rejects naming the row. Keys the model does not read are ignored (a row
 * straight from the data may carry its label). Node-free.
 */
import type { RawKind } from '../../schemas/transform-graph.js';
import { DataError } from '../errors.js';
import { numberColumn, stringColumn, type RawBatch, type RawColumn } from './transform/index.js';

type Scalar = number | string;

const describe = (v: unknown) => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)));

/** One value checked against its raw kind; a bad one names the instance and the feature. */
function checkValue(v: unknown, kind: RawKind, where: () => string): Scalar {
  if (kind === 'string') {
    if (typeof v !== 'string') throw new DataError(`expected a string, got ${describe(v)}`, undefined, where());
    return v;
  }
  if (typeof v !== 'number') throw new DataError(`expected a number, got ${describe(v)}`, undefined, where());
  // NaN never reaches the model silently: missing is null, and the transform decides what it means
  if (!Number.isFinite(v))
    throw new DataError(`${v} is not a finite number (send null for a missing value)`, undefined, where());
  if (kind === 'int' && !Number.isInteger(v))
    throw new DataError(`${v} is not an integer, the feature is int`, undefined, where());
  return v;
}

/**
 * A columnar batch of the given raw inputs from row objects. A row that is not an object, lacks
 * a raw input, or holds a value of the wrong type (a string for a number, NaN, a fraction for an
 * int feature) is a DataError naming the instance and the feature.
 */
export function rawBatchFromInstances(
  rawInputs: readonly { name: string; kind: RawKind }[],
  rows: readonly unknown[],
): RawBatch {
  if (!Array.isArray(rows)) throw new DataError(`instances must be a list of objects, got ${describe(rows)}`);
  const names = rawInputs.map((r) => r.name);
  rows.forEach((row, i) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      throw new DataError(
        `expected an object keyed by raw feature names (${names.join(', ')}), got ${describe(row)}`,
        undefined,
        `instance ${i}`,
      );
    const absent = names.filter((n) => !(n in row));
    if (absent.length)
      throw new DataError(
        `raw feature${absent.length > 1 ? 's' : ''} '${absent.join("', '")}' missing (the model reads ${names.join(', ')}; send null for a missing value)`,
        undefined,
        `instance ${i}`,
      );
  });
  const columns: Record<string, RawColumn> = {};
  for (const { name, kind } of rawInputs) {
    const cells = rows.map((r) => (r as Record<string, unknown>)[name]);
    const where = (i: number, k?: number) => () =>
      `instance ${i} feature '${name}'${k === undefined ? '' : ` value ${k}`}`;
    if (cells.some(Array.isArray)) {
      // a tf.Example-style list; the transform takes one value per row and names a row with more
      columns[name] = {
        kind: 'list',
        values: cells.map((c, i) => {
          if (c === null) return null;
          const list = Array.isArray(c) ? (c as unknown[]) : [c];
          return list.map((v, k) => checkValue(v, kind, where(i, Array.isArray(c) ? k : undefined)));
        }),
      };
    } else if (kind === 'string') {
      columns[name] = stringColumn(
        cells.map((c, i) => (c === null ? null : (checkValue(c, kind, where(i)) as string))),
      );
    } else {
      columns[name] = numberColumn(
        cells.map((c, i) => (c === null ? null : (checkValue(c, kind, where(i)) as number))),
      );
    }
  }
  return { numRows: rows.length, columns };
}
