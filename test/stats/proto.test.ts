import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { accumulateTable, decodeStatistics, encodeStatistics, statisticsJson, statisticsList } from '../../src/stats/index.js';
import { syntheticTable } from '../../src/stats/synthetic.js';

 
type Any = any;

describe('DatasetFeatureStatisticsList wire form', () => {
  const table = syntheticTable({ rows: 3000, seed: 3 });
  const list = statisticsList([
    ['train', accumulateTable(table.slice(0, 2000))],
    ['eval', accumulateTable(table.slice(2000))],
  ]);
  const bytes = encodeStatistics(list);

  it('decodes to what was encoded, and re-encodes to the same bytes', () => {
    const back = decodeStatistics(bytes) as Any;
    expect(back.datasets.map((d: Any) => [d.name, d.numExamples])).toEqual([['train', 2000], ['eval', 1000]]);
    const again = encodeStatistics(back);
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    // every field we set survives (defaults filled in on the way back)
    const orig = (list as Any).datasets[0].features.find((f: Any) => f.path.step[0] === 'f_float').numStats;
    const dec = back.datasets[0].features.find((f: Any) => f.path.step[0] === 'f_float');
    expect(dec.type).toBe('FLOAT');
    expect(dec.numStats.mean).toBe(orig.mean);
    expect(dec.numStats.stdDev).toBe(orig.stdDev);
    expect(dec.numStats.numZeros).toBe(orig.numZeros);
    expect(dec.numStats.histograms[1].buckets).toEqual(orig.histograms[1].buckets);
    expect(dec.numStats.commonStats.numValuesHistogram.type).toBe('QUANTILES');
    const s = back.datasets[0].features.find((f: Any) => f.path.step[0] === 'b_bytes').stringStats;
    expect(s.invalidUtf8Count).toBeGreaterThan(0);
    expect(s.topValues[0].frequency).toBeGreaterThan(0);
  });

  it('writes TFMD field numbers (spot-checked on raw bytes)', () => {
    const one = encodeStatistics({ datasets: [{ name: 'x', numExamples: 5 }] });
    // datasets = field 1 (len-delimited); inside: name = field 1 "x", num_examples = field 2 varint 5
    expect([...one]).toEqual([0x0a, 0x05, 0x0a, 0x01, 0x78, 0x10, 0x05]);
  });

  it('has a JSON view with non-finite numbers as strings', () => {
    const json = statisticsJson(bytes) as Any;
    const inf = json.datasets[0].features.find((f: Any) => f.path.step[0] === 'f_inf').numStats;
    expect(inf.max).toBe('Infinity');
    expect(inf.mean).toBe('NaN');
    expect(() => JSON.parse(JSON.stringify(json))).not.toThrow();
    expect(json.datasets[0].features.find((f: Any) => f.path.step[0] === 'i_int').type).toBe('INT');
  });

  it('rejects bytes that are not a statistics list, naming the file', () => {
    let err: unknown;
    try {
      decodeStatistics(Buffer.from([0x0a, 0xff, 0xff, 0xff]), 'stats.pb');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/^stats.pb: not a DatasetFeatureStatisticsList/);
  });
});
