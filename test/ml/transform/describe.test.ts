/** What `tsfx show` prints of a TransformGraph: expressions as written, analyzer results in words. */
import { describe, expect, it } from 'vitest';
import { analyzeBatches, describeGraph, rawBatchFromRows, tracePreprocessing } from '../../../src/ml/transform/index.js';

describe('describeGraph', () => {
  it('gives each output its DSL expression and the results of the analyzers it reads', () => {
    const spec = tracePreprocessing((f) => ({
      bill: f.zScore(f.fillMissing('bill', f.mean('bill'))),
      island: f.vocabulary('island', { topK: 2, numOovBuckets: 1 }),
      b: f.bucketize('bill', 2),
      r: f.div(f.log1p('bill'), 2),
    }));
    const rows = [{ bill: 1, island: 'Biscoe' }, { bill: null, island: 'Dream' }, { bill: 3, island: 'Biscoe' }, { bill: 5, island: 'Torgersen' }];
    const d = describeGraph(analyzeBatches(spec, () => [rawBatchFromRows(rows)]));
    expect(d.map((o) => o.expression)).toEqual(['zScore(fillMissing(bill, mean(bill)))', 'vocabulary(island, { topK: 2, numOovBuckets: 1 })', 'bucketize(bill, 2)', 'div(log1p(bill), 2)']);
    expect(d[0]!.analyzers.map((a) => a.expression)).toEqual(['meanVar(bill)', 'meanVar(fillMissing(bill, mean(bill)))']);
    expect(d[0]!.analyzers[0]!.summary).toBe(`mean 3, std ${Math.sqrt(8 / 3)} over 3 values`);
    expect(d[1]!.analyzers[0]!.summary).toBe('vocabulary of 2 (of 3 distinct): "Biscoe" (2), "Torgersen" (1)');
    expect(d[1]!.feature).toMatchObject({ dtype: 'int64', cardinality: 3 });
    expect(d[2]!.analyzers[0]!.summary).toMatch(/^1 boundaries over 3 values \(rank error 0\.01\): 3$/);
    expect(d[3]!.analyzers).toEqual([]);
  });
});
