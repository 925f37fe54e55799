/**
 * Median, QUANTILES and STANDARD histograms against TFDV 1.16.1 on the same rows, where both
 * sketches are exact (every value retained): TFDV picks quantile boundaries by tfx_bsl's rank
 * rule and interpolates its standard histogram from 1000 quantile bins; tsfx must give the
 * very same numbers (median and bounds equal, counts within 1e-9 of TFDV's doubles). Past the
 * sketch's exact range (the random 20 000 rows) the two sketches sample differently, so there
 * the check is TFDV's own error bound on top of ours.
 */
import type { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { accumulateTable, decodeStatistics, encodeStatistics, KLL_RANK_ERROR, statisticsList } from '../../src/stats/index.js';
import { byName, TFDV_EPSILON, useTfdv, type Any } from './tfdv-helpers.js';

const tfdv = useTfdv();

function table(columns: Record<string, { kind: 'int' | 'float'; values: number[] }>): Table {
  const b = new ExampleBatchBuilder();
  const n = Math.max(...Object.values(columns).map((c) => c.values.length));
  for (let i = 0; i < n; i++) {
    const row = b.beginRow();
    for (const [name, { kind, values }] of Object.entries(columns)) {
      const col = b.column(name, kind);
      if (i >= values.length) continue;
      col.present(row);
      if (kind === 'int') col.pushInt(values[i]!);
      else col.pushFloat(values[i]!);
    }
  }
  return b.build().table;
}

/** xorshift, so the random case is the same on every run */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

async function both(t: Table, name: string): Promise<{ ours: Record<string, Any>; theirs: Record<string, Any> }> {
  const theirs = byName((await tfdv.stats(t, name)).datasets[0]);
  const ours = byName((decodeStatistics(encodeStatistics(statisticsList([['train', accumulateTable(t)]]))) as Any).datasets[0]);
  return { ours, theirs };
}

const buckets = (h: Any) => h.buckets.map((b: Any) => [b.lowValue, b.highValue, b.sampleCount ?? 0]);

function expectSame(ours: Any, theirs: Any, name: string): void {
  const [o, t] = [ours.numStats, theirs.numStats];
  expect(o.median, `${name} median`).toBe(t.median);
  for (const i of [0, 1]) {
    const [oh, th] = [buckets(o.histograms[i]), buckets(t.histograms[i])];
    expect(oh.length, `${name} ${t.histograms[i].type} buckets`).toBe(th.length);
    oh.forEach((b: number[], j: number) => {
      expect([b[0], b[1]], `${name} ${t.histograms[i].type} bucket ${j} bounds`).toEqual([th[j][0], th[j][1]]);
      expect(Math.abs(b[2]! - th[j][2]), `${name} ${t.histograms[i].type} bucket ${j}: ours ${b[2]} TFDV ${th[j][2]}`).toBeLessThanOrEqual(1e-9 * Math.max(1, th[j][2]));
    });
  }
}

describe('quantiles, median and histograms against TFDV', () => {
  it('62 ages and 1000 ids: the same median, boundaries and interpolated counts', async () => {
    const ages = Array.from({ length: 62 }, (_, i) => 18 + ((i * 37) % 61));
    const ids = Array.from({ length: 1000 }, (_, i) => i);
    // ties, infinities at both ends, a constant, lists
    const mixed = Array.from({ length: 300 }, (_, i) => (i % 50 === 0 ? Number.POSITIVE_INFINITY : i % 77 === 0 ? Number.NEGATIVE_INFINITY : Math.round(Math.sin(i) * 20) / 4));
    const t = table({
      age: { kind: 'int', values: ages },
      id: { kind: 'int', values: ids },
      mixed: { kind: 'float', values: mixed },
      flat: { kind: 'float', values: Array.from({ length: 40 }, () => 2.5) },
      small: { kind: 'float', values: [3, 1, 2] },
      // test/stats/accumulators.test.ts's hand-checked x
      four: { kind: 'float', values: [1, 2, 0, 3] },
    });
    const { ours, theirs } = await both(t, 'exact');
    // what the issue reported: TFDV's rank rule lands on the upper of two neighbours
    expect(theirs.age.numStats.median).toBe([...ages].sort((a, b) => a - b)[31]);
    expect(theirs.id.numStats.histograms[1].buckets.slice(1).map((b: Any) => b.lowValue)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900]);
    for (const name of ['age', 'id', 'mixed', 'flat', 'small', 'four']) expectSame(ours[name], theirs[name], name);
    // the value-count histograms come from the same rule
    expect(buckets(ours.id.numStats.commonStats.numValuesHistogram)).toEqual(buckets(theirs.id.numStats.commonStats.numValuesHistogram));
  }, 300_000);

  it('20 000 random values: within both sketches\' error of each other', async () => {
    const next = random(11);
    const values = Array.from({ length: 20_000 }, () => Math.floor(-Math.log(1 - next()) * 1000));
    const { ours, theirs } = await both(table({ x: { kind: 'int', values } }), 'random');
    const sorted = [...values].sort((a, b) => a - b);
    const n = sorted.length;
    const rank = (v: number) => [sorted.findIndex((s) => s >= v), sorted.findLastIndex((s) => s <= v) + 1] as const;
    const miss = (v: number, target: number) => {
      const [lo, hi] = rank(v);
      return target < lo ? lo - target : target > hi ? target - hi : 0;
    };
    const [o, t] = [ours.x.numStats, theirs.x.numStats];
    expect(miss(o.median, n / 2)).toBeLessThanOrEqual(KLL_RANK_ERROR * n);
    expect(miss(t.median, n / 2)).toBeLessThanOrEqual(TFDV_EPSILON * n);
    const [oq, tq] = [o.histograms[1].buckets, t.histograms[1].buckets];
    expect(oq.length).toBe(tq.length);
    for (let i = 1; i < oq.length; i++) expect(Math.abs(rank(oq[i].lowValue)[0] - rank(tq[i].lowValue)[0]), `boundary ${i}`).toBeLessThanOrEqual((KLL_RANK_ERROR + TFDV_EPSILON) * n);
    const [os, ts] = [o.histograms[0].buckets, t.histograms[0].buckets];
    os.forEach((b: Any, i: number) => expect(Math.abs(b.sampleCount - ts[i].sampleCount), `standard bucket ${i}`).toBeLessThanOrEqual((KLL_RANK_ERROR + TFDV_EPSILON) * n));
  }, 300_000);
});
