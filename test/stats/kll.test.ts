import { describe, expect, it } from 'vitest';
import { KLL_DEFAULT_K, KLL_EXACT_FACTOR, KLL_RANK_ERROR, KllSketch } from '../../src/stats/kll.js';
import { seededRandom } from '../../src/stats/synthetic.js';

/** max over probes of |estimated rank - true rank| / n, true rank counted on sorted data */
function maxRankError(sk: KllSketch, data: Float64Array): number {
  const sorted = Float64Array.from(data).sort();
  const n = sorted.length;
  let worst = 0;
  for (let p = 0; p <= 200; p++) {
    const x = sorted[Math.min(n - 1, Math.floor((p / 200) * n))]!;
    // true rank of x: values <= x
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    worst = Math.max(worst, Math.abs(sk.rank(x) - lo) / n);
  }
  return worst;
}

function streams(n: number): Record<string, Float64Array> {
  const rnd = seededRandom(42);
  return {
    uniform: Float64Array.from({ length: n }, () => rnd()),
    sorted: Float64Array.from({ length: n }, (_, i) => i),
    reversed: Float64Array.from({ length: n }, (_, i) => n - i),
    skewed: Float64Array.from({ length: n }, () => Math.exp(rnd() * 20)),
    fewDistinct: Float64Array.from({ length: n }, () => Math.floor(rnd() * 7)),
    withInfinities: Float64Array.from({ length: n }, () => (rnd() < 0.01 ? Infinity : rnd() < 0.01 ? -Infinity : rnd())),
  };
}

describe('KLL sketch', () => {
  it('is exact up to KLL_EXACT_FACTOR * k values', () => {
    const sk = new KllSketch();
    const data = Float64Array.from({ length: KLL_EXACT_FACTOR * KLL_DEFAULT_K - 1 }, (_, i) => (i * 7919) % 1000);
    sk.addAll(data);
    expect(maxRankError(sk, data)).toBe(0);
    expect(sk.quantile(0.5)).toBe(Float64Array.from(data).sort()[Math.ceil(0.5 * data.length) - 1]);
    expect(sk.quantiles(4)[0]).toBe(0);
    expect(sk.quantiles(4)[4]).toBe(Math.max(...data));
  });

  it(`keeps the rank error within ${KLL_RANK_ERROR} * n on 200k values of varied shapes, in bounded space`, () => {
    for (const [name, data] of Object.entries(streams(200_000))) {
      const sk = new KllSketch();
      sk.addAll(data);
      expect(sk.n, name).toBe(data.length);
      const err = maxRankError(sk, data);
      expect(err, name).toBeLessThanOrEqual(KLL_RANK_ERROR);
      console.log(`KLL k=${KLL_DEFAULT_K} ${name}: max rank error ${(err * 100).toFixed(3)}% of n, ${sk.size} items held`);
      expect(sk.size, name).toBeLessThan(3 * KLL_DEFAULT_K + 64);
      const sorted = Float64Array.from(data).sort();
      expect(sk.min).toBe(sorted[0]);
      expect(sk.max).toBe(sorted[sorted.length - 1]);
    }
  });

  it('keeps the bound when 64 shard sketches are merged, in a chain or as a tree', () => {
    for (const [name, data] of Object.entries(streams(128_000))) {
      const shards: KllSketch[] = [];
      const per = data.length / 64;
      for (let s = 0; s < 64; s++) {
        const sk = new KllSketch(KLL_DEFAULT_K, s + 1);
        sk.addAll(data, s * per, (s + 1) * per);
        shards.push(sk);
      }
      const chain = new KllSketch();
      for (const s of shards) chain.merge(s);
      let level = shards.map((s) => KllSketch.fromJSON(s.toJSON()));
      while (level.length > 1) {
        const next: KllSketch[] = [];
        for (let i = 0; i < level.length; i += 2) {
          level[i]!.merge(level[i + 1]!);
          next.push(level[i]!);
        }
        level = next;
      }
      for (const merged of [chain, level[0]!]) {
        expect(merged.n, name).toBe(data.length);
        expect(maxRankError(merged, data), name).toBeLessThanOrEqual(KLL_RANK_ERROR);
      }
    }
  });

  it('is deterministic and survives toJSON/fromJSON', () => {
    const data = streams(50_000).uniform;
    const a = new KllSketch();
    const b = new KllSketch();
    a.addAll(data);
    b.addAll(data);
    expect(a.quantiles(10)).toEqual(b.quantiles(10));
    const c = KllSketch.fromJSON(a.toJSON());
    expect(c.quantiles(10)).toEqual(a.quantiles(10));
    c.addAll(data);
    expect(c.n).toBe(100_000);
  });

  it('rejects a k too small to sketch with', () => {
    expect(() => new KllSketch(2)).toThrow(/k must be/);
  });
});
