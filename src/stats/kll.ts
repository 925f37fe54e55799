/**
 * A mergeable quantile sketch (KLL: Karnin, Lang, Liberty 2016). Items live in levels; an
 * item at level h stands for 2^h input values. When the sketch outgrows its budget, the
 * lowest over-full level is sorted and every other item (odd or even positions, by a coin
 * flip) is promoted one level up, the rest dropped. Level capacities shrink geometrically
 * (factor 2/3) going down, so the sketch holds O(k) items whatever the input size, and any
 * number of sketches merge into one with the same guarantee.
 *
 * Error bound (checked by test/stats/kll.test.ts on single streams and on merges of many
 * shards): with the default k = 512, the rank of any value is off by at most
 * KLL_RANK_ERROR * n. Up to KLL_EXACT_FACTOR * k values the sketch is exact (nothing is
 * compacted until then).
 *
 * The coin flips come from a seeded generator, so the same input in the same order (and the
 * same merge order) always gives the same sketch: statistics are reproducible.
 */

import { sortPrefix } from './kll-sort.js';

export const KLL_DEFAULT_K = 512;
/** normalized rank error bound for KLL_DEFAULT_K */
export const KLL_RANK_ERROR = 0.01;
/**
 * The sketch is exact up to this many times k values (2048 for the default k): TFDV's sketch
 * (eps 0.01) holds about 2100 values before its first compression, so on data of that size
 * both give exactly TFDV's quantiles and histograms.
 */
export const KLL_EXACT_FACTOR = 4;

const MIN_CAPACITY = 8;
const SHRINK = 2 / 3;

/** serialized form (see KllSketch.toJSON) */
export interface KllState {
  k: number;
  n: number;
  min: number;
  max: number;
  seed: number;
  /** items of each level, as float64 */
  levels: Float64Array[];
}

export class KllSketch {
  /** number of values added (each counts 1) */
  n = 0;
  min = Infinity;
  max = -Infinity;
  /**
   * Level h holds levels[h][0 .. lens[h]). Typed buffers, not arrays: compaction sorts them
   * in place, and values come in by the batch (addAll), so this is the statistics' hot loop.
   */
  private levels: Float64Array[] = [new Float64Array(64)];
  private lens: number[] = [0];
  /** capacity of each level, recomputed when a level is added */
  private caps: number[] = [];
  private seed: number;
  /** item count that triggers a compaction; recomputed when a level is added */
  private budget = 0;
  private held = 0;

  constructor(readonly k = KLL_DEFAULT_K, seed = 0x9e3779b9) {
    if (!Number.isInteger(k) || k < MIN_CAPACITY) throw new RangeError(`KLL k must be an integer >= ${MIN_CAPACITY}`);
    this.seed = seed >>> 0 || 1;
    this.resize();
  }

  /** recompute capacities and the budget for the current number of levels */
  private resize(): void {
    const top = this.levels.length - 1;
    let total = 0;
    this.caps = this.levels.map((_, h) => {
      const c = Math.max(MIN_CAPACITY, Math.ceil(this.k * SHRINK ** (top - h)));
      total += c;
      return c;
    });
    // one level: hold up to KLL_EXACT_FACTOR * k values before the first compaction
    this.budget = this.levels.length === 1 ? Math.max(total, KLL_EXACT_FACTOR * this.k) : total;
  }

  /** room for `more` items at level h */
  private reserve(h: number, more: number): Float64Array {
    const buf = this.levels[h]!;
    const need = this.lens[h]! + more;
    if (need <= buf.length) return buf;
    const grown = new Float64Array(Math.max(need, buf.length * 2));
    grown.set(buf.subarray(0, this.lens[h]!));
    return (this.levels[h] = grown);
  }

  private addLevel(): void {
    this.levels.push(new Float64Array(64));
    this.lens.push(0);
    this.resize();
  }

  /** xorshift32: cheap, seeded, good enough for fair coin flips */
  private coin(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return (x >>> 7) & 1;
  }

  /** Add one value. NaN is the caller's business: it has no rank, so it must not come here. */
  add(v: number): void {
    const buf = this.reserve(0, 1);
    buf[this.lens[0]!++] = v;
    this.n++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.held++;
    // the first compaction after the exact phase leaves more than the new budget: repeat until under it
    while (this.held >= this.budget) this.compress();
  }

