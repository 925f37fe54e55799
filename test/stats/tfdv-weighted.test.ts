/**
 * Weighted statistics (TFDV's StatsOptions.weight_feature) against TFDV 1.16 on the same rows:
 * a generated dataset with every awkward case (NaN, infinities, lists, missing cells, ties,
 * invalid UTF-8) and an example weight of quarters in [0, 4], zeros included. Computed in one
 * pass and as 4 shard partials sent through their file form and merged.
 * Weighted counts and top-k must be equal, mean/std equal to a double's last bits, weighted
 * median and histograms within the two sketches' errors of the exact weighted ranks.
 */
import type { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  accumulateTable, decodePartial, decodeStatistics, encodePartial, encodeStatistics, KLL_RANK_ERROR, mergePartials, statisticsList,
} from '../../src/stats/index.js';
import { syntheticTable } from '../../src/stats/synthetic.js';
import { byName, rel, TFDV_EPSILON, useTfdv, type Any } from './tfdv-helpers.js';

const tfdv = useTfdv();
const W = 'w_weight';

/** every non-NaN value of a column with its row's weight, sorted by value */
function weightedValues(table: Table, name: string): { values: number[]; weights: number[] } {
  const col = table.getChild(name)!;
  const w = table.getChild(W)!;
  const pairs: [number, number][] = [];
  for (let i = 0; i < col.length; i++) {
    const v = col.get(i);
    if (v === null) continue;
    const items = typeof v === 'object' && 'toArray' in v ? Array.from(v.toArray() as ArrayLike<number | bigint>) : [v];
    const wi = Number(w.get(i));
    for (const x of items) if (!Number.isNaN(Number(x))) pairs.push([Number(x), wi]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return { values: pairs.map((p) => p[0]), weights: pairs.map((p) => p[1]) };
}

/** distance (in weight) from `target` to the interval [weight of values < x, weight of values <= x] */
function weightedRankMiss(d: { values: number[]; weights: number[] }, x: number, target: number): number {
  let lt = 0;
  let le = 0;
  d.values.forEach((v, i) => {
    if (v < x) lt += d.weights[i]!;
    if (v <= x) le += d.weights[i]!;
  });
  return target < lt ? lt - target : target > le ? target - le : 0;
}

function compareWeighted(table: Table, theirs: Any, ours: Any): Record<string, number> {
  const checked: Record<string, number> = {};
  const tick = (k: string) => (checked[k] = (checked[k] ?? 0) + 1);
  expect(ours.numExamples).toBe(theirs.numExamples);
  expect(ours.weightedNumExamples).toBe(theirs.weightedNumExamples);
  const t = byName(theirs);
  const o = byName(ours);
  expect(Object.keys(o).sort()).toEqual(Object.keys(t).sort());
  for (const [name, tf] of Object.entries(t)) {
    const of = o[name];
    const ts = tf.numStats ?? tf.stringStats;
    const os = of.numStats ?? of.stringStats;
    const [tw, ow] = [ts.commonStats.weightedCommonStats, os.commonStats.weightedCommonStats];
    for (const k of ['numNonMissing', 'numMissing', 'totNumValues', 'avgNumValues']) {
      expect(ow[k], `${name}.weighted ${k}`).toBe(tw[k]);
      tick(k);
    }
    if (tf.stringStats) {
      const [tt, ot] = [ts.weightedStringStats, os.weightedStringStats];
      expect(ot, `${name}.weightedStringStats`).toEqual(tt);
      tick('weightedTopValues');
      continue;
    }
    const [tn, on] = [ts.weightedNumericStats, os.weightedNumericStats];
    expect(Boolean(on), `${name} has weighted numeric stats`).toBe(Boolean(tn));
    if (!tn) continue;
    for (const k of ['mean', 'stdDev']) {
      expect(rel(tn[k], on[k]), `${name}.weighted ${k}: ours ${on[k]} TFDV ${tn[k]}`).toBeLessThan(1e-9);
      tick(k);
    }
    expect(on.histograms.map((h: Any) => [h.type, h.numNan])).toEqual(tn.histograms.map((h: Any) => [h.type, h.numNan]));
    const d = weightedValues(table, name);
    const total = d.weights.reduce((a, w) => a + w, 0);
    const ourBound = KLL_RANK_ERROR * total;
    // TFDV's weighted sketch: epsilon of the total weight, plus the weight of one item at the boundary
    const theirBound = TFDV_EPSILON * total + 4;
    expect(weightedRankMiss(d, on.median, total / 2), `${name} weighted median ours ${on.median}`).toBeLessThanOrEqual(ourBound);
    expect(weightedRankMiss(d, tn.median, total / 2), `${name} weighted median TFDV ${tn.median}`).toBeLessThanOrEqual(theirBound);
    tick('median');
    const [oq, tq] = [on.histograms[1].buckets, tn.histograms[1].buckets];
    expect(oq.length, name).toBe(tq.length);
    for (let i = 1; i < oq.length; i++) {
      const target = (i / oq.length) * total;
      expect(weightedRankMiss(d, oq[i].lowValue, target), `${name} weighted quantile ${i} ours`).toBeLessThanOrEqual(ourBound);
      expect(weightedRankMiss(d, tq[i].lowValue, target), `${name} weighted quantile ${i} TFDV`).toBeLessThanOrEqual(theirBound);
    }
    // the ends: the smallest and largest values of positive weight
    expect([oq[0].lowValue, oq.at(-1).highValue], name).toEqual([tq[0].lowValue, tq.at(-1).highValue]);
    tick('quantilesHistogram');
    const [ob, tb] = [on.histograms[0].buckets, tn.histograms[0].buckets];
    expect(ob.length, name).toBe(tb.length);
    // TFDV spreads a value lying exactly on a bucket edge over both buckets (it interpolates
    // inside its quantile bins), so bucket by bucket only where no value sits on an edge
    const onEdge = (x: number) => d.values.some((v, i) => v === x && d.weights[i]! > 0);
    const sum = (bs: Any[]) => bs.reduce((a, b) => a + b.sampleCount, 0);
    expect(Math.abs(sum(ob) - sum(tb)), `${name} weighted histogram total`).toBeLessThanOrEqual(ourBound + theirBound);
    ob.forEach((b: Any, i: number) => {
      expect([b.lowValue, b.highValue], `${name} weighted bucket ${i}`).toEqual([tb[i].lowValue, tb[i].highValue]);
      if (onEdge(b.lowValue) || onEdge(b.highValue)) return;
      expect(Math.abs(b.sampleCount - tb[i].sampleCount), `${name} weighted bucket ${i} ours ${b.sampleCount} TFDV ${tb[i].sampleCount}`)
        .toBeLessThanOrEqual(ourBound + theirBound);
      tick('standardBucket');
    });
    tick('standardHistogram');
  }
  return checked;
}

describe('weighted statistics against TFDV', () => {
  it('a generated dataset weighted by a quarters column matches TFDV, in one pass and merged from 4 shard partials', async () => {
    const table = syntheticTable({ rows: 3000, seed: 11, weight: true });
    const theirs = (await tfdv.stats(table, 'weighted', W)).datasets[0];
    const opts = { weightFeature: W };
    const onePass = accumulateTable(table, opts);
    const shards = [0, 700, 1500, 2200, 3000].slice(1).map((end, i, ends) => {
      const part = accumulateTable(table.slice(i === 0 ? 0 : ends[i - 1], end), { ...opts, source: `shard-${i}` });
      return decodePartial(encodePartial(part), `shard-${i}`);
    });
    for (const partial of [onePass, mergePartials(shards)]) {
      const ours = (decodeStatistics(encodeStatistics(statisticsList([['train', partial]]))) as Any).datasets[0];
      const checked = compareWeighted(table, theirs, ours);
      expect(checked.weightedTopValues).toBe(4);
      expect(checked.mean).toBeGreaterThanOrEqual(6);
      expect(checked.quantilesHistogram).toBeGreaterThanOrEqual(5);
      expect(checked.standardBucket).toBeGreaterThanOrEqual(30);
    }
    // the weight feature has statistics of its own, weighted by itself, as in TFDV
    const w = byName(theirs)[W].numStats;
    expect(w.weightedNumericStats.mean).toBeGreaterThan(w.mean);
  }, 300_000);
});
