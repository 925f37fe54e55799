/**
 * Weighted statistics on hand-made rows whose TFDV 1.16 output was read off by hand (the
 * same rows through tfdv.generate_statistics_from_tfrecord with weight_feature='w'), the weight
 * column's DataErrors, and weighted partials through shards, merges and the file form.
 */
import { Table, vectorFromArray, Utf8, Float64 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { accumulateTable, datasetStatistics, decodePartial, encodePartial, mergePartials } from '../../src/stats/index.js';

type Any = any;

/** w: weight; x: float list; s: strings; l: int list (an empty one in row 3) */
function rows(): Table {
  const b = new ExampleBatchBuilder();
  const data: [number, number[] | null, string[] | null, number[] | null][] = [
    [1, [1], ['a'], [1, 2]],
    [2, [2], ['b'], null],
    [3, [3, 4], ['b'], [5]],
    [0.5, null, ['c', 'a'], []],
    [0, [10], null, null],
  ];
  for (const [w, x, s, l] of data) {
    const row = b.beginRow();
    const put = (name: string, kind: 'int' | 'float' | 'bytes', vs: (number | string)[] | null) => {
      const c = b.column(name, kind);
      if (vs === null) return;
      c.present(row);
      for (const v of vs) if (kind === 'bytes') c.pushString(v as string); else if (kind === 'int') c.pushInt(v as number); else c.pushFloat(v as number);
    };
    put('w', 'float', [w]);
    put('x', 'float', x);
    put('s', 'bytes', s);
    put('l', 'int', l);
  }
  return b.build().table;
}

const byName = (ds: Any) => Object.fromEntries(ds.features.map((f: Any) => [f.path.step[0], f]));

describe('weighted statistics (TFDV weight_feature)', () => {
  it('gives TFDV\'s weighted counts, mean, std, median and top values on hand-checked rows', () => {
    const ds = datasetStatistics('train', accumulateTable(rows(), { weightFeature: 'w' }), { numTopValues: 5 }) as Any;
    expect(ds.weightedNumExamples).toBe(6.5);
    const f = byName(ds);
    expect(f.x.numStats.commonStats.weightedCommonStats).toEqual({ numNonMissing: 6, numMissing: 0.5, totNumValues: 9, avgNumValues: 1.5 });
    expect(f.l.numStats.commonStats.weightedCommonStats).toEqual({ numNonMissing: 4.5, numMissing: 2, totNumValues: 5, avgNumValues: 5 / 4.5 });
    // x: (1*1 + 2*2 + 3*3 + 3*4 + 0*10) / 9, population std; the weight-0 value 10 drops out of the quantiles
    const xw = f.x.numStats.weightedNumericStats;
    expect(xw.mean).toBeCloseTo(2.888888888888889, 14);
    expect(xw.stdDev).toBeCloseTo(0.9938079899999066, 14);
    expect(xw.median).toBe(3);
    expect([xw.histograms[1].buckets[0].lowValue, xw.histograms[1].buckets.at(-1).highValue]).toEqual([1, 4]);
    // the standard histogram spans the unweighted range, the weight-0 value counting nothing
    expect([xw.histograms[0].buckets[0].lowValue, xw.histograms[0].buckets.at(-1).highValue]).toEqual([1, 10]);
    expect(xw.histograms[0].buckets.reduce((a: number, b: Any) => a + b.sampleCount, 0)).toBeCloseTo(9, 12);
    expect(f.l.numStats.weightedNumericStats).toMatchObject({ mean: 3.6, median: 5 });
    // the weight feature is weighted by itself
    expect(f.w.numStats.weightedNumericStats).toMatchObject({ median: 2 });
    expect(f.w.numStats.weightedNumericStats.mean).toBeCloseTo(14.25 / 6.5, 14);
    expect(f.s.stringStats.commonStats.weightedCommonStats).toEqual({ numNonMissing: 6.5, numMissing: 0, totNumValues: 7, avgNumValues: 7 / 6.5 });
    // 'c' weighs 0.5, under TFDV's weighted_frequency_threshold of 1
    expect(f.s.stringStats.weightedStringStats).toEqual({
      topValues: [{ value: 'b', frequency: 5 }, { value: 'a', frequency: 1.5 }],
      rankHistogram: { buckets: [{ lowRank: 0, highRank: 0, label: 'b', sampleCount: 5 }, { lowRank: 1, highRank: 1, label: 'a', sampleCount: 1.5 }] },
    });
    // unweighted statistics are unchanged by weighting
    const plain = byName(datasetStatistics('train', accumulateTable(rows())));
    expect(plain.x.numStats.mean).toBe(f.x.numStats.mean);
    expect(plain.x.numStats.weightedNumericStats).toBeUndefined();
    expect(plain.s.stringStats.topValues).toEqual(f.s.stringStats.topValues);
  });

  it('merges weighted shard partials (through their file form) into what one pass gives', () => {
    const t = rows();
    const one = datasetStatistics('train', accumulateTable(t, { weightFeature: 'w' }));
    const parts = [t.slice(0, 2), t.slice(2, 3), t.slice(3)].map((s, i) => decodePartial(encodePartial(accumulateTable(s, { weightFeature: 'w', source: `p${i}` }))));
    // equal but for the last bits of means and deviations (the pairwise update's grouping)
    const round = (o: unknown) => JSON.parse(JSON.stringify(o, (_, v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)));
    expect(round(datasetStatistics('train', mergePartials(parts)))).toEqual(round(one));
    expect(() => mergePartials([parts[0]!, accumulateTable(t.slice(0, 1))])).toThrow(/weighted by 'w' with statistics weighted by no feature/);
  });

  it('refuses a weight that is missing, not numeric, negative, NaN or multivalent, naming the feature, the source and the row', () => {
    const err = (t: Table, weight = 'w') => {
      try {
        accumulateTable(t, { weightFeature: weight, source: 'Split-train/data-00000-of-00001.arrow' });
      } catch (e) {
        expect(e).toBeInstanceOf(DataError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    const src = 'Split-train/data-00000-of-00001.arrow';
    const num = (vs: (number | null)[]) => new Table({ w: vectorFromArray(vs, new Float64()), a: vectorFromArray(vs.map(() => 'x'), new Utf8()) });
    expect(err(num([1, null, 2]))).toBe(`${src} row 1: weight feature 'w' is missing`);
    expect(err(num([1, 2, -0.5]))).toBe(`${src} row 2: weight feature 'w' is -0.5; a weight must be a finite number >= 0`);
    expect(err(num([NaN]))).toBe(`${src} row 0: weight feature 'w' is NaN; a weight must be a finite number >= 0`);
    expect(err(num([1]), 'a')).toBe(`${src} row 0: weight feature 'a' must be numeric (int or float), but has bytes values`);
    expect(err(num([1]), 'nope')).toBe(`${src}: weight feature 'nope' is not in the data (columns: w, a)`);
    const b = new ExampleBatchBuilder();
    for (const vs of [[1], [1, 2]]) {
      const row = b.beginRow();
      const c = b.column('w', 'float');
      c.present(row);
      for (const v of vs) c.pushFloat(v);
    }
    expect(err(b.build().table)).toBe(`${src} row 1: weight feature 'w' must have exactly one value, but has 2`);
    // rows are counted across a table's record batches
    const two = new Table([...num([1, 2]).batches, ...num([3, -1]).batches]);
    expect(err(two)).toMatch(/row 3: weight feature 'w' is -1/);
  });
});
