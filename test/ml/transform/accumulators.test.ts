/** Analysis as the pipeline runs it: phases, one accumulator per shard, serialized, merged in any order. */
import { describe, expect, it } from 'vitest';
import {
  accumulate,
  analyzeBatches,
  analyzerPhases,
  createAccumulators,
  deserializeAccumulators,
  finalizeAccumulators,
  finalizeGraph,
  mergeAccumulators,
  numberColumn,
  serializeAccumulators,
  stringColumn,
  tracePreprocessing,
  type AccumulatorSet,
  type RawBatch,
  type StringColumn,
} from '../../../src/ml/transform/index.js';
import { seededRandom } from '../../../src/stats/synthetic.js';
import type { AnalyzerResult, TransformSpec } from '../../../schemas/transform-graph.js';

const spec = tracePreprocessing((f) => ({
  z: f.zScore(f.fillMissing('x', f.mean('x'))),
  b: f.bucketize('x', 8),
  v: f.vocabulary('s', { topK: 20 }),
  r: f.scale01('x'),
  // a third phase: z-score of a value that needs the second phase's z-score
  zz: f.zScore(f.mul(f.zScore(f.fillMissing('x', f.mean('x'))), 2)),
}));

function shards(count: number, rows: number, seed = 11): RawBatch[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const x = Array.from({ length: rows }, () => (rnd() < 0.1 ? null : 1e6 + rnd() * 100));
    const s = Array.from({ length: rows }, () => `tok${Math.floor(rnd() * rnd() * 40)}`);
    return { numRows: rows, columns: { x: numberColumn(x), s: stringColumn(s) } };
  });
}

/** Runs every phase the way the Transform component does: shard partials, serialized, merged by a reducer. */
function analyzeSharded(sp: TransformSpec, data: RawBatch[], order: (parts: AccumulatorSet[]) => AccumulatorSet[]) {
  let results: Record<string, AnalyzerResult> = {};
  for (const p of analyzerPhases(sp)) {
    const partials = data.map((b) => {
      const set = createAccumulators(sp, p.phase, results);
      accumulate(set, b);
      return JSON.parse(JSON.stringify(serializeAccumulators(set))) as ReturnType<typeof serializeAccumulators>;
    });
    const merged = mergeAccumulators(order(partials.map((j) => deserializeAccumulators(sp, j, results))));
    results = { ...results, ...finalizeAccumulators(merged) };
  }
  return finalizeGraph(sp, results);
}

describe('analyzer phases', () => {
  it('puts an analyzer after the analyzers its input reads', () => {
    const phases = analyzerPhases(spec);
    expect(phases.map((p) => p.analyzers.map((i) => spec.nodes[i]!.op))).toEqual([
      ['meanVar', 'quantiles', 'vocabulary', 'minMax'],
      ['meanVar'],
      ['meanVar'],
    ]);
    expect(analyzerPhases(tracePreprocessing((f) => ({ x: f.log1p('x') })))).toEqual([]);
  });

  it('refuses to accumulate a phase whose earlier results are absent', () => {
    const set = createAccumulators(spec, 1, {});
    expect(() => accumulate(set, shards(1, 10)[0]!)).toThrow(/has no result: the analysis phase that computes it has not run/);
    expect(() => createAccumulators(spec, 3)).toThrow(/no analyzer phase 3/);
  });
});

describe('mergeable accumulators', () => {
  const data = shards(6, 700);

  it('give the same results, bit for bit, in any merge order', () => {
    const a = analyzeSharded(spec, data, (p) => p);
    const b = analyzeSharded(spec, data, (p) => [...p].reverse());
    const c = analyzeSharded(spec, data, (p) => [p[3]!, p[0]!, p[5]!, p[1]!, p[4]!, p[2]!]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('agree with one pass over all rows (moments to rounding, vocabulary exactly, quantiles within the rank error)', () => {
    const sharded = analyzeSharded(spec, data, (p) => p);
    const all: RawBatch = {
      numRows: 4200,
      columns: {
        x: { kind: 'number', values: Float64Array.from(data.flatMap((d) => Array.from((d.columns.x as { values: Float64Array }).values))), valid: Uint8Array.from(data.flatMap((d) => Array.from((d.columns.x as { valid: Uint8Array }).valid))) },
        s: stringColumn(data.flatMap((d) => (d.columns.s as StringColumn).values)),
      },
    };
    const whole = analyzeBatches(spec, () => [all]);
    for (const [ref, r] of Object.entries(whole.results)) {
      const s = sharded.results[ref]!;
      if (r.op === 'meanVar' && s.op === 'meanVar') {
        expect(s.count).toBe(r.count);
        expect(s.mean).toBeCloseTo(r.mean, 6);
        expect(s.variance / r.variance).toBeCloseTo(1, 9);
      } else if (r.op === 'quantiles' && s.op === 'quantiles') {
        const xs = Array.from(all.columns.x!.values as Float64Array).filter((_, i) => (all.columns.x as { valid: Uint8Array }).valid[i]);
        const rank = (v: number) => xs.filter((x) => x <= v).length / xs.length;
        s.boundaries.forEach((b, i) => expect(Math.abs(rank(b) - (i + 1) / 8)).toBeLessThanOrEqual(s.rankError));
      } else expect(s).toEqual(r);
    }
  });

  it('serialize to plain JSON and back without loss', () => {
    const set = createAccumulators(spec, 0);
    accumulate(set, data[0]!);
    const json = serializeAccumulators(set);
    const back = deserializeAccumulators(spec, JSON.parse(JSON.stringify(json)) as typeof json);
    expect(finalizeAccumulators(back)).toEqual(finalizeAccumulators(set));
    expect(serializeAccumulators(back)).toEqual(json);
    const other = tracePreprocessing((f) => ({ m: f.scale01('x') }));
    expect(() => deserializeAccumulators(other, json)).toThrow(/made for another transform/);
  });

  it('an empty shard merges as nothing', () => {
    const empty = createAccumulators(spec, 0);
    const full = createAccumulators(spec, 0);
    accumulate(full, data[1]!);
    expect(finalizeAccumulators(mergeAccumulators([empty, full]))).toEqual(finalizeAccumulators(mergeAccumulators([full])));
  });
});
