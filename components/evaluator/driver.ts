/**
 * Evaluator's driver, before any scoring: checks the params against the Examples and the
 * candidate's signature (the label column, the weight column, slice features, splits: a wrong
 * name fails here, non-retryably, naming it), resolves the raw label column (the one the
 * Model's label was made from, by default), and finds the baseline: the pipeline's latest
 * blessed Model (TFX's LatestBlessedModelStrategy, never the candidate itself), recorded as the
 * `baselineModel` input so lineage and the cache key see it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactLookup, Driver } from '../../src/dsl/component.js';
import { DefinitionError } from '../../src/errors.js';
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import type { ModelSignature } from '../../schemas/model-signature.js';
import { TransformGraph, nodeInputs } from '../../schemas/transform-graph.js';
import { latestBlessedModel } from '../common/latest-blessed-model.js';
import { TRANSFORM_GRAPH_FILE } from '../transform/spec.js';
import { readSignature } from './scoring.js';
import { checkSliceFeatures } from './slicing.js';
import type { EvaluatorComponentSpec, EvaluatorParams } from './spec.js';

export interface EvaluatorResolved {
  /** the raw label column */
  label: string;
  /** the baseline Model, or why there is none */
  baseline: { modelId: number } | { none: string };
}

/** The params' column names against the Examples; each wrong one is a DefinitionError naming the param. */
export function checkColumns(a: { params: EvaluatorParams; label: string; columns: string[]; splits: string[]; signature: ModelSignature }): void {
  const list = a.columns.join(', ');
  if (!a.columns.includes(a.label))
    throw new DefinitionError(`label column '${a.label}' is not in the Examples (they have ${list})`, ['params', 'label']);
  if (a.params.exampleWeight && !a.columns.includes(a.params.exampleWeight))
    throw new DefinitionError(`example weight column '${a.params.exampleWeight}' is not in the Examples (they have ${list})`, ['params', 'exampleWeight']);
  a.params.splits.forEach((s, i) => {
    if (!a.splits.includes(s)) throw new DefinitionError(`split '${s}' is not in the Examples (they have ${a.splits.join(', ')})`, ['params', 'splits', i]);
  });
  checkSliceFeatures(a.params.slicing, a.columns, 'slicing');
  checkSliceFeatures(a.params.sliceThresholds.map((t) => t.slice), a.columns, 'sliceThresholds');
  if (a.signature.label.task !== 'multiclass' && a.params.topK.length)
    throw new DefinitionError(`topK is for multiclass models; this one is ${a.signature.label.task}`, ['params', 'topK']);
}

/**
 * The raw column the Model's label was made from: the first raw feature the training
 * TransformGraph's label output reads (`species = vocabulary('Species')` gives 'Species').
 */
async function rawLabelColumn(artifacts: ArtifactLookup, graphId: unknown, output: string): Promise<{ column: string; op: string } | undefined> {
  if (typeof graphId !== 'number') return undefined;
  const found = (await artifacts.list({ type: 'TransformGraph' })).find((g) => g.id === graphId);
  if (!found) return undefined;
  let graph: TransformGraph;
  try {
    graph = TransformGraph.parse(JSON.parse(await fs.readFile(path.join(found.path, TRANSFORM_GRAPH_FILE), 'utf8')));
  } catch {
    return undefined;
  }
  const walk = (i: number): string | undefined => {
    const n = graph.spec.nodes[i]!;
    if (n.op === 'feature') return n.name;
    for (const j of nodeInputs(n)) {
      const hit = walk(j);
      if (hit) return hit;
    }
    return undefined;
  };
  const ref = graph.spec.outputs[output];
  const column = ref === undefined ? undefined : walk(ref);
  return column === undefined ? undefined : { column, op: graph.spec.nodes[ref!]!.op };
}

export const evaluatorDriver: Driver<EvaluatorComponentSpec, EvaluatorResolved> = async ({ params, inputs, artifacts }) => {
  const model = inputs.model[0]!;
  const examples = inputs.examples[0]!;
  const signature = await readSignature(model.path);
  const props = examples.properties as ExamplesProperties;
  const columns = props.features.map((f) => f.name);
  const fromGraph = await rawLabelColumn(artifacts, (model.properties as { transformGraph?: unknown }).transformGraph, signature.label.name);
  // raw labels are compared with predictions: a regression model trained on a scaled label predicts in another unit
  if (signature.label.task === 'regression' && fromGraph && !['feature', 'toFloat'].includes(fromGraph.op))
    throw new DefinitionError(
      `the Model predicts '${signature.label.name}', a ${fromGraph.op} of raw '${fromGraph.column}', but the Evaluator compares raw labels with predictions: train a regression model on the raw label`,
      ['params', 'label'],
    );
  let label = params.label;
  if (!label) label = fromGraph && columns.includes(fromGraph.column) ? fromGraph.column : signature.label.name;
  checkColumns({ params, label, columns, splits: props.splitNames, signature });

  let baseline: EvaluatorResolved['baseline'];
  let baselineInput: number[] | undefined;
  const wired = inputs.baselineModel?.[0];
  if (wired) baseline = { modelId: wired.id };
  else {
    const found = await latestBlessedModel(artifacts, { exclude: model.id });
    baseline = found ? { modelId: found.model.id } : { none: 'no blessed model in this pipeline yet' };
    if (found) baselineInput = [found.model.id];
  }
  return {
    fingerprint: `label:${label}`,
    resolved: { label, baseline },
    ...(baselineInput ? { inputs: { baselineModel: baselineInput } } : {}),
  };
};
