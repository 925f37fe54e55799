/** Bad definitions fail before anything runs, bad data fails naming the feature and the row; outputFeatures describes the graph. */
import { describe, expect, it } from 'vitest';
import { DataError, DefinitionError, UserCodeError } from '../../../src/errors.js';
import {
  analyzeBatches,
  applyTransform,
  checkSpecAgainstSchema,
  outputFeatures,
  rawBatchFromRows,
  tracePreprocessing,
  type OutputExpr,
  type Tracer,
} from '../../../src/ml/transform/index.js';
import { TransformGraph, TransformSpec } from '../../../schemas/transform-graph.js';

const schema = [
  { name: 'bill', type: 'FLOAT' as const },
  { name: 'year', type: 'INT' as const },
  { name: 'island', type: 'BYTES' as const },
];

describe('definition errors', () => {
  it('a feature the schema lacks is named, with the outputs using it', () => {
    const spec = tracePreprocessing((f) => ({ z: f.zScore('bil'), ok: f.zScore('bill') }));
    const e = (() => {
      try {
        checkSpecAgainstSchema(spec, schema);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(DefinitionError);
    expect((e as Error).message).toMatch(/feature 'bil' is not in the schema \(used by output 'z'\)/);
  });

  it('vocabulary on a numeric column and zScore on a string column fail naming the feature', () => {
    expect(() => checkSpecAgainstSchema(tracePreprocessing((f) => ({ v: f.vocabulary('year') })), schema)).toThrow(/feature 'year' is a numeric \(INT\) feature, but a string op/);
    expect(() => checkSpecAgainstSchema(tracePreprocessing((f) => ({ z: f.zScore('island') })), schema)).toThrow(/feature 'island' is a string \(BYTES\) feature, but a numeric op uses it/);
  });

  it('binds raw kinds, so passthrough outputs get their dtype', () => {
    const spec = checkSpecAgainstSchema(tracePreprocessing((f) => ({ island: f.passthrough('island'), year: f.passthrough('year') })), schema);
    expect(spec.nodes.map((n) => n.op === 'feature' && n.kind)).toEqual(['string', 'int']);
    const graph = analyzeBatches(spec, () => []);
    expect(outputFeatures(graph).map((o) => o.dtype)).toEqual(['string', 'float32']);
    const unbound = analyzeBatches(tracePreprocessing((f) => ({ island: f.passthrough('island') })), () => []);
    expect(() => outputFeatures(unbound)).toThrow(/type is unknown: check the spec against the Schema/);
  });

  it('tracing rejects bad returns and bad arguments; a throwing function is a UserCodeError', () => {
    expect(() => tracePreprocessing(() => ({}))).toThrow(/returned no outputs/);
    expect(() => tracePreprocessing(() => ({ x: 3 }) as unknown as Record<string, OutputExpr>)).toThrow(/output 'x' is not an expression of f/);
    expect(() => tracePreprocessing((f) => ({ b: f.bucketize('x', 0) }))).toThrow(/numBuckets must be a positive integer/);
    expect(() => tracePreprocessing((f) => ({ b: f.applyBuckets('x', [3, 1]) }))).toThrow(/ascending/);
    expect(() => tracePreprocessing((f) => ({ b: f.scaleMinMax('x', 1, 1) }))).toThrow(/min < max/);
    expect(() =>
      tracePreprocessing(() => {
        throw new Error('boom');
      }),
    ).toThrow(UserCodeError);
    // a kind mismatch the compiler was told to ignore still fails at trace time
    expect(() => tracePreprocessing((f: Tracer) => ({ v: f.vocabulary(f.zScore('x') as never) }))).toThrow(/vocabulary takes a string expression, got a number one/);
  });

  it('the spec is plain JSON that validates, and tracing is deterministic (same content, same key)', () => {
    const fn = (f: Tracer) => ({ z: f.zScore(f.fillMissing('x', f.mean('x'))), m: f.mean('x') });
    const a = tracePreprocessing(fn);
    expect(TransformSpec.parse(JSON.parse(JSON.stringify(a)))).toEqual(a);
    expect(JSON.stringify(tracePreprocessing(fn))).toBe(JSON.stringify(a));
    // mean(x) is one node, shared by fillMissing and the output
    expect(a.nodes.filter((n) => n.op === 'meanVar' && n.x === 0)).toHaveLength(1);
    expect(() => TransformSpec.parse({ ...a, nodes: [{ op: 'stat', of: 0, field: 'mean' }] })).toThrow(/does not come before it/);
  });
});

describe('data errors at apply time', () => {
  const spec = tracePreprocessing((f) => ({ z: f.zScore('x'), id: f.vocabulary('s') }));
  const graph = analyzeBatches(spec, () => [rawBatchFromRows([{ x: 1, s: 'a' }, { x: null, s: 'b' }, { x: 3, s: null }])]);

  it('a missing value reaching an op without fillMissing names the feature and the row', () => {
    expect(() => applyTransform(graph, rawBatchFromRows([{ x: 1, s: 'a' }, { x: null, s: 'a' }]))).toThrow(new DataError("feature 'x' row 1: value is missing, and zScore has no fillMissing before it"));
    expect(() => applyTransform(graph, rawBatchFromRows([{ x: 1, s: 'a' }, { x: 2, s: 'a' }, { x: 2, s: null }]))).toThrow(/feature 's' row 2: value is missing, and vocabulary/);
  });

  it('a multi-valued value in a scalar op, a wrong type, a missing column', () => {
    expect(() => applyTransform(graph, rawBatchFromRows([{ x: [1], s: ['a'] }, { x: [2, 3], s: ['b'] }]))).toThrow(/feature 'x' row 1: has 2 values, but transform ops take one value per row/);
    expect(() => applyTransform(graph, rawBatchFromRows([{ x: 'one', s: 'a' }]))).toThrow(/feature 'x': expected strings|expected a number/);
    // a feature absent from the batch is missing in every row
    expect(() => applyTransform(graph, rawBatchFromRows([{ s: 'a' }]))).toThrow(/feature 'x' row 0: value is missing/);
    // lists of one value read as scalars, an empty list as missing
    const out = applyTransform(graph, rawBatchFromRows([{ x: [1], s: ['a'] }]));
    // a and b tie at one each: b (the larger bytes) comes first, so a is id 1
    expect(Array.from(out.columns.id!.values as Int32Array)).toEqual([1]);
  });
});

describe('data errors at analysis time', () => {
  it('infinite values under a mean/variance name the feature, or the outputs using a derived input', () => {
    const spec = checkSpecAgainstSchema(tracePreprocessing((f) => ({ z: f.zScore('bill'), d: f.zScore(f.mul('bill', 2)) })), schema);
    const batch = rawBatchFromRows([{ bill: 1 }, { bill: Infinity }]);
    expect(() => analyzeBatches(spec, () => [batch])).toThrow(/meanVar of feature 'bill' reads infinite values/);
    const derived = checkSpecAgainstSchema(tracePreprocessing((f) => ({ d: f.zScore(f.mul('bill', 2)) })), schema);
    expect(() => analyzeBatches(derived, () => [batch])).toThrow(/meanVar \(used by output 'd'\) reads infinite values/);
  });
});

describe('outputFeatures', () => {
  it('gives dtype, width, cardinality and class names per output', () => {
    const spec = tracePreprocessing((f) => ({
      species: f.vocabulary('species'),
      island: f.vocabulary('island', { numOovBuckets: 2 }),
      hot: f.oneHot(f.vocabulary('island', { numOovBuckets: 2 })),
      h: f.hashStrings('island', 16),
      b: f.bucketize('x', 4),
      c: f.cross(['island', 'species'], 10),
      z: f.zScore('x'),
    }));
    const graph = analyzeBatches(spec, () => [rawBatchFromRows([{ species: 'Adelie', island: 'Biscoe', x: 1 }, { species: 'Gentoo', island: 'Dream', x: 2 }, { species: 'Adelie', island: 'Biscoe', x: 3 }])]);
    expect(TransformGraph.parse(JSON.parse(JSON.stringify(graph)))).toEqual(graph);
    expect(outputFeatures(graph)).toEqual([
      { name: 'species', dtype: 'int64', width: 1, cardinality: 2, classNames: ['Adelie', 'Gentoo'], defaultValue: -1 },
      { name: 'island', dtype: 'int64', width: 1, cardinality: 4, classNames: ['Biscoe', 'Dream'] },
      { name: 'hot', dtype: 'float32', width: 4, oneHotOf: spec.outputs.island },
      { name: 'h', dtype: 'int64', width: 1, cardinality: 16 },
      { name: 'b', dtype: 'int64', width: 1, cardinality: 4 },
      { name: 'c', dtype: 'int64', width: 1, cardinality: 10 },
      { name: 'z', dtype: 'float32', width: 1 },
    ]);
  });
});

describe('analyzer values of empty data', () => {
  it('min of a feature the analysis never saw a value of is a DataError naming it', () => {
    const graph = analyzeBatches(tracePreprocessing((f) => ({ x: f.fillMissing('x', f.min('x')) })), () => [rawBatchFromRows([{ x: null }, { x: null }])]);
    expect(() => applyTransform(graph, rawBatchFromRows([{ x: 1 }]))).toThrow(/the min of 'x' is undefined: the analysed data had no value of it/);
  });
});

describe('the tracer', () => {
  it('works destructured', () => {
    const a = tracePreprocessing(({ zScore, vocabulary, fillMissing, mean }) => ({ z: zScore(fillMissing('x', mean('x'))), v: vocabulary('s') }));
    const b = tracePreprocessing((f) => ({ z: f.zScore(f.fillMissing('x', f.mean('x'))), v: f.vocabulary('s') }));
    expect(a).toEqual(b);
  });
});

describe('one-row batches (serving)', () => {
  it('a feature null in every row reads as missing, whatever its kind', () => {
    const graph = analyzeBatches(tracePreprocessing((f) => ({ sex: f.vocabulary(f.fillMissing('sex', '?')), x: f.fillMissing('x', 0) })), () => [rawBatchFromRows([{ sex: 'male', x: 1 }])]);
    const out = applyTransform(graph, rawBatchFromRows([{ sex: null, x: null }]));
    expect(Array.from(out.columns.sex!.values as Int32Array)).toEqual([-1]);
    expect(Array.from(out.columns.x!.values as Float32Array)).toEqual([0]);
    const absent = applyTransform(graph, rawBatchFromRows([{}, {}]));
    expect(Array.from(absent.columns.x!.values as Float32Array)).toEqual([0, 0]);
  });
});
