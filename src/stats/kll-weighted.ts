/**
 * A mergeable quantile sketch of weighted values: KLL's level structure (kll.ts) with a weight
 * carried by every retained item, for TFDV's weighted quantiles (weighted median and weighted
 * histograms). A separate class rather than an option of KllSketch so the unweighted sketch,
 * the statistics' hot loop, keeps its typed buffers and its branch-free compaction.
 *
 * Compaction sorts a level by value and pairs neighbours; each pair (a, b) becomes one item
 * of weight w_a + w_b placed at a with probability w_a / (w_a + w_b), else at b. For any query
 * x only the pair straddling x can misstate the weight below x, and it does so without bias
 * (expected error 0, at most the pair's weight), which is KLL's argument with 2^h replaced by
 * the pair's weight. With weights of comparable size the rank error stays within
 * KLL_RANK_ERROR of the total weight (test/stats/kll-weighted.test.ts checks it, on one
 * stream and across merges). A single item heavier than that share of the total can move a
 * quantile by as much as its own weight when it is paired: the bound is then that weight.
 *
 * Zero weights carry no rank mass and are not kept: min and max are those of the values
 * with a positive weight, as TFDV's weighted quantiles report them.
 */
import type { SortedSample } from './histograms.js';
import { KLL_DEFAULT_K, KLL_EXACT_FACTOR } from './kll.js';

const MIN_CAPACITY = 8;
const SHRINK = 2 / 3;

/** serialized form (see WeightedKllSketch.toJSON) */
export interface WeightedKllState {
  k: number;
  /** total weight added */
  total: number;
  min: number;
  max: number;
  seed: number;
  values: Float64Array[];
  weights: Float64Array[];
}

export class WeightedKllSketch {
  total = 0;
  min = Infinity;
  max = -Infinity;
  private values: Float64Array[] = [new Float64Array(64)];
  private weights: Float64Array[] = [new Float64Array(64)];
  private lens: number[] = [0];
  private caps: number[] = [];
  private budget = 0;
  private held = 0;
  private seed: number;

  constructor(readonly k = KLL_DEFAULT_K, seed = 0x85ebca6b) {
    if (!Number.isInteger(k) || k < MIN_CAPACITY) throw new RangeError(`KLL k must be an integer >= ${MIN_CAPACITY}`);
    this.seed = seed >>> 0 || 1;
    this.resize();
  }

  private resize(): void {
    const top = this.values.length - 1;
    let total = 0;
    this.caps = this.values.map((_, h) => {
      const c = Math.max(MIN_CAPACITY, Math.ceil(this.k * SHRINK ** (top - h)));
      total += c;
      return c;
    });
    // one level: hold up to KLL_EXACT_FACTOR * k values before the first compaction
    this.budget = this.values.length === 1 ? Math.max(total, KLL_EXACT_FACTOR * this.k) : total;
  }

  private reserve(h: number, more: number): void {
    const need = this.lens[h]! + more;
    if (need <= this.values[h]!.length) return;
    const size = Math.max(need, this.values[h]!.length * 2);
    for (const arr of [this.values, this.weights]) {
      const grown = new Float64Array(size);
      grown.set(arr[h]!.subarray(0, this.lens[h]!));
      arr[h] = grown;
    }
  }

  private addLevel(): void {
    this.values.push(new Float64Array(64));
    this.weights.push(new Float64Array(64));
    this.lens.push(0);
    this.resize();
  }

  /** xorshift32 as a uniform double in [0, 1) */
  private uniform(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed / 4294967296;
  }

  /** Add value v with weight w (w >= 0; NaN values are the caller's business). */
  add(v: number, w: number): void {
    if (!(w > 0)) return;
    this.reserve(0, 1);
    const at = this.lens[0]!++;
    this.values[0]![at] = v;
    this.weights[0]![at] = w;
    this.total += w;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.held++;
    // the first compaction after the exact phase leaves more than the new budget: repeat until under it
    while (this.held >= this.budget) this.compress();
  }

