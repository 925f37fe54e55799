/** Every analyzer and mapper of the transform runtime, against values computed here from the rows. */
import { fingerprint64 } from '../../../src/ml/transform/fingerprint64.js';
import { describe, expect, it } from 'vitest';
import {
  analyzeBatches,
  applyTransform,
  compareUtf8,
  EMPTY_VOCABULARY_DUMMY,
  fingerprintCat64,
  numberColumn,
  rawBatchFromRows,
  stringColumn,
  tracePreprocessing,
  type PreprocessingFn,
  type RawBatch,
} from '../../../src/ml/transform/index.js';
import { seededRandom } from '../../../src/stats/synthetic.js';

const values = (b: ReturnType<typeof applyTransform>, name: string) => Array.from(b.columns[name]!.values as ArrayLike<number>);

/** Analyse `batches` and apply to their concatenation (one batch). */
function run(fn: PreprocessingFn, batch: RawBatch) {
  const graph = analyzeBatches(tracePreprocessing(fn), () => [batch]);
  return { graph, out: applyTransform(graph, batch) };
}

const xs = [4, 8, 15, 16, 23, 42];
const nums = { numRows: xs.length, columns: { x: numberColumn(xs), k: numberColumn(xs.map(() => 7)) } };
const mean = xs.reduce((a, b) => a + b) / xs.length;
const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;

describe('numeric analyzers', () => {
  it('zScore uses the mean and the biased variance; a constant feature is centred, not divided', () => {
    const { out } = run((f) => ({ z: f.zScore('x'), kz: f.zScore('k') }), nums);
    values(out, 'z').forEach((v, i) => expect(v).toBeCloseTo((xs[i]! - mean) / Math.sqrt(variance), 5));
    expect(values(out, 'kz')).toEqual(xs.map(() => 0));
  });

  it('scale01 and scaleMinMax map [min, max] onto the range; one distinct value goes through a sigmoid', () => {
    const { out } = run((f) => ({ s: f.scale01('x'), m: f.scaleMinMax('x', -1, 1), ks: f.scale01('k') }), nums);
    values(out, 's').forEach((v, i) => expect(v).toBeCloseTo((xs[i]! - 4) / 38, 6));
    values(out, 'm').forEach((v, i) => expect(v).toBeCloseTo(((xs[i]! - 4) / 38) * 2 - 1, 6));
    expect(values(out, 'ks')[0]).toBeCloseTo(1 / (1 + Math.exp(-7)), 6);
  });

  it('mean, variance, std, min, max and count are values arithmetic can use', () => {
    const { out } = run((f) => ({ mean: f.mean('x'), var: f.variance('x'), std: f.std('x'), min: f.min('x'), max: f.max('x'), n: f.count('x'), r: f.div(f.sub('x', f.min('x')), f.sub(f.max('x'), f.min('x'))) }), nums);
    expect(values(out, 'mean')[0]).toBeCloseTo(mean, 5);
    expect(values(out, 'var')[0]).toBeCloseTo(variance, 3);
    expect(values(out, 'std')[0]).toBeCloseTo(Math.sqrt(variance), 5);
    expect([values(out, 'min')[0], values(out, 'max')[0], values(out, 'n')[0]]).toEqual([4, 42, 6]);
    expect(values(out, 'r')[5]).toBe(1);
  });

  it('analyzers skip missing values and NaN', () => {
    const b = { numRows: 5, columns: { x: numberColumn([1, null, 3, NaN, 5]) } };
    const { graph } = run((f) => ({ x: f.fillMissing('x', f.mean('x')), lo: f.min('x'), q: f.bucketize(f.fillMissing('x', 0), 2) }), b);
    const results = Object.values(graph.results);
    expect(results.find((r) => r.op === 'meanVar')).toMatchObject({ count: 3, mean: 3 });
    expect(results.find((r) => r.op === 'minMax')).toMatchObject({ count: 3, min: 1, max: 5 });
    expect(results.find((r) => r.op === 'quantiles')).toMatchObject({ count: 4 }); // filled 0 counts, NaN does not
  });

  it('bucketize: numBuckets - 1 quantile boundaries; applyBuckets puts x in [b[i-1], b[i]) and NaN last', () => {
    const rnd = seededRandom(3);
    const ys = Array.from({ length: 1000 }, () => rnd() * 100);
    const { graph, out } = run((f) => ({ q: f.bucketize('y', 4), fixed: f.applyBuckets('y', [10, 50, 50, 90]) }), { numRows: 1000, columns: { y: numberColumn(ys) } });
    const q = Object.values(graph.results).find((r) => r.op === 'quantiles');
    if (q?.op !== 'quantiles') throw new Error('no quantiles');
    const sorted = [...ys].sort((a, b) => a - b);
    expect(q.boundaries).toEqual([sorted[249], sorted[499], sorted[749]]); // exact below the sketch's first compaction
    const ids = values(out, 'q');
    ys.forEach((y, i) => expect(ids[i]).toBe(q.boundaries.filter((b) => b <= y).length));
    const fixed = applyTransform(graph, { numRows: 5, columns: { y: numberColumn([5, 10, 50, 95, NaN]) } });
    expect(values(fixed, 'fixed')).toEqual([0, 1, 3, 4, 4]);
  });
});