  /**
   * Add values[from, to): the same sketch as add() one by one (compactions happen at the same
   * points), in runs that fill the free budget at once.
   */
  addAll(values: ArrayLike<number>, from = 0, to = values.length): void {
    let min = this.min;
    let max = this.max;
    let i = from;
    while (i < to) {
      const m = Math.min(this.budget - this.held, to - i);
      const buf = this.reserve(0, m);
      let at = this.lens[0]!;
      const end = i + m;
      for (; i < end; i++) {
        const v = values[i]!;
        buf[at++] = v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      this.lens[0] = at;
      this.n += m;
      this.held += m;
      while (this.held >= this.budget) this.compress();
    }
    this.min = min;
    this.max = max;
  }

  /** Fold `other` into this sketch (other is left as it was). */
  merge(other: KllSketch): void {
    if (other.n === 0) return;
    while (this.levels.length < other.levels.length) this.addLevel();
    for (let h = 0; h < other.levels.length; h++) {
      const len = other.lens[h]!;
      this.reserve(h, len).set(other.levels[h]!.subarray(0, len), this.lens[h]!);
      this.lens[h]! += len;
      this.held += len;
    }
    this.n += other.n;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    while (this.held >= this.budget) this.compress();
  }

  private compress(): void {
    for (let h = 0; h < this.levels.length; h++) {
      const len = this.lens[h]!;
      if (len < this.caps[h]!) continue;
      if (h + 1 === this.levels.length) this.addLevel();
      const sorted = sortPrefix(this.levels[h]!, len);
      // an odd item out (the largest) stays behind at this level
      const pairs = len >> 1;
      const up = this.reserve(h + 1, pairs);
      let at = this.lens[h + 1]!;
      const offset = this.coin();
      for (let i = 0; i < pairs; i++) up[at++] = sorted[2 * i + offset]!;
      this.lens[h + 1] = at;
      if (len & 1) sorted[0] = sorted[len - 1]!;
      this.lens[h] = len & 1;
      this.held -= pairs;
      // one compaction per call keeps add() amortised O(1); a merge loops until under budget
      return;
    }
  }

  /** Retained items sorted by value with their cumulative weights (an item at level h weighs 2^h). */
  sample(): { values: Float64Array; cum: Float64Array } {
    const count = this.held;
    const order: { v: number; w: number }[] = new Array(count);
    let j = 0;
    for (let h = 0; h < this.levels.length; h++) {
      const w = 2 ** h;
      const level = this.levels[h]!;
      for (let i = 0; i < this.lens[h]!; i++) order[j++] = { v: level[i]!, w };
    }
    order.sort((a, b) => a.v - b.v || 0);
    const values = new Float64Array(count);
    const cum = new Float64Array(count);
    let acc = 0;
    for (let i = 0; i < count; i++) {
      values[i] = order[i]!.v;
      acc += order[i]!.w;
      cum[i] = acc;
    }
    return { values, cum };
  }

  /** Estimated number of values <= x. */
  rank(x: number): number {
    const { values, cum } = this.sample();
    let lo = 0;
    let hi = values.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : cum[lo - 1]!;
  }

  /**
   * `buckets + 1` boundaries splitting the values into `buckets` parts of (about) equal count:
   * the exact min, the i/buckets quantiles, the exact max. Empty when no value was added.
   * The q-quantile is the smallest retained value whose estimated rank reaches q * n.
   */
  quantiles(buckets: number): number[] {
    if (this.n === 0) return [];
    const { values, cum } = this.sample();
    const total = cum[cum.length - 1]!;
    const out = [this.min];
    let j = 0;
    for (let b = 1; b < buckets; b++) {
      const target = (b / buckets) * total;
      while (j < values.length - 1 && cum[j]! < target) j++;
      out.push(values[j]!);
    }
    out.push(this.max);
    return out;
  }

  /** Quantile q in [0, 1]. */
  quantile(q: number): number {
    if (this.n === 0) return NaN;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const { values, cum } = this.sample();
    const target = q * cum[cum.length - 1]!;
    let j = 0;
    while (j < values.length - 1 && cum[j]! < target) j++;
    return values[j]!;
  }

  /** how many items the sketch holds (for memory accounting and tests) */
  get size(): number {
    return this.held;
  }

  toJSON(): KllState {
    return { k: this.k, n: this.n, min: this.min, max: this.max, seed: this.seed, levels: this.levels.map((l, h) => l.slice(0, this.lens[h]!)) };
  }

  static fromJSON(s: KllState): KllSketch {
    const sk = new KllSketch(s.k, s.seed);
    sk.n = s.n;
    sk.min = s.min;
    sk.max = s.max;
    sk.levels = s.levels.map((l) => Float64Array.from(l));
    if (sk.levels.length === 0) sk.levels.push(new Float64Array(64));
    sk.lens = s.levels.map((l) => l.length);
    if (sk.lens.length === 0) sk.lens.push(0);
    sk.held = sk.lens.reduce((a, l) => a + l, 0);
    sk.resize();
    return sk;
  }
}
