/**
 * Mergeable analyzer state, so one activity per Examples shard accumulates a partial and a
 * reducer merges them (StatisticsGen's pattern): mean/variance as (count, mean, M2) merged by
 * Chan's formula, min/max, token counts, and a KLL quantile sketch (src/stats/kll.ts, rank
 * error KLL_RANK_ERROR = 0.01 of n at k = 512). Missing values and NaN are skipped by every
 * analyzer (TFT's quantiles skip NaN; a NaN mean would make the feature useless).
 *
 * Merging is order-independent exactly, not only up to rounding: mergeAccumulators folds the
 * partials in a canonical order (sorted by content), so the same shards give bit-identical
 * results whatever order the activities finished in.
 */
import { DefinitionError, DataError } from '../../errors.js';
import { KllSketch, KLL_DEFAULT_K } from '../../stats/kll.js';
import type { AnalyzerNode, TransformSpec } from '../../../schemas/transform-graph.js';
import type { RawBatch } from './batch.js';
import { evaluate, neededNodes, type Col, type Results } from './eval.js';
import { analyzerPhases } from './phases.js';
import { outputsUsing } from './schema-check.js';

interface MeanVarAcc {
  op: 'meanVar';
  n: number;
  mean: number;
  m2: number;
}
interface MinMaxAcc {
  op: 'minMax';
  n: number;
  min: number;
  max: number;
}
interface VocabAcc {
  op: 'vocabulary';
  counts: Map<string, number>;
}
interface QuantAcc {
  op: 'quantiles';
  sketch: KllSketch;
}
export type Accumulator = MeanVarAcc | MinMaxAcc | VocabAcc | QuantAcc;

/** The state of one phase's analyzers over the data seen so far. */
export interface AccumulatorSet {
  spec: TransformSpec;
  phase: number;
  /** node indices of this phase's analyzers */
  analyzers: number[];
  accs: Accumulator[];
  /** results of the earlier phases, which this phase's inputs read */
  results: Results;
}

/** Serialized AccumulatorSet (plain JSON): what a shard's activity hands the reducer. */
export interface AccumulatorJson {
  phase: number;
  analyzers: number[];
  accs: (
    | { op: 'meanVar'; n: number; mean: number; m2: number }
    | { op: 'minMax'; n: number; min: number | null; max: number | null }
    | { op: 'vocabulary'; tokens: string[]; counts: number[] }
    | { op: 'quantiles'; k: number; n: number; min: number | null; max: number | null; seed: number; levels: number[][] }
  )[];
}

function fresh(node: AnalyzerNode): Accumulator {
  switch (node.op) {
    case 'meanVar':
      return { op: 'meanVar', n: 0, mean: 0, m2: 0 };
    case 'minMax':
      return { op: 'minMax', n: 0, min: Infinity, max: -Infinity };
    case 'vocabulary':
      return { op: 'vocabulary', counts: new Map() };
    case 'quantiles':
      return { op: 'quantiles', sketch: new KllSketch(KLL_DEFAULT_K) };
  }
}

/** Empty accumulators for phase `phase` of the spec; `results` holds the earlier phases' results. */
export function createAccumulators(spec: TransformSpec, phase: number, results: Results = {}): AccumulatorSet {
  const p = analyzerPhases(spec)[phase];
  if (!p) throw new DefinitionError(`the transform has no analyzer phase ${phase}`);
  const accs = p.analyzers.map((i) => fresh(spec.nodes[i] as AnalyzerNode));
  return { spec, phase, analyzers: p.analyzers, accs, results };
}

/** Chan et al.'s parallel update of (n, mean, M2) with a block's (n, mean, M2). */
function mergeMoments(a: MeanVarAcc, n: number, mean: number, m2: number): void {
  if (n === 0) return;
  const total = a.n + n;
  const delta = mean - a.mean;
  a.mean += (delta * n) / total;
  a.m2 += m2 + (delta * delta * a.n * n) / total;
  a.n = total;
}

function numericInput(c: Col | undefined, ref: number): { v: Float64Array; miss: Uint8Array | null } {
  if (c?.t === 'num') return c;
  throw new DefinitionError(`the input of analyzer node ${ref} is not a numeric column`);
}

/** An analyzer as an error names it: by the raw feature it reads, else by the outputs using it. */
function analyzerName(spec: TransformSpec, ref: number): string {
  const node = spec.nodes[ref] as AnalyzerNode;
  const input = spec.nodes[node.x]!;
  if (input.op === 'feature') return `${node.op} of feature '${input.name}'`;
  const users = outputsUsing(spec, ref);
  return `${node.op} (used by output${users.length === 1 ? '' : 's'} ${users.map((u) => `'${u}'`).join(', ')})`;
}

