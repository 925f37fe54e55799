/**
 * Analyzer phases: an analyzer whose input reads another analyzer's result (zScore of
 * fillMissing(x, mean(x))) can only run once that result exists, so it goes in a later full
 * pass. Phase 0 holds the analyzers of raw features; phase p those whose inputs need phase
 * p - 1 at the latest. Like TFT's analysis graph, but computed from the spec's table.
 */
import { ANALYZER_OPS, nodeInputs, type AnalyzerNode, type ExprNode, type TransformSpec } from '../../../schemas/transform-graph.js';

export interface AnalyzerPhase {
  phase: number;
  /** node indices of the analyzers that run in this pass, ascending */
  analyzers: number[];
}

const ANALYZERS = new Set<string>(ANALYZER_OPS);

export function isAnalyzer(n: ExprNode): n is AnalyzerNode {
  return ANALYZERS.has(n.op);
}

/** The passes analysis makes over the data, in order; empty when the spec has no analyzer. */
export function analyzerPhases(spec: TransformSpec): AnalyzerPhase[] {
  // level[i]: the first pass in which node i can be evaluated (inputs come before users)
  const level = new Array<number>(spec.nodes.length).fill(0);
  const phaseOf = new Map<number, number>();
  spec.nodes.forEach((n, i) => {
    let l = 0;
    for (const r of nodeInputs(n)) {
      const p = phaseOf.get(r);
      l = Math.max(l, p === undefined ? level[r]! : p + 1);
    }
    if (isAnalyzer(n)) phaseOf.set(i, level[n.x]!);
    level[i] = l;
  });
  const phases: AnalyzerPhase[] = [];
  for (const [i, p] of [...phaseOf].sort((a, b) => a[0] - b[0])) {
    while (phases.length <= p) phases.push({ phase: phases.length, analyzers: [] });
    phases[p]!.analyzers.push(i);
  }
  return phases;
}
