/**
 * From accumulators to the TransformGraph artifact's data (the spec plus every analyzer's
 * result), and what the graph's outputs are: the dtype, width and cardinality per output
 * feature the Trainer builds its inputs from. analyzeBatches runs every phase in memory over
 * re-readable batches (tests, small data, the browser); the pipeline fans phases out per shard
 * with the accumulator functions instead.
 */
import { DefinitionError } from '../../errors.js';
import { TransformGraph, type AnalyzerNode, type AnalyzerResult, type TransformSpec } from '../../../schemas/transform-graph.js';
import { accumulate, createAccumulators, mergeAccumulators, type AccumulatorSet } from './accumulators.js';
import type { RawBatch } from './batch.js';
import { cardinality, resultOf, type Results } from './eval.js';
import { analyzerPhases } from './phases.js';
import { finalizeVocabulary } from './vocabulary.js';
import { KLL_RANK_ERROR } from '../../stats/kll.js';

/** The results of one phase's analyzers, keyed by node index (as TransformGraph.results). */
export function finalizeAccumulators(set: AccumulatorSet): Record<string, AnalyzerResult> {
  const out: Record<string, AnalyzerResult> = {};
  set.analyzers.forEach((ref, k) => {
    const acc = set.accs[k]!;
    const node = set.spec.nodes[ref] as AnalyzerNode;
    switch (acc.op) {
      case 'meanVar':
        // biased variance (M2 / n), as tft.var and tft.scale_to_z_score; no data: 0 and 0, as TFT's empty accumulator
        out[ref] = { op: 'meanVar', count: acc.n, mean: acc.n ? acc.mean : 0, variance: acc.n ? Math.max(0, acc.m2 / acc.n) : 0 };
        break;
      case 'minMax':
        out[ref] = { op: 'minMax', count: acc.n, min: acc.n ? acc.min : null, max: acc.n ? acc.max : null };
        break;
      case 'vocabulary': {
        const v = node as Extract<AnalyzerNode, { op: 'vocabulary' }>;
        out[ref] = finalizeVocabulary(acc.counts, { topK: v.topK, frequencyThreshold: v.frequencyThreshold });
        break;
      }
      case 'quantiles': {
        const q = node as Extract<AnalyzerNode, { op: 'quantiles' }>;
        // the sketch gives numBuckets + 1 values: the exact min and max around the inner boundaries
        const all = acc.sketch.n ? acc.sketch.quantiles(q.numBuckets) : [];
        out[ref] = { op: 'quantiles', boundaries: all.slice(1, -1), count: acc.sketch.n, rankError: KLL_RANK_ERROR };
        break;
      }
    }
  });
  return out;
}

/** The TransformGraph of a spec and all its analyzers' results; throws when a result is missing. */
export function finalizeGraph(spec: TransformSpec, results: Results): TransformGraph {
  for (const p of analyzerPhases(spec)) {
    for (const ref of p.analyzers) {
      const r = results[ref];
      if (!r || r.op !== spec.nodes[ref]!.op) throw new DefinitionError(`no result for analyzer node ${ref} (${spec.nodes[ref]!.op}, phase ${p.phase})`, ['results', ref]);
    }
  }
  const own: Record<string, AnalyzerResult> = {};
  for (const p of analyzerPhases(spec)) for (const ref of p.analyzers) own[ref] = results[ref]!;
  return TransformGraph.parse({ spec, results: own });
}

/** Analyses `batches` (called once per phase: each call must yield the same data) and returns the graph. */
export function analyzeBatches(spec: TransformSpec, batches: () => Iterable<RawBatch>): TransformGraph {
  let results: Results = {};
  for (const p of analyzerPhases(spec)) {
    const parts: AccumulatorSet[] = [];
    for (const b of batches()) {
      const set = createAccumulators(spec, p.phase, results);
      accumulate(set, b);
      parts.push(set);
    }
    const merged = parts.length ? mergeAccumulators(parts) : createAccumulators(spec, p.phase, results);
    results = { ...results, ...finalizeAccumulators(merged) };
  }
  return finalizeGraph(spec, results);
}

/** What one output feature of a graph is. */
export type OutputFeature =
  | { name: string; dtype: 'float32'; width: 1 }
  | { name: string; dtype: 'float32'; width: number; oneHotOf: number }
  | {
      name: string;
      dtype: 'int64';
      width: 1;
      /** ids lie in [0, cardinality); a vocabulary without OOV buckets maps unknown tokens to defaultValue */
      cardinality: number;
      /** the vocabulary, for an output that is a vocabulary's ids (the Trainer's class names) */
      classNames?: string[];
      defaultValue?: number;
    }
  | { name: string; dtype: 'string'; width: 1 };

/** Per output, in the spec's order: dtype (float32, int64 ids, string passthrough), width, cardinality, class names. */
export function outputFeatures(graph: TransformGraph): OutputFeature[] {
  const { spec, results } = graph;
  return Object.entries(spec.outputs).map(([name, ref]): OutputFeature => {
    const n = spec.nodes[ref]!;
    switch (n.op) {
      case 'lookup': {
        const vocab = resultOf(results, n.vocab, 'vocabulary');
        return { name, dtype: 'int64', width: 1, cardinality: cardinality(spec, results, ref), classNames: [...vocab.tokens], ...(n.numOovBuckets ? {} : { defaultValue: n.defaultValue }) };
      }
      case 'applyBuckets':
      case 'hash':
      case 'cross':
        return { name, dtype: 'int64', width: 1, cardinality: cardinality(spec, results, ref) };
      case 'oneHot': {
        const depth = n.depth ?? cardinality(spec, results, n.x);
        return { name, dtype: 'float32', width: depth, oneHotOf: n.x };
      }
      case 'strConst':
        return { name, dtype: 'string', width: 1 };
      case 'fillMissing':
        return spec.nodes[n.value]!.op === 'strConst' ? { name, dtype: 'string', width: 1 } : { name, dtype: 'float32', width: 1 };
      case 'feature': {
        const kind = n.kind ?? (n.use === 'string' ? 'string' : n.use === 'number' ? 'float' : undefined);
        if (!kind) throw new DefinitionError(`output '${name}' passes feature '${n.name}' through, but its type is unknown: check the spec against the Schema (checkSpecAgainstSchema) first`, ['preprocessing', name]);
        return kind === 'string' ? { name, dtype: 'string', width: 1 } : { name, dtype: 'float32', width: 1 };
      }
      case 'meanVar':
      case 'minMax':
      case 'vocabulary':
      case 'quantiles':
        throw new DefinitionError(`output '${name}' is an analyzer, not a feature`, ['preprocessing', name]);
      default:
        return { name, dtype: 'float32', width: 1 };
    }
  });
}
