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
 * KLL_RANK_ERROR * n. Up to k values the sketch is exact (nothing is ever compacted).
 *
 * The coin flips come from a seeded generator, so the same input in the same order (and the
 * same merge order) always gives the same sketch: statistics are reproducible.
 */

export const KLL_DEFAULT_K = 512;
/** normalized rank error bound for KLL_DEFAULT_K */
export const KLL_RANK_ERROR = 0.01;

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
  private levels: number[][] = [[]];
  private seed: number;
  /** item count that triggers a compaction; recomputed when a level is added */
  private budget: number;
  private held = 0;

  constructor(readonly k = KLL_DEFAULT_K, seed = 0x9e3779b9) {
    if (!Number.isInteger(k) || k < MIN_CAPACITY) throw new RangeError(`KLL k must be an integer >= ${MIN_CAPACITY}`);
    this.seed = seed >>> 0 || 1;
    this.budget = this.computeBudget();
  }

  private capacity(h: number): number {
    const depth = this.levels.length - 1 - h;
    return Math.max(MIN_CAPACITY, Math.ceil(this.k * SHRINK ** depth));
  }

  private computeBudget(): number {
    let total = 0;
    for (let h = 0; h < this.levels.length; h++) total += this.capacity(h);
    return total;
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
    this.levels[0]!.push(v);
    this.n++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (++this.held >= this.budget) this.compress();
  }

  /** Add values[from, to). */
  addAll(values: ArrayLike<number>, from = 0, to = values.length): void {
    for (let i = from; i < to; i++) this.add(values[i]!);
  }

  /** Fold `other` into this sketch (other is left as it was). */
  merge(other: KllSketch): void {
    if (other.n === 0) return;
    while (this.levels.length < other.levels.length) this.levels.push([]);
    for (let h = 0; h < other.levels.length; h++) {
      const src = other.levels[h]!;
      const dst = this.levels[h]!;
      for (let i = 0; i < src.length; i++) dst.push(src[i]!);
      this.held += src.length;
    }
    this.n += other.n;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.budget = this.computeBudget();
    while (this.held >= this.budget) this.compress();
  }

  private compress(): void {
    for (let h = 0; h < this.levels.length; h++) {
      const level = this.levels[h]!;
      if (level.length < this.capacity(h)) continue;
      if (h + 1 === this.levels.length) {
        this.levels.push([]);
        this.budget = this.computeBudget();
      }
      const sorted = Float64Array.from(level).sort();
      // an odd item out stays behind at this level, unsorted order doesn't matter
      const pairs = sorted.length >> 1;
      const up = this.levels[h + 1]!;
      const offset = this.coin();
      for (let i = 0; i < pairs; i++) up.push(sorted[2 * i + offset]!);
      const kept = sorted.length & 1 ? [sorted[sorted.length - 1]!] : [];
      this.levels[h] = kept;
      this.held -= pairs;
      // one compaction per call keeps add() amortised O(1); a merge loops until under budget
      return;
    }
  }

  /** Retained items sorted by value with their cumulative weights (an item at level h weighs 2^h). */
  sample(): { values: Float64Array; cum: Float64Array } {
    const count = this.levels.reduce((s, l) => s + l.length, 0);
    const order: { v: number; w: number }[] = new Array(count);
    let j = 0;
    for (let h = 0; h < this.levels.length; h++) {
      const w = 2 ** h;
      for (const v of this.levels[h]!) order[j++] = { v, w };
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
    return { k: this.k, n: this.n, min: this.min, max: this.max, seed: this.seed, levels: this.levels.map((l) => Float64Array.from(l)) };
  }

  static fromJSON(s: KllState): KllSketch {
    const sk = new KllSketch(s.k, s.seed);
    sk.n = s.n;
    sk.min = s.min;
    sk.max = s.max;
    sk.levels = s.levels.map((l) => Array.from(l));
    if (sk.levels.length === 0) sk.levels.push([]);
    sk.held = sk.levels.reduce((a, l) => a + l.length, 0);
    sk.budget = sk.computeBudget();
    return sk;
  }
}
