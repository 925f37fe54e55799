/**
 * A TransformGraph in words, for `tsfx show <TransformGraph>`: per output feature, its
 * expression as the user wrote it (`zScore(fillMissing(bill, mean(bill)))`) and the results of
 * the analyzers it reads (mean/std, vocabulary size and head, boundaries).
 */
import { nodeInputs, type AnalyzerResult, type TransformGraph, type TransformSpec } from '../../../schemas/transform-graph.js';
import { outputFeatures, type OutputFeature } from './graph.js';
import { isAnalyzer } from './phases.js';

/** The DSL text of node `ref`. */
export function expressionText(spec: TransformSpec, ref: number): string {
  const n = spec.nodes[ref]!;
  const t = (r: number) => expressionText(spec, r);
  const opts = (o: Record<string, unknown>) => {
    const set = Object.entries(o).filter(([, v]) => v !== undefined);
    return set.length ? `, { ${set.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')} }` : '';
  };
  switch (n.op) {
    case 'feature':
      return n.name;
    case 'const':
      return String(n.value);
    case 'strConst':
      return JSON.stringify(n.value);
    case 'stat':
      return `${n.field}(${t((spec.nodes[n.of] as { x: number }).x)})`;
    case 'meanVar':
    case 'minMax':
      return `${n.op}(${t(n.x)})`;
    case 'vocabulary':
      return `vocabulary(${t(n.x)}${opts({ topK: n.topK, frequencyThreshold: n.frequencyThreshold })})`;
    case 'quantiles':
      return `quantiles(${t(n.x)}, ${n.numBuckets})`;
    case 'zScore':
      return `zScore(${t(n.x)})`;
    case 'scaleMinMax':
      return n.min === 0 && n.max === 1 ? `scale01(${t(n.x)})` : `scaleMinMax(${t(n.x)}, ${n.min}, ${n.max})`;
    case 'lookup': {
      const v = spec.nodes[n.vocab] as { topK?: number; frequencyThreshold?: number };
      return `vocabulary(${t(n.x)}${opts({ topK: v.topK, frequencyThreshold: v.frequencyThreshold, numOovBuckets: n.numOovBuckets || undefined, defaultValue: n.defaultValue === -1 ? undefined : n.defaultValue })})`;
    }
    case 'applyBuckets':
      return n.quantiles === undefined ? `applyBuckets(${t(n.x)}, ${JSON.stringify(n.boundaries)})` : `bucketize(${t(n.x)}, ${(spec.nodes[n.quantiles] as { numBuckets: number }).numBuckets})`;
    case 'hash':
      return `hashStrings(${t(n.x)}, ${n.buckets})`;
    case 'cross':
      return `cross([${n.xs.map(t).join(', ')}], ${n.buckets})`;
    case 'oneHot':
      return `oneHot(${t(n.x)}${n.depth === undefined ? '' : `, ${n.depth}`})`;
    case 'fillMissing':
      return `fillMissing(${t(n.x)}, ${t(n.value)})`;
    case 'toFloat':
      return `toFloat(${t(n.x)})`;
    case 'unary':
      return `${n.fn}(${t(n.x)})`;
    case 'binary':
      return `${n.fn}(${t(n.a)}, ${t(n.b)})`;
  }
}

/** One line of an analyzer's result: what `tsfx show` prints under its output. */
export function resultSummary(r: AnalyzerResult, head = 5): string {
  switch (r.op) {
    case 'meanVar':
      return `mean ${r.mean}, std ${Math.sqrt(r.variance)} over ${r.count} values`;
    case 'minMax':
      return `min ${r.min ?? 'none'}, max ${r.max ?? 'none'} over ${r.count} values`;
    case 'vocabulary': {
      const shown = r.tokens.slice(0, head).map((t, i) => `${JSON.stringify(t)} (${r.frequencies[i]})`);
      return `vocabulary of ${r.tokens.length} (of ${r.distinct} distinct): ${shown.join(', ')}${r.tokens.length > head ? ', ...' : ''}`;
    }
    case 'quantiles':
      return `${r.boundaries.length} boundaries over ${r.count} values (rank error ${r.rankError}): ${r.boundaries.join(', ')}`;
  }
}

export interface OutputDescription {
  feature: OutputFeature;
  expression: string;
  /** the analyzers this output reads, with their results */
  analyzers: { expression: string; summary: string }[];
}

/** Per output feature: its type, expression and the analyzer results it uses. */
export function describeGraph(graph: TransformGraph): OutputDescription[] {
  const { spec } = graph;
  const features = outputFeatures(graph);
  return features.map((feature) => {
    const ref = spec.outputs[feature.name]!;
    const seen = new Set<number>();
    const stack = [ref];
    while (stack.length) {
      const i = stack.pop()!;
      if (seen.has(i)) continue;
      seen.add(i);
      stack.push(...nodeInputs(spec.nodes[i]!));
    }
    const analyzers = [...seen]
      .sort((a, b) => a - b)
      .filter((i) => isAnalyzer(spec.nodes[i]!) && graph.results[i])
      .map((i) => ({ expression: expressionText(spec, i), summary: resultSummary(graph.results[i]!) }));
    return { feature, expression: expressionText(spec, ref), analyzers };
  });
}