describe('vocabulary', () => {
  const tokens = ['b', 'a', 'b', 'c', 'a', 'B', 'é', 'é', 'B', '', 'x\ny', 'd'];
  const batch = { numRows: tokens.length, columns: { s: stringColumn(tokens) } };

  it('orders by frequency, ties by UTF-8 bytes descending, drops empty and newline tokens', () => {
    const { graph, out } = run((f) => ({ id: f.vocabulary('s') }), batch);
    const v = Object.values(graph.results)[0]!;
    // counts 2: a, b, B, é; 1: c, d
    expect(v).toMatchObject({ tokens: ['é', 'b', 'a', 'B', 'd', 'c'], frequencies: [2, 2, 2, 2, 1, 1], distinct: 8 });
    expect(values(out, 'id')).toEqual([1, 2, 1, 5, 2, 3, 0, 0, 3, -1, -1, 4]);
  });

  it('topK, frequencyThreshold and defaultValue', () => {
    const { graph, out } = run((f) => ({ top: f.vocabulary('s', { topK: 2 }), thr: f.vocabulary('s', { frequencyThreshold: 2, defaultValue: 99 }) }), batch);
    const [top, thr] = Object.values(graph.results);
    expect(top).toMatchObject({ tokens: ['é', 'b'] });
    expect(thr).toMatchObject({ tokens: ['é', 'b', 'a', 'B'] });
    expect(values(out, 'thr')[3]).toBe(99);
    expect(values(out, 'top')[1]).toBe(-1);
  });

  it('OOV tokens hash into numOovBuckets ids after the vocabulary, as StaticVocabularyTable', () => {
    const { out } = run((f) => ({ id: f.vocabulary('s', { topK: 2, numOovBuckets: 3 }) }), batch);
    tokens.forEach((t, i) => {
      const want = t === 'é' ? 0 : t === 'b' ? 1 : 2 + Number(fingerprint64(t) % 3n);
      expect(values(out, 'id')[i]).toBe(want);
    });
  });

  it('an empty vocabulary holds TFT dummy token', () => {
    const { graph } = run((f) => ({ id: f.vocabulary('s', { frequencyThreshold: 100 }) }), batch);
    expect(Object.values(graph.results)[0]).toMatchObject({ tokens: [EMPTY_VOCABULARY_DUMMY], frequencies: [1] });
  });

  it('compareUtf8 is byte order, unlike UTF-16 comparison', () => {
    const astral = '\u{1F600}';
    const high = '\uFF21';
    expect(astral < high).toBe(true); // UTF-16 code units
    expect(compareUtf8(astral, high)).toBeGreaterThan(0); // UTF-8: F0.. > EF..
    const enc = (s: string) => Array.from(new TextEncoder().encode(s));
    const words = ['b', 'ab', 'a', 'é', high, astral, 'Z', ''];
    const bytewise = [...words].sort((p, q) => {
      const [a, b] = [enc(p), enc(q)];
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
      return a.length - b.length;
    });
    expect([...words].sort(compareUtf8)).toEqual(bytewise);
  });
});

