/**
 * The engine's fast paths against their plain definitions: the level sort against the native
 * typed-array sort, batched sketch insertion against one value at a time, and counting string
 * values on their bytes against a Map of latin1 strings.
 */
import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { countByteValues } from '../../src/stats/byte-counts.js';
import { sortPrefix } from '../../src/stats/kll-sort.js';
import { KllSketch } from '../../src/stats/kll.js';
import { seededRandom } from '../../src/stats/synthetic.js';

const rnd = seededRandom(5);

/** values with repeats, -0 next to +0 and infinities: the cases an ordering can get wrong */
function awkward(n: number): Float64Array {
  return Float64Array.from({ length: n }, () => {
    const r = rnd();
    return r < 0.1 ? -0 : r < 0.2 ? 0 : r < 0.25 ? Infinity : r < 0.3 ? -Infinity : r < 0.5 ? Math.floor(rnd() * 5) - 2 : rnd() * 1e6 - 5e5;
  });
}

/** bit-exact comparison (toEqual treats -0 and +0 alike) */
function bits(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
}

describe('sortPrefix', () => {
  it('orders exactly like Float64Array.prototype.sort, -0 before +0, on random data and on sorted runs', () => {
    for (const n of [0, 1, 2, 17, 64, 65, 300, 2000]) {
      const data = awkward(n);
      const runs = Float64Array.from(data);
      // a few sorted runs, the shape of every level above 0
      for (let at = 0; at < n; at += 97) runs.subarray(at, Math.min(n, at + 97)).sort();
      for (const input of [data, runs]) {
        const mine = Float64Array.from(input);
        sortPrefix(mine, n);
        expect(bits(mine), `n=${n}`).toBe(bits(Float64Array.from(input).sort()));
      }
    }
  });

  it('sorts only the prefix it is given', () => {
    const buf = Float64Array.of(3, 1, 2, -1, -2);
    sortPrefix(buf, 3);
    expect([...buf]).toEqual([1, 2, 3, -1, -2]);
  });
});

describe('KllSketch.addAll', () => {
  it('builds the same sketch as add() one value at a time, whatever the batch sizes', () => {
    const data = awkward(60_000);
    const one = new KllSketch(64);
    for (const v of data) one.add(v);
    const batched = new KllSketch(64);
    for (let at = 0; at < data.length; ) {
      const to = Math.min(data.length, at + Math.floor(rnd() * 3000));
      batched.addAll(data, at, to);
      at = to;
    }
    const a = one.toJSON();
    const b = batched.toJSON();
    expect(b.n).toBe(a.n);
    expect(b.seed).toBe(a.seed);
    expect(b.levels.map(bits)).toEqual(a.levels.map(bits));
    expect(batched.quantiles(10)).toEqual(one.quantiles(10));
  });
});

describe('countByteValues', () => {
  it('counts like a Map of latin1 strings, skips null and unlisted elements, and counts invalid UTF-8 per occurrence', () => {
    const pool = ['a', '', 'héllo', '日本', 'v1', 'v10', 'v01'].map((s) => Buffer.from(s)).concat([Buffer.from([0xff, 0xfe]), Buffer.from([0xe6, 0x97])]);
    // enough distinct values to make the table grow several times
    for (let i = 0; i < 5000; i++) pool.push(Buffer.from(`x${i}`));
    const values = Array.from({ length: 40_000 }, () => pool[Math.floor(rnd() ** 3 * pool.length)]!);
    const bytes = Buffer.concat(values);
    const offs = new Int32Array(values.length + 1);
    values.forEach((v, i) => (offs[i + 1] = offs[i]! + v.length));
    const valid = Uint8Array.from(values, () => (rnd() < 0.1 ? 0 : 1));
    const ranges = [0, 15_000, 20_000, 40_000];

    const expected = new Map<string, number>();
    let totalBytes = 0;
    let invalid = 0;
    for (let r = 0; r < ranges.length; r += 2) {
      for (let j = ranges[r]!; j < ranges[r + 1]!; j++) {
        if (!valid[j]) continue;
        const key = values[j]!.toString('latin1');
        expected.set(key, (expected.get(key) ?? 0) + 1);
        totalBytes += values[j]!.length;
        if (!isUtf8(values[j]!)) invalid++;
      }
    }
    const sink = { counts: new Map<string, number>([['a', 5]]), totalBytes: 0, invalidUtf8: 0 };
    countByteValues(bytes, offs, ranges, valid, sink);
    expected.set('a', (expected.get('a') ?? 0) + 5);
    expect(new Map([...sink.counts].sort())).toEqual(new Map([...expected].sort()));
    expect(sink.totalBytes).toBe(totalBytes);
    expect(invalid).toBeGreaterThan(0);
    expect(sink.invalidUtf8).toBe(invalid);
  });
});
