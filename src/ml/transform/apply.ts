/**
 * applyTransform: a TransformGraph over a columnar batch of raw features, giving the transformed
 * features. The one runtime training, serving and the browser share: plain loops over typed
 * arrays and the graph's data, no user code. Strict about missing values: any op but
 * fillMissing that meets one throws a DataError naming the feature and the row.
 */
import { DataError } from '../../errors.js';
import type { TransformGraph } from '../../../schemas/transform-graph.js';
import { requirePresent, type RawBatch } from './batch.js';
import { evaluate, neededNodes, type Col } from './eval.js';

/** A transformed column: float32 values, int64 ids (as Int32Array), a row-major one-hot block of `width`, or strings. */
export type TransformedColumn =
  | { dtype: 'float32'; width: number; values: Float32Array }
  | { dtype: 'int64'; width: 1; values: Int32Array }
  | { dtype: 'string'; width: 1; values: string[] };

export interface TransformedBatch {
  numRows: number;
  columns: Record<string, TransformedColumn>;
}

function toColumn(name: string, c: Col, rows: number): TransformedColumn {
  switch (c.t) {
    case 'num':
      requirePresent(c, `output '${name}'`);
      return { dtype: 'float32', width: 1, values: Float32Array.from(c.v) };
    case 'scalar':
      return { dtype: 'float32', width: 1, values: new Float32Array(rows).fill(c.v) };
    case 'id':
      return { dtype: 'int64', width: 1, values: c.v };
    case 'vec':
      return { dtype: 'float32', width: c.width, values: c.v };
    case 'str':
      requirePresent(c, `output '${name}'`);
      return { dtype: 'string', width: 1, values: c.v as string[] };
    case 'strScalar':
      return { dtype: 'string', width: 1, values: new Array<string>(rows).fill(c.v) };
  }
}

// the needed-node mask depends only on the spec: compute it once per graph
const needs = new WeakMap<TransformGraph, Uint8Array>();

/** The graph's output features for every row of `batch`. */
export function applyTransform(graph: TransformGraph, batch: RawBatch): TransformedBatch {
  if (!Number.isInteger(batch.numRows) || batch.numRows < 0) throw new DataError(`a batch needs a row count, got ${batch.numRows}`);
  let need = needs.get(graph);
  if (!need) needs.set(graph, (need = neededNodes(graph.spec, Object.values(graph.spec.outputs))));
  const cols = evaluate(graph.spec, graph.results, batch, need, { strict: true });
  const columns: Record<string, TransformedColumn> = {};
  for (const [name, ref] of Object.entries(graph.spec.outputs)) columns[name] = toColumn(name, cols[ref]!, batch.numRows);
  return { numRows: batch.numRows, columns };
}
