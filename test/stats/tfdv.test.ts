/**
 * tsfx statistics against the real TFDV (pinned, in its own cached venv), both ways:
 * (a) TFDV's generate_statistics_from_tfrecord and tsfx compute statistics of the same rows
 *     (penguins.json from vega-datasets, and a generated dataset with NaN, infinities, zeros,
 *     lists, missing cells, ties, huge strings, invalid UTF-8); compared feature by feature;
 * (b) TFDV's load_stats_binary reads tsfx's binary.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { readJsonExamples } from '../../src/io/json.js';
import { accumulateTable, decodeStatistics, encodeStatistics, KLL_DEFAULT_K, KLL_EXACT_FACTOR, KLL_RANK_ERROR, statisticsList } from '../../src/stats/index.js';
import { rankMiss, rawValues, syntheticTable } from '../../src/stats/synthetic.js';
import { byName, rel, repo, same, TFDV_EPSILON, useTfdv, type Any } from './tfdv-helpers.js';

const tfdv = useTfdv();

/** Compare every feature; returns a per-statistic tally of what was checked, for the report. */
function compare(table: Table, theirs: Any, ours: Any): Record<string, number> {
  const checked: Record<string, number> = {};
  const tick = (k: string) => (checked[k] = (checked[k] ?? 0) + 1);
  expect(ours.numExamples).toBe(theirs.numExamples);
  const t = byName(theirs);
  const o = byName(ours);
  expect(Object.keys(o).sort()).toEqual(Object.keys(t).sort());
  for (const [name, tf] of Object.entries(t)) {
    const of = o[name];
    expect(of.type, name).toBe(tf.type);
    const ts = tf.numStats ?? tf.stringStats;
    const os = of.numStats ?? of.stringStats;
    const tc = ts.commonStats;
    const oc = os.commonStats;
    for (const k of ['numNonMissing', 'numMissing', 'minNumValues', 'maxNumValues', 'totNumValues']) {
      expect(oc[k], `${name}.${k}`).toBe(tc[k]);
      tick(k);
    }
    expect(oc.avgNumValues, `${name}.avgNumValues`).toBeCloseTo(tc.avgNumValues, 5);
    tick('avgNumValues');
    // value counts are small integers: TFDV's sketch is exact on them, and ours is exact
    expect(oc.numValuesHistogram.buckets.length, name).toBe(tc.numValuesHistogram.buckets.length);
    oc.numValuesHistogram.buckets.forEach((b: Any, i: number) => {
      const tb = tc.numValuesHistogram.buckets[i];
      expect([b.lowValue, b.highValue], `${name} num_values bucket ${i}`).toEqual([tb.lowValue, tb.highValue]);
      expect(b.sampleCount, `${name} num_values bucket ${i}`).toBeCloseTo(tb.sampleCount, 6);
    });
    tick('numValuesHistogram');
    if (tf.stringStats) {
      for (const k of ['unique', 'invalidUtf8Count']) {
        expect(os[k], `${name}.${k}`).toBe(ts[k]);
        tick(k);
      }
      expect(os.topValues, `${name}.topValues`).toEqual(ts.topValues);
      tick('topValues');
      expect(os.rankHistogram, `${name}.rankHistogram`).toEqual(ts.rankHistogram);
      tick('rankHistogram');
      expect(os.avgLength, `${name}.avgLength`).toBe(ts.avgLength);
      tick('avgLength');
      continue;
    }
    for (const k of ['numZeros', 'min', 'max']) {
      expect(same(os[k], ts[k]), `${name}.${k}: ours ${os[k]} TFDV ${ts[k]}`).toBe(true);
      tick(k);
    }
    for (const k of ['mean', 'stdDev']) {
      expect(rel(ts[k], os[k]), `${name}.${k}: ours ${os[k]} TFDV ${ts[k]}`).toBeLessThan(1e-9);
      tick(k);
    }
    expect(os.histograms.map((h: Any) => [h.type, h.numNan]), name).toEqual(ts.histograms.map((h: Any) => [h.type, h.numNan]));
    tick('numNan');
    const sorted = rawValues(table, name);
    const n = sorted.length;
    if (n === 0) continue;
    // quantiles: ours within our bound of the truth, TFDV's within its epsilon
    expect(rankMiss(sorted, os.median, n / 2), `${name}.median ours ${os.median}`).toBeLessThanOrEqual(KLL_RANK_ERROR * n);
    expect(rankMiss(sorted, ts.median, n / 2), `${name}.median TFDV ${ts.median}`).toBeLessThanOrEqual(TFDV_EPSILON * n + 1);
    tick('median');
    const [oq, tq] = [os.histograms[1].buckets, ts.histograms[1].buckets];
    expect(oq.length, name).toBe(tq.length);
    for (let i = 1; i < oq.length; i++) {
      expect(rankMiss(sorted, oq[i].lowValue, (i / oq.length) * n), `${name} quantile ${i} ours`).toBeLessThanOrEqual(KLL_RANK_ERROR * n);
      expect(rankMiss(sorted, tq[i].lowValue, (i / tq.length) * n), `${name} quantile ${i} TFDV`).toBeLessThanOrEqual(TFDV_EPSILON * n + 1);
    }
    tick('quantilesHistogram');
    // standard histogram: same edges; counts differ by TFDV's interpolation inside its quantile bins
    const [ob, tb] = [os.histograms[0].buckets, ts.histograms[0].buckets];
    expect(ob.length, name).toBe(tb.length);
    ob.forEach((b: Any, i: number) => {
      expect(rel(tb[i].lowValue, b.lowValue), `${name} bucket ${i} low`).toBeLessThan(1e-12);
      expect(rel(tb[i].highValue, b.highValue), `${name} bucket ${i} high`).toBeLessThan(1e-12);
      expect(Math.abs(b.sampleCount - tb[i].sampleCount), `${name} bucket ${i} count ours ${b.sampleCount} TFDV ${tb[i].sampleCount}`).toBeLessThanOrEqual(
        (KLL_RANK_ERROR + TFDV_EPSILON) * n + 1,
      );
    });
    tick('standardHistogram');
    // where both sketches hold every value, the very numbers TFDV gives
    if (n <= KLL_EXACT_FACTOR * KLL_DEFAULT_K) {
      expect(os.median, `${name}.median`).toBe(ts.median);
      os.histograms.forEach((h: Any, i: number) => {
        h.buckets.forEach((b: Any, j: number) => {
          const t = ts.histograms[i].buckets[j];
          expect([b.lowValue, b.highValue], `${name} ${h.type} bucket ${j}`).toEqual([t.lowValue, t.highValue]);
          expect(Math.abs(b.sampleCount - t.sampleCount), `${name} ${h.type} bucket ${j}`).toBeLessThanOrEqual(1e-9 * Math.max(1, t.sampleCount));
        });
      });
      tick('exact');
    }
  }
  return checked;
}

