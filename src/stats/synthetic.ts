/**
 * A seeded synthetic dataset with every case the statistics must get right: NaN, +-Infinity,
 * zeros (and -0), int64 beyond 2^53, missing cells, empty and multi-valued lists, tied string
 * counts around the top-k cut, huge strings, bytes that are not UTF-8, an all-NaN feature and
 * a constant one. Used by the tests (against TFDV) and the benchmark; same seed, same rows.
 */
import type { Table } from 'apache-arrow';
import { ExampleBatchBuilder } from '../io/columns.js';
import { countUpTo } from './histograms.js';
import { mulberry32 } from '../random.js';

/** mulberry32 (src/random.ts): seeded, uniform in [0, 1) */
export const seededRandom = mulberry32;

export interface SyntheticOptions {
  rows: number;
  seed?: number;
  /** add the 100 KB strings (tests want them, benchmarks may not) */
  hugeStrings?: boolean;
  /**
   * add 'w_weight', an example weight: quarters from 0 to 4 (zeros included), exact in
   * float32 so weighted sums are the same whichever precision adds them
   */
  weight?: boolean;
}

export function syntheticTable(opts: SyntheticOptions): Table {
  const rnd = seededRandom(opts.seed ?? 7);
  const b = new ExampleBatchBuilder();
  const huge = 'x'.repeat(100_000);
  const weightRnd = seededRandom((opts.seed ?? 7) + 1);
  for (let r = 0; r < opts.rows; r++) {
    const row = b.beginRow();
    const col = (name: string, kind: 'int' | 'float' | 'bytes') => {
      const c = b.column(name, kind);
      c.present(row);
      return c;
    };
    // float: gaussian-ish with NaN, zeros, -0, 10% missing
    if (rnd() > 0.1) {
      const u = rnd();
      col('f_float', 'float').pushFloat(u < 0.05 ? NaN : u < 0.1 ? 0 : u < 0.12 ? -0 : (rnd() + rnd() + rnd() - 1.5) * 100);
    }
    // float with +Infinity (mean is +inf in TFDV)
    col('f_inf', 'float').pushFloat(rnd() < 0.01 ? Infinity : rnd() * 10);
    // int64: wide range, beyond 2^53 sometimes, zeros, 20% missing
    if (rnd() > 0.2) {
      const u = rnd();
      const c = col('i_int', 'int');
      if (u < 0.1) c.pushInt(0);
      else if (u < 0.12) c.pushBigInt(2n ** 60n + BigInt(Math.floor(rnd() * 1000)));
      else c.pushInt(Math.floor((rnd() - 0.3) * 1e6));
    }
    // float lists: 0..5 values, 10% missing
    if (rnd() > 0.1) {
      const c = col('l_float', 'float');
      const n = Math.floor(rnd() * 6);
      for (let i = 0; i < n; i++) c.pushFloat(Math.round(rnd() * 1000) / 8);
    }
    // int lists, 1..3 values
    {
      const c = col('l_int', 'int');
      const n = 1 + Math.floor(rnd() * 3);
      for (let i = 0; i < n; i++) c.pushInt(Math.floor(rnd() * 50));
    }
    // categorical: 30 values with counts that tie (value i has weight ~ 30 - i, in pairs)
    col('s_cat', 'bytes').pushString(`v${String(Math.floor(Math.sqrt(rnd()) * 15) * 2 + (rnd() < 0.5 ? 0 : 1)).padStart(2, '0')}`);
    // string lists with an empty string and unicode
    if (rnd() > 0.3) {
      const c = col('s_multi', 'bytes');
      const words = ['', 'a', 'b', 'ümlaut', '日本', 'zz'];
      const n = Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) c.pushString(words[Math.floor(rnd() * words.length)]!);
    }
    // bytes, some not UTF-8
    if (rnd() > 0.5) {
      const u = rnd();
      const c = col('b_bytes', 'bytes');
      if (u < 0.2) c.pushBytes(new Uint8Array([0xff, 0xfe, Math.floor(rnd() * 4)]));
      else if (u < 0.3) c.pushBytes(new Uint8Array([0xc3])); // a truncated 2-byte sequence
      else c.pushString(`ok${Math.floor(rnd() * 5)}`);
    }
    if (opts.hugeStrings !== false && r % 500 === 0) col('s_huge', 'bytes').pushString(huge + String(r % 3));
    // drawn from its own generator so the other columns are the same with and without it
    if (opts.weight) col('w_weight', 'float').pushFloat(Math.floor(weightRnd() * 17) / 4);
    col('f_all_nan', 'float').pushFloat(NaN);
    col('f_const', 'float').pushFloat(2.5);
  }
  return b.build().table;
}

// ---- ground truth for tests: exact ranks from the raw values ----

/** every non-NaN number of a (list) column, sorted: the truth quantiles are checked against */
export function rawValues(table: Table, name: string): Float64Array {
  const col = table.getChild(name)!;
  const out: number[] = [];
  for (let i = 0; i < col.length; i++) {
    const v = col.get(i);
    if (v === null) continue;
    const items = typeof v === 'object' && v !== null && 'toArray' in v ? Array.from(v.toArray() as ArrayLike<number | bigint>) : [v];
    for (const x of items) if (!Number.isNaN(Number(x))) out.push(Number(x));
  }
  return Float64Array.from(out).sort();
}

/** [values < x, values <= x] in sorted data */
export function trueRank(sorted: Float64Array, x: number): [number, number] {
  return [countUpTo(sorted, x, true), countUpTo(sorted, x)];
}

/** distance (in values) from the target rank to the rank interval of x */
export function rankMiss(sorted: Float64Array, x: number, target: number): number {
  const [lt, le] = trueRank(sorted, x);
  return target < lt ? lt - target : target > le ? target - le : 0;
}

