/**
 * A Model's signature (signature.json): which raw features a caller sends (name and type),
 * how the transform's outputs feed the model (one input per feature, or all concatenated),
 * and what the output means (class names from the label's vocabulary). Serving and the browser
 * read it with the serving graph saved beside it, so they need no user code.
 */
import { SIGNATURE_FORMAT, type ModelSignature } from '../../schemas/model-signature.js';
import { nodeInputs, type TransformGraph } from '../../schemas/transform-graph.js';
import type { InputPlan } from '../../src/ml/train/model-module.js';
import type { ModelSource } from '../../src/ml/train/stepper.js';

export { ModelSignature, SIGNATURE_FORMAT } from '../../schemas/model-signature.js';

/** The graph with only the outputs the model reads (the label and excluded features dropped): what serving applies. */
export function servingGraph(graph: TransformGraph, source: Pick<ModelSource, 'features'>): TransformGraph {
  const keep = new Set(source.features.map((f) => f.name));
  const outputs = Object.fromEntries(Object.entries(graph.spec.outputs).filter(([name]) => keep.has(name)));
  return { ...graph, spec: { ...graph.spec, outputs } };
}

/** The raw features the given outputs read, in first-use order. */
export function rawInputsOf(graph: TransformGraph): ModelSignature['rawInputs'] {
  const seen = new Set<number>();
  const out: ModelSignature['rawInputs'] = [];
  const walk = (i: number) => {
    if (seen.has(i)) return;
    seen.add(i);
    const n = graph.spec.nodes[i]!;
    if (n.op === 'feature') {
      if (!out.some((r) => r.name === n.name)) out.push({ name: n.name, kind: n.kind ?? (n.use === 'string' ? 'string' : 'float') });
      return;
    }
    nodeInputs(n).forEach(walk);
  };
  Object.values(graph.spec.outputs).forEach(walk);
  return out;
}

export function signatureOf(graph: TransformGraph, source: ModelSource, plan: InputPlan): ModelSignature {
  const { label } = source;
  const width = label.task === 'multiclass' ? label.classes!.length : 1;
  const meaning =
    label.task === 'binary'
      ? `probability that ${label.name} is '${label.classes?.[1] ?? 1}' (class 1; class 0 is '${label.classes?.[0] ?? 0}')`
      : label.task === 'multiclass'
        ? `probability of each ${label.name} class, in the order of label.classes`
        : `predicted ${label.name}`;
  return {
    format: SIGNATURE_FORMAT,
    rawInputs: rawInputsOf(servingGraph(graph, source)),
    transformedInputs: source.features,
    modelInputs: plan.kind === 'named' ? { kind: 'named', names: plan.names } : { kind: 'concat', features: source.features.map((f) => f.name) },
    label,
    output: { width, meaning },
  };
}