async function penguins(): Promise<Table> {
  const b = new ExampleBatchBuilder();
  await readJsonExamples(path.join(repo, 'node_modules/vega-datasets/data/penguins.json'), b);
  return b.build().table;
}

describe('statistics against TFDV', () => {
  it('penguins.json: every feature matches TFDV', async () => {
    const table = await penguins();
    const theirs = await tfdv.stats(table, 'penguins');
    const ours = decodeStatistics(encodeStatistics(statisticsList([['train', accumulateTable(table)]]))) as Any;
    const checked = compare(table, theirs.datasets[0], ours.datasets[0]);
    expect(checked.mean).toBe(4);
    expect(checked.topValues).toBe(3);
    // 344 rows: every numeric feature is compared number for number
    expect(checked.exact).toBe(4);
  }, 300_000);

  it('a generated dataset with NaN, infinities, zeros, lists, ties, huge strings and invalid UTF-8 matches TFDV', async () => {
    // 3000 rows: past the sketch's exact range (k = 512) on every numeric feature
    const table = syntheticTable({ rows: 3000, seed: 7 });
    const theirs = await tfdv.stats(table, 'synthetic');
    const ours = decodeStatistics(encodeStatistics(statisticsList([['train', accumulateTable(table)]]))) as Any;
    const checked = compare(table, theirs.datasets[0], ours.datasets[0]);
    expect(checked.topValues).toBe(4);
    expect(checked.invalidUtf8Count).toBe(4);
    expect(checked.standardHistogram).toBeGreaterThanOrEqual(5);
  }, 300_000);

  it('TFDV reads tsfx statistics with load_stats_binary', async () => {
    const table = syntheticTable({ rows: 1000, seed: 8 });
    const file = path.join(tfdv.dir, 'ours.pb');
    await writeFile(file, encodeStatistics(statisticsList([['train', accumulateTable(table.slice(0, 700))], ['eval', accumulateTable(table.slice(700))]])));
    const seen = JSON.parse((await tfdv.py('load', file)).trim().split('\n').pop()!) as Any;
    expect(seen.datasets.map((d: Any) => [d.name, d.num_examples])).toEqual([['train', 700], ['eval', 300]]);
    const ours = byName((decodeStatistics(await readFile(file)) as Any).datasets[0]);
    const f = seen.datasets[0].features;
    expect(f.f_float).toMatchObject({ type: 'FLOAT', num_zeros: ours.f_float.numStats.numZeros, histogram_types: ['STANDARD', 'QUANTILES'] });
    expect(f.f_float.mean).toBe(ours.f_float.numStats.mean);
    expect(f.f_inf.max).toBe('inf');
    expect(f.i_int).toMatchObject({ type: 'INT', num_missing: ours.i_int.numStats.commonStats.numMissing });
    expect(f.s_cat.top[0]).toEqual([ours.s_cat.stringStats.topValues[0].value, ours.s_cat.stringStats.topValues[0].frequency]);
    expect(f.b_bytes.invalid_utf8_count).toBe(ours.b_bytes.stringStats.invalidUtf8Count);
    expect(seen.schema_features).toEqual(Object.keys(ours).sort());
  }, 300_000);
});
