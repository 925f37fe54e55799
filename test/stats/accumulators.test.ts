import { Binary, Dictionary, Float64, Int32, makeData, makeVector, Table, tableFromArrays, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { accumulateTable, datasetStatistics, mergePartials, NON_UTF8_PLACEHOLDER } from '../../src/stats/index.js';
import { DataError } from '../../src/errors.js';

type Cell = number | bigint | string | Uint8Array | (number | string | Uint8Array)[] | null;

/** rows of { feature: value | list | null }; kinds given per feature */
function build(kinds: Record<string, 'int' | 'float' | 'bytes'>, rows: Record<string, Cell>[]): Table {
  const b = new ExampleBatchBuilder();
  for (const r of rows) {
    const row = b.beginRow();
    for (const [name, kind] of Object.entries(kinds)) {
      const c = b.column(name, kind);
      const v = r[name];
      if (v === null || v === undefined) continue;
      c.present(row);
      for (const x of Array.isArray(v) ? v : [v]) {
        if (kind === 'float') c.pushFloat(x as number);
        else if (kind === 'int') {
          if (typeof x === 'bigint') c.pushBigInt(x);
          else c.pushInt(x as number);
        }
        else if (typeof x === 'string') c.pushString(x);
        else c.pushBytes(x as Uint8Array);
      }
    }
  }
  return b.build().table;
}

 
function stats(table: Table): Record<string, any> {
  const ds = datasetStatistics('train', accumulateTable(table)) as { features: { path: { step: string[] } }[] };
  return Object.fromEntries(ds.features.map((f) => [f.path.step[0], f]));
}

describe('statistics from Arrow columns (hand-computed)', () => {
  const table = build(
    { x: 'float', n: 'int', s: 'bytes' },
    [
      { x: 1, n: [1, 2], s: 'b' },
      { x: 2, n: [], s: 'a' },
      { x: null, n: null, s: 'b' },
      { x: 0, n: [5], s: 'a' },
      { x: NaN, n: [5, 5, 5], s: 'c' },
      { x: 3, n: [0], s: null },
    ],
  );
  const f = stats(table);

  it('counts presence and values per example, NaN included', () => {
    const c = f.x.numStats.commonStats;
    expect(c).toMatchObject({ numNonMissing: 5, numMissing: 1, minNumValues: 1, maxNumValues: 1, totNumValues: 5, avgNumValues: 1 });
    // an empty list is present with 0 values
    expect(f.n.numStats.commonStats).toMatchObject({ numNonMissing: 5, numMissing: 1, minNumValues: 0, maxNumValues: 3, totNumValues: 7 });
    expect(f.n.numStats.commonStats.avgNumValues).toBeCloseTo(1.4, 12);
    const nvh = f.n.numStats.commonStats.numValuesHistogram;
    expect(nvh.type).toBe('QUANTILES');
    expect(nvh.buckets).toHaveLength(10);
    expect(nvh.buckets.reduce((a: number, b: { sampleCount: number }) => a + b.sampleCount, 0)).toBeCloseTo(5, 9);
    expect(nvh.buckets[0].lowValue).toBe(0);
    expect(nvh.buckets[9].highValue).toBe(3);
  });

  it('leaves NaN out of mean, std (population), zeros, min and max and reports it as num_nan', () => {
    const s = f.x.numStats;
    expect(s.mean).toBe(1.5);
    expect(s.stdDev).toBeCloseTo(Math.sqrt(1.25), 14);
    expect(s).toMatchObject({ numZeros: 1, min: 0, max: 3 });
    expect(s.histograms.map((h: { type: string; numNan: number }) => [h.type, h.numNan])).toEqual([['STANDARD', 1], ['QUANTILES', 1]]);
    // 4 values: TFDV spreads each of its 1000 quantile bins evenly over its range, so a little
    // of every value's weight reaches the buckets next to it (test/stats/tfdv-quantiles.test.ts
    // checks these rows against TFDV)
    const std = s.histograms[0].buckets;
    expect(std).toHaveLength(10);
    expect(std[0]).toMatchObject({ lowValue: 0, highValue: 0.3 });
    expect(std[0].sampleCount).toBeCloseTo(1.0012, 12);
    // edges are min + i * width, as numpy.linspace computes them in TFDV
    expect(std[9]).toMatchObject({ lowValue: 9 * 0.3, highValue: 3 });
    expect(std.reduce((a: number, b: { sampleCount: number }) => a + b.sampleCount, 0)).toBeCloseTo(4, 12);
    // the upper middle value of an even count, by tfx_bsl's rank rule
    expect(s.median).toBe(2);
  });

  it('averages list values over all of them', () => {
    const s = f.n.numStats;
    expect(s.mean).toBeCloseTo(23 / 7, 14);
    expect(s).toMatchObject({ numZeros: 1, min: 0, max: 5, median: 5 });
  });

  it('ranks string values by count, ties by the larger value first, as TFDV', () => {
    const s = f.s.stringStats;
    expect(s.unique).toBe(3);
    expect(s.topValues).toEqual([{ value: 'b', frequency: 2 }, { value: 'a', frequency: 2 }, { value: 'c', frequency: 1 }]);
    expect(s.rankHistogram.buckets[1]).toEqual({ lowRank: 1, highRank: 1, label: 'a', sampleCount: 2 });
    expect(s.avgLength).toBe(1);
    expect(s.invalidUtf8Count).toBe(0);
    expect(f.s.type).toBe('STRING');
  });

  it('keeps only the top 20 values, cut inside a tie by value order', () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ v: `k${String(i).padStart(2, '0')}` }));
    const t = build({ v: 'bytes' }, [...rows, ...rows.slice(0, 5)]);
    const s = stats(t).v.stringStats;
    expect(s.unique).toBe(30);
    expect(s.topValues).toHaveLength(20);
    expect(s.topValues.slice(0, 5).map((x: { value: string }) => x.value)).toEqual(['k04', 'k03', 'k02', 'k01', 'k00']);
    expect(s.topValues[5]).toEqual({ value: 'k29', frequency: 1 });
    expect(s.topValues[19]).toEqual({ value: 'k15', frequency: 1 });
    expect(s.rankHistogram.buckets).toHaveLength(30);
  });

  it('counts invalid UTF-8 values and labels them as TFDV does; lengths are bytes', () => {
    const bad = new Uint8Array([0xff, 0x41]);
    const t = build({ b: 'bytes' }, [{ b: bad }, { b: bad }, { b: 'é' }, { b: [new Uint8Array([0xc3]), 'ok'] }]);
    const s = stats(t).b.stringStats;
    expect(s.invalidUtf8Count).toBe(3);
    expect(s.unique).toBe(4);
    expect(s.topValues[0]).toEqual({ value: NON_UTF8_PLACEHOLDER, frequency: 2 });
    expect(s.topValues.map((x: { value: string }) => x.value)).toContain('é');
    expect(s.avgLength).toBeCloseTo((2 + 2 + 2 + 1 + 2) / 5, 6);
  });

  it('handles huge strings', () => {
    const big = 'y'.repeat(5_000_000);
    const s = stats(build({ h: 'bytes' }, [{ h: big }, { h: big }, { h: 'z' }])).h.stringStats;
    expect(s.unique).toBe(2);
    expect(s.topValues[0]).toEqual({ value: big, frequency: 2 });
    expect(s.avgLength).toBeCloseTo((10_000_000 + 1) / 3, 0);
  });

  it('reports an all-NaN feature with only its NaN count, like TFDV', () => {
    const s = stats(build({ z: 'float' }, [{ z: NaN }, { z: NaN }])).z.numStats;
    expect(s.mean).toBeUndefined();
    expect(s.histograms).toEqual([{ type: 'STANDARD', numNan: 2, buckets: [] }, { type: 'QUANTILES', numNan: 2, buckets: [] }]);
  });

  it('folds infinities into min/max and the mean as TFDV does, histograms get point buckets at the ends', () => {
    const s = stats(build({ v: 'float' }, [{ v: Infinity }, { v: 1 }, { v: 3 }, { v: -Infinity }])).v.numStats;
    expect(s.min).toBe(-Infinity);
    expect(s.max).toBe(Infinity);
    expect(Number.isNaN(s.mean)).toBe(true);
    expect(s.stdDev).toBe(0);
    const b = s.histograms[0].buckets;
    expect(b[0]).toEqual({ lowValue: -Infinity, highValue: -Infinity, sampleCount: 1 });
    expect(b[b.length - 1]).toEqual({ lowValue: Infinity, highValue: Infinity, sampleCount: 1 });
    expect(b).toHaveLength(12);
    const pos = stats(build({ v: 'float' }, [{ v: Infinity }, { v: 1 }])).v.numStats;
    expect(pos).toMatchObject({ min: 1, max: Infinity, stdDev: 0, numZeros: 0 });
    expect(Number.isNaN(pos.mean)).toBe(true);
  });

  it('reads int64 beyond 2^53 as the nearest double, like numpy', () => {
    const t = build({ i: 'int' }, [{ i: 2n ** 60n + 1n }, { i: -(2n ** 62n) }]);
    const s = stats(t).i.numStats;
    expect(s.max).toBe(2 ** 60);
    expect(s.min).toBe(-(2 ** 62));
  });

  it('leaves out a column no row has (as TFDV never sees a tf.Example feature no example holds), and an empty split has no features', () => {
    const allNull = tableFromArrays({ a: Float64Array.of(1, 2) });
    const nulls = new Table({ a: allNull.getChild('a')!, z: makeVector(makeData({ type: new Float64(), length: 2, nullCount: 2, nullBitmap: new Uint8Array(1), data: new Float64Array(2) })) });
    const f2 = stats(nulls);
    expect(Object.keys(f2)).toEqual(['a']);
    // the partial keeps it, so shards where it has values still merge into a listed feature
    const part = accumulateTable(nulls);
    expect(part.features.get('z')).toMatchObject({ kind: 'float', numNonMissing: 0 });
    const withZ = new Table({ a: allNull.getChild('a')!, z: vectorFromArray([null, 4.5], new Float64()) });
    const merged = datasetStatistics('train', mergePartials([part, accumulateTable(withZ)])) as { features: { path: { step: string[] }; numStats: { commonStats: object } }[] };
    expect(merged.features.map((f) => f.path.step[0])).toEqual(['a', 'z']);
    expect(merged.features[1]!.numStats.commonStats).toMatchObject({ numNonMissing: 1, numMissing: 3, totNumValues: 1 });
    expect(datasetStatistics('eval', accumulateTable(nulls.slice(0, 0)))).toEqual({ name: 'eval', numExamples: 0, features: [] });
  });

  it('keeps a feature that is present with empty lists only (a tf.Example feature with an empty list is present)', () => {
    const t = build({ a: 'int', l: 'float' }, [{ a: 1, l: [] }, { a: 2, l: [] }, { a: 3 }]);
    const s = stats(t);
    expect(s.l.numStats.commonStats).toMatchObject({ numNonMissing: 2, numMissing: 1, totNumValues: 0, maxNumValues: 0 });
  });

  it('reads plain Arrow types and sliced batches (Int32, Float64, Dictionary, Binary)', () => {
    const t = new Table({
      i: vectorFromArray([3, null, 5, 7], new Int32()),
      d: vectorFromArray([1.5, 2.5, null, 4], new Float64()),
      c: vectorFromArray(['x', 'y', 'x', null], new Dictionary(new Utf8(), new Int32())),
      b: vectorFromArray([new Uint8Array([1]), null, new Uint8Array([1]), new Uint8Array([2, 3])], new Binary()),
    });
    const f3 = stats(t.slice(1, 4));
    expect(f3.i.numStats).toMatchObject({ min: 5, max: 7, mean: 6, commonStats: { numNonMissing: 2, numMissing: 1 } });
    expect(f3.d.numStats).toMatchObject({ min: 2.5, max: 4, commonStats: { numNonMissing: 2 } });
    expect(f3.c.stringStats).toMatchObject({ unique: 2, topValues: [{ value: 'y', frequency: 1 }, { value: 'x', frequency: 1 }] });
    expect(f3.b.stringStats).toMatchObject({ unique: 2, avgLength: 1.5 });
  });

  it('refuses a feature that is int in one shard and string in another, naming both', () => {
    const a = accumulateTable(build({ v: 'int' }, [{ v: 1 }]), { source: 'data-00000-of-00002.arrow' });
    const b = accumulateTable(build({ v: 'bytes' }, [{ v: 'x' }]), { source: 'data-00001-of-00002.arrow' });
    expect(() => mergePartials([a, b])).toThrow(DataError);
    expect(() => mergePartials([a, b])).toThrow(/feature 'v' has int values in data-00000-of-00002.arrow but bytes values in data-00001/);
  });

  it('refuses column types that have no statistics, naming the column', () => {
    const t = new Table({ when: vectorFromArray([new Date(0)]) });
    expect(() => accumulateTable(t)).toThrow(/column 'when' has Arrow type/);
  });
});