  /** Fold `other` into this sketch (other is left as it was). */
  merge(other: WeightedKllSketch): void {
    if (other.held === 0) return;
    while (this.values.length < other.values.length) this.addLevel();
    for (let h = 0; h < other.values.length; h++) {
      const len = other.lens[h]!;
      this.reserve(h, len);
      this.values[h]!.set(other.values[h]!.subarray(0, len), this.lens[h]!);
      this.weights[h]!.set(other.weights[h]!.subarray(0, len), this.lens[h]!);
      this.lens[h]! += len;
      this.held += len;
    }
    this.total += other.total;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    while (this.held >= this.budget) this.compress();
  }

  /** sort level h by value, weights alongside */
  private sortLevel(h: number): void {
    const len = this.lens[h]!;
    const vals = this.values[h]!;
    const wts = this.weights[h]!;
    const order = new Uint32Array(len);
    for (let i = 0; i < len; i++) order[i] = i;
    order.sort((a, b) => vals[a]! - vals[b]! || a - b);
    const v2 = new Float64Array(vals.length);
    const w2 = new Float64Array(wts.length);
    for (let i = 0; i < len; i++) {
      v2[i] = vals[order[i]!]!;
      w2[i] = wts[order[i]!]!;
    }
    this.values[h] = v2;
    this.weights[h] = w2;
  }

  private compress(): void {
    for (let h = 0; h < this.values.length; h++) {
      const len = this.lens[h]!;
      if (len < this.caps[h]!) continue;
      if (h + 1 === this.values.length) this.addLevel();
      this.sortLevel(h);
      const vals = this.values[h]!;
      const wts = this.weights[h]!;
      const pairs = len >> 1;
      this.reserve(h + 1, pairs);
      const upV = this.values[h + 1]!;
      const upW = this.weights[h + 1]!;
      let at = this.lens[h + 1]!;
      for (let i = 0; i < pairs; i++) {
        const wa = wts[2 * i]!;
        const wb = wts[2 * i + 1]!;
        const sum = wa + wb;
        upV[at] = this.uniform() * sum < wa ? vals[2 * i]! : vals[2 * i + 1]!;
        upW[at++] = sum;
      }
      this.lens[h + 1] = at;
      // the odd item out (the largest) stays behind
      if (len & 1) {
        vals[0] = vals[len - 1]!;
        wts[0] = wts[len - 1]!;
      }
      this.lens[h] = len & 1;
      this.held -= pairs;
      return;
    }
  }

  /** Retained items sorted by value with their cumulative weights. */
  sample(): SortedSample {
    const items: { v: number; w: number }[] = [];
    for (let h = 0; h < this.values.length; h++) {
      for (let i = 0; i < this.lens[h]!; i++) items.push({ v: this.values[h]![i]!, w: this.weights[h]![i]! });
    }
    items.sort((a, b) => a.v - b.v);
    const values = new Float64Array(items.length);
    const cum = new Float64Array(items.length);
    let acc = 0;
    items.forEach((it, i) => {
      values[i] = it.v;
      acc += it.w;
      cum[i] = acc;
    });
    return { values, cum };
  }

  get size(): number {
    return this.held;
  }

  toJSON(): WeightedKllState {
    return {
      k: this.k, total: this.total, min: this.min, max: this.max, seed: this.seed,
      values: this.values.map((l, h) => l.slice(0, this.lens[h]!)),
      weights: this.weights.map((l, h) => l.slice(0, this.lens[h]!)),
    };
  }

  static fromJSON(s: WeightedKllState): WeightedKllSketch {
    const sk = new WeightedKllSketch(s.k, s.seed);
    sk.total = s.total;
    sk.min = s.min;
    sk.max = s.max;
    if (s.values.length > 0) {
      sk.values = s.values.map((l) => Float64Array.from(l));
      sk.weights = s.weights.map((l) => Float64Array.from(l));
      sk.lens = s.values.map((l) => l.length);
    }
    sk.held = sk.lens.reduce((a, l) => a + l, 0);
    sk.resize();
    return sk;
  }
}