describe('mappers', () => {
  const rows = [
    { s: 'red', t: 'a', x: 1 },
    { s: 'blue', t: 'b', x: null },
    { s: null, t: 'a', x: 3 },
  ];

  it('hashStrings is Fingerprint64 mod buckets (TF to_hash_bucket_fast values)', () => {
    const { out } = run((f) => ({ h: f.hashStrings('s', 1000) }), rawBatchFromRows(rows.map((r) => ({ s: r.s ?? 'island' }))));
    expect(values(out, 'h')).toEqual(['red', 'blue', 'island'].map((s) => Number(fingerprint64(s) % 1000n)));
    // tf.strings.to_hash_bucket_fast(['island'], 1000) in TensorFlow 2.16 gives 585
    expect(values(out, 'h')[2]).toBe(585);
  });

  it('cross folds each feature hash into the key with FingerprintCat64', () => {
    const batch = rawBatchFromRows([{ s: 'red', t: 'a' }, { s: 'blue', t: 'b' }]);
    const { out } = run((f) => ({ c: f.cross(['s', 't'], 97), ci: f.cross(['s', f.hashStrings('t', 5)], 97) }), batch);
    const want = (a: bigint, b: bigint) => Number(fingerprintCat64(fingerprintCat64(0xdecafcaffen, a), b) % 97n);
    expect(values(out, 'c')).toEqual([want(fingerprint64('red'), fingerprint64('a')), want(fingerprint64('blue'), fingerprint64('b'))]);
    expect(values(out, 'ci')[0]).toBe(want(fingerprint64('red'), fingerprint64('a') % 5n));
  });

  it('fillMissing with a constant, an analyzer value, a string; oneHot to the cardinality', () => {
    const { out } = run((f) => ({ c: f.fillMissing('x', -1), m: f.fillMissing('x', f.mean('x')), s: f.fillMissing('s', '?'), oh: f.oneHot(f.vocabulary(f.fillMissing('s', '?'))) }), rawBatchFromRows(rows));
    expect(values(out, 'c')).toEqual([1, -1, 3]);
    expect(values(out, 'm')).toEqual([1, 2, 3]);
    expect(out.columns.s!.values).toEqual(['red', 'blue', '?']);
    // vocabulary of red, blue, ? (all count 1): ordered red, blue, ? by bytes descending
    expect(out.columns.oh).toMatchObject({ width: 3 });
    expect(Array.from(out.columns.oh!.values as Float32Array)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('arithmetic, unary functions, toFloat and passthrough', () => {
    const batch = rawBatchFromRows([{ x: 1, y: 2, s: 'a' }, { x: 3, y: 4, s: 'b' }]);
    const { out } = run(
      (f) => ({ sum: f.add('x', 'y'), p: f.pow('x', 2), l: f.log1p('y'), mx: f.maximum('x', 2), neg: f.neg(f.mul('x', f.constant(0.5))), id: f.toFloat(f.applyBuckets('x', [2])), x: f.passthrough('x'), s: f.passthrough('s') }),
      batch,
    );
    expect(values(out, 'sum')).toEqual([3, 7]);
    expect(values(out, 'p')).toEqual([1, 9]);
    expect(values(out, 'l')[1]).toBeCloseTo(Math.log1p(4), 6);
    expect(values(out, 'mx')).toEqual([2, 3]);
    expect(values(out, 'neg')).toEqual([-0.5, -1.5]);
    expect(values(out, 'id')).toEqual([0, 1]);
    expect(out.columns.x).toMatchObject({ dtype: 'float32' });
    expect(out.columns.s).toMatchObject({ dtype: 'string', values: ['a', 'b'] });
  });
});
