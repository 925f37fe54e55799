/**
 * The weighted KLL sketch: exact while it holds everything, within KLL_RANK_ERROR of the
 * total weight past that, on one stream and merged from many shards (through its JSON
 * form), and deterministic.
 */
import { describe, expect, it } from 'vitest';
import { KLL_RANK_ERROR, WeightedKllSketch } from '../../src/stats/index.js';
import { seededRandom } from '../../src/stats/synthetic.js';

interface Data { values: number[]; weights: number[] }

function data(n: number, seed: number): Data {
  const rnd = seededRandom(seed);
  const values: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    // a skewed value distribution with repeats, weights from 0 to 5 (zeros too)
    values.push(Math.round((rnd() ** 3) * 1e5) / 10);
    weights.push(Math.floor(rnd() * 21) / 4);
  }
  return { values, weights };
}

/** largest distance of the sketch's quantiles from the exact weighted ranks, as a share of the total weight */
function worstError(sk: WeightedKllSketch, d: Data): number {
  const order = d.values.map((_, i) => i).sort((a, b) => d.values[a]! - d.values[b]!);
  const total = d.weights.reduce((a, w) => a + w, 0);
  const { values, cum } = sk.sample();
  let worst = 0;
  for (let q = 1; q < 100; q++) {
    const target = (q / 100) * total;
    let j = 0;
    while (j < values.length - 1 && cum[j]! < target) j++;
    const x = values[j]!;
    let lt = 0;
    let le = 0;
    for (const i of order) {
      if (d.values[i]! < x) lt += d.weights[i]!;
      if (d.values[i]! <= x) le += d.weights[i]!;
    }
    worst = Math.max(worst, target < lt ? lt - target : target > le ? target - le : 0);
  }
  return worst / total;
}

describe('weighted KLL sketch', () => {
  it('is exact up to k items, skipping weight 0', () => {
    const sk = new WeightedKllSketch();
    [[3, 1], [1, 2], [2, 0], [5, 0.5]].forEach(([v, w]) => sk.add(v!, w!));
    expect(sk.sample()).toEqual({ values: Float64Array.of(1, 3, 5), cum: Float64Array.of(2, 3, 3.5) });
    expect([sk.total, sk.min, sk.max, sk.size]).toEqual([3.5, 1, 5, 3]);
  });

  it('stays within KLL_RANK_ERROR of the total weight on 200k values, alone and merged from 40 shards', () => {
    const d = data(200_000, 3);
    const one = new WeightedKllSketch();
    d.values.forEach((v, i) => one.add(v, d.weights[i]!));
    expect(one.size).toBeLessThan(4000);
    expect(worstError(one, d)).toBeLessThanOrEqual(KLL_RANK_ERROR);
    const merged = new WeightedKllSketch();
    for (let s = 0; s < 40; s++) {
      const part = new WeightedKllSketch(undefined, 1000 + s);
      for (let i = s * 5000; i < (s + 1) * 5000; i++) part.add(d.values[i]!, d.weights[i]!);
      merged.merge(WeightedKllSketch.fromJSON(part.toJSON()));
    }
    expect(merged.total).toBe(one.total);
    expect(worstError(merged, d)).toBeLessThanOrEqual(KLL_RANK_ERROR);
  });

  it('gives the same sketch for the same input', () => {
    const d = data(20_000, 5);
    const make = () => {
      const sk = new WeightedKllSketch();
      d.values.forEach((v, i) => sk.add(v, d.weights[i]!));
      return sk.toJSON();
    };
    expect(make()).toEqual(make());
  });
});
