import type { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  accumulateTable, datasetStatistics, decodePartial, encodePartial, KLL_RANK_ERROR, mergePartials, type DatasetPartial,
} from '../../src/stats/index.js';
import { rankMiss, rawValues, seededRandom, syntheticTable } from '../../src/stats/synthetic.js';

 
type Any = any;

function features(p: DatasetPartial): Record<string, Any> {
  const ds = datasetStatistics('train', p) as Any;
  return Object.fromEntries(ds.features.map((f: Any) => [f.path.step[0], f]));
}

function shardsOf(table: Table, count: number, seed: number): Table[] {
  const rnd = seededRandom(seed);
  const cuts = Array.from({ length: count - 1 }, () => Math.floor(rnd() * table.numRows)).sort((a, b) => a - b);
  const bounds = [0, ...cuts, table.numRows];
  return bounds.slice(1).map((end, i) => table.slice(bounds[i]!, end));
}

/** merge in a random binary tree (not left to right) */
function treeMerge(parts: DatasetPartial[], seed: number): DatasetPartial {
  const rnd = seededRandom(seed);
  let level = parts;
  while (level.length > 1) {
    const i = Math.floor(rnd() * (level.length - 1));
    level = [...level.slice(0, i), mergePartials([level[i]!, level[i + 1]!]), ...level.slice(i + 2)];
  }
  return level[0]!;
}

describe('merging partial statistics', () => {
  const table = syntheticTable({ rows: 20_000, seed: 11 });
  const single = features(accumulateTable(table));

  it('agrees with a single pass: exactly for counts, strings and extremes, to the last bits for mean/std, within the sketch bound for quantiles', () => {
    const parts = shardsOf(table, 37, 5).map((t, i) => decodePartial(encodePartial(accumulateTable(t, { source: `shard-${i}` }))));
    for (const merged of [features(mergePartials(parts)), features(treeMerge(parts, 9))]) {
      expect(Object.keys(merged)).toEqual(Object.keys(single));
      for (const [name, s] of Object.entries(single)) {
        const m = merged[name];
        expect(m.type, name).toBe(s.type);
        if (s.stringStats) {
          expect(m.stringStats, name).toEqual(s.stringStats);
          continue;
        }
        const a = s.numStats;
        const b = m.numStats;
        expect(b.commonStats, name).toEqual(a.commonStats);
        for (const key of ['numZeros', 'min', 'max']) expect(b[key], `${name}.${key}`).toBe(a[key]);
        for (const key of ['mean', 'stdDev']) {
          if (!Number.isFinite(a[key])) expect(b[key], name).toBe(a[key]);
          else expect(Math.abs(b[key] - a[key]), `${name}.${key}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a[key])));
        }
        if (!a.histograms?.length) continue;
        const sorted = rawValues(table, name);
        const n = sorted.length;
        expect(rankMiss(sorted, b.median, n / 2), `${name}.median`).toBeLessThanOrEqual(KLL_RANK_ERROR * n);
        const q = b.histograms[1].buckets;
        for (let i = 1; i < q.length; i++) expect(rankMiss(sorted, q[i].lowValue, (i / q.length) * n), `${name} q${i}`).toBeLessThanOrEqual(KLL_RANK_ERROR * n);
        const std = b.histograms[0].buckets;
        expect(std.map((x: Any) => [x.lowValue, x.highValue]), name).toEqual(a.histograms[0].buckets.map((x: Any) => [x.lowValue, x.highValue]));
        for (let i = 0; i < std.length; i++) {
          expect(Math.abs(std[i].sampleCount - a.histograms[0].buckets[i].sampleCount), `${name} bucket ${i}`).toBeLessThanOrEqual(2 * KLL_RANK_ERROR * n);
        }
      }
    }
  });

  it('is associative and commutative on the exact statistics', () => {
    const [a, b, c] = shardsOf(table, 3, 1).map((t) => accumulateTable(t));
    const left = features(mergePartials([mergePartials([a!, b!]), c!]));
    const right = features(mergePartials([a!, mergePartials([b!, c!])]));
    const swapped = features(mergePartials([c!, b!, a!]));
    for (const name of Object.keys(single)) {
      for (const other of [right, swapped]) {
        const x = left[name].numStats ?? left[name].stringStats;
        const y = other[name].numStats ?? other[name].stringStats;
        expect(y.commonStats, name).toEqual(x.commonStats);
        expect(y.topValues, name).toEqual(x.topValues);
        expect(y.unique, name).toBe(x.unique);
        expect(y.numZeros, name).toBe(x.numZeros);
      }
    }
  });

  it('leaves its inputs unchanged and merges empty partials as no-ops', () => {
    const [a, b] = shardsOf(table, 2, 3).map((t) => accumulateTable(t));
    const before = encodePartial(a!);
    mergePartials([a!, b!]);
    expect(Buffer.from(encodePartial(a!)).equals(Buffer.from(before))).toBe(true);
    const withEmpty = features(mergePartials([accumulateTable(table.slice(0, 0)), accumulateTable(table)]));
    expect(withEmpty.s_cat.stringStats).toEqual(single.s_cat.stringStats);
    expect(withEmpty.l_int.numStats.commonStats).toEqual(single.l_int.numStats.commonStats);
  });

  it('rejects a file that is not a partial, naming it', () => {
    expect(() => decodePartial(Buffer.from('{"format":"other"}'), 'p.json')).toThrow(/p.json: not a statistics partial/);
    expect(() => decodePartial(Buffer.from('\x00\x01'), 'q.bin')).toThrow(/q.bin: not a statistics partial/);
  });
});
