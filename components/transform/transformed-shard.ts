/**
 * Transformed rows as an Examples shard: float32 features as Float32 columns, ids as Int64
 * (tf.Example's int64_list, so StatisticsGen and TensorFlow read them as any Examples), one-hot
 * blocks as List<Float32> of fixed length, passthrough strings as Utf8.
 */
import { Field, Float32, Int64, List, Table, Utf8, makeData, makeVector, vectorFromArray, type Vector } from 'apache-arrow';
import type { FeatureColumn } from '../../schemas/artifacts.js';
import type { TransformedBatch, TransformedColumn } from '../../src/ml/transform/index.js';

function vectorOf(c: TransformedColumn, rows: number): Vector {
  switch (c.dtype) {
    case 'float32':
      if (c.width === 1) return makeVector(c.values);
      return makeVector(
        makeData({
          type: new List(new Field('item', new Float32(), false)),
          length: rows,
          nullCount: 0,
          valueOffsets: Int32Array.from({ length: rows + 1 }, (_, i) => i * c.width),
          child: makeData({ type: new Float32(), length: c.values.length, data: c.values }),
        }),
      );
    case 'int64':
      return makeVector(BigInt64Array.from(c.values, (v) => BigInt(v)));
    case 'string':
      return vectorFromArray(c.values, new Utf8());
  }
}

export function transformedTable(batch: TransformedBatch): Table {
  const vectors: Record<string, Vector> = {};
  for (const [name, c] of Object.entries(batch.columns)) vectors[name] = vectorOf(c, batch.numRows);
  return new Table(vectors);
}

/** The Examples feature list of a transformed shard's columns. */
export function transformedFeatures(batch: TransformedBatch): FeatureColumn[] {
  return Object.entries(batch.columns).map(([name, c]) => {
    if (c.dtype === 'int64') return { name, kind: 'int', valency: 'single', arrowType: new Int64().toString() };
    if (c.dtype === 'string') return { name, kind: 'bytes', valency: 'single', arrowType: new Utf8().toString() };
    if (c.width === 1) return { name, kind: 'float', valency: 'single', arrowType: new Float32().toString() };
    return { name, kind: 'float', valency: 'multi', arrowType: new List(new Field('item', new Float32(), false)).toString() };
  });
}