/** Adds a batch of raw rows to the accumulators. */
export function accumulate(set: AccumulatorSet, batch: RawBatch): void {
  const need = neededNodes(set.spec, set.analyzers.map((i) => (set.spec.nodes[i] as AnalyzerNode).x));
  const cols = evaluate(set.spec, set.results, batch, need, { strict: false });
  set.analyzers.forEach((ref, k) => {
    const node = set.spec.nodes[ref] as AnalyzerNode;
    const acc = set.accs[k]!;
    const c = cols[node.x];
    if (acc.op === 'vocabulary') {
      if (c?.t !== 'str') throw new DefinitionError(`the input of vocabulary node ${ref} is not a string column`);
      const counts = acc.counts;
      for (const s of c.v) if (s !== null) counts.set(s, (counts.get(s) ?? 0) + 1);
      return;
    }
    const { v, miss } = numericInput(c, ref);
    const rows = batch.numRows;
    if (acc.op === 'meanVar') {
      // two passes over the batch (exact block moments), then one merge: stable for large means
      let n = 0;
      let sum = 0;
      for (let r = 0; r < rows; r++) {
        const x = v[r]!;
        if (x === x && !(miss && miss[r])) {
          n++;
          sum += x;
        }
      }
      if (n === 0) return;
      const mean = sum / n;
      let m2 = 0;
      for (let r = 0; r < rows; r++) {
        const x = v[r]!;
        if (x === x && !(miss && miss[r])) m2 += (x - mean) * (x - mean);
      }
      if (!Number.isFinite(m2)) throw new DataError(`${analyzerName(set.spec, ref)} reads infinite values: their mean and variance are undefined`);
      mergeMoments(acc, n, mean, m2);
    } else if (acc.op === 'minMax') {
      let { n, min, max } = acc;
      for (let r = 0; r < rows; r++) {
        const x = v[r]!;
        if (x === x && !(miss && miss[r])) {
          n++;
          if (x < min) min = x;
          if (x > max) max = x;
        }
      }
      Object.assign(acc, { n, min, max });
    } else {
      let kept: Float64Array = v;
      let len = rows;
      // the sketch takes no NaN and no missing value: compact them out when there are any
      for (let r = 0; r < rows; r++) {
        const x = v[r]!;
        if (x !== x || (miss && miss[r])) {
          kept = new Float64Array(rows);
          len = 0;
          for (let s = 0; s < rows; s++) {
            const y = v[s]!;
            if (y === y && !(miss && miss[s])) kept[len++] = y;
          }
          break;
        }
      }
      acc.sketch.addAll(kept, 0, len);
    }
  });
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function serializeAccumulators(set: AccumulatorSet): AccumulatorJson {
  return {
    phase: set.phase,
    analyzers: [...set.analyzers],
    accs: set.accs.map((a) => {
      switch (a.op) {
        case 'meanVar':
          return { ...a };
        case 'minMax':
          return { op: 'minMax', n: a.n, min: a.n ? a.min : null, max: a.n ? a.max : null };
        case 'vocabulary': {
          const tokens = [...a.counts.keys()].sort();
          return { op: 'vocabulary', tokens, counts: tokens.map((t) => a.counts.get(t)!) };
        }
        case 'quantiles': {
          const s = a.sketch.toJSON();
          return { op: 'quantiles', k: s.k, n: s.n, min: finiteOrNull(s.min), max: finiteOrNull(s.max), seed: s.seed, levels: s.levels.map((l) => Array.from(l)) };
        }
      }
    }),
  };
}

/** The AccumulatorSet of serialized state; `results` as for createAccumulators. */
export function deserializeAccumulators(spec: TransformSpec, json: AccumulatorJson, results: Results = {}): AccumulatorSet {
  const set = createAccumulators(spec, json.phase, results);
  if (JSON.stringify(set.analyzers) !== JSON.stringify(json.analyzers) || json.accs.length !== set.accs.length) {
    throw new DataError(`accumulators of phase ${json.phase} were made for another transform (analyzers ${json.analyzers.join(',')}, expected ${set.analyzers.join(',')})`);
  }
  set.accs = json.accs.map((a, k) => {
    const want = set.accs[k]!.op;
    if (a.op !== want) throw new DataError(`accumulator ${k} of phase ${json.phase} is a ${a.op}, expected ${want}`);
    switch (a.op) {
      case 'meanVar':
        return { ...a };
      case 'minMax':
        return { op: 'minMax', n: a.n, min: a.min ?? Infinity, max: a.max ?? -Infinity };
      case 'vocabulary':
        return { op: 'vocabulary', counts: new Map(a.tokens.map((t, i) => [t, a.counts[i]!])) };
      case 'quantiles':
        return { op: 'quantiles', sketch: KllSketch.fromJSON({ k: a.k, n: a.n, min: a.min ?? Infinity, max: a.max ?? -Infinity, seed: a.seed, levels: a.levels.map((l) => Float64Array.from(l)) }) };
    }
  });
  return set;
}

/** One set holding all of `sets` (same spec and phase), independent of their order. */
export function mergeAccumulators(sets: readonly AccumulatorSet[]): AccumulatorSet {
  if (sets.length === 0) throw new DefinitionError('mergeAccumulators needs at least one accumulator set');
  const first = sets[0]!;
  for (const s of sets) {
    if (s.phase !== first.phase || s.analyzers.length !== first.analyzers.length) throw new DefinitionError('mergeAccumulators: the sets belong to different phases');
  }
  const out = createAccumulators(first.spec, first.phase, first.results);
  out.accs.forEach((acc, k) => {
    const parts = sets.map((s) => s.accs[k]!);
    if (acc.op === 'meanVar') {
      // canonical order: the fold's rounding then does not depend on which shard came first
      const ms = (parts as MeanVarAcc[]).slice().sort((a, b) => a.n - b.n || a.mean - b.mean || a.m2 - b.m2);
      for (const m of ms) mergeMoments(acc, m.n, m.mean, m.m2);
    } else if (acc.op === 'minMax') {
      for (const m of parts as MinMaxAcc[]) {
        acc.n += m.n;
        if (m.min < acc.min) acc.min = m.min;
        if (m.max > acc.max) acc.max = m.max;
      }
    } else if (acc.op === 'vocabulary') {
      for (const m of parts as VocabAcc[]) for (const [t, c] of m.counts) acc.counts.set(t, (acc.counts.get(t) ?? 0) + c);
    } else {
      // the sketch's compactions depend on merge order: merge in the order of the states' content
      const keyed = (parts as QuantAcc[]).map((q) => ({ q, key: JSON.stringify(q.sketch.toJSON(), (_k, v: unknown) => (v instanceof Float64Array ? Array.from(v) : v)) }));
      keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const { q } of keyed) acc.sketch.merge(q.sketch);
    }
  });
  return out;
}
